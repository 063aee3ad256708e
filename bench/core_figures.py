"""In-process figures: the runtime with scripted models (zero latency, or a set latency per call)."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass

from teamtui.core import events as ev
from teamtui.core.handle import RunResult
from teamtui.core.models.base import ChatModel
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.team import Team

from . import teams
from .stats import Figure, cpu_extra, sample_async


def scripted(*args, **kwargs) -> ScriptedModel:
    """The scripted model, keeping no record of its requests: that record is a test's aid, and
    kept for every call it would hold each request alive for the whole run (GC work that is the
    fake model's, not teamtui's)."""
    return ScriptedModel(*args, record=False, **kwargs)


REQUEST = "Summarise the trade-offs of SQLite and PostgreSQL for a small web app."
REPLY = "A reply of modest length, streamed in a few chunks like a short model answer."


@dataclass(frozen=True)
class Sizes:
    runs: int = 11  # samples per figure (each figure is their median)
    warmup: int = 1  # unmeasured runs first (imports, caches)
    latency_s: float = 0.1  # the fan-out figure's model latency
    seq3_runs: int = 200
    fanout: int = 50
    dag_tasks: int = 1000
    dag_small: int = 200  # the size the 1000-task figure is compared with (and the peers' 200 tasks)
    makespan_tasks: int = 120
    one_agent_chunks: int = 100_000
    team_chunks: int = 100_000  # split over 8 agents


QUICK = Sizes(runs=1, warmup=0, latency_s=0.01, seq3_runs=5, fanout=10, dag_tasks=40, dag_small=10,
              makespan_tasks=12, one_agent_chunks=2000, team_chunks=2000)


async def run_team(team: Team, models: dict[str, ChatModel], request: str = REQUEST) -> RunResult:
    result = await Runner(team, RunOptions(models=models)).run(request)
    if result.status != ev.RUN_DONE:
        raise RuntimeError(f"benchmark run of {team.name} ended {result.status}: {result.error}")
    return result


def _finished(result: RunResult) -> int:
    return sum(1 for e in result.events if isinstance(e, ev.AgentFinished))


async def seq3(sizes: Sizes) -> Figure:
    team = teams.seq3()

    async def once() -> float:
        model = scripted(default=REPLY)
        start = time.perf_counter()
        result = await run_team(team, {"*": model})
        elapsed = (time.perf_counter() - start) * 1000
        assert _finished(result) == 3 and sum(isinstance(e, ev.ModelReplied) for e in result.events) == 3
        return elapsed

    cpu: list[float] = []
    samples = await sample_async(once, sizes.seq3_runs, warmup=3, cpu_ms=cpu)
    return Figure("seq3_overhead_ms", "ms", samples, goal=0.5,
                  note="whole in-process run: Runner.run() of a 3-agent sequence, instant model", extra=cpu_extra(cpu))


async def fanout(sizes: Sizes, latency_s: float, path: str) -> Figure:
    n = sizes.fanout

    async def once() -> float:
        if path == "parallel":
            team = teams.parallel(n)
            models: dict[str, ChatModel] = {"*": scripted(default=REPLY, latency_s=latency_s)}
        else:
            # The planner answers at once, so the figure is the 50 tasks' fan-out (as the peers measure it).
            team = teams.supervise(["w0"])
            models = {"planner": scripted([teams.plan_json(teams.independent_plan(n))], default=REPLY),
                      "w0": scripted(default=REPLY, latency_s=latency_s)}
        start = time.perf_counter()
        result = await run_team(team, models)
        elapsed = (time.perf_counter() - start) * 1000
        assert _finished(result) == n + (0 if path == "parallel" else 2)
        return elapsed

    name = f"fanout{n}_latency{round(latency_s * 1000)}_ms" if latency_s else f"fanout{n}_zero_ms"
    goal = (latency_s * 1000 * 1.05) if latency_s else 3.0
    extra: dict = {}
    cpu: list[float] = []
    if latency_s:
        async def bare() -> None:
            await asyncio.gather(*(asyncio.sleep(latency_s) for _ in range(n)))

        extra["asyncio_floor_ms"] = round(statistics.median(await sample_async(bare, sizes.runs, sizes.warmup)), 2)
    samples = await sample_async(once, sizes.runs, sizes.warmup, cpu_ms=None if latency_s else cpu)
    return Figure(f"{name}:{path}", "ms", samples, goal=round(goal, 3),
                  note=f"{n} independent tasks, {path} path, {latency_s * 1000:g} ms per model call",
                  extra={**extra, **cpu_extra(cpu)})


async def dag(sizes: Sizes) -> list[Figure]:
    workers = ["w0", "w1", "w2"]
    team = teams.supervise(workers)  # built once, outside the timer, as the other figures do

    def runner_for(n: int):
        plan = teams.plan_json(teams.random_dag(n, workers, seed=n))

        async def once() -> float:
            models: dict[str, ChatModel] = {"planner": scripted([plan], default=REPLY),
                                            "*": scripted(default=REPLY)}
            start = time.perf_counter()
            result = await run_team(team, models)
            elapsed = (time.perf_counter() - start) * 1000
            assert _finished(result) == n + 2
            return elapsed

        return once

    # The two sizes alternate, a sample of each in turn, and the ratio is taken pair by pair: run
    # as two blocks, a machine that sped up or slowed down between them moved the ratio (0.8-1.8
    # across runs of the same code).
    big_once, small_once = runner_for(sizes.dag_tasks), runner_for(sizes.dag_small)
    big: list[float] = []
    small: list[float] = []
    cpu: list[float] = []
    for i in range(sizes.warmup + sizes.runs):
        big_cpu: list[float] = []
        pair = await sample_async(big_once, 1, 0, cpu_ms=big_cpu) + await sample_async(small_once, 1, 0)
        if i >= sizes.warmup:
            big.append(pair[0])
            small.append(pair[1])
            cpu += big_cpu
    per_big = [t / sizes.dag_tasks * 1000 for t in big]
    per_small_each = [t / sizes.dag_small * 1000 for t in small]
    per_small = statistics.median(per_small_each)
    big_fig = Figure(f"dag{sizes.dag_tasks}_zero_ms", "ms", big, goal=50.0,
                     note=f"a {sizes.dag_tasks}-task plan with random dependencies (up to 2 each), instant model",
                     extra=cpu_extra(cpu))
    ratio = Figure("dag_linearity", "x", [b / s for b, s in zip(per_big, per_small_each)], goal=1.25,
                   note=f"cost per task at {sizes.dag_tasks} tasks / at {sizes.dag_small} tasks (1.0 = linear)",
                   extra={"us_per_task": {str(sizes.dag_small): round(per_small, 1),
                                          str(sizes.dag_tasks): round(statistics.median(per_big), 1)},
                          f"dag{sizes.dag_small}_zero_ms": round(statistics.median(small), 2)})
    return [big_fig, ratio]


async def makespan(sizes: Sizes) -> Figure:
    rng = random.Random(7)
    workers = [f"w{i}" for i in range(8)]
    latency = {w: rng.uniform(0.005, 0.05) for w in workers}
    plan = teams.random_dag(sizes.makespan_tasks, workers, seed=11, max_deps=3, window=10)
    critical = teams.critical_path(plan, latency)

    team = teams.supervise(workers)

    async def once() -> float:
        models: dict[str, ChatModel] = {"planner": scripted([teams.plan_json(plan)], default=REPLY)}
        models.update({w: scripted(default=REPLY, latency_s=latency[w]) for w in workers})
        start = time.perf_counter()
        await run_team(team, models)
        return (time.perf_counter() - start) / critical

    async def bare() -> float:
        # The same plan run by nothing but asyncio: the floor any asyncio scheduler sits on
        # (each sleep wakes up to a millisecond late: epoll waits in whole milliseconds).
        done = {tid: asyncio.Event() for tid, _, _ in plan}

        async def task(tid: str, worker: str, deps: list[str]) -> None:
            for dep in deps:
                await done[dep].wait()
            await asyncio.sleep(latency[worker])
            done[tid].set()

        start = time.perf_counter()
        await asyncio.gather(*(task(*t) for t in plan))
        return (time.perf_counter() - start) / critical

    runs = max(1, sizes.runs // 2)
    floor = statistics.median(await sample_async(bare, runs, 0))
    return Figure("makespan_ratio", "x", await sample_async(once, runs, sizes.warmup), goal=1.05,
                  note=f"{sizes.makespan_tasks} tasks, random dependencies, 5-50 ms per call; wall / critical path",
                  extra={"critical_path_ms": round(critical * 1000, 1), "asyncio_floor_ratio": round(floor, 4)})


async def events_per_s(sizes: Sizes, agents: int) -> Figure:
    chunks = sizes.one_agent_chunks if agents == 1 else sizes.team_chunks
    per_agent = chunks // agents
    team = teams.parallel(agents, agents=agents) if agents > 1 else teams.single()

    async def once() -> float:
        model = scripted(default="x" * per_agent, chunks=per_agent)
        start = time.perf_counter()
        handle = Runner(team, RunOptions(models={"*": model})).start(REQUEST)
        sub = handle.subscribe()
        seen = 0
        while batch := await sub.next_batch():
            for event in batch:
                if type(event) is ev.TextDelta:
                    seen += 1
        elapsed = time.perf_counter() - start
        assert seen == per_agent * agents, (seen, per_agent * agents)
        return seen / elapsed

    name = "one_agent" if agents == 1 else f"team{agents}"
    goal = 200_000.0 if agents == 1 else 100_000.0
    return Figure(f"events_per_s:{name}", "chunks/s", await sample_async(once, sizes.runs, sizes.warmup), goal=goal,
                  higher_is_better=True,
                  note=f"TextDelta events from {agents} agent(s) to one subscriber, {per_agent * agents} chunks")


async def all_core(sizes: Sizes) -> list[Figure]:
    figures = [await seq3(sizes)]
    for latency in (sizes.latency_s, 0.0):
        for path in ("parallel", "supervise"):
            figures.append(await fanout(sizes, latency, path))
    figures += await dag(sizes)
    figures.append(await makespan(sizes))
    figures.append(await events_per_s(sizes, 1))
    figures.append(await events_per_s(sizes, 8))
    return figures


def run_core(sizes: Sizes) -> list[Figure]:
    return asyncio.run(all_core(sizes))
