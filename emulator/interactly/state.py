"""Everything Interactly keeps for one namespace (its API key).

The catalog, the runs, the LLM scripts and the WebSocket session tokens are made with the
state. Every other feature is a *service*: one typed attribute per feature (``state.webhooks``,
``state.schedules``, ...), made on first use, so a namespace that never touches simulations
never imports them and start-up stays fast. The services are the ``cached_property``
attributes of :class:`InteractlyState`; that list is what snapshots save
(:meth:`InteractlyState.made_services`) and what ``tests/unit/test_interactly_services.py``
checks, so adding a feature means adding one property here and nothing else to register.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from emulator.core.clock import iso
from emulator.core.namespaces import ApiRegistration, Namespace, Rearm
from emulator.interactly.catalog import Catalog
from emulator.interactly.engine import Context, Engine
from emulator.interactly.llm import LLMScripts
from emulator.interactly.runs import Runs

if TYPE_CHECKING:
    from emulator.interactly.assets import Assets
    from emulator.interactly.favorites import Favorites
    from emulator.interactly.feedback import Feedback
    from emulator.interactly.global_variables import GlobalVariables
    from emulator.interactly.llm_configs import LLMConfigs
    from emulator.interactly.reruns import Reruns
    from emulator.interactly.schedules import Schedules
    from emulator.interactly.simulations import Simulations
    from emulator.interactly.stateful import Service
    from emulator.interactly.super_node_registry import SuperNodeRegistry
    from emulator.interactly.tool_runs import ToolRunner
    from emulator.interactly.webhooks import Webhooks
    from emulator.interactly.workflows import Workflows

log = logging.getLogger(__name__)
Listener = Callable[[str, dict[str, Any]], None]


class InteractlyState:
    def __init__(self, ns: Namespace) -> None:
        clock, ids = ns.clock, ns.ids
        self.catalog = Catalog(lambda: iso(clock.now()), ids.object_id,
                               lambda kind: f"{kind}_{ids.uuid()}")
        self.scripts = LLMScripts()
        self.engine = Engine(Context(now=clock.now, uuid=ids.uuid, seed=ns.settings.seed,
                                     scripts=self.scripts,
                                     strict=ns.settings.interactly_strict,
                                     execute_tools=ns.settings.interactly_execute_tools))
        self.listeners: list[Listener] = []
        self.runs = Runs(self.catalog, self.engine, clock, ids, notify=self.notify,
                         max_finished=ns.settings.max_finished)
        self.ns = ns
        self._ids = ids
        self._key = ns.key
        self.sessions: set[str] = set()

    # ------------------------------------------------------------------ services
    # Each is made on first use (its module imported then), once per namespace.
    @cached_property
    def workflows(self) -> Workflows:
        """Workflow changes a client makes (create, edit, copy, delete): each one tells the
        listeners (webhooks) about itself."""
        from emulator.interactly.workflows import Workflows

        return Workflows(self)

    @cached_property
    def globals(self) -> GlobalVariables:
        """Team global variables; from the moment they exist every new run sees them."""
        from emulator.interactly.global_variables import GlobalVariables

        settings = self.ns.settings
        public = (settings.public_url or f"http://localhost:{settings.port}").rstrip("/")
        made = GlobalVariables(self.ns.ids.object_id, self.ns.clock.now_iso,
                               f"{public}/workflows", self.ns.key)
        self.runs.dynamic_sources.append(made.dynamic_variables)
        return made

    @cached_property
    def assets(self) -> Assets:
        from emulator.interactly.assets import Assets

        ns = self.ns
        return Assets(self.catalog, ns.ids.object_id, ns.clock.now_iso,
                      lambda kind: f"{kind}_{ns.ids.uuid()}")

    @cached_property
    def favorites(self) -> Favorites:
        from emulator.interactly.favorites import Favorites

        return Favorites()

    @cached_property
    def llm_configs(self) -> LLMConfigs:
        from emulator.interactly.llm_configs import LLMConfigs

        return LLMConfigs(self)

    @cached_property
    def super_nodes(self) -> SuperNodeRegistry:
        from emulator.interactly.super_node_registry import SuperNodeRegistry

        return SuperNodeRegistry(self.catalog, self.ns.clock.now_iso)

    @cached_property
    def simulations(self) -> Simulations:
        from emulator.interactly.simulations import Simulations

        ns = self.ns
        return Simulations(self.catalog, self.runs, ns.clock, ns.ids.object_id,
                           lambda kind: f"{kind}_{ns.ids.uuid()}")

    @cached_property
    def schedules(self) -> Schedules:
        from emulator.interactly.schedules import Schedules

        return Schedules(self)

    @cached_property
    def webhooks(self) -> Webhooks:
        """Made on first use, it starts listening to :meth:`notify` from then on."""
        from emulator.interactly.webhooks import Webhooks

        return Webhooks(self)

    @cached_property
    def reruns(self) -> Reruns:
        from emulator.interactly.reruns import Reruns

        return Reruns(self)

    @cached_property
    def feedback(self) -> Feedback:
        from emulator.interactly.feedback import Feedback

        return Feedback(self)

    @cached_property
    def tool_runner(self) -> ToolRunner:
        """Direct tool runs see the team's globals, as runs do: a tool run makes them (not
        this property, so a run refused before it starts, an unknown tool, makes nothing)."""
        from emulator.interactly.tool_runs import ToolRunner

        catalog = self.catalog
        return ToolRunner(self.scripts, self.ns.clock.now_iso,
                          lambda: self.globals.dynamic_variables(),
                          lambda tool_id: catalog.doc(catalog.tools, "tool", tool_id)["config"])

    @classmethod
    def service_names(cls) -> tuple[str, ...]:
        """Every service this class declares (its ``cached_property`` attributes), in
        declaration order: found on the class, so there is no second list to keep in step."""
        return tuple(name for name, member in vars(cls).items()
                     if isinstance(member, cached_property))

    def made_services(self) -> dict[str, Service]:
        """The services made so far, in the order they were made (a ``cached_property``
        stores its value in the instance's ``__dict__`` on first use)."""
        names = set(self.service_names())
        return {name: value for name, value in vars(self).items() if name in names}

    def make_service(self, name: str) -> Service:
        """The service called ``name`` (made now if it was not yet): how a snapshot names
        it. KeyError for a name this class does not declare."""
        if name not in self.service_names():
            raise KeyError(name)
        found: Service = getattr(self, name)
        return found

    # ------------------------------------------------------------------ events
    def notify(self, action: str, payload: dict[str, Any]) -> None:
        """Tell listeners (webhooks) that something happened: ``workflow_created``,
        ``workflow_updated``, ``workflow_deleted``, ``workflow_run_started``,
        ``workflow_run_completed``. A listener that fails never breaks the request."""
        for listener in list(self.listeners):
            try:
                listener(action, payload)
            except Exception:  # pragma: no cover - defensive
                log.exception("listener failed for %s", action)

    def new_session(self) -> str:
        """A single-use WebSocket token that names its namespace (the socket has no
        Authorization header to go by when the token is used)."""
        token = f"{self._key}.{self._ids.token()}"
        self.sessions.add(token)
        return token

    def consume_session(self, token: str) -> bool:
        if token in self.sessions:
            self.sessions.remove(token)
            return True
        return False

    def snapshot(self) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for run in self.runs.by_id.values():
            statuses[run.status] = statuses.get(run.status, 0) + 1
        return {"workflows": len(self.catalog.workflows), "nodes": len(self.catalog.nodes),
                "edges": len(self.catalog.edges), "runs": statuses,
                "scripted_llm": self.scripts.listing()}

    def verify(self) -> None:
        """Every run renders and belongs to a stored workflow (see RevylState.verify)."""
        docs: list[Any] = [self.snapshot()]
        for run in self.runs.by_id.values():
            self.catalog.workflow(run.workflow_id)
            docs.append(self.runs.payload(run))
        json.dumps(docs, allow_nan=False)

    def close(self) -> None:
        """Stop what the services made so far keep running (timers, delivery tasks)."""
        for service in self.made_services().values():
            closer = getattr(service, "close", None)
            if closer is not None:
                closer()


class _Codec:
    """emulator/interactly/snapshot.py, imported when a snapshot is first taken or loaded."""

    def export(self, state: InteractlyState, skipped: list[str]) -> dict[str, Any]:
        from emulator.interactly import snapshot

        return snapshot.export(state, skipped)

    def restore(self, state: InteractlyState, data: dict[str, Any]) -> list[Rearm]:
        from emulator.interactly import snapshot

        return snapshot.restore(state, data)


class _Seeder:
    """emulator/interactly/seed.py, imported on the first ``POST /_emulator/seed``."""

    def check(self, state: InteractlyState, part: Any, replace: bool, problems: Any) -> None:
        from emulator.interactly import seed

        seed.check(state, part, replace, problems)

    def apply(self, state: InteractlyState, part: Any, replace: bool, caller: dict[str, str]
              ) -> dict[str, Any]:
        from emulator.interactly import seed

        return seed.apply(state, part, replace, caller)


def registration() -> ApiRegistration[InteractlyState]:
    """How the namespace registry builds, snapshots and seeds Interactly's state."""
    return ApiRegistration("interactly", InteractlyState, InteractlyState, _Codec(), _Seeder())


def interactly(ns: Namespace) -> InteractlyState:
    return ns.state(InteractlyState)
