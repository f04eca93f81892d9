"""Variable substitution and chat messages.

``{{name}}`` reads the run's dynamic variables, ``[[name]]`` the runtime variables of the thread
being moved: which thread that is comes in as an argument, because a companion thread and the
main thread see different runtime variables in the same turn.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.interactly import expressions
from emulator.interactly.engine.run import Run
from emulator.interactly.threads import Thread

DYNAMIC = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
RUNTIME = re.compile(r"\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]")


def thread_names(run: Run) -> dict[str, Any]:
    """Cross-thread names: ``thread_0`` is the main thread, ``thread_<id>`` a companion."""
    named = {f"thread_{t.reference_id}": t.runtime for t in run.companions.values()}
    return {**named, "thread_0": run.runtime}


def condition_vars(run: Run, thread: Thread) -> dict[str, Any]:
    """The names a condition sees: the thread's own runtime variables win over the rest."""
    return {**run.dynamic, **thread_names(run), **thread.runtime}


def substitute(text: str, run: Run, thread: Thread) -> str:
    """Fill in both kinds of placeholder; one that names nothing stays as written, so a
    typo shows in what is said instead of vanishing."""
    def dyn(m: re.Match[str]) -> str:
        value = expressions.lookup(run.dynamic, m.group(1))
        return m.group(0) if value is expressions.MISSING else str(value)

    def rt(m: re.Match[str]) -> str:
        value = expressions.lookup(thread.runtime, m.group(1))
        if value is expressions.MISSING and m.group(1).startswith("thread_"):
            value = expressions.lookup(thread_names(run), m.group(1))
        return m.group(0) if value is expressions.MISSING else str(value)

    return RUNTIME.sub(rt, DYNAMIC.sub(dyn, text))


def substitute_dynamic_only(text: str, run: Run) -> str:
    """Dynamic values go into a condition as Python string literals, so whatever they
    contain reads back as a string instead of as expression syntax."""
    return DYNAMIC.sub(lambda m: repr(str(expressions.lookup(run.dynamic, m.group(1))))
                       if expressions.lookup(run.dynamic, m.group(1))
                       is not expressions.MISSING else m.group(0), text)


def hydrate(expression: str, run: Run, thread: Thread) -> str:
    """The expression as evaluated: variables replaced by their values (literals quoted)."""
    names = condition_vars(run, thread)

    def value(m: re.Match[str]) -> str:
        found = expressions.lookup(names, m.group(1))
        if found is expressions.MISSING:
            return m.group(0)
        return repr(found) if isinstance(found, str) else str(found)

    return RUNTIME.sub(value, substitute_dynamic_only(expression, run))


def user_text(message: Any) -> str | None:
    """The text of a run-input message, whether a plain string, a message dict or LangChain
    content blocks; None when there is none."""
    if isinstance(message, str):
        return message
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, list):  # LangChain content blocks
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return None if content is None else str(content)
    return None


def input_messages(run_input: dict[str, Any]) -> list[str]:
    """The user's texts for the main thread; input addressed to other threads is ignored
    because companions never take user messages."""
    texts: list[str] = []
    threads = run_input.get("thread_to_node_inputs") or {}
    main = threads.get("0") or {} if isinstance(threads, dict) else {}
    for item in (main.get("node_run_inputs") or []) if isinstance(main, dict) else []:
        for message in (item.get("messages") or []) if isinstance(item, dict) else []:
            text = user_text(message)
            if text:
                texts.append(text)
    return texts


def human_message(text: str, uuid: str) -> dict[str, Any]:
    return {"content": text, "additional_kwargs": {}, "response_metadata": {}, "type": "human",
            "name": None, "id": uuid}


def ai_message(text: str, uuid: str, message_type: str | None = None) -> dict[str, Any]:
    return {"content": text, "additional_kwargs": {},
            "response_metadata": {"message_type": message_type} if message_type else {},
            "type": "ai", "name": None, "id": f"assistant_message_{uuid}",
            "tool_calls": [], "invalid_tool_calls": [], "usage_metadata": None}


def transcript(run: Run) -> str:
    return "\n".join(f"{m.get('type')}: {m.get('content')}" for m in run.history)
