"""Provider faults end to end: the runner drives litellm against the fake server over a real socket.

Retryable errors (429, 5xx, hangs, cut streams) are retried with exponential backoff and jitter,
honouring Retry-After; permanent ones (401, 400, unknown model) fail at once, naming agent and model.
"""

from __future__ import annotations

import asyncio
import random
import socket
import textwrap
import time

import pytest

from fakeserver import Cut, Error, FakeOpenAI, Hang, Received, Reply, rate_limited, server_error, unauthorized
from teamtui.core import events as ev
from teamtui.core import retry
from teamtui.core.handle import RunResult
from teamtui.core.models.base import ModelError
from teamtui.core.models.litellm_loader import load_litellm
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.loader import team_from_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm")

SECRET = "sk-test-SECRET123"
TWO = """
    name: two
    agents:
      a: {role: Writer, retries: RETRIES}
      b: {role: Reviewer}
    flow: {sequence: [{agent: a}, {agent: b}]}
"""


@pytest.fixture(autouse=True)
async def fake_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    for name in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "TEAMTUI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    await load_litellm()  # its ~4 s import is not what the timings here are about


async def run_live(fake: FakeOpenAI, retries: int = 2, model: str = "openai/fake", yaml: str = TWO) -> RunResult:
    team = team_from_text(textwrap.dedent(yaml.replace("RETRIES", str(retries))), "faults.yaml")
    runner = Runner(team, RunOptions(model=model, api_base=fake.base_url))
    return await asyncio.wait_for(runner.run("write a haiku"), 60)


def of(result: RunResult, kind: type) -> list:
    return [e for e in result.events if isinstance(e, kind)]


def timed(log: list[float], behaviour: object):
    """A fake-server behaviour that also notes when the request arrived."""

    def answer(_: Received) -> object:
        log.append(time.monotonic())
        return behaviour

    return answer


# --- retryable ------------------------------------------------------------------------------------


async def test_rate_limit_waits_for_retry_after_then_succeeds(fake_openai: FakeOpenAI) -> None:
    arrivals: list[float] = []
    fake_openai.script(timed(arrivals, rate_limited(0.4)), timed(arrivals, Reply("A poem")), Reply("Looks good"))
    result = await run_live(fake_openai)

    assert result.status == "done", result.error
    assert result.output == "Looks good"
    assert len(fake_openai.chat_requests) == 3
    [retry_event] = of(result, ev.RetryScheduled)
    assert retry_event.agent == "a" and retry_event.attempt == 2
    assert "rate limited (HTTP 429)" in retry_event.error
    assert 0.4 <= retry_event.delay_s <= 0.4 * 1.25  # Retry-After, plus at most a little jitter
    assert arrivals[1] - arrivals[0] >= 0.4  # the server really was left alone that long


async def test_server_errors_back_off_exponentially_with_jitter(fake_openai: FakeOpenAI, monkeypatch) -> None:
    # The real backoff, scaled down so the test stays fast.
    asked: list[int] = []

    def quick(attempt: int, retry_after_s: float | None = None) -> float:
        asked.append(attempt)
        return retry.backoff_delay(attempt, base_s=0.02, retry_after_s=retry_after_s)

    monkeypatch.setattr("teamtui.core.agent.backoff_delay", quick)
    fake_openai.script(server_error(), Error(502, "bad gateway"), Error(503, "overloaded"), Reply("A"), Reply("B"))
    result = await run_live(fake_openai, retries=3)

    assert result.status == "done", result.error
    retries = of(result, ev.RetryScheduled)
    assert [r.attempt for r in retries] == [2, 3, 4] and asked == [1, 2, 3]
    assert ["HTTP 500" in retries[0].error, "HTTP 502" in retries[1].error, "HTTP 503" in retries[2].error] == [True] * 3
    for n, r in enumerate(retries):
        ceiling = 0.02 * 2**n
        assert ceiling / 2 <= r.delay_s <= ceiling
    assert len(fake_openai.chat_requests) == 5


def test_backoff_grows_jitters_caps_and_honours_retry_after() -> None:
    rng = random.Random(7)
    samples = {attempt: [retry.backoff_delay(attempt, rng=rng) for _ in range(50)] for attempt in (1, 2, 3, 4)}
    for attempt, delays in samples.items():
        ceiling = 0.5 * 2 ** (attempt - 1)
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len({round(d, 6) for d in delays}) > 40  # jitter: parallel agents do not retry in step
    assert max(retry.backoff_delay(30, rng=rng) for _ in range(20)) <= 20.0  # capped
    assert 7.0 <= retry.backoff_delay(1, retry_after_s=7.0, rng=rng) <= 7.0 * 1.25
    assert retry.backoff_delay(1, retry_after_s=0.0, rng=rng) == 0.0
    assert retry.backoff_delay(1, retry_after_s=10_000, rng=rng) <= 120 * 1.25  # a silly Retry-After is bounded


async def test_cut_stream_is_retried_and_only_the_whole_reply_counts(fake_openai: FakeOpenAI, monkeypatch) -> None:
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.0)
    fake_openai.script(Cut("This reply is cut off in the middle", after_chunks=2), Reply("The whole reply"), Reply("B"))
    result = await run_live(fake_openai)

    assert result.status == "done", result.error
    [retry_event] = of(result, ev.RetryScheduled)
    assert retry_event.agent == "a"
    finished = {e.agent: e.text for e in of(result, ev.AgentFinished)}
    assert finished["a"] == "The whole reply"
    assert len(fake_openai.chat_requests) == 3


