"""Supervisor: a planner writes a JSON plan; workers run its tasks as soon as their
dependencies are done (concurrently where they can); the planner synthesizes the answer."""

from __future__ import annotations

import asyncio

from .. import events as ev
from ..agent import StepFailed, Turn
from ..memory import Contribution
from ..plan import PlanError, Task, parse_plan, plan_schema, validate_plan
from ..team import Supervise
from . import FlowRunner, Outcome, Scope, compose_prompt, first_step_failure, handles


def task_step(sid: str, task_id: str) -> str:
    return f"{sid}.t.{task_id}"


async def make_plan(runner: FlowRunner, node: Supervise, sid: str, scope: Scope) -> list[Task]:
    ctx, spec = runner.ctx, node.supervise
    workers = {w: ctx.team.agents[w].role for w in spec.workers}
    pid = f"{sid}.plan"
    roster = "\n".join(f"- {w}: {role}" for w, role in workers.items())
    task = (f"Plan the work for your workers:\n{roster}\n"
            "Reply with JSON only: {\"tasks\": [{\"id\": \"short-id\", \"worker\": \"<worker>\", "
            "\"task\": \"what to do\", \"depends_on\": [\"ids of tasks whose results it needs\"]}]}. "
            "Tasks that do not need each other's results must not depend on each other, so they run in "
            f"parallel. At most {spec.max_tasks} tasks.")
    prompt = runner.prompt(scope, task)
    schema = plan_schema(spec.workers)
    hints = {**scope.hints, "workers": workers}
    turn = Turn(agent=spec.planner, step=pid, prompt=prompt, purpose="planner", json_schema=schema, hints=hints)
    pscope = Scope(scope.prior, scope.deps, sid, scope.hints)
    result = await runner.agent_turn(turn, label=f"{spec.planner} (plan)", kind="planner", scope=pscope)
    try:
        return parse_plan(result.text, workers, spec.max_tasks)
    except PlanError as exc:
        ctx.emit(ev.PlanRejected(step=pid, error=str(exc), attempt=1, will_repair=True))
        error = str(exc)
    # One repair request, in the same conversation, naming what was wrong.
    conversation = [
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": result.text},
        {"role": "user", "content": f"That plan is invalid: {error}. Reply with the corrected plan as JSON only."},
    ]
    turn = Turn(agent=spec.planner, step=pid, conversation=conversation, purpose="planner", json_schema=schema,
                hints={**hints, "repair": error})
    ctx.set_status(pid, ev.RUNNING, "repairing the plan")
    result = await runner.turns.run(turn)
    try:
        tasks = parse_plan(result.text, workers, spec.max_tasks)
        ctx.set_status(pid, ev.DONE, "plan repaired")
        return tasks
    except PlanError as exc:
        ctx.emit(ev.PlanRejected(step=pid, error=str(exc), attempt=2, will_repair=False))
        ctx.set_status(pid, ev.FAILED, str(exc))
        raise StepFailed(pid, f"planner {spec.planner} gave an invalid plan twice: {exc}") from None


async def await_approval(runner: FlowRunner, node: Supervise, sid: str, tasks: list[Task]) -> list[Task]:
    ctx, spec = runner.ctx, node.supervise
    while True:
        future = asyncio.get_running_loop().create_future()
        ctx.plan_approvals[sid] = future
        ctx.emit(ev.PlanProposed(step=sid, tasks=tuple(t.to_dict() for t in tasks), approved=False))
        edited = await future
        if edited is None:
            return tasks
        try:
            return validate_plan({"tasks": edited}, spec.workers, spec.max_tasks)
        except PlanError as exc:
            # Ask again with the plan as it was before the bad edit.
            ctx.emit(ev.ErrorRaised(step=sid, message=f"edited plan rejected: {exc}"))


#: The hints of a task's own scope: none (its turn takes the plan's). Shared, and never written.
_NO_HINTS: dict = {}


