"""One agent turn: build the messages, call the model (with retries), run tools, report.

A turn may span several model calls (tool rounds). A step command (cancel, redirect) can end
the call in flight without cancelling the run (StepControl says how). Every finished
call is recorded as a ModelReplied event keyed by a hash of what was sent, and a call whose key is
already known (a resumed run, or a flow restarted by a redirect) is answered from that record
instead of paying for it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from json.encoder import c_make_encoder as _c_make_encoder  # None where _json is missing
from typing import Any, Callable

import msgspec

from . import events as ev
from .context import RunContext, StepControl
from .memory import Contribution
from .models.base import ModelError, ModelRequest, TextChunk, ToolCallChunk, ToolSpec, UsageChunk
from .retry import CircuitBreaker, CircuitOpen, backoff_delay
from .team import Team
from .tools import TOOLSETS, ToolBox, ToolFailure

MAX_TOOL_ROUNDS = 6
MAX_REPLY_CHARS = 200_000  # an enormous reply is cut here rather than filling memory and screens
_NO_USAGE = UsageChunk()  # what a model that reports no usage used (shared: never written)
_Read = tuple[str, list[dict[str, str]], UsageChunk]  # a streamed reply: its text, tool calls and usage


class StepFailed(Exception):
    """A step that failed for good (retries spent or a permanent error)."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


class Turn(msgspec.Struct):
    agent: str
    step: str
    prompt: str = ""
    purpose: str = "worker"
    conversation: list[dict[str, Any]] | None = None  # handoffs: the conversation so far
    extra_system: tuple[str, ...] = ()
    tools: tuple[ToolSpec, ...] = ()
    stop_tools: frozenset[str] = frozenset()  # calling one of these ends the turn (handoffs)
    json_schema: dict[str, Any] | None = None
    hints: dict[str, Any] = msgspec.field(default_factory=dict)  # read only: often the scope's own
    on_publish: Callable[[str, str], None] | None = None


#: Appended to a reply the user stopped part-way, where later steps read it.
CUT_NOTE = "\n\n[stopped by the user before it finished]"


class TurnResult(msgspec.Struct):
    text: str
    transfer: tuple[str, str] | None = None  # (tool name, reason)
    interrupted: bool = False
    #: What the turn added to the shared memory; None for a turn that never ran. A pattern can
    #: hand this one on instead of keeping a copy per step for the rest of the run.
    contribution: Contribution | None = None


class _Interrupted(Exception):
    def __init__(self, partial: str) -> None:
        self.partial = partial


class _Redirected(Exception):
    pass


class _EmptyReply(ModelError):
    """The provider answered, with nothing in it: worth a retry, but no sign the provider is down."""


def _provider_fault(error: ModelError) -> bool:
    """Whether a failure counts toward the model's circuit breaker. A 429 is a healthy provider
    asking us to slow down (backoff honours its Retry-After); an empty reply is the model's quirk."""
    return error.status != 429 and not isinstance(error, _EmptyReply)


#: What is keyed is plain JSON data the turn built, never circular: no need to track what it has seen.
_KEY_JSON = json.JSONEncoder(sort_keys=True, default=str, check_circular=False)
#: The C encoder ``_KEY_JSON.encode`` would build afresh for every call (with two Python frames
#: around it), built once: a quarter of what keying an instant call cost. Same text either way.
_key_json = (_c_make_encoder(None, str, json.encoder.encode_basestring_ascii, None, ": ", ", ", True, False, True)
             if _c_make_encoder is not None else None)


#: A fresh blake2b state, copied for each key. Building one instead parses blake2b's dozen keyword
#: arguments and sets its state up, an eighth of what hashing an instant call's key costs. Same digest.
_KEY_HASH = hashlib.blake2b(digest_size=16)


def call_key(step: str, messages: list[dict], tools: list[ToolSpec], schema: dict | None) -> str:
    data = [step, messages, [t.name for t in tools] if tools else [], schema]
    payload = "".join(_key_json(data, 0)) if _key_json is not None else _KEY_JSON.encode(data)
    digest = _KEY_HASH.copy()
    digest.update(payload.encode())
    return digest.hexdigest()


