"""The run engine: walks a workflow graph turn by turn (spec §6.6), emitting the events of §2.

Plain Python, no web framework. One :class:`Run` holds a graph snapshot (the version it started
on), variables, chat history and where the main thread is parked; :meth:`Engine.turn` moves it
until the thread parks on a user message, ends, fails or trips the loop guard. Everything the
model would decide comes from :mod:`emulator.interactly.llm`, and tool code is never executed
unless the namespace opted in.

The package is split by concern so each piece can be read and tested alone:

- ``run``: the run's state (also the snapshot format), the engine's limits and errors;
- ``text``: variable substitution and chat messages;
- ``step``: :class:`~emulator.interactly.engine.step.Step`, the run, thread and event list
  every function is given explicitly, and the event builders;
- ``nodes``: what each node type does, one handler per type in ``HANDLERS``;
- ``routing``: which edge a thread takes after a node;
- ``walk``: moving the main thread within a turn, parking, bounded self loops;
- ``background``: companion threads and evaluate-while-waiting edges between turns;
- ``core``: :class:`Engine`, the turn and pump entry points.

Only the names below are the package's interface; the modules are free to change.
"""

from emulator.interactly.engine.core import Engine
from emulator.interactly.engine.run import TERMINAL, Context, Run
from emulator.interactly.engine.text import human_message

__all__ = ["TERMINAL", "Context", "Engine", "Run", "human_message"]
