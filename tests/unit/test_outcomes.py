import pytest
from pydantic import ValidationError

from emulator.revyl.outcomes import OutcomeQueue, OutcomeScript, magic_result


def test_specific_entries_only_match_their_test_and_are_consumed_in_order():
    q = OutcomeQueue()
    q.push([OutcomeScript(test_id="a", result="fail"), OutcomeScript(result="timeout")])
    assert q.take(test_id="b").result == "timeout"
    assert q.take(test_id="b") is None
    assert q.take(test_id="a").result == "fail"
    assert q.listing() == []


def test_times_keeps_an_entry_for_several_executions():
    q = OutcomeQueue()
    q.push([OutcomeScript(result="fail", times=2)])
    assert q.listing()[0]["remaining"] == 2
    assert q.take(test_id="x").result == "fail"
    assert q.take(test_id="y").result == "fail"
    assert q.take(test_id="z") is None


def test_workflow_entries_never_match_tests():
    q = OutcomeQueue()
    q.push([OutcomeScript(workflow_id="w", result="fail"), OutcomeScript(kind="workflow")])
    assert q.take(test_id="t") is None
    assert q.take(workflow_id="w").result == "fail"
    assert q.take(workflow_id="other").result == "pass"


def test_result_aliases_and_validation():
    assert OutcomeScript(result="FAILED").result == "fail"
    assert OutcomeScript(result="completed").result == "pass"
    with pytest.raises(ValidationError):
        OutcomeScript(result="explode")
    with pytest.raises(ValidationError):
        OutcomeScript(test_id="a", workflow_id="b")
    with pytest.raises(ValidationError):
        OutcomeScript(fail_step=0)
    with pytest.raises(ValidationError):
        OutcomeScript(surprise=1)


def test_magic_markers():
    assert magic_result("checkout [fail]") == "fail"
    assert magic_result("Checkout [TIMEOUT]") == "timeout"
    assert magic_result("[error] boot") == "error"
    assert magic_result("plain") is None
