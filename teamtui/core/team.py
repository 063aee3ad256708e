"""The team file schema: agents plus a composable flow.

This module is data only (pydantic models and cross-reference checks). Reading YAML and turning
errors into ``file:line: message`` lives in ``teamtui.loader``.
"""


from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

class _Strict(BaseModel):
    # defer_build: each model's validator is built on first use, so a team is validated by one
    # build of Team's schema instead of 22 built at import (and the flow nodes' early, failed
    # attempts before ``Flow`` exists): a third less of the schema's start-up cost.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Agent(_Strict):
    role: str
    instructions: str = ""
    description: str = ""  # what the agent is for; shown to routers and handoff tools
    model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    tools: tuple[Literal["memory", "files", "publish"], ...] = ()
    timeout: float | None = Field(default=None, gt=0)  # seconds per model call
    retries: int = Field(default=2, ge=0, le=10)


class Condition(_Strict):
    """True when every given test holds. Text tests look at the latest output (loops) or the
    conversation so far (handoffs); ``memory`` compares keys of the run's shared memory."""

    contains: str | None = None
    not_contains: str | None = None
    regex: str | None = None
    memory: dict[str, str] | None = None
    ignore_case: bool = False

    @model_validator(mode="after")
    def _not_empty(self) -> "Condition":
        if not any(v is not None for v in (self.contains, self.not_contains, self.regex, self.memory)):
            raise ValueError("a condition needs at least one of contains, not_contains, regex, memory")
        if self.regex is not None:
            import re

            try:
                re.compile(self.regex)
            except re.error as exc:
                raise ValueError(f"invalid regex {self.regex!r}: {exc}") from None
        return self


# --- flow nodes ------------------------------------------------------------------------------------


class AgentStep(_Strict):
    agent: str
    instruction: str | None = None  # extra instruction for this step only
    save_as: str | None = None  # also write the output to shared memory under this key
    label: str | None = None


class FlowRef(_Strict):
    flow: str  # name of an entry in the team's ``flows``


class Sequence(_Strict):
    sequence: tuple["Flow", ...] = Field(min_length=1)


class ParallelSpec(_Strict):
    branches: tuple["Flow", ...] = Field(min_length=1)
    arbiter: str | None = None  # agent that resolves the branches' answers into one


class Parallel(_Strict):
    parallel: ParallelSpec

    @field_validator("parallel", mode="before")
    @classmethod
    def _list_form(cls, value: Any) -> Any:
        return {"branches": value} if isinstance(value, list) else value


class LoopSpec(_Strict):
    max_iterations: int = Field(ge=1, le=100)
    until: Condition | None = None
    sequence: tuple["Flow", ...] = Field(min_length=1)


class Loop(_Strict):
    loop: LoopSpec


class RouteSpec(_Strict):
    classifier: str
    routes: dict[str, str] = Field(min_length=1)  # category -> agent
    fallback: str | None = None


class Route(_Strict):
    route: RouteSpec


class Transfer(_Strict):
    to: str
    description: str | None = None
    when: Condition | None = None  # the transfer is offered only while this holds
    note: str | None = None  # handed to the receiver along with the conversation


class HandoffSpec(_Strict):
    start: str
    transfers: dict[str, tuple[Transfer, ...]] = Field(default_factory=dict)
    max_handoffs: int = Field(default=5, ge=1, le=50)


class Handoff(_Strict):
    handoff: HandoffSpec


class SuperviseSpec(_Strict):
    planner: str
    workers: tuple[str, ...] = Field(min_length=1)
    max_tasks: int = Field(default=12, ge=1, le=2000)
    max_parallel: int | None = Field(default=None, ge=1)


class Supervise(_Strict):
    supervise: SuperviseSpec


