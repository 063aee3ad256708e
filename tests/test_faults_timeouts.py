"""Timeouts (per step and per run) and graceful degradation, against the fake server."""

from __future__ import annotations

import asyncio
import textwrap
import time

import pytest

from fakeserver import FakeOpenAI, Hang, Received, Reply, server_error, unauthorized
from teamtui.core import events as ev
from teamtui.core.handle import RunResult
from teamtui.core.models.litellm_loader import load_litellm
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.loader import team_from_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm")


@pytest.fixture(autouse=True)
async def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET123")
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.01)
    # The ~4 s litellm import is not what these timings are about (see the prepare test below).
    await load_litellm()


async def run_live(fake: FakeOpenAI, yaml: str, limit: float = 60) -> RunResult:
    team = team_from_text(textwrap.dedent(yaml), "timeouts.yaml")
    runner = Runner(team, RunOptions(model="openai/fake", api_base=fake.base_url))
    return await asyncio.wait_for(runner.run("go"), limit)


def of(result: RunResult, kind: type) -> list:
    return [e for e in result.events if isinstance(e, kind)]


def final_status(result: RunResult) -> dict[str, str]:
    return {e.step: e.status for e in of(result, ev.StepStatusChanged)}


def by_agent(answers: dict[str, object], default: object = None):
    """A server behaviour chosen by the agent named in the system prompt ('... ("name") ...')."""

    def choose(received: Received) -> object:
        system = received.body["messages"][0]["content"]
        for agent, answer in answers.items():
            if f'("{agent}")' in system:
                return answer() if callable(answer) else answer
        return default if default is not None else Reply(f"reply {len(system)}")

    return choose


def leftover_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


# --- timeouts -------------------------------------------------------------------------------------


async def test_step_timeout_spent_fails_the_step_clearly(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Hang(30)
    started = time.monotonic()
    result = await run_live(fake_openai, """
        name: t
        agents: {a: {role: A, timeout: 1, retries: 1}}
        flow: {agent: a}
    """)
    assert time.monotonic() - started < 5
    assert result.status == "failed"
    assert result.error == "a (openai/fake): no complete reply within 1s (gave up after 2 attempts)"
    assert len(fake_openai.chat_requests) == 2
    assert final_status(result) == {"1": ev.FAILED}


async def test_run_timeout_stops_a_run_that_would_hang(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("first part"), Hang(30, after_chunks=1))
    started = time.monotonic()
    result = await run_live(fake_openai, """
        name: t
        timeout: 1
        agents: {a: {role: A}, b: {role: B}, c: {role: C}}
        flow: {sequence: [{agent: a}, {agent: b}, {agent: c}]}
    """)
    took = time.monotonic() - started
    assert 0.9 <= took < 5
    assert result.status == "failed"
    assert result.error == "the run took longer than its timeout of 1s"
    assert final_status(result) == {"1": ev.DONE, "2": ev.FAILED, "3": ev.SKIPPED}
    assert of(result, ev.RunFinished)[0].status == "failed"
    assert len(fake_openai.chat_requests) == 2  # c never called
    assert leftover_tasks() == []  # the hung call was cancelled, not left behind


async def test_run_timeout_also_ends_a_backoff_wait(fake_openai: FakeOpenAI, monkeypatch) -> None:
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 30.0)
    fake_openai.script(server_error())
    started = time.monotonic()
    result = await run_live(fake_openai, """
        name: t
        timeout: 0.5
        agents: {a: {role: A}}
        flow: {agent: a}
    """)
    assert time.monotonic() - started < 5
    assert result.status == "failed" and "timeout of 0.5s" in result.error
    assert len(of(result, ev.RetryScheduled)) == 1


class SlowToLoad(ScriptedModel):
    """A model that needs a while before its first call (like litellm's import or local weights),
    and offers ``prepare()`` so the runtime can wait for that outside the step's timeout."""

    loaded = False

    async def prepare(self) -> None:
        if not self.loaded:
            await asyncio.sleep(0.5)
            self.loaded = True

    async def stream(self, request):  # type: ignore[override]
        await self.prepare()
        async for chunk in super().stream(request):
            yield chunk


async def test_loading_the_model_does_not_count_against_the_step_timeout() -> None:
    team = team_from_text(textwrap.dedent("""
        name: t
        agents: {a: {role: A, timeout: 0.2, retries: 0}}
        flow: {agent: a}
    """), "t.yaml")
    result = await asyncio.wait_for(Runner(team, RunOptions(models={"*": SlowToLoad(default="ok")})).run("x"), 5)
    assert result.status == "done", result.error


# --- failing fast, or degrading ------------------------------------------------------------------


PARALLEL = """
    name: fan
    on_failure: MODE
    agents:
      good: {role: Good}
      bad: {role: Bad}
      slow: {role: Slow}
    flow:
      sequence:
        - parallel: {branches: [{agent: good}, {agent: bad}, {agent: slow}]}
        - agent: good
"""