class AgentSettings(msgspec.Struct):
    """What a turn reads of its agent, taken from the team once per run: the team is a pydantic
    model, and BaseModel's ``__getattr__`` keeps CPython 3.11 from specializing reads of its
    fields (~0.4k instructions each, eight times a plain object's; a turn made about fourteen)."""

    role: str
    intro: str  # the system prompt's fixed head: who the agent is, then its instructions
    tools: tuple[ToolSpec, ...]  # what its toolsets give
    reads_memory: bool  # its prompt lists the shared memory's keys
    temperature: float | None
    timeout: float | None
    retries: int

    @classmethod
    def of(cls, team: Team, name: str) -> "AgentSettings":
        agent = team.agents[name]
        role, instructions, toolsets = agent.role, agent.instructions, agent.tools
        intro = f'You are the {role} ("{name}") on the team "{team.name}".'
        if instructions:
            intro += "\n\n" + instructions.strip()
        tools = tuple(spec for toolset in toolsets for spec in TOOLSETS[toolset]) if toolsets else ()
        return cls(role, intro, tools, "memory" in toolsets, agent.temperature, agent.timeout, agent.retries)


def system_prompt(ctx: RunContext, turn: Turn, notes: list[str], settings: AgentSettings | None = None) -> str:
    if settings is None:
        settings = AgentSettings.of(ctx.team, turn.agent)
    parts = [settings.intro, *turn.extra_system]
    override = ctx.overrides.get(turn.step)
    if override:
        parts.append(f"The person running this team redirected this step. Follow this instruction:\n{override}")
    for note in notes:
        parts.append(f"Note from the person running this team: {note}")
    if settings.reads_memory and ctx.memory.values:
        keys = ", ".join(sorted(ctx.memory.values))
        parts.append(f"Shared memory holds these keys (read them with memory_read): {keys}")
    return "\n\n".join(parts)


