"""The circuit breaker per model: it stops hammering a provider that keeps failing and says so,
but a burst of failures shared by agents running side by side does not trip it."""

from __future__ import annotations

import asyncio
import textwrap

import pytest

from fakeserver import FakeOpenAI, Received, Reply, rate_limited, server_error
from teamtui.core import events as ev
from teamtui.core.handle import RunResult
from teamtui.core.models.base import ModelError
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.retry import CircuitBreaker, CircuitOpen
from teamtui.core.runtime import Runner, RunOptions
from teamtui.loader import team_from_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm")
THRESHOLD = CircuitBreaker().threshold


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET123")
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.01)


def team(yaml: str):
    return team_from_text(textwrap.dedent(yaml), "breaker.yaml")


async def run_live(fake: FakeOpenAI, yaml: str) -> RunResult:
    runner = Runner(team(yaml), RunOptions(model="openai/fake", api_base=fake.base_url))
    return await asyncio.wait_for(runner.run("go"), 60)


def of(result: RunResult, kind: type) -> list:
    return [e for e in result.events if isinstance(e, kind)]


def fan_out(n: int, retries: int, on_failure: str = "fail") -> str:
    agents = ", ".join(f"w{i}: {{role: Worker {i}, retries: {retries}}}" for i in range(1, n + 1))
    branches = ", ".join(f"{{agent: w{i}}}" for i in range(1, n + 1))
    return f"""
        name: fan
        on_failure: {on_failure}
        agents: {{{agents}}}
        flow: {{parallel: {{branches: [{branches}]}}}}
    """


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# --- the breaker on its own -------------------------------------------------------------------------


def test_opens_after_threshold_stays_open_for_cooldown_then_lets_one_probe_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown_s=10, clock=clock)
    opened = [breaker.record_failure(breaker.started()) for _ in range(3)]
    assert opened == [False, False, True]
    with pytest.raises(CircuitOpen, match="circuit open for model m: 3 failures in a row"):
        breaker.check("m")
    clock.now += 10.5
    probe = breaker.check("m")  # half-open: exactly one call may probe
    with pytest.raises(CircuitOpen, match="probing"):
        breaker.check("m")
    assert breaker.record_failure(probe) is True  # the probe failed: open again at once
    with pytest.raises(CircuitOpen):
        breaker.check("m")
    clock.now += 10.5
    probe = breaker.check("m")
    breaker.record_success()
    breaker.check("m")
    breaker.check("m")  # closed again: everyone may call


def test_failures_of_calls_that_were_in_flight_together_count_once() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown_s=10, clock=clock)
    together = [breaker.started() for _ in range(6)]  # six parallel calls, all sent before any failed
    clock.now += 1
    assert not any(breaker.record_failure(t) for t in together)
    assert breaker.failures == 1
    for _ in range(2):  # retries sent after the failure was seen do count
        started = breaker.started()
        clock.now += 1
        opened = breaker.record_failure(started)
    assert opened and breaker.failures == 3


def test_a_success_closes_the_count() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown_s=10, clock=Clock())
    breaker.record_failure(breaker.started())
    breaker.record_success()
    assert breaker.record_failure(breaker.started()) is False


# --- through the runtime, against the fake server ------------------------------------------------


