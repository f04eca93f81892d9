"""Opt-in tool execution: results, failures, limits and the missing network."""

import pytest

from emulator.interactly.sandbox import run_inline

_probe = run_inline("def f():\n    return 1", "f", {}, 5)
pytestmark = pytest.mark.skipif(
    not _probe.success and "isolation" in str(_probe.error),
    reason="this kernel refuses a network namespace, so the sandbox refuses to run code")

POLL = """
def poll(attempts_so_far):
    try:
        n = int(attempts_so_far)
    except (TypeError, ValueError):
        n = 0
    return n + 1
"""


def test_runs_the_named_function_with_its_arguments():
    assert run_inline(POLL, "poll", {"attempts_so_far": "2"}, 5).result == 3
    assert run_inline(POLL, "other-name", {"attempts_so_far": "[[attempts]]"}, 5).result == 1


def test_errors_timeouts_and_bad_code_are_outcomes_not_raises():
    raised = run_inline("def f():\n    raise ValueError('nope')", "f", {}, 5)
    assert not raised.success and "ValueError: nope" in raised.error
    assert "SyntaxError" in run_inline("def (", "f", {}, 5).error
    two = run_inline("def a(): pass\ndef b(): pass", "c", {}, 5)
    assert not two.success and "one function" in two.error
    slow = run_inline("def f():\n    while True: pass", "f", {}, 0.5)
    assert not slow.success and "timed out" in slow.error
    unserialisable = run_inline("def f():\n    return object()", "f", {}, 5)
    assert not unserialisable.success


def test_the_child_has_no_network_and_no_environment():
    code = """
def f():
    import os, socket
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect(("1.1.1.1", 80))
        return "connected"
    except OSError as exc:
        return ["blocked", dict(os.environ)]
"""
    outcome = run_inline(code, "f", {}, 5)
    assert outcome.success, outcome.error
    assert outcome.result[0] == "blocked"
    assert set(outcome.result[1]) <= {"LC_CTYPE"}  # Python's own locale coercion only


def test_the_engine_runs_tool_code_only_when_opted_in():
    import itertools

    from emulator.interactly.engine import Context, Engine, Run
    from emulator.interactly.llm import LLMScripts

    graph = {"workflow_config": {"name": "t"}, "dynamic_variables": {}, "edge_configs": [],
             "node_configs": [{"logical_id": "p", "type": "tool_node", "name": "P",
                               "is_start": True, "result_runtime_variable_name": "attempts",
                               "tool_arguments": {"attempts_so_far": "2"},
                               "tool_config": {"type": "inline_python", "name": "poll",
                                               "code": POLL}}]}
    values = []
    for opted_in in (False, True):
        counter = itertools.count()
        engine = Engine(Context(now=lambda: 0.0, uuid=lambda c=counter: f"u{next(c)}", seed=0,
                                scripts=LLMScripts(), execute_tools=opted_in))
        run = Run(id="r" * 24, logical_id="x", workflow_id="w" * 24, version_number=0,
                  version_name="v0", graph=graph, team_id="", run_by=None, created_at="")
        engine.turn(run, {"command": "start"}, "start")
        values.append(run.runtime["attempts"])
    assert values[0]["emulated"] is True and values[1] == 3