async def test_by_default_one_failed_worker_fails_the_run_at_once(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = by_agent({"bad": unauthorized(), "slow": Hang(30)})
    started = time.monotonic()
    result = await run_live(fake_openai, PARALLEL.replace("MODE", "fail"))

    assert time.monotonic() - started < 5  # the slow branch is not waited for
    assert result.status == "failed"
    assert result.error.startswith("bad (openai/fake): authentication failed (HTTP 401)")
    status = final_status(result)
    assert status["1.2"] == ev.FAILED and status["1"] == ev.FAILED and status["2"] == ev.SKIPPED
    assert status["1.3"] in (ev.FAILED, ev.INTERRUPTED)  # cut short, not left running


async def test_degrade_finishes_with_the_partial_results_and_says_what_is_missing(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = by_agent({"bad": server_error(), "slow": Reply("slow but fine", delay_s=0.05)})
    result = await run_live(fake_openai, PARALLEL.replace("MODE", "degrade"))

    assert result.status == "done", result.error
    assert result.missing == ("1.2",)
    assert result.error == "finished without the results of: step 1.2 (bad)"
    status = final_status(result)
    assert status == {"1": ev.DONE, "1.1": ev.DONE, "1.2": ev.FAILED, "1.3": ev.DONE, "2": ev.DONE}
    parallel_done = [e for e in of(result, ev.StepStatusChanged) if e.step == "1" and e.status == ev.DONE]
    assert parallel_done[0].detail == "1 branch(es) missing"
    # The step after the fan-out works from what there is: both good answers, nothing from "bad".
    last_prompt = fake_openai.chat_requests[-1].body["messages"][-1]["content"]
    assert "slow but fine" in last_prompt and "Bad" not in last_prompt
    finished = of(result, ev.RunFinished)[0]
    assert finished.missing == ("1.2",) and finished.error == result.error


async def test_degraded_supervisor_tells_the_synthesis_what_failed(fake_openai: FakeOpenAI) -> None:
    plan = ('{"tasks": [{"id": "research", "worker": "r", "task": "find facts", "depends_on": []},'
            ' {"id": "draft", "worker": "w", "task": "write it", "depends_on": []},'
            ' {"id": "polish", "worker": "w", "task": "polish it", "depends_on": ["research"]}]}')
    synth_prompts: list[str] = []

    def planner(received: Received) -> object:
        if len(received.body["messages"]) == 2 and "Combine them" in received.body["messages"][1]["content"]:
            synth_prompts.append(received.body["messages"][1]["content"])
            return Reply("final answer without research")
        return Reply(plan)

    fake_openai.default = by_agent({"p": lambda: planner, "r": server_error(), "w": Reply("a draft")})
    result = await run_live(fake_openai, """
        name: sup
        on_failure: degrade
        agents:
          p: {role: Planner}
          r: {role: Researcher, retries: 1}
          w: {role: Writer}
        flow: {supervise: {planner: p, workers: [r, w]}}
    """)
    assert result.status == "done", result.error
    assert result.output == "final answer without research"
    assert set(result.missing) == {"1.t.research", "1.t.polish"}
    assert "step 1.t.research (research, by r)" in result.error
    assert "step 1.t.polish (polish, by w)" in result.error
    assert final_status(result)["1.t.polish"] == ev.SKIPPED
    assert "research, polish" in synth_prompts[0] and "a draft" in synth_prompts[0]


async def test_time_spent_paused_does_not_count_against_the_run_timeout() -> None:
    team = team_from_text(textwrap.dedent("""
        name: t
        timeout: 1
        agents: {a: {role: A}, b: {role: B}}
        flow: {sequence: [{agent: a}, {agent: b}]}
    """), "t.yaml")
    model = ScriptedModel(default="ok", latency_s=0.3)
    handle = Runner(team, RunOptions(models={"*": model})).start("x")
    await asyncio.sleep(0.1)
    handle.pause()  # a's call finishes; b waits
    await asyncio.sleep(1.5)  # longer than the whole run may take
    assert not handle.finished and len(model.calls) == 1
    handle.resume()
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done", result.error


async def test_the_run_timeout_still_counts_after_a_resume() -> None:
    team = team_from_text(textwrap.dedent("""
        name: t
        timeout: 1
        agents: {a: {role: A}, b: {role: B}}
        flow: {sequence: [{agent: a}, {agent: b}]}
    """), "t.yaml")
    handle = Runner(team, RunOptions(models={"*": ScriptedModel(default="slow", latency_s=0.8)})).start("x")
    handle.pause()
    await asyncio.sleep(0.5)
    handle.resume()
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "failed" and "timeout of 1s" in result.error