async def test_a_provider_that_keeps_failing_opens_the_circuit_and_the_next_call_fails_fast(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.default = server_error()
    yaml = """
        name: down
        agents: {a: {role: A, retries: 10}, b: {role: B, retries: 10}}
        flow: {sequence: [{agent: a}, {agent: b}]}
    """
    result = await run_live(fake_openai, yaml)

    assert len(fake_openai.chat_requests) == THRESHOLD  # not 11: the attempts after it never left
    [opened] = [e for e in of(result, ev.ErrorRaised) if e.message.startswith("circuit opened")]
    assert opened.message == f"circuit opened for model openai/fake after {THRESHOLD} failures in a row"
    assert len(of(result, ev.RetryScheduled)) == THRESHOLD
    assert result.status == "failed"
    assert result.error.startswith(f"a: circuit open for model openai/fake: {THRESHOLD} failures in a row")
    assert "not calling it for another" in result.error


def plan_or_fail(received: Received) -> object:
    """The planner gets its plan; every other call finds the provider down."""
    if '("p")' in received.body["messages"][0]["content"]:
        return Reply('{"tasks": [{"id": "one", "worker": "w1", "task": "x", "depends_on": []},'
                     ' {"id": "two", "worker": "w2", "task": "y", "depends_on": []}]}')
    return server_error()


async def test_once_open_later_steps_fail_fast_without_reaching_the_provider(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = plan_or_fail
    yaml = """
        name: down-later
        on_failure: degrade
        agents:
          p: {role: Planner}
          w1: {role: Worker, retries: 10}
          w2: {role: Worker, retries: 10}
        flow: {supervise: {planner: p, workers: [w1, w2]}}
    """
    result = await run_live(fake_openai, yaml)

    # The two workers fail side by side until enough rounds of failures open the circuit; then the
    # planner's synthesis (which the server would answer) is refused without a request.
    assert [e.message for e in of(result, ev.ErrorRaised) if e.message.startswith("circuit opened")] == [
        f"circuit opened for model openai/fake after {THRESHOLD} failures in a row"]
    planner_calls = [r for r in fake_openai.chat_requests if '("p")' in r.body["messages"][0]["content"]]
    assert len(planner_calls) == 1  # the plan only
    assert THRESHOLD <= len(fake_openai.chat_requests) - 1 <= 2 * THRESHOLD
    assert result.status == "failed"
    assert result.error.startswith("p: circuit open for model openai/fake")
    assert set(result.missing) == {"1.t.one", "1.t.two"}


async def test_a_shared_burst_of_errors_in_a_parallel_team_does_not_trip_it(fake_openai: FakeOpenAI) -> None:
    # More workers than the threshold start together and all get a 500; one retry each then succeeds.
    n = THRESHOLD + 2
    fake_openai.script(*[server_error()] * n)
    result = await run_live(fake_openai, fan_out(n, retries=2))

    assert result.status == "done", result.error
    assert not [e for e in of(result, ev.ErrorRaised) if "circuit" in e.message]
    assert len(fake_openai.chat_requests) == 2 * n
    assert len(of(result, ev.RetryScheduled)) == n


async def test_rate_limits_do_not_count_as_provider_failure(fake_openai: FakeOpenAI) -> None:
    # A provider that answers 429 is healthy and says when to come back: backoff handles it.
    fake_openai.script(*[rate_limited(0)] * (THRESHOLD + 1), Reply("at last"))
    yaml = """
        name: patient
        agents: {a: {role: A, retries: 10}}
        flow: {agent: a}
    """
    result = await run_live(fake_openai, yaml)
    assert result.status == "done", result.error
    assert result.output == "at last"
    assert not [e for e in of(result, ev.ErrorRaised) if "circuit" in e.message]


async def test_empty_replies_do_not_count_as_provider_failure() -> None:
    model = ScriptedModel({"a": [""] * (THRESHOLD + 1) + ["fine"]}, label="m")
    yaml = """
        name: quiet
        agents: {a: {role: A, retries: 10}}
        flow: {agent: a}
    """
    runner = Runner(team(yaml), RunOptions(models={"*": model}))
    result = await asyncio.wait_for(runner.run("go"), 10)
    assert result.status == "done", result.error
    assert not [e for e in of(result, ev.ErrorRaised) if "circuit" in e.message]


async def test_breakers_are_per_model() -> None:
    broken = ScriptedModel(default=ModelError("down", retryable=True, status=503), label="broken")
    fine = ScriptedModel(default="ok", label="fine")
    yaml = """
        name: two-models
        on_failure: degrade
        agents: {x: {role: X, retries: 9}, y: {role: Y}}
        flow: {parallel: {branches: [{agent: x}, {sequence: [{agent: y}, {agent: y}, {agent: y}]}]}}
    """
    runner = Runner(team(yaml), RunOptions(models={"x": broken, "y": fine}))
    result = await asyncio.wait_for(runner.run("go"), 10)
    assert result.status == "done", result.error
    assert result.missing == ("1.1",)
    assert len(fine.calls) == 3 and len(broken.calls) == THRESHOLD
    assert any(e.message.startswith("circuit opened for model broken") for e in of(result, ev.ErrorRaised))
