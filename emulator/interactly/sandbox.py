"""Opt-in execution of ``inline_python`` tool code (``EMULATOR_INTERACTLY_EXECUTE_TOOLS=true``).

Off by default: tool code arriving in a request is data, and the emulator returns a scripted
result or a stub instead. Some users want the real values their example tools compute (a poll
counter, a date calculation), so this runs the code — **never in the emulator's process**:

- a fresh ``python -I -S`` child (no site packages, no environment, no inherited files), in an
  empty temporary directory;
- CPU seconds, address space, open files, file size and process count capped with ``setrlimit``;
- a wall-clock timeout (the tool's ``timeout_seconds``, at most ``MAX_TIMEOUT``);
- no network: the child enters a new network namespace (only a down loopback) before running
  anything; where the kernel refuses that, the code is not run at all.

This is still not a security boundary against a determined attacker on a shared machine (same
user, same kernel): do not enable it there. The child talks JSON on stdin/stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

MAX_TIMEOUT = 10.0
MAX_OUTPUT = 256 * 1024
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

# Runs inside the child. Finds the function to call (the tool's name, else the only function
# the code defines) and prints {"ok": true, "result": ...} or {"ok": false, "error": "..."}.
RUNNER = r"""
import json, sys
request = json.loads(sys.stdin.read())
scope = {"__name__": "tool"}
try:
    exec(compile(request["code"], "<tool>", "exec"), scope)
    functions = {k: v for k, v in scope.items() if callable(v) and not k.startswith("_")
                 and getattr(v, "__module__", None) == "tool"}
    fn = functions.get(request["name"]) or (
        next(iter(functions.values())) if len(functions) == 1 else None)
    if fn is None:
        raise LookupError("define one function (or one named like the tool)")
    result = fn(**request["args"])
    json.dumps(result)
    print(json.dumps({"ok": True, "result": result}))
except BaseException as exc:
    print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
"""


@dataclass
class Outcome:
    success: bool
    result: Any = None
    error: str | None = None


def _isolate() -> None:  # pragma: no cover - runs in the child between fork and exec
    import ctypes
    import resource

    libc = ctypes.CDLL(None, use_errno=True)
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    if libc.unshare(flags) != 0:
        os._exit(97)  # no network isolation: refuse rather than run with the network
    limits = {resource.RLIMIT_CPU: 5, resource.RLIMIT_AS: 512 * 1024 * 1024,
              resource.RLIMIT_NOFILE: 32, resource.RLIMIT_FSIZE: 1024 * 1024}
    for kind, value in limits.items():
        resource.setrlimit(kind, (value, value))
    os.setsid()


def run_inline(code: str, name: str, args: dict[str, Any], timeout: float) -> Outcome:
    """Run one tool function in an isolated child; every failure is an Outcome, not a raise."""
    request = json.dumps({"code": code, "name": name, "args": args})
    with tempfile.TemporaryDirectory(prefix="emulator-tool-") as cwd:
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-S", "-c", RUNNER], input=request, text=True,
                capture_output=True, cwd=cwd, env={}, timeout=min(timeout, MAX_TIMEOUT),
                preexec_fn=_isolate, close_fds=True, check=False)
        except subprocess.TimeoutExpired:
            return Outcome(False, error=f"Tool timed out after {min(timeout, MAX_TIMEOUT)} s")
        except OSError as exc:
            return Outcome(False, error=f"Tool could not start: {exc}")
    if done.returncode == 97:
        return Outcome(False, error="Tool not run: network isolation is unavailable here")
    lines = done.stdout[:MAX_OUTPUT].strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return Outcome(False, error=f"Tool crashed (exit {done.returncode})")
    if answer.get("ok"):
        return Outcome(True, result=answer.get("result"))
    return Outcome(False, error=str(answer.get("error")))
