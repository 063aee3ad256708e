"""The runner: executes a team's flow and turns it into one event stream plus a run handle.

    handle = Runner(team, RunOptions(model="demo")).start("Build a URL shortener in Go")
    async for event in handle.subscribe(): ...
    result = await handle.wait()
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any, Callable

import msgspec

from . import events as ev
from .agent import StepFailed
from .context import RunContext
from .handle import RunHandle, RunResult
from .models.base import ChatModel
from .models.registry import resolve_models
from .patterns import FlowRunner, Outcome, Scope, first_step_failure
from .preview import announce_plan
from .resume import RestoredControls
from .stream import EventStream, Sink
from .team import Sequence, Team


class RunOptions(msgspec.Struct):
    model: str | None = None  # --model: wins over every other choice
    config_model: str | None = None  # the config file's model: below TEAMTUI_MODEL, above the demo
    api_base: str | None = None
    approve_plan: bool = False  # wait for the user to approve supervisor plans
    run_id: str | None = None
    demo_speed: float = 1.0
    models: dict[str, ChatModel] | None = None  # injected model objects: {"*": m} or {agent: m}
    replies: dict[str, ev.ModelReplied] = msgspec.field(default_factory=dict)  # resume: calls already paid for
    spent: tuple[int, int, float] = (0, 0, 0.0)  # resume: what those calls cost (tokens in, out, cost)
    controls: "RestoredControls | None" = None  # resume: redirects and notes given before the crash
    seq_start: int = 0  # resume: continue the journal's numbering
    resumed_from: str | None = None
    sinks: list[Sink] = msgspec.field(default_factory=list)  # called inline for every event (the journal)
    workspace: Any = None  # folder for the files tools
    # What a soft budget limit does: "warn" (one warning, the run goes on: headless cannot ask) or
    # "pause" (the TUI asks whether to go on). Only a hard limit stops a run.
    soft_budget: str = "warn"
    clock: Callable[[], float] = time.time


def _describe_step(ctx: RunContext, step: str) -> str:
    """'step 1.t.research (research, by r)': the id the plan shows, and what it was."""
    info = ctx.steps.get(step)
    if info is None:
        return f"step {step}"
    what = [info.label] if info.label else []
    if info.agent and info.agent != info.label:
        what.append(f"by {info.agent}")
    return f"step {step} ({', '.join(what)})" if what else f"step {step}"


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


class Runner:
    def __init__(self, team: Team, options: RunOptions | None = None) -> None:
        self.team = team
        self.options = options or RunOptions()

    async def run(self, request: str) -> RunResult:
        return await self.start(request).wait()

    def start(self, request: str) -> RunHandle:
        """Start the run as a task of the running loop and return its handle at once."""
        options = self.options
        run_id = options.run_id or new_run_id()
        stream = EventStream()
        for sink in options.sinks:
            stream.add_sink(sink)
        models = resolve_models(self.team, options.model, options.config_model, options.api_base, options.models,
                                options.demo_speed)
        ctx = RunContext(
            team=self.team, run_id=run_id, stream=stream, models=models, request=request,
            workspace=options.workspace, replies=dict(options.replies), approve_plans=options.approve_plan,
            on_failure=self.team.on_failure, seq=options.seq_start, clock=options.clock,
        )
        ctx.memory.values.update(self.team.memory)
        # A resumed run's totals and budget go on from what it paid before; a reply it reuses adds nothing.
        ctx.usage.input_tokens, ctx.usage.output_tokens, ctx.usage.cost = options.spent
        if options.controls is not None:
            ctx.overrides.update(options.controls.overrides)
            ctx.step_notes.update(options.controls.step_notes)
            ctx.notes.update(options.controls.pending_notes)
        execution = _Execution(ctx, options)
        return RunHandle(run_id, stream, execution)


class _Execution:
    """Drives one run and applies commands to it (the RunControl behind a RunHandle)."""

    def __init__(self, ctx: RunContext, options: RunOptions) -> None:
        self.ctx = ctx
        self.options = options
        self.flow = FlowRunner(ctx)
        self.flow_task: asyncio.Task | None = None
        self.restart = False
        self.stop_reason: str | None = None
        self.stopped_by: str | None = None  # "user" | "budget", once a stop was asked for
        self.soft_warned = False
        self.unpriced_warned = False
        # The whole-run timeout, and what was left of it when the run was paused: time spent
        # paused (a person reading, or a soft budget waiting for them) is not the run being slow.
        self.deadline: asyncio.Timeout | None = None
        self.left_when_paused: float | None = None
        budget = ctx.team.budget
        if budget.max_tokens or budget.max_cost or budget.soft_tokens or budget.soft_cost:
            ctx.budget_check = self._check_budget  # without a limit there is nothing to check per call
        self.task = asyncio.get_running_loop().create_task(self._main(), name=f"teamtui-run-{ctx.run_id}")

    # --- the run -------------------------------------------------------------------------------

    async def _main(self) -> RunResult:
        ctx, team = self.ctx, self.ctx.team
        models = ctx.models
        labels = {m.label for m in models.values()}
        demo = any(m.is_demo for m in models.values())
        ctx.emit(ev.RunStarted(
            team=team.name, description=team.description, input=ctx.request,
            model=", ".join(sorted(labels)), demo=demo, resumed_from=self.options.resumed_from,
            agents=tuple({"name": n, "role": a.role, "model": models[n].label} for n, a in team.agents.items()),
            input_tokens=ctx.usage.input_tokens, output_tokens=ctx.usage.output_tokens, cost=ctx.usage.cost,
        ))
        announce_plan(ctx, team.flow)
        status, output, error, cut = ev.RUN_DONE, "", None, ()
        try:
            async with asyncio.timeout(team.timeout) as self.deadline:
                if not ctx.running.is_set():
                    self._hold_deadline()  # paused before the run got going
                output, cut = self._answer(await self._run_flow())
        except asyncio.CancelledError:
            status, error = ev.RUN_STOPPED, self.stop_reason or "stopped"
        except TimeoutError:
            status, error = ev.RUN_FAILED, f"the run took longer than its timeout of {team.timeout:g}s"
        except StepFailed as exc:
            status, error = ev.RUN_FAILED, str(exc)
        except BaseExceptionGroup as group:
            status, error = ev.RUN_FAILED, str(first_step_failure(group))
        except Exception as exc:  # a bug must still end the run cleanly and be recorded
            status, error = ev.RUN_FAILED, f"internal error: {type(exc).__name__}: {exc}"
        stopped_by = None
        if cut:  # the user stopped the step the answer comes from: the answer is not whole
            status, stopped_by = ev.RUN_STOPPED, "user"
            error = (f"stopped by the user: {', '.join(_describe_step(ctx, s) for s in cut)} did not finish, so the "
                     "output is cut off there; resume the run to finish it")
        elif status == ev.RUN_STOPPED:
            stopped_by = self.stopped_by or "user"
            output, error = self._kept_output(error)
        if status != ev.RUN_DONE:
            self.flow.skip_pending([s.id for s in ctx.steps.values()], f"run {status}")
            for info in ctx.steps.values():
                if info.status == ev.RUNNING:
                    ctx.set_status(info.id, ev.INTERRUPTED if status == ev.RUN_STOPPED else ev.FAILED, f"run {status}")
        if status == ev.RUN_DONE and ctx.missing:
            error = "finished without the results of: " + ", ".join(_describe_step(ctx, s) for s in ctx.missing)
        usage = ctx.usage
        ctx.emit(ev.RunFinished(
            status=status, output=output, error=error, input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens, cost=round(usage.cost, 6), missing=tuple(ctx.missing),
            stopped_by=stopped_by,
        ))
        ctx.stream.close()
        ctx.budget_check = None  # the one link from the run's state back to here: a dropped run is freed at once
        return RunResult(ctx.run_id, status, output, error, usage.input_tokens, usage.output_tokens,
                         usage.cost, tuple(ctx.missing), ctx.stream.history, stopped_by)

    async def _run_flow(self) -> Outcome:
        team = self.ctx.team
        # The top-level sequence is not a step of its own; any other root node is step "1".
        root_id = "" if isinstance(team.flow, Sequence) else "1"
        while True:
            self.flow_task = asyncio.ensure_future(self.flow.run(team.flow, root_id, Scope()))
            try:
                return await self.flow_task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if self.restart and not (current is not None and current.cancelling()):
                    self.restart = False
                    continue  # a finished step was redirected: run the flow again, reusing what still holds
                raise

    def _answer(self, outcome: Outcome) -> tuple[str, tuple[str, ...]]:
        """The run's answer (the ``output`` agent's last reply when the team names one, else the
        flow's), and those of the steps it comes from that the user stopped before they finished."""
        ctx, wanted = self.ctx, self.ctx.team.output
        text, sources = outcome.text, outcome.exits
        if wanted:
            for contribution in reversed(ctx.memory.history):
                if contribution.agent == wanted and contribution.text.strip():
                    text, sources = contribution.text, (contribution.step,)
                    break
        cut = tuple(s for s in sources if s in ctx.steps and ctx.steps[s].status in (ev.INTERRUPTED, ev.SKIPPED))
        return text, cut

    def _kept_output(self, error: str) -> tuple[str, str]:
        """A stopped run's output and error: the last reply that finished (the ``output`` agent's,
        if it gave one), said to be that, since a reply received was paid for and is worth showing."""
        ctx, wanted = self.ctx, self.ctx.team.output
        finished = [c for c in ctx.memory.history if c.text.strip()
                    and (c.step not in ctx.steps or ctx.steps[c.step].status == ev.DONE)]
        kept = next((c for c in reversed(finished) if c.agent == wanted), None) if wanted else None
        kept = kept or (finished[-1] if finished else None)
        if kept is None:
            return "", error
        return kept.text, f"{error}; the output is the last reply that finished, from {_describe_step(ctx, kept.step)}"

    def _check_budget(self) -> None:
        """After each model call, and before a new one: a hard limit stops the run (the call that
        crossed it keeps its reply: it was received and paid for); a soft one warns or pauses."""
        if self.ctx.stopping:
            return
        budget, usage = self.ctx.team.budget, self.ctx.usage
        tokens = usage.input_tokens + usage.output_tokens
        if budget.max_tokens and tokens > budget.max_tokens:
            self._stop(f"token budget exceeded: {tokens} > {budget.max_tokens}", "budget")
            return
        if budget.max_cost and usage.cost > budget.max_cost:
            self._stop(f"cost budget exceeded: ${usage.cost:.4f} > ${budget.max_cost}", "budget")
            return
        if (budget.max_cost or budget.soft_cost) and tokens and not usage.cost and not self.unpriced_warned:
            # No price known (a local server, a new model): say the cap cannot hold rather than
            # let it silently never trigger.
            self.unpriced_warned = True
            paid = sorted({m.label for m in self.ctx.models.values() if not m.is_demo})
            if paid:
                self.ctx.emit(ev.ErrorRaised(message=f"the cost budget cannot be enforced: no price is known for "
                                                     f"{', '.join(paid)} (token limits still apply)"))
        soft = (budget.soft_tokens and tokens > budget.soft_tokens) or (budget.soft_cost and usage.cost > budget.soft_cost)
        if soft and not self.soft_warned:
            self.soft_warned = True
            # A warning, not an error: the TUI pauses to ask; headless, with nobody to ask, goes on.
            paused = self.options.soft_budget == "pause"
            self.ctx.emit(ev.BudgetReached(tokens=tokens, cost=round(usage.cost, 6), paused=paused))
            if paused:
                self._pause()

    # --- RunControl ----------------------------------------------------------------------------

    async def wait(self) -> RunResult:
        return await asyncio.shield(self.task)

    def command(self, name: str, **kwargs: Any) -> None:
        ctx = self.ctx
        if ctx.stream.closed:
            return  # the run is over; nothing left to steer
        step, agent, text = kwargs.get("step"), kwargs.get("agent"), kwargs.get("text") or ""
        ctx.emit(ev.CommandIssued(command=name, step=step, agent=agent, text=text))
        if name == "pause":
            self._pause()
        elif name == "resume":
            if not ctx.running.is_set():
                ctx.running.set()
                if self.left_when_paused is not None:
                    self._move_deadline(asyncio.get_running_loop().time() + self.left_when_paused)
                self.left_when_paused = None
                ctx.emit(ev.RunStatusChanged(status=ev.RUN_RUNNING))
        elif name == "stop":
            self._stop("stopped by the user", "user")
        elif name == "cancel_step":
            self._cancel_step(step)
        elif name == "redirect":
            self._redirect(step, text)
        elif name == "inject":
            ctx.notes.setdefault(agent, []).append(text)
        elif name == "approve_plan":
            future = ctx.plan_approvals.pop(step, None)
            if future is not None and not future.done():
                future.set_result(kwargs.get("tasks"))
        else:
            raise ValueError(f"unknown command {name!r}")

    def _stop(self, reason: str, by: str) -> None:
        """End the run: what is in flight is cut (interrupted), what finished is kept. Asked from
        inside a turn (a budget), the cancellation lands at its next wait; until then no step
        starts and no call goes out (``ctx.stopping``)."""
        if self.stop_reason is None:
            self.stop_reason, self.stopped_by = reason, by
        self.ctx.stopping = True
        self.ctx.running.set()
        self.task.cancel()

    def _pause(self) -> None:
        if self.ctx.running.is_set():
            self.ctx.running.clear()
            self._hold_deadline()
            self.ctx.emit(ev.RunStatusChanged(status=ev.RUN_PAUSED))

    def _hold_deadline(self) -> None:
        when = self.deadline.when() if self.deadline is not None else None
        if when is not None and self._move_deadline(None):
            self.left_when_paused = max(0.0, when - asyncio.get_running_loop().time())

    def _move_deadline(self, when: float | None) -> bool:
        if self.deadline is None or self.deadline.expired():
            return False
        try:
            self.deadline.reschedule(when)
        except RuntimeError:  # the flow has already left the timeout's block
            return False
        return True

    def _cancel_step(self, step: str) -> None:
        self.ctx.control(step).interrupt("cancel")

    def _redirect(self, step: str, instruction: str) -> None:
        ctx = self.ctx
        ctx.overrides[step] = instruction
        info = ctx.steps.get(step)
        if info is None or info.status == ev.PENDING:
            return  # it starts with the new instruction when its turn comes
        if info.status == ev.RUNNING:
            ctx.control(step).interrupt("redirect")
            return
        # Finished: forget its calls and those of every step after it, then run the flow again;
        # unaffected steps are answered from the calls already made.
        stale = {step} | ctx.dependents_of(step)
        ctx.replies = {k: r for k, r in ctx.replies.items() if r.step not in stale}
        for sid in sorted(stale):
            if sid in ctx.steps and ctx.steps[sid].status != ev.PENDING:
                ctx.set_status(sid, ev.PENDING, "will rerun after a redirect")
        if self.flow_task is not None and not self.flow_task.done():
            self.restart = True
            self.flow_task.cancel()
