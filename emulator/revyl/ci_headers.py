"""The CI headers of the two execute routes, typed as the service documents them.

The CLI sends them only inside GitHub Actions (spec §1.2). The real backend declares them as
optional header parameters, so a junk ``X-CI-PR-Number`` is FastAPI's 422 there: here too,
rather than a run started on bad input.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from pydantic import BaseModel


class CIHeaders(BaseModel):
    """What the caller said about where it runs."""

    x_revyl_client: str | None = None
    x_ci_system: str | None = None
    x_ci_commit_sha: str | None = None
    x_ci_branch: str | None = None
    x_ci_pr_number: int | None = None
    x_ci_run_url: str | None = None
    x_ci_run_id: str | None = None
    x_ci_repository: str | None = None

    def source(self, body_source: str | None) -> str:
        """CLI header first, then CI headers, then what the body says (spec §1.2)."""
        if (self.x_revyl_client or "").lower() == "cli":
            return "cli"
        if self.x_ci_system:
            return "ci_cd"
        return body_source or "api"


CI = Annotated[CIHeaders, Header()]
