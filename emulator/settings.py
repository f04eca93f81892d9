"""Runtime settings: one object, filled from `EMULATOR_*` variables and then from CLI flags.

Flags win over the environment because a developer typing a flag means it for this run, while
the environment is often inherited from a CI job.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def bundled_fixtures() -> Path:
    """The seed data the wheel ships as ``emulator/fixtures`` (the build maps the repo's
    top-level ``fixtures/`` there). A source checkout or an editable install has no such
    folder inside the package, so the repo's own ``fixtures/`` is used instead."""
    packaged = Path(str(resources.files("emulator") / "fixtures"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "fixtures"


DEFAULT_FIXTURES = bundled_fixtures()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EMULATOR_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    seed: int = 0
    clock: Literal["realtime", "manual"] = "realtime"
    time_scale: float = Field(1.0, gt=0)
    fixtures: Path = DEFAULT_FIXTURES
    # Epoch (unix seconds) that virtual time starts at.  None: wall-clock time for the realtime
    # clock, 2026-01-01T00:00:00Z for the manual one (so manual runs are byte-for-byte repeatable).
    epoch: float | None = None
    # Base URL that links handed to clients point at (presigned uploads, reports).  None: derived
    # from host and the bound port; set it when the emulator sits behind a proxy or in Docker.
    public_url: str | None = None
    # Floor on how long (virtual seconds) an execution stays non-terminal, so clients that
    # subscribe right after starting one (the GitHub Action) still see it running.
    min_active_seconds: float = Field(2.0, ge=0)
    # Virtual seconds between SSE heartbeat events.
    heartbeat_seconds: float = Field(15.0, gt=0)
    # Hosts besides loopback that from-url may download from (a JSON list in the env).
    from_url_allow_hosts: list[str] = Field(default_factory=list)
    # Interactly: answer like the real API where the emulator would otherwise improvise
    # (a workflow without nodes fails "No start node found" instead of conversing).
    interactly_strict: bool = False
    # Interactly: run inline_python tool code in an isolated child process (no network, rlimits,
    # timeout) instead of answering with a script or stub. Unsafe on shared machines: off.
    interactly_execute_tools: bool = False
    max_body_bytes: int = Field(1 * 1024 * 1024, gt=0)
    max_upload_bytes: int = Field(512 * 1024 * 1024, gt=0)
    log_level: str = "warning"
    # JSON snapshot of every namespace: imported at start when it exists, written (atomically)
    # at clean shutdown. None: state lives only as long as the process.
    state_file: Path | None = None
    # Request journal: entries kept per namespace (oldest evicted first).
    journal_limit: int = Field(1000, ge=1, le=1_000_000)
    # Finished executions (Revyl test and workflow executions, Interactly runs) kept per
    # namespace; the oldest finished ones are forgotten beyond this. Live ones never are.
    max_finished: int = Field(5000, ge=1, le=10_000_000)
    # Idle keep-alive connections are closed after this long. uvicorn's 5 s lets clients that
    # wait for the server to close idle sockets (the GitHub Action's node process) exit
    # promptly; a client pool whose own idle expiry is not shorter (httpx: 5 s) can race the
    # close under load ("Server disconnected"): raise this, or lower the pool's expiry.
    keep_alive_seconds: float = Field(5.0, gt=0, le=3600)
