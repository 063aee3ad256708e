"""What a turn sends from its agent's settings: the system prompt, word for word, and the request's
fields. The runner reads each agent's settings once per run; these pin that every turn still
gets its own agent's, with what changes from turn to turn (redirects, notes, memory) added."""

from __future__ import annotations

from teamtui.core import events as ev
from teamtui.core.models.base import ModelError
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions

from teamkit import of, run, team

TWO = """
name: two-seats
agents:
  a: {role: Analyst, instructions: "  Read closely.\\n", temperature: 0.3, timeout: 5, tools: [memory]}
  b: {role: Builder, retries: 0}
flow:
  sequence: [{agent: a}, {agent: b, save_as: built}, {agent: a}]
"""


async def test_each_turn_gets_its_own_agents_system_prompt_and_settings() -> None:
    model = ScriptedModel(["first", "second", "third"])
    result = await run(team(TWO), model, "go")
    assert result.status == ev.RUN_DONE
    systems = [c.messages[0]["content"] for c in model.calls]
    assert systems[0] == 'You are the Analyst ("a") on the team "two-seats".\n\nRead closely.'
    assert systems[1] == 'You are the Builder ("b") on the team "two-seats".'
    assert systems[2] == ('You are the Analyst ("a") on the team "two-seats".\n\nRead closely.\n\n'
                          "Shared memory holds these keys (read them with memory_read): built")
    a1, b, a2 = model.calls
    assert (a1.role, a1.temperature, a1.timeout_s, a1.team, [t.name for t in a1.tools]) == (
        "Analyst", 0.3, 5, "two-seats", ["memory_read", "memory_write", "history_read"])
    assert (b.role, b.temperature, b.timeout_s, b.tools) == ("Builder", None, None, [])
    assert (a2.role, a2.temperature, a2.timeout_s) == ("Analyst", 0.3, 5)


async def test_notes_and_a_redirect_follow_the_agents_own_part() -> None:
    model = ScriptedModel(["first", "second", "third"])
    handle = Runner(team(TWO), RunOptions(models={"*": model})).start("go")
    handle.inject("b", "keep it short")
    handle.redirect("2", "build it in Go")
    await handle.wait()
    assert model.calls[1].messages[0]["content"] == (
        'You are the Builder ("b") on the team "two-seats".\n\n'
        "The person running this team redirected this step. Follow this instruction:\nbuild it in Go\n\n"
        "Note from the person running this team: keep it short")


async def test_retries_are_the_agents_own() -> None:
    fail = ModelError("overloaded", retryable=True, retry_after_s=0)
    model = ScriptedModel({"a": ["first", "third"], "b": [fail]})
    result = await run(team(TWO), model)
    assert result.status == ev.RUN_FAILED and "b (scripted)" in (result.error or "")
    assert not of(result, ev.RetryScheduled)  # b has retries: 0


async def test_every_field_of_the_request_holds_its_own_value() -> None:
    """The request is built from positional arguments: each value must land in its own field."""
    from teamtui.core.agent import Turn, TurnRunner
    from teamtui.core.context import RunContext
    from teamtui.core.stream import EventStream

    t = team(TWO)
    model = ScriptedModel(["{}"])
    ctx = RunContext(team=t, run_id="r", stream=EventStream(), models={"a": model}, request="the request")
    schema = {"type": "object"}
    turn = Turn(agent="a", step="7.x", prompt="do it", purpose="planner", json_schema=schema, hints={"round": 2})
    await TurnRunner(ctx).run(turn)
    (request,) = model.calls
    assert request.messages == [{"role": "system", "content": 'You are the Analyst ("a") on the team "two-seats".'
                                                                "\n\nRead closely."},
                                {"role": "user", "content": "do it"}]
    assert [spec.name for spec in request.tools] == ["memory_read", "memory_write", "history_read"]
    assert request.json_schema is schema
    assert (request.temperature, request.timeout_s) == (0.3, 5)
    assert (request.agent, request.role, request.purpose, request.team, request.step) == (
        "a", "Analyst", "planner", "two-seats", "7.x")
    assert request.hints == {"input": "the request", "round": 2}


async def test_a_call_answered_from_its_record_runs_its_tools_again_and_is_not_paid_again() -> None:
    """A call's record is its reply, whether the model just made it or an earlier run did; its cost
    was counted when it was made (a resumed run starts from what its journal spent)."""
    from teamtui.core.models.scripted import Reply

    t = team(TWO)
    first = ScriptedModel({"a": [Reply("", [("memory_write", {"key": "k", "value": "v"})]), "noted", "again"],
                           "b": ["built"]})
    done = await run(t, first, "go")
    assert done.status == ev.RUN_DONE
    replies = {e.key: e for e in of(done, ev.ModelReplied)}
    assert len(replies) == 4
    again = await run(t, ScriptedModel([]), "go", replies=replies)  # no reply left: every call must be known
    assert again.status == ev.RUN_DONE and again.output == done.output
    assert [(e.agent, e.key, e.value) for e in of(again, ev.MemoryWritten)] == [("a", "k", "v"), ("b", "built", "built")]
    assert [e.tool for e in of(again, ev.ToolCalled)] == ["memory_write"]
    assert (again.input_tokens, again.output_tokens) == (0, 0) != (done.input_tokens, done.output_tokens)
    assert all(e.reused for e in of(again, ev.AgentFinished))
    spent = (done.input_tokens, done.output_tokens, done.cost)
    resumed = await run(t, ScriptedModel([]), "go", replies=replies, spent=spent)
    assert (resumed.input_tokens, resumed.output_tokens) == (done.input_tokens, done.output_tokens)
