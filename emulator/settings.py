"""Runtime settings: one object, filled from `EMULATOR_*` variables and then from CLI flags.

Flags win over the environment because a developer typing a flag means it for this run, while
the environment is often inherited from a CI job.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
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


# What uvicorn accepts for its log level (uvicorn.config.LOG_LEVELS); checked here so a typo is
# a one-line start-up error rather than a KeyError inside uvicorn.
LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]


class Settings(BaseSettings):
    """Every field is also an ``EMULATOR_<NAME>`` variable. Descriptions are what
    ``ri-emulator --help`` prints for each variable and flag, so they stay short."""

    model_config = SettingsConfigDict(env_prefix="EMULATOR_", extra="ignore")

    host: str = Field("127.0.0.1", description="interface to bind (0.0.0.0 only in containers)")
    port: int = Field(8000, ge=0, le=65535, description="port to bind; 0 picks a free one")
    seed: int = Field(0, description="seed for ids and scripted randomness")
    clock: Literal["realtime", "manual"] = Field(
        "realtime", description="time source: realtime, or manual (moves only when told to)")
    time_scale: float = Field(1.0, gt=0, description="realtime speed-up factor k")
    fixtures: Path = Field(DEFAULT_FIXTURES, description="directory holding revyl.json, the "
                                                         "seed data")
    # None: wall-clock time for the realtime clock, 2026-01-01T00:00:00Z for the manual one (so
    # manual runs are byte-for-byte repeatable).
    epoch: float | None = Field(None, description="unix seconds virtual time starts at (unset: "
                                                  "now, or 2026-01-01 for the manual clock)")
    # Set it when the emulator sits behind a proxy or in Docker.
    public_url: str | None = Field(None, description="base URL put into links handed to "
                                                     "clients (unset: from host and port)")
    # A floor, so clients that subscribe right after starting one (the GitHub Action) still see
    # it running.
    min_active_seconds: float = Field(2.0, ge=0, description="virtual seconds an execution "
                                                             "stays running at least")
    heartbeat_seconds: float = Field(15.0, gt=0, description="virtual seconds between SSE "
                                                             "heartbeat events")
    from_url_allow_hosts: list[str] = Field(
        default_factory=list, description='hosts besides loopback that from-url may download '
                                          'from (env: a JSON list, e.g. ["files.internal"])')
    # offline: any other host is never contacted, the build gets a deterministic placeholder
    # artifact (CI pipelines uploading from Expo or CDN URLs work without network).
    from_url: Literal["offline", "strict"] = Field(
        "offline", description="from-url for hosts off the allow-list: offline (store a "
                               "placeholder artifact) or strict (refuse with 502)")
    # Costs a JSON parse and a model validation per response: off on the default path.
    strict: bool = Field(False, description="validate every response against its route's "
                                            "declared model (a mismatch is a 500 naming the "
                                            "route and the field); on in the test suite")
    # A workflow without nodes fails "No start node found" instead of conversing.
    interactly_strict: bool = Field(False, description="Interactly: answer like the real API "
                                                       "where the emulator would improvise")
    # In a child process with no network, rlimits and a timeout, instead of answering with a
    # script or stub. Unsafe on shared machines: off.
    interactly_execute_tools: bool = Field(False, description="Interactly: run inline_python "
                                                              "tool code in an isolated child "
                                                              "process (unsafe on shared "
                                                              "machines)")
    max_body_bytes: int = Field(1 * 1024 * 1024, gt=0, description="largest request body "
                                                                 "(uploads excepted)")
    max_upload_bytes: int = Field(512 * 1024 * 1024, gt=0, description="largest upload body "
                                                                   "(builds, files)")
    log_level: LogLevel = Field("warning", description="uvicorn log level")
    # Written atomically. None: state lives only as long as the process.
    state_file: Path | None = Field(None, description="JSON file of every namespace's state: "
                                                      "loaded at start if it exists, written "
                                                      "at clean shutdown (SIGTERM, Ctrl-C)")
    journal_limit: int = Field(1000, ge=1, le=1_000_000, description="request journal entries "
                                                                     "kept per namespace")
    # Live ones are never forgotten.
    max_finished: int = Field(5000, ge=1, le=10_000_000, description="finished executions/runs "
                                                                     "kept per namespace "
                                                                     "(oldest forgotten first)")
    # Every new token makes one (~30 KB each); past the cap the least recently used idle one is
    # forgotten, and with none idle a new token is a 503.
    max_namespaces: int = Field(1000, ge=1, le=1_000_000, description="namespaces kept at "
                                                                      "once (least recently "
                                                                      "used idle one "
                                                                      "forgotten first)")
    # uvicorn's 5 s lets clients that wait for the server to close idle sockets (the GitHub
    # Action's node process) exit promptly; a client pool whose own idle expiry is not shorter
    # (httpx: 5 s) can race the close under load ("Server disconnected"): raise this, or lower
    # the pool's expiry.
    keep_alive_seconds: float = Field(5.0, gt=0, le=3600, description="idle keep-alive "
                                                                      "connections are closed "
                                                                      "after this long")
    # A shared CI server meets clients that send too much or too slowly: each cap below is
    # answered with a 4xx before anything is kept (docs/configuration.md#shared-servers).
    # A comma list rather than JSON: typed on a command line or in `docker run -e`.
    allowed_hosts: str | None = Field(None, description="Host header values served besides "
                                                        "loopback names, IP addresses, "
                                                        "one-label names and *.test (comma "
                                                        "list; .example.com for a domain and "
                                                        "its subdomains; * serves any)")
    max_header_bytes: int = Field(32 * 1024, ge=1024, description="largest total of a "
                                                                 "request's header names and "
                                                                 "values (431 beyond)")
    max_header_field_bytes: int = Field(8 * 1024, ge=256, description="largest single header "
                                                                     "value (431 beyond)")
    max_header_count: int = Field(100, ge=8, description="most headers in one request (431 "
                                                         "beyond)")
    max_url_bytes: int = Field(8 * 1024, ge=256, description="longest request target, path "
                                                            "and query (414 beyond)")
    header_timeout_seconds: float = Field(10.0, gt=0, le=3600,
                                          description="a request's headers must arrive within "
                                                      "this long of its first byte (408)")
    # Extended by a second per 64 KiB received, so a large upload on a slow link is not cut.
    body_timeout_seconds: float = Field(30.0, gt=0, le=3600,
                                        description="a request body must arrive within this "
                                                    "long, plus 1 s per 64 KiB received (408)")
    from_url_timeout_seconds: float = Field(60.0, gt=0, le=3600,
                                            description="longest a from-url download may take "
                                                        "(408 beyond)")
    # Unset keeps the local convenience (any token may look across namespaces); on a server
    # several teams share, only the holder of this token may (docs/control-plane.md#admin-token).
    admin_token: str | None = Field(None, description="bearer token required for "
                                                      "cross-namespace verbs (?all=true, the "
                                                      "all-namespace dashboard); unset: any "
                                                      "token may use them")

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_log_level(cls, value: object) -> object:
        """uvicorn lower-cases the level itself, so ``WARNING`` has always worked: keep it."""
        return value.lower() if isinstance(value, str) else value
