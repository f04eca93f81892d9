"""Reviewer feedback on finished runs: comments and ratings (spec §4.6).

Feedback is stored where the real service keeps it — on the run document: run-level comments on
the run, event comments and ratings on the stored event, turn comments and ratings on the
input/output pair — so ``GET /v1/workflow-runs/{id}`` shows it back. Every write is checked
completely before anything changes, so a refused request leaves the run untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from emulator.core.errors import Conflict, NotFound
from emulator.interactly.engine import Run

if TYPE_CHECKING:
    from emulator.interactly.state import InteractlyState

IN_PROGRESS = "Feedback cannot be left while the run is still in progress"


def author(user_id: str) -> dict[str, Any]:
    """``FeedbackUser`` for an author. The emulator has no user directory, so the display
    identity is derived from the id (deterministic, and obviously not a real person)."""
    return {"id": user_id, "firstName": "User", "lastName": user_id[-6:],
            "email": f"{user_id}@users.emulator.invalid"}


class Feedback:
    """One namespace's feedback writer. Reads and writes the runs of ``state.runs``; keeps
    nothing of its own, so a snapshot saves it with the runs."""

    stateless: ClassVar[Literal[True]] = True

    def __init__(self, state: InteractlyState) -> None:
        self.runs = state.runs
        self.clock = state.ns.clock
        self.ids = state.ns.ids

    # ---------------------------------------------------------------- lookups
    def finished(self, run_id: str) -> Run:
        """The run, if feedback may be left on it: 404 unknown, 409 still in progress."""
        run = self.runs.get(run_id)
        if not run.completed:
            raise Conflict(IN_PROGRESS)
        return run

    @staticmethod
    def turn(run: Run, turn_index: int) -> dict[str, Any]:
        if not 0 <= turn_index < len(run.pairs):
            raise NotFound(f"Turn {turn_index} not found in workflow run {run.id} "
                           f"({len(run.pairs)} turns)")
        return run.pairs[turn_index]

    @staticmethod
    def event(run: Run, event_logical_id: str) -> dict[str, Any]:
        for pair in run.pairs:
            for event in pair["run_output"]["events"]:
                if event.get("logical_id") == event_logical_id:
                    return event
        raise NotFound(f"Event {event_logical_id} not found in workflow run {run.id}")

    # ---------------------------------------------------------------- records
    def _comment(self, content: str, user: str) -> dict[str, Any]:
        now = self.clock.now_iso()
        return {"logical_id": f"comment_{self.ids.uuid()}", "content": content,
                "createdBy": user or None, "updatedBy": user or None,
                "createdAt": now, "updatedAt": now}

    def _touch(self, run: Run) -> None:
        run.updated_at = self.clock.now_iso()

    @staticmethod
    def _remove(items: list[dict[str, Any]], logical_id: str, what: str) -> None:
        for index, item in enumerate(items):
            if item.get("logical_id") == logical_id:
                del items[index]
                return
        raise NotFound(f"{what} {logical_id} not found")

    def _rate(self, ratings: list[dict[str, Any]], value: str, user: str) -> None:
        """At most one rating per user per target: re-rating replaces the caller's record
        (same ``logical_id`` and ``createdAt``) instead of appending."""
        now = self.clock.now_iso()
        mine = next((r for r in ratings if r.get("createdBy") == (user or None)), None)
        if mine is not None:
            mine.update(value=value, updatedBy=user or None, updatedAt=now)
            return
        ratings.append({"logical_id": f"rating_{self.ids.uuid()}", "value": value,
                        "createdBy": user or None, "updatedBy": user or None,
                        "createdAt": now, "updatedAt": now})

    @staticmethod
    def _unrate(ratings: list[dict[str, Any]], user: str) -> None:
        """Removing a rating you never left is not an error: the outcome is the same."""
        ratings[:] = [r for r in ratings if r.get("createdBy") != (user or None)]

    @staticmethod
    def response(ratings: list[dict[str, Any]] | None = None,
                 comments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """``RunFeedbackResponse``: the full list of the mutated target (one of the two is
        filled per endpoint) and the display identities of its authors."""
        ratings, comments = list(ratings or []), list(comments or [])
        users = {str(r["createdBy"]) for r in [*ratings, *comments] if r.get("createdBy")}
        return {"ratings": ratings, "comments": comments,
                "feedback_users": {u: author(u) for u in sorted(users)}}

    # ---------------------------------------------------------------- run comments
    def add_run_comment(self, run_id: str, content: str, user: str) -> Run:
        run = self.finished(run_id)
        run.comments.append(self._comment(content, user))
        self._touch(run)
        return run

    def delete_run_comment(self, run_id: str, comment_id: str) -> Run:
        run = self.finished(run_id)
        self._remove(run.comments, comment_id, "Comment")
        self._touch(run)
        return run

    # ---------------------------------------------------------------- events
    def add_event_comment(self, run_id: str, event_id: str, content: str, user: str) -> Run:
        run = self.finished(run_id)
        self.event(run, event_id).setdefault("comments", []).append(
            self._comment(content, user))
        self._touch(run)
        return run

    def delete_event_comment(self, run_id: str, event_id: str, comment_id: str) -> Run:
        run = self.finished(run_id)
        self._remove(self.event(run, event_id).setdefault("comments", []), comment_id,
                     "Comment")
        self._touch(run)
        return run

    def rate_event(self, run_id: str, event_id: str, value: str, user: str) -> dict[str, Any]:
        run = self.finished(run_id)
        ratings = self.event(run, event_id).setdefault("ratings", [])
        self._rate(ratings, value, user)
        self._touch(run)
        return self.response(ratings=ratings)

    def unrate_event(self, run_id: str, event_id: str, user: str) -> dict[str, Any]:
        run = self.finished(run_id)
        ratings = self.event(run, event_id).setdefault("ratings", [])
        self._unrate(ratings, user)
        self._touch(run)
        return self.response(ratings=ratings)

    # ---------------------------------------------------------------- turns
    def rate_turn(self, run_id: str, turn_index: int, value: str, user: str) -> dict[str, Any]:
        run = self.finished(run_id)
        ratings = self.turn(run, turn_index).setdefault("ratings", [])
        self._rate(ratings, value, user)
        self._touch(run)
        return self.response(ratings=ratings)

    def unrate_turn(self, run_id: str, turn_index: int, user: str) -> dict[str, Any]:
        run = self.finished(run_id)
        ratings = self.turn(run, turn_index).setdefault("ratings", [])
        self._unrate(ratings, user)
        self._touch(run)
        return self.response(ratings=ratings)

    def add_turn_comment(self, run_id: str, turn_index: int, content: str,
                         user: str) -> dict[str, Any]:
        run = self.finished(run_id)
        comments = self.turn(run, turn_index).setdefault("comments", [])
        comments.append(self._comment(content, user))
        self._touch(run)
        return self.response(comments=comments)

    def delete_turn_comment(self, run_id: str, turn_index: int,
                            comment_id: str) -> dict[str, Any]:
        run = self.finished(run_id)
        comments = self.turn(run, turn_index).setdefault("comments", [])
        self._remove(comments, comment_id, "Comment")
        self._touch(run)
        return self.response(comments=comments)

    # ---------------------------------------------------------------- evaluation
    def evaluation_result(self, run_id: str) -> dict[str, Any]:
        """``RunEvaluationResult``. The emulator runs no evaluation workflows, so a run has a
        result only if one of its turns recorded an ``evaluation`` (the newest wins); otherwise
        every field is null — all four are optional in the SDK, and "not evaluated" is an
        ordinary state of a run, not a missing resource."""
        run = self.runs.get(run_id)
        for pair in reversed(run.pairs):
            evaluation = pair.get("evaluation") or {}
            if evaluation:
                score = evaluation.get("score")
                passed = evaluation.get("passed")
                return {"score": score if isinstance(score, int | float) else None,
                        "passed": passed if isinstance(passed, bool) else None,
                        "details": evaluation, "evaluated_at": evaluation.get(
                            "evaluated_at") or run.updated_at}
        return {"score": None, "passed": None, "details": None, "evaluated_at": None}