async def test_hung_provider_hits_the_step_timeout_and_is_retried(fake_openai: FakeOpenAI, monkeypatch) -> None:
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.0)
    yaml = """
        name: slow
        agents: {a: {role: Writer, timeout: 1}}
        flow: {agent: a}
    """
    fake_openai.script(Hang(30), Hang(30, after_chunks=1), Reply("Finally"))
    started = time.monotonic()
    result = await run_live(fake_openai, yaml=yaml)

    assert result.status == "done", result.error
    assert result.output == "Finally"
    assert [r.attempt for r in of(result, ev.RetryScheduled)] == [2, 3]
    assert all("no complete reply within 1s" in r.error for r in of(result, ev.RetryScheduled))
    assert time.monotonic() - started < 10  # two timeouts, not two 30 s hangs


async def test_retries_spent_fail_the_run_naming_agent_model_and_attempts(fake_openai: FakeOpenAI, monkeypatch) -> None:
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.0)
    fake_openai.script(*[server_error()] * 3)
    result = await run_live(fake_openai, retries=2)

    assert result.status == "failed"
    assert result.error.startswith("a (openai/fake)")
    assert "HTTP 500" in result.error and "3 attempts" in result.error
    assert result.error.count("openai/fake") == 1  # said once, clearly
    assert len(fake_openai.chat_requests) == 3
    assert "b" not in {e.agent for e in of(result, ev.AgentStarted)}


# --- permanent ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (unauthorized(), "authentication failed (HTTP 401)"),
        (Error(400, "Invalid value for 'messages'."), "bad request (HTTP 400)"),
        (Error(404, "The model `fake` does not exist or you do not have access to it."), "does not exist"),
    ],
    ids=["401", "400", "unknown-model"],
)
async def test_permanent_errors_fail_fast(fake_openai: FakeOpenAI, error: Error, words: str) -> None:
    fake_openai.script(error)
    started = time.monotonic()
    result = await run_live(fake_openai, retries=5)

    assert result.status == "failed"
    assert len(fake_openai.chat_requests) == 1  # no retry of what cannot succeed
    assert not of(result, ev.RetryScheduled)
    assert result.error.startswith("a (openai/fake)") and words in result.error
    assert SECRET not in result.error
    assert time.monotonic() - started < 5
    failed = [e for e in of(result, ev.StepStatusChanged) if e.status == ev.FAILED]
    assert [e.step for e in failed] == ["1"]
    assert [e.step for e in of(result, ev.StepStatusChanged) if e.status == ev.SKIPPED] == ["2"]


async def test_unknown_provider_fails_fast_without_a_request(fake_openai: FakeOpenAI) -> None:
    result = await run_live(fake_openai, model="nosuchprovider/some-model")
    assert result.status == "failed"
    assert result.error.startswith("a (nosuchprovider/some-model)")
    assert "provider" in result.error.lower()
    assert not of(result, ev.RetryScheduled)
    assert fake_openai.chat_requests == []


# --- steering while a retry waits -------------------------------------------------------------------


async def wait_for_event(handle, kind: type) -> ev.Event:
    async def first() -> ev.Event:
        async for event in handle.subscribe():
            if isinstance(event, kind):
                return event
        raise AssertionError(f"the run ended without a {kind.__name__}")

    return await asyncio.wait_for(first(), 10)


def long_wait_team() -> tuple[object, ScriptedModel]:
    team = team_from_text(textwrap.dedent(TWO.replace("RETRIES", "3")), "wait.yaml")
    model = ScriptedModel({"a": [ModelError("slow down", retryable=True, status=429, retry_after_s=60), "A again"],
                           "b": ["B"]})
    return team, model


async def test_cancelling_a_step_does_not_wait_out_its_retry_delay() -> None:
    team, model = long_wait_team()
    handle = Runner(team, RunOptions(models={"*": model})).start("go")
    retry_event = await wait_for_event(handle, ev.RetryScheduled)
    assert retry_event.delay_s >= 60
    handle.cancel_step("1")
    result = await asyncio.wait_for(handle.wait(), 5)  # not 60 s later
    assert result.status == "done" and result.output == "B"
    status = {e.step: e.status for e in of(result, ev.StepStatusChanged)}
    assert status["1"] == ev.INTERRUPTED
    assert len(model.calls_for("a")) == 1


async def test_redirecting_a_step_does_not_wait_out_its_retry_delay() -> None:
    team, model = long_wait_team()
    handle = Runner(team, RunOptions(models={"*": model})).start("go")
    await wait_for_event(handle, ev.RetryScheduled)
    handle.redirect("1", "keep it short")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done"
    calls = model.calls_for("a")
    assert len(calls) == 2 and "keep it short" in calls[1].messages[0]["content"]


async def test_an_unreachable_provider_is_retried_then_fails_naming_the_connection(monkeypatch) -> None:
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.0)
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    team = team_from_text(textwrap.dedent(TWO.replace("RETRIES", "2")), "down.yaml")
    runner = Runner(team, RunOptions(model="openai/fake", api_base=f"http://127.0.0.1:{port}/v1"))
    result = await asyncio.wait_for(runner.run("go"), 60)
    assert result.status == "failed"
    assert result.error.startswith("a (openai/fake): ") and "Connection error" in result.error
    assert result.error.endswith("(gave up after 3 attempts)")
    assert len(of(result, ev.RetryScheduled)) == 2
