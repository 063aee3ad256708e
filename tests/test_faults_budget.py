"""Per-run budgets on tokens and cost, priced by litellm from the fake server's usage numbers.

A hard limit stops the run before its next model call (the reply that crossed it is kept: it was
received and paid for); a soft limit is a warning: headless runs say so and go on, the TUI pauses
and asks until resumed.
"""

from __future__ import annotations

import asyncio
import textwrap

import pytest

from fakeserver import FakeOpenAI, Reply
from teamtui.core import events as ev
from teamtui.core.handle import RunHandle, RunResult
from teamtui.core.models.litellm_loader import load_litellm
from teamtui.core.runtime import Runner, RunOptions
from teamtui.loader import team_from_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm")

MODEL = "openai/gpt-4o-mini"  # a real name, so litellm's price table gives a real cost
USAGE = (100_000, 10_000)  # tokens in, out for every reply


def team_with(budget: str):
    return team_from_text(textwrap.dedent(f"""
        name: budgeted
        budget: {budget}
        agents: {{a: {{role: A}}, b: {{role: B}}, c: {{role: C}}}}
        flow: {{sequence: [{{agent: a}}, {{agent: b}}, {{agent: c}}]}}
    """), "budget.yaml")


@pytest.fixture
async def fake(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET123")
    fake_openai.default = Reply("an answer", usage=USAGE)
    return fake_openai


async def price_of_one_reply() -> float:
    litellm = await load_litellm()
    prompt, completion = litellm.cost_per_token(model=MODEL, prompt_tokens=USAGE[0], completion_tokens=USAGE[1])
    return prompt + completion


def start(fake: FakeOpenAI, budget: str, soft: str = "warn") -> RunHandle:
    options = RunOptions(model=MODEL, api_base=fake.base_url, soft_budget=soft)
    return Runner(team_with(budget), options).start("go")


def of(result: RunResult, kind: type) -> list:
    return [e for e in result.events if isinstance(e, kind)]


async def test_the_fake_servers_usage_has_a_real_price(fake: FakeOpenAI) -> None:
    one = await price_of_one_reply()
    assert one > 0.01  # 100k in + 10k out on gpt-4o-mini: about two cents
    result = await asyncio.wait_for(start(fake, "{}").wait(), 60)
    assert result.status == "done"
    assert (result.input_tokens, result.output_tokens) == (3 * USAGE[0], 3 * USAGE[1])
    assert result.cost == pytest.approx(3 * one)
    assert of(result, ev.RunFinished)[0].cost == pytest.approx(3 * one, abs=1e-6)


async def test_hard_token_limit_stops_the_run_and_keeps_the_reply_that_crossed_it(fake: FakeOpenAI) -> None:
    result = await asyncio.wait_for(start(fake, "{max_tokens: 150000}").wait(), 60)
    assert (result.status, result.stopped_by) == ("stopped", "budget")
    assert result.error.startswith("token budget exceeded: 220000 > 150000")
    assert len(fake.chat_requests) == 2  # c is never called
    status = {e.step: e.status for e in of(result, ev.StepStatusChanged)}
    assert status == {"1": ev.DONE, "2": ev.DONE, "3": ev.SKIPPED}
    b = [e for e in of(result, ev.AgentFinished) if e.agent == "b"]
    assert len(b) == 1 and not b[0].interrupted
    assert result.output == "an answer"  # the last reply received, not "(no output)"
    assert of(result, ev.RunFinished)[0].stopped_by == "budget"


async def test_hard_cost_limit_stops_the_run(fake: FakeOpenAI) -> None:
    one = await price_of_one_reply()
    limit = round(one * 1.5, 4)
    result = await asyncio.wait_for(start(fake, f"{{max_cost: {limit}}}").wait(), 60)
    assert result.status == "stopped"
    assert result.error.startswith(f"cost budget exceeded: ${2 * one:.4f} > ${limit}")
    assert len(fake.chat_requests) == 2
    assert result.cost == pytest.approx(2 * one)


async def test_soft_limit_warns_a_headless_run_once_and_it_goes_on(fake: FakeOpenAI) -> None:
    result = await asyncio.wait_for(start(fake, "{soft_tokens: 150000}", soft="warn").wait(), 60)
    assert result.status == "done" and result.error is None
    assert len(fake.chat_requests) == 3
    [warning] = of(result, ev.BudgetReached)
    assert (warning.tokens, warning.paused) == (220000, False) and not of(result, ev.ErrorRaised)
    assert warning.text.startswith("soft budget reached (220000 tokens") and warning.text.endswith("only warns)")
    assert ev.RUN_PAUSED not in [e.status for e in of(result, ev.RunStatusChanged)]


async def test_soft_then_hard_limit_headless_warns_then_stops(fake: FakeOpenAI) -> None:
    result = await asyncio.wait_for(start(fake, "{soft_tokens: 150000, max_tokens: 250000}").wait(), 60)
    assert (result.status, result.stopped_by) == ("stopped", "budget")
    assert result.error.startswith("token budget exceeded: 330000 > 250000")
    assert len(fake.chat_requests) == 3
    assert {e.step: e.status for e in of(result, ev.StepStatusChanged)} == {"1": ev.DONE, "2": ev.DONE, "3": ev.DONE}
    assert len(of(result, ev.BudgetReached)) == 1


async def test_soft_limit_pauses_in_the_tui_and_resume_continues(fake: FakeOpenAI) -> None:
    one = await price_of_one_reply()
    handle = start(fake, f"{{soft_cost: {round(one * 1.5, 4)}}}", soft="pause")
    events = handle.subscribe()

    async def until_paused() -> list[ev.Event]:
        seen = []
        async for event in events:
            seen.append(event)
            if isinstance(event, ev.RunStatusChanged) and event.status == ev.RUN_PAUSED:
                return seen

    seen = await asyncio.wait_for(until_paused(), 60)
    [warning] = [e for e in seen if isinstance(e, ev.BudgetReached)]
    assert warning.paused and warning.text.startswith("soft budget reached") and "paused — resume to continue" in warning.text
    await asyncio.sleep(0.3)
    assert len(fake.chat_requests) == 2  # paused: no new call goes out
    assert not handle.finished

    handle.resume()
    result = await asyncio.wait_for(handle.wait(), 60)
    assert result.status == "done"
    assert len(fake.chat_requests) == 3
    assert result.cost == pytest.approx(3 * one)
    assert len(of(result, ev.BudgetReached)) == 1  # warned once


async def test_hard_limit_stops_a_parallel_team_too(fake: FakeOpenAI) -> None:
    team = team_from_text(textwrap.dedent("""
        name: fan
        budget: {max_tokens: 250000}
        agents: {a: {role: A}, b: {role: B}, c: {role: C}, d: {role: D}}
        flow:
          sequence:
            - parallel: {branches: [{agent: a}, {agent: b}, {agent: c}]}
            - agent: d
    """), "fan.yaml")
    runner = Runner(team, RunOptions(model=MODEL, api_base=fake.base_url))
    result = await asyncio.wait_for(runner.run("go"), 60)
    assert result.status == "stopped" and result.error.startswith("token budget exceeded")
    assert "d" not in {e.agent for e in of(result, ev.AgentStarted)}
    status = {e.step: e.status for e in of(result, ev.StepStatusChanged)}
    assert status["2"] == ev.SKIPPED
    assert not [s for s, v in status.items() if v in (ev.RUNNING, ev.PENDING)]


async def test_a_cost_budget_on_a_model_without_a_price_says_it_cannot_hold(fake: FakeOpenAI) -> None:
    options = RunOptions(model="openai/no-price-known", api_base=fake.base_url)
    result = await asyncio.wait_for(Runner(team_with("{max_cost: 0.01}"), options).run("go"), 60)
    assert result.status == "done" and result.cost == 0  # nothing to stop on...
    warnings = [e.message for e in of(result, ev.ErrorRaised)]
    assert warnings == ["the cost budget cannot be enforced: no price is known for openai/no-price-known "
                        "(token limits still apply)"]  # ...and it says so, once


async def test_a_priced_model_gets_no_such_warning(fake: FakeOpenAI) -> None:
    result = await asyncio.wait_for(start(fake, "{max_cost: 100}").wait(), 60)
    assert result.status == "done" and not of(result, ev.ErrorRaised)


async def test_a_resumed_run_goes_past_its_soft_limit_and_stops_at_the_hard_one_before_paying() -> None:
    """What the journal's calls cost counts toward the resumed run's budget: over the soft limit
    it warns and goes on; over the hard one it makes no new call (reused replies are free)."""
    from teamtui.core.models.scripted import ScriptedModel

    t = team_with("{soft_tokens: 10, max_tokens: 100000}")
    first = await asyncio.wait_for(Runner(t, RunOptions(models={"*": ScriptedModel(default="A")})).run("go"), 10)
    replies = {e.key: e for e in of(first, ev.ModelReplied) if e.agent == "a"}
    model = ScriptedModel(default="B or C")
    resumed = Runner(t, RunOptions(models={"*": model}, replies=replies, spent=(50, 0, 0.0)))
    result = await asyncio.wait_for(resumed.run("go"), 10)
    assert result.status == "done" and [c.agent for c in model.calls] == ["b", "c"]
    assert len(of(result, ev.BudgetReached)) == 1

    over = Runner(team_with("{max_tokens: 40}"), RunOptions(models={"*": model}, replies=replies, spent=(50, 0, 0.0)))
    result = await asyncio.wait_for(over.run("go"), 10)
    assert (result.status, result.stopped_by) == ("stopped", "budget")
    assert len(model.calls) == 2  # no new call: a was reused, b never asked
    assert {e.step: e.status for e in of(result, ev.StepStatusChanged)}["1"] == ev.DONE