class TurnRunner:
    """Runs agent turns for one run; owns the per-model circuit breakers."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.breakers: dict[str, CircuitBreaker] = {}
        self.settings: dict[str, AgentSettings] = {}  # agent -> its settings, read on its first turn
        self.team_name = ctx.team.name

    async def run(self, turn: Turn) -> TurnResult:
        ctx = self.ctx
        settings = self.settings.get(turn.agent)
        if settings is None:
            settings = self.settings[turn.agent] = AgentSettings.of(ctx.team, turn.agent)
        model = ctx.models[turn.agent]
        control = ctx.control(turn.step)
        notes = ctx.take_notes(turn.agent, turn.step)
        tools = [*settings.tools, *turn.tools]
        started = time.perf_counter()
        totals = [0, 0, 0.0]  # input tokens, output tokens, cost
        try:
            while True:  # one pass per instruction: a redirect of the running step starts a new pass
                messages = [{"role": "system", "content": system_prompt(ctx, turn, notes, settings)}]
                messages += turn.conversation if turn.conversation is not None else [{"role": "user", "content": turn.prompt}]
                live = _Live(ctx, turn, model.label, turn.prompt or _last_user(messages), tuple(notes))
                try:
                    text, transfer = await self._exchange(turn, model, messages, tools, control, totals, live)
                    interrupted = False
                    break
                except _Redirected:
                    continue
                except _Interrupted as stop:
                    text, transfer, interrupted = stop.partial, None, True
                    break
        finally:
            # A command for this step means nothing once its turn is over (one issued from inside
            # its last call, which could not cancel it, must not skip a later rerun).
            ctx.controls.pop(turn.step, None)
        # What the steps after it read (an arbiter, a synthesis, the answer) says the reply is cut;
        # the event keeps the words as the model gave them.
        shared = text + CUT_NOTE if interrupted and text.strip() else text
        contribution = ctx.memory.add(turn.agent, turn.step, shared)
        input_tokens, output_tokens, cost = totals
        duration = round(time.perf_counter() - started, 3)
        reused = not live.started and not interrupted
        # In the order of the event's fields (positional: one keyword dict fewer a turn).
        ctx.emit(ev.AgentFinished(turn.agent, turn.step, text, input_tokens, output_tokens, cost, duration,
                                  reused, interrupted))
        return TurnResult(shared, transfer, interrupted, contribution)

    async def _exchange(self, turn, model, messages, tools, control, totals, live: "_Live"
                        ) -> tuple[str, tuple[str, str] | None]:
        for round_no in range(MAX_TOOL_ROUNDS + 1):
            last = round_no == MAX_TOOL_ROUNDS
            offered = [] if last else tools  # last round: text only
            reply = await self._call(turn, model, messages, offered, control, live, totals)
            if not reply.tool_calls:
                return reply.text, None
            if last:  # offered nothing, it still calls tools: take its words, or give up clearly
                if reply.text.strip():
                    return reply.text, None
                raise StepFailed(turn.step, f"{turn.agent} ({model.label}): kept calling tools after "
                                            f"{MAX_TOOL_ROUNDS} rounds without answering")
            available = {spec.name for spec in offered}
            messages.append({"role": "assistant", "content": reply.text or None, "tool_calls": [
                {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
                for c in reply.tool_calls
            ]})
            toolbox = ToolBox(self.ctx, turn.agent, turn.step, turn.on_publish)
            for call in reply.tool_calls:
                self.ctx.emit(ev.ToolCalled(agent=turn.agent, step=turn.step, call_id=call["id"],
                                            tool=call["name"], arguments=call["arguments"]))
                if call["name"] in turn.stop_tools:
                    return reply.text, (call["name"], _reason(call["arguments"]))
                try:
                    if call["name"] not in available:  # model output is untrusted: only what was offered runs
                        raise ToolFailure(f"tool {call['name']!r} is not available to {turn.agent} here")
                    result, failed = toolbox.run(call["name"], call["arguments"]), False
                except ToolFailure as exc:
                    result, failed = f"error: {exc}", True
                self.ctx.emit(ev.ToolReturned(agent=turn.agent, step=turn.step, call_id=call["id"],
                                              tool=call["name"], result=result, error=failed))
                messages.append({"role": "tool", "tool_call_id": call["id"], "content": result})
        raise AssertionError("unreachable: the last round returns or fails")

    async def _call(self, turn: Turn, model, messages, tools, control: StepControl, live: "_Live",
                    totals: list) -> ev.ModelReplied:
        """One model call, answered by the model or from an earlier call's record; the call's record
        is its reply (read only). Only a call made here is counted, in the run's usage and the turn's
        ``totals``: one answered from a record was paid for when that record was made."""
        ctx = self.ctx
        settings = self.settings[turn.agent]
        key = call_key(turn.step, messages, tools, turn.json_schema)
        known = ctx.replies.get(key)
        if known is not None:
            return known
        # In the order of the request's fields: keywords cost 4.7k instructions a call here, 1.6% of an
        # instant task (tests/test_turn_settings.py checks that each value lands in its own field).
        request = ModelRequest(messages, tools, turn.json_schema, settings.temperature, settings.timeout, turn.agent,
                               settings.role, turn.purpose, self.team_name, turn.step,
                               {"input": ctx.request, **turn.hints})
        breaker = self.breakers.get(model.label)
        if breaker is None:
            breaker = self.breakers[model.label] = CircuitBreaker()
        attempts = settings.retries + 1
        for attempt in range(1, attempts + 1):
            if ctx.budget_check is not None:
                ctx.budget_check()  # already over a limit (a resumed run): stop, pause or warn before paying more
            if ctx.stopping:
                await ctx.until_stopped()
            if not ctx.running.is_set():  # paused: no new call starts (no coroutine built while running)
                await ctx.gate()
            # A command that arrived while no call was in flight (paused, or between tool rounds).
            action, control.action = control.action, None
            if action == "cancel":
                raise _Interrupted("")
            if action == "redirect":
                raise _Redirected()
            try:
                started = breaker.check(model.label)
            except CircuitOpen as exc:
                raise StepFailed(turn.step, f"{turn.agent}: {exc}") from None
            live.announce()
            partial: list[str] = []
            failure: ModelError | None = None
            control.begin_call()
            try:
                if settings.timeout or hasattr(model, "prepare"):
                    reply = await self._stream(turn, model, request, settings.timeout, partial)
                else:  # nothing to load or time: one coroutine fewer per call
                    reply = await self._read(turn, model, request, partial)
                if control.cancel_pending():
                    await asyncio.sleep(0)  # let it land here, in the call, as it would have had the call waited
            except asyncio.CancelledError:
                if not control.took_back():
                    raise  # the run or a parent is being cancelled, not just this call
                action, control.action = control.action, None
                if action == "redirect":
                    raise _Redirected() from None
                raise _Interrupted("".join(partial)) from None
            except ModelError as exc:
                failure = exc
            finally:
                control.end_call()
            if failure is not None:
                if _provider_fault(failure) and breaker.record_failure(started):
                    ctx.emit(ev.ErrorRaised(
                        agent=turn.agent, step=turn.step,
                        message=f"circuit opened for model {model.label} after {breaker.failures} failures in a row"))
                if not failure.retryable or attempt == attempts:
                    raise StepFailed(turn.step, _failure_message(turn.agent, model.label, failure, attempt))
                delay = backoff_delay(attempt, retry_after_s=failure.retry_after_s)
                ctx.emit(ev.RetryScheduled(agent=turn.agent, step=turn.step, attempt=attempt + 1,
                                           error=str(failure), delay_s=round(delay, 3)))
                await _wait_before_retry(delay, control)
                continue  # a cancel or redirect that cut the wait short is handled at the top
            breaker.record_success()
            text, calls, usage = reply
            record = ctx.emit(ev.ModelReplied(turn.agent, turn.step, key, text, tuple(calls),
                                              usage.input_tokens, usage.output_tokens, usage.cost))
            ctx.replies[key] = record  # a restarted flow reuses this call
            totals[0] += usage.input_tokens
            totals[1] += usage.output_tokens
            totals[2] += usage.cost
            ctx.add_usage(usage.input_tokens, usage.output_tokens, usage.cost)
            return record
        raise AssertionError("unreachable")

    async def _stream(self, turn: Turn, model, request: ModelRequest, timeout: float | None,
                      partial: list[str]) -> _Read:
        # A model may need to load first (litellm's import, local weights): that is not the
        # provider being slow, so it happens before the step's timeout starts counting.
        prepare = getattr(model, "prepare", None)
        if prepare is not None:
            await prepare()
        if not timeout:
            return await self._read(turn, model, request, partial)
        try:
            async with asyncio.timeout(timeout):
                return await self._read(turn, model, request, partial)
        except TimeoutError:
            raise ModelError(f"no complete reply within {timeout:g}s", retryable=True) from None

    async def _read(self, turn: Turn, model, request: ModelRequest, partial: list[str]) -> _Read:
        emit, agent, step = self.ctx.emit, turn.agent, turn.step
        calls: list[dict[str, str]] = []
        usage = _NO_USAGE
        size = 0  # characters received, kept or not
        async for chunk in model.stream(request):
            if type(chunk) is TextChunk:
                text = chunk.text
                size += len(text)
                if size > MAX_REPLY_CHARS:
                    if size - len(text) <= MAX_REPLY_CHARS:  # the chunk that crosses the limit
                        emit(ev.ErrorRaised(agent=agent, step=step,
                                            message=f"{agent}'s reply was cut at {MAX_REPLY_CHARS} characters"))
                    text = text[:max(0, MAX_REPLY_CHARS - (size - len(text)))]
                    if not text:
                        continue  # keep reading: the usage at the end still counts for budgets
                partial.append(text)
                emit(ev.TextDelta(agent, step, text))
            elif type(chunk) is ToolCallChunk:
                calls.append({"id": chunk.id, "name": chunk.name, "arguments": chunk.arguments})
            elif type(chunk) is UsageChunk:
                usage = chunk
        text = "".join(partial)
        if not text.strip() and not calls:
            raise _EmptyReply("the model returned an empty reply", retryable=True)
        return text, calls, usage


class _Live:
    """Announces a turn (AgentStarted) at its first real model call, so a turn answered wholly
    from earlier calls (resume, a restart after a redirect) shows as reused, not as a new turn."""

    __slots__ = ("ctx", "turn", "label", "prompt", "notes", "started")

    def __init__(self, ctx: RunContext, turn: Turn, label: str, prompt: str, notes: tuple[str, ...]) -> None:
        self.ctx, self.turn, self.label, self.prompt, self.notes = ctx, turn, label, prompt, notes
        self.started = False

    def announce(self) -> None:
        if not self.started:
            self.started = True
            self.ctx.emit(ev.AgentStarted(self.turn.agent, self.turn.step, self.label, self.prompt, self.notes))


async def _wait_before_retry(delay: float, control: StepControl) -> None:
    """Sleep before a retry. The wait is the step's current "call", so cancel_step and redirect
    end it at once instead of after a Retry-After of a minute."""
    if control.action is not None:
        return  # a command came during the failed call (the model turned it into an error)
    control.begin_call()
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        if not control.took_back():
            raise  # the run itself is stopping
    finally:
        control.end_call()


def _failure_message(agent: str, label: str, error: ModelError, attempts: int) -> str:
    """'qa (openai/gpt-4o): server error (HTTP 500): ... (gave up after 3 attempts)': each said once."""
    text = str(error)
    if text.startswith(label + ": "):  # the model layer names the model too
        text = text[len(label) + 2:]
    tail = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
    return f"{agent} ({label}): {text}{tail}"


def _reason(arguments: str) -> str:
    try:
        data = json.loads(arguments or "{}")
    except json.JSONDecodeError:
        return ""
    return str(data.get("reason", "")) if isinstance(data, dict) else ""


def _last_user(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return str(message.get("content") or "")
    return ""
