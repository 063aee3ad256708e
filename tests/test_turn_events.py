"""A turn's own events carry each value in its own field: AgentStarted, ModelReplied and
AgentFinished are built from positional arguments on the hot path, where two fields of the same
type (input and output tokens, reused and interrupted, model and prompt) could trade places."""

from __future__ import annotations

import asyncio
import json

from teamtui.core import events as ev
from teamtui.core.models.base import estimate_tokens
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions

from teamkit import of, team

ONE = """
name: one
agents:
  writer: {role: Writer}
flow: {agent: writer}
"""
REPLY = "A reply long enough that its tokens differ from the prompt's."


async def run_once(**options):
    model = ScriptedModel(default=REPLY, label="scripted-x")
    result = await asyncio.wait_for(Runner(team(ONE), RunOptions(models={"*": model}, **options)).run("go"), 10)
    assert result.status == "done"
    return result, model


async def test_started_replied_and_finished_carry_their_own_values() -> None:
    result, model = await run_once()
    (started,), (replied,), (finished,) = of(result, ev.AgentStarted), of(result, ev.ModelReplied), of(result, ev.AgentFinished)
    request = model.calls[0]
    prompt_chars = sum(len(str(m.get("content") or "")) for m in request.messages)
    assert (started.agent, started.step, started.model, started.notes) == ("writer", "1", "scripted-x", ())
    assert started.prompt == request.messages[-1]["content"] and started.prompt.startswith("## Request")
    tokens_in, tokens_out = (prompt_chars + 3) // 4, estimate_tokens(REPLY)
    assert tokens_in != tokens_out
    assert (replied.agent, replied.step, replied.text, replied.tool_calls) == ("writer", "1", REPLY, ())
    assert (replied.input_tokens, replied.output_tokens, replied.cost) == (tokens_in, tokens_out, 0.0)
    assert len(replied.key) == 32 and int(replied.key, 16) >= 0
    assert (finished.agent, finished.step, finished.text) == ("writer", "1", REPLY)
    assert (finished.input_tokens, finished.output_tokens, finished.cost) == (tokens_in, tokens_out, 0.0)
    assert (finished.reused, finished.interrupted) == (False, False) and finished.duration_s >= 0
    for event in (started, replied, finished):  # and they round-trip through the journal shape
        assert ev.Event.from_dict(json.loads(json.dumps(event.to_dict()))) == event


async def test_a_turn_answered_from_an_earlier_call_is_reused_not_interrupted() -> None:
    first, _ = await run_once()
    (replied,) = of(first, ev.ModelReplied)
    again, model = await run_once(replies={replied.key: replied})
    assert model.calls == [] and of(again, ev.AgentStarted) == []
    (finished,) = of(again, ev.AgentFinished)
    assert (finished.reused, finished.interrupted, finished.text) == (True, False, REPLY)
    # Paid for when the first run made the call: reusing it costs, and counts, nothing.
    assert (finished.input_tokens, finished.output_tokens, finished.cost) == (0, 0, 0.0)
    assert (again.input_tokens, again.output_tokens) == (0, 0)