class _Schedule:
    """Runs a plan's tasks, each the moment its last dependency finishes. Linear in tasks + edges.

    A class rather than closures: a closure that starts tasks of itself is a reference cycle,
    which kept the whole finished run alive until the collector's next full pass."""

    def __init__(self, runner: FlowRunner, sid: str, tasks: list[Task], steps: dict[str, str], scope: Scope,
                 max_parallel: int | None) -> None:
        self.runner, self.ctx, self.sid, self.tasks, self.scope = runner, runner.ctx, sid, tasks, scope
        self.steps = steps  # task id -> step id
        self.by_id = {t.id: t for t in tasks}
        self.waiting = {t.id: len(t.depends_on) for t in tasks}
        self.dependents: dict[str, list[str]] = {}
        for t in tasks:
            for dep in t.depends_on:
                self.dependents.setdefault(dep, []).append(t.id)
        self.results: dict[str, Contribution] = {}
        self.limit = asyncio.Semaphore(max_parallel) if max_parallel else None
        self.degrade = self.ctx.on_failure == "degrade"

    async def run(self) -> dict[str, Contribution]:
        async with asyncio.TaskGroup() as group:
            for task in self.tasks:
                if not task.depends_on:
                    group.create_task(self._run_from(task, group))
        return self.results

    async def _run_from(self, task: Task, group: asyncio.TaskGroup) -> None:
        """Run ``task``; when its end makes others ready, go on with one of them here and start the
        rest as tasks of their own. A dependent starts the moment its last dependency ends, not
        after a new task's first loop iteration (and its place behind whatever else is ready)."""
        while True:
            ready = await self._run_one(task)
            if not ready:
                return
            for other in ready[1:]:
                group.create_task(self._run_from(other, group))
            task = ready[0]

    def _skip_after(self, task_id: str) -> None:
        ctx = self.ctx
        stack = list(self.dependents.get(task_id, ()))
        while stack:
            tid = stack.pop()
            step = self.steps[tid]
            if ctx.steps[step].status == ev.PENDING:
                ctx.set_status(step, ev.SKIPPED, f"needs failed task {task_id}")
                ctx.missing.append(step)
                stack.extend(self.dependents.get(tid, ()))

    async def _run_one(self, task: Task) -> list[Task]:
        """Run one task; return the tasks its end made ready."""
        sid, results = self.sid, self.results
        step = self.steps[task.id]
        deps = task.depends_on
        inputs = tuple(results[d] for d in deps if d in results) if deps else ()  # no generator for none
        prompt = compose_prompt(self.ctx.request, self.scope.prior + inputs, task.task, self.runner.roles)
        turn = Turn(agent=task.worker, step=step, prompt=prompt, hints=self.scope.hints)
        at = Scope((), self.ctx.steps[step].depends_on, sid, _NO_HINTS)  # as run_supervise announced it
        try:
            # Without a limit, no context to enter: two coroutines fewer a task.
            if self.limit is None:
                result = await self.runner.agent_turn(turn, label=task.id, kind="task", scope=at, instruction=task.task)
            else:
                async with self.limit:
                    result = await self.runner.agent_turn(turn, label=task.id, kind="task", scope=at,
                                                          instruction=task.task)
        except StepFailed:
            if not self.degrade:
                raise
            self.ctx.missing.append(step)
            self._skip_after(task.id)
            return []
        results[task.id] = result.contribution or Contribution(task.worker, step, result.text)
        waiting, ready = self.waiting, []
        for nxt in self.dependents.get(task.id, ()):
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                ready.append(self.by_id[nxt])
        return ready


@handles(Supervise)
async def run_supervise(runner: FlowRunner, node: Supervise, sid: str, scope: Scope) -> Outcome:
    ctx, spec = runner.ctx, node.supervise
    ctx.add_step(sid, f"supervise ({spec.planner})", "supervise", parent=scope.parent, depends_on=scope.deps)
    ctx.set_status(sid, ev.RUNNING, "planning")
    tasks = await make_plan(runner, node, sid, scope)
    if ctx.approve_plans:
        tasks = await await_approval(runner, node, sid, tasks)
    ctx.emit(ev.PlanProposed(step=sid, tasks=tuple(t.to_dict() for t in tasks), approved=True))
    pid = f"{sid}.plan"
    steps = {t.id: task_step(sid, t.id) for t in tasks}  # made once: each is read two or three times
    for task in tasks:
        deps = tuple(map(steps.__getitem__, task.depends_on)) or (pid,)
        ctx.add_step(steps[task.id], task.id, "task", agent=task.worker, parent=sid, depends_on=deps,
                     instruction=task.task)
    ctx.set_status(sid, ev.RUNNING, f"{len(tasks)} tasks")
    try:
        results = await _Schedule(runner, sid, tasks, steps, scope, spec.max_parallel).run()
    except BaseExceptionGroup as group:
        runner.skip_pending(list(steps.values()), "the plan failed")
        ctx.set_status(sid, ev.FAILED)
        raise first_step_failure(group) from None
    done = tuple(results[t.id] for t in tasks if t.id in results)
    missing = [t.id for t in tasks if t.id not in results]
    note = f" Tasks without results (they failed): {', '.join(missing)}. Say what is missing." if missing else ""
    synth_id = f"{sid}.synth"
    turn = Turn(agent=spec.planner, step=synth_id, purpose="synthesizer",
                prompt=runner.prompt(Scope(scope.prior + done),
                                     "Your workers finished the plan (their results are above). Combine them into "
                                     "one complete final answer to the request." + note),
                hints=scope.hints)
    exits = tuple(c.step for c in done) or (pid,)
    result = await runner.agent_turn(turn, label=f"{spec.planner} (synthesis)", kind="synthesizer",
                                     scope=Scope(deps=exits, parent=sid))
    ctx.set_status(sid, ev.DONE, f"{len(done)}/{len(tasks)} tasks done")
    return Outcome(result.text, (synth_id,), done + (Contribution(spec.planner, synth_id, result.text),))