class Subscriber(_Strict):
    agent: str
    on: tuple[str, ...] = Field(min_length=1)
    publish: str | None = None  # topic the agent's reply is published to

    @field_validator("on", mode="before")
    @classmethod
    def _one_topic(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class EventsSpec(_Strict):
    start: str  # topic of the first message; its payload is the run's input
    subscribers: tuple[Subscriber, ...] = Field(min_length=1)
    max_hops: int = Field(default=8, ge=1, le=100)


class Events(_Strict):
    events: EventsSpec


FLOW_KEYS = ("agent", "flow", "sequence", "parallel", "loop", "route", "handoff", "supervise", "events")


def _flow_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in FLOW_KEYS:
            if key in value:
                return key
        return None
    return {  # an already built node (model_validate of a Team instance)
        AgentStep: "agent", FlowRef: "flow", Sequence: "sequence", Parallel: "parallel", Loop: "loop",
        Route: "route", Handoff: "handoff", Supervise: "supervise", Events: "events",
    }.get(type(value))


Flow = Annotated[
    Union[
        Annotated[AgentStep, Tag("agent")],
        Annotated[FlowRef, Tag("flow")],
        Annotated[Sequence, Tag("sequence")],
        Annotated[Parallel, Tag("parallel")],
        Annotated[Loop, Tag("loop")],
        Annotated[Route, Tag("route")],
        Annotated[Handoff, Tag("handoff")],
        Annotated[Supervise, Tag("supervise")],
        Annotated[Events, Tag("events")],
    ],
    Discriminator(
        _flow_tag,
        custom_error_type="flow_kind",
        custom_error_message="a flow step needs one of: " + ", ".join(FLOW_KEYS),
    ),
]


class Budget(_Strict):
    max_tokens: int | None = Field(default=None, ge=1)  # hard limit: the run stops
    max_cost: float | None = Field(default=None, gt=0)  # USD, hard limit
    soft_tokens: int | None = Field(default=None, ge=1)  # soft limit: pause and ask (TUI), stop (headless)
    soft_cost: float | None = Field(default=None, gt=0)


class Team(_Strict):
    name: str
    description: str = ""
    example: str = ""
    model: str | None = None  # default model for agents that name none
    agents: dict[str, Agent] = Field(min_length=1)
    flow: Flow
    flows: dict[str, Flow] = Field(default_factory=dict)  # named sub-flows, used as {flow: name}
    memory: dict[str, str] = Field(default_factory=dict)  # initial shared memory
    output: str | None = None  # agent whose last reply is the run's answer (default: the flow's last reply)
    on_failure: Literal["fail", "degrade"] = "fail"
    timeout: float | None = Field(default=None, gt=0)  # whole-run timeout, seconds
    budget: Budget = Field(default_factory=Budget)

    @field_validator("agents")
    @classmethod
    def _agent_names(cls, agents: dict[str, Agent]) -> dict[str, Agent]:
        import re

        for name in agents:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,47}", name):
                raise ValueError(
                    f"agent name {name!r} must start with a letter and use only letters, digits, '_' or '-'"
                )
        return agents


# --- cross references ------------------------------------------------------------------------------


class TeamReferenceError(ValueError):
    """A team that parses but does not hang together. ``path`` locates the offending value."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def check_references(team: Team) -> None:
    """Raise TeamReferenceError for unknown agents, unknown or cyclic flow references."""
    known = set(team.agents)

    def need(name: str, path: tuple[str | int, ...]) -> None:
        if name not in known:
            hint = ", ".join(sorted(known))
            raise TeamReferenceError(path, f"unknown agent {name!r} (agents: {hint})")

    def walk(node: Any, path: tuple[str | int, ...], stack: tuple[str, ...]) -> None:
        if isinstance(node, AgentStep):
            need(node.agent, path + ("agent",))
        elif isinstance(node, FlowRef):
            if node.flow not in team.flows:
                raise TeamReferenceError(path + ("flow",), f"unknown flow {node.flow!r}")
            if node.flow in stack:
                chain = " -> ".join(stack[stack.index(node.flow):] + (node.flow,))
                raise TeamReferenceError(path + ("flow",), f"cycle in flows: {chain}")
            walk(team.flows[node.flow], ("flows", node.flow), stack + (node.flow,))
        elif isinstance(node, Sequence):
            for i, child in enumerate(node.sequence):
                walk(child, path + ("sequence", i), stack)
        elif isinstance(node, Parallel):
            for i, child in enumerate(node.parallel.branches):
                walk(child, path + ("parallel", "branches", i), stack)
            if node.parallel.arbiter:
                need(node.parallel.arbiter, path + ("parallel", "arbiter"))
        elif isinstance(node, Loop):
            for i, child in enumerate(node.loop.sequence):
                walk(child, path + ("loop", "sequence", i), stack)
        elif isinstance(node, Route):
            need(node.route.classifier, path + ("route", "classifier"))
            for category, agent in node.route.routes.items():
                need(agent, path + ("route", "routes", category))
            if node.route.fallback:
                need(node.route.fallback, path + ("route", "fallback"))
        elif isinstance(node, Handoff):
            spec = node.handoff
            need(spec.start, path + ("handoff", "start"))
            for source, transfers in spec.transfers.items():
                need(source, path + ("handoff", "transfers", source))
                for i, transfer in enumerate(transfers):
                    need(transfer.to, path + ("handoff", "transfers", source, i, "to"))
                    if transfer.to == source:
                        raise TeamReferenceError(
                            path + ("handoff", "transfers", source, i, "to"), f"{source!r} cannot hand off to itself"
                        )
        elif isinstance(node, Supervise):
            need(node.supervise.planner, path + ("supervise", "planner"))
            for i, worker in enumerate(node.supervise.workers):
                need(worker, path + ("supervise", "workers", i))
        elif isinstance(node, Events):
            for i, sub in enumerate(node.events.subscribers):
                need(sub.agent, path + ("events", "subscribers", i, "agent"))

    walk(team.flow, ("flow",), ())
    if team.output is not None:
        need(team.output, ("output",))
    for name, flow in team.flows.items():
        walk(flow, ("flows", name), (name,))
