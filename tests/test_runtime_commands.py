"""Run commands (pause, stop a step, redirect, notes, stop) and model faults, through the runtime."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from teamtui.core import events as ev
from teamtui.core.agent import CUT_NOTE
from teamtui.core.models.base import ModelError, TextChunk
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions

from teamkit import SEQ3, agents_in_order, of, run, statuses, team


async def wait_for(handle, predicate, timeout: float = 5.0):
    """The first event of the run that satisfies ``predicate``."""
    async def scan():
        async for event in handle.subscribe():
            if predicate(event):
                return event
        raise AssertionError("run ended before the expected event")

    return await asyncio.wait_for(scan(), timeout)


def start(yaml_text: str, model: ScriptedModel, request: str = "go", **options):
    return Runner(team(yaml_text), RunOptions(models={"*": model}, **options)).start(request)


async def test_pause_stops_new_model_calls_until_resume():
    model = ScriptedModel({"a": ["A"], "b": ["B"], "c": ["C"]}, latency_s=0.05)
    handle = start(SEQ3, model)
    await wait_for(handle, lambda e: isinstance(e, ev.AgentStarted) and e.agent == "a")
    handle.pause()
    await asyncio.sleep(0.3)  # a finishes its in-flight call; b must not start
    assert [c.agent for c in model.calls] == ["a"]
    assert not handle.finished
    handle.resume()
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done" and [c.agent for c in model.calls] == ["a", "b", "c"]
    commands = [e.command for e in of(result, ev.CommandIssued)]
    assert commands == ["pause", "resume"]
    assert [e.status for e in of(result, ev.RunStatusChanged)] == ["paused", "running"]


async def test_a_step_waiting_out_a_pause_is_pending_and_its_time_starts_at_resume():
    model = ScriptedModel({"a": ["A"], "b": ["B"], "c": ["C"]}, latency_s=0.05)
    handle = start(SEQ3, model)
    await wait_for(handle, lambda e: isinstance(e, ev.AgentStarted) and e.agent == "a")
    handle.pause()
    await wait_for(handle, lambda e: isinstance(e, ev.StepStatusChanged) and e.step == "1" and e.status == ev.DONE)
    await asyncio.sleep(0.1)  # b's step must not claim to run while nothing runs
    handle.resume()
    result = await asyncio.wait_for(handle.wait(), 5)
    events = list(result.events)
    resumed = next(i for i, e in enumerate(events) if isinstance(e, ev.CommandIssued) and e.command == "resume")
    b_running = next(i for i, e in enumerate(events)
                     if isinstance(e, ev.StepStatusChanged) and e.step == "2" and e.status == ev.RUNNING)
    assert b_running > resumed  # so its duration, counted from running, leaves the pause out


async def test_cancel_step_interrupts_the_call_and_the_run_goes_on():
    model = ScriptedModel({"a": ["A"], "b": ["partial text that takes long"], "c": ["C"]}, latency_s=0.0)
    slow = ScriptedModel({"b": ["never finished"]}, latency_s=30)
    handle = Runner(team(SEQ3), RunOptions(models={"a": model, "b": slow, "c": model})).start("go")
    await wait_for(handle, lambda e: isinstance(e, ev.AgentStarted) and e.agent == "b")
    handle.cancel_step("2")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done"
    assert statuses(result)["2"] == "interrupted"
    finished_b = [e for e in of(result, ev.AgentFinished) if e.agent == "b"][0]
    assert finished_b.interrupted
    assert agents_in_order(result) == ["a", "b", "c"]


ROUTER = """
name: router
agents:
  triage: {role: Triage}
  coder: {role: Coder, description: code}
  writer: {role: Writer, description: prose}
flow: {route: {classifier: triage, routes: {coding: coder, writing: writer}}}
"""
PARTIAL = "def is_palindrome(text):\n    chars = [c.lower() for c in text"


class StallsMidReply:
    """Streams the start of a reply, then never finishes it."""

    label, is_demo = "stalls", False

    async def stream(self, request):
        yield TextChunk(PARTIAL)
        await asyncio.sleep(30)


async def test_stopping_the_step_that_gives_the_answer_stops_the_run_and_resume_finishes_it():
    triage = ScriptedModel({"triage": ['{"category": "coding"}']})
    models = {"triage": triage, "coder": StallsMidReply(), "writer": triage}
    handle = Runner(team(ROUTER), RunOptions(models=models)).start("a palindrome check")
    await wait_for(handle, lambda e: isinstance(e, ev.TextDelta) and e.agent == "coder")
    handle.cancel_step("1.coder")
    result = await asyncio.wait_for(handle.wait(), 5)
    # Not a clean "done" with a truncated answer: stopped, the cut reply shown as cut, resumable.
    assert (result.status, result.stopped_by) == ("stopped", "user")
    assert result.output == PARTIAL + CUT_NOTE  # the answer says it is cut
    assert "step 1.coder" in result.error and "cut off" in result.error
    assert statuses(result)["1.coder"] == "interrupted"
    finished = of(result, ev.RunFinished)[0]
    assert (finished.status, finished.stopped_by, finished.error) == ("stopped", "user", result.error)

    again = ScriptedModel({"coder": ["def is_palindrome(text): ..."]})
    replies = {e.key: e for e in of(result, ev.ModelReplied)}
    resumed = await asyncio.wait_for(Runner(team(ROUTER), RunOptions(models={"*": again}, replies=replies))
                                     .run("a palindrome check"), 5)
    assert resumed.status == "done" and resumed.output == "def is_palindrome(text): ..."
    assert [c.agent for c in again.calls] == ["coder"]  # the classifier's reply is reused


async def test_an_arbiter_reads_a_stopped_branch_as_cut_off():
    fan = team("""
        name: fan
        agents: {a: {role: A}, b: {role: B}, judge: {role: Judge}}
        flow: {parallel: {branches: [{agent: a}, {agent: b}], arbiter: judge}}
    """)
    judge = ScriptedModel(default="verdict")
    models = {"a": StallsMidReply(), "b": ScriptedModel(default="B's view"), "judge": judge}
    handle = Runner(fan, RunOptions(models=models)).start("go")
    await wait_for(handle, lambda e: isinstance(e, ev.TextDelta) and e.agent == "a")
    handle.cancel_step("1.1")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done" and result.output == "verdict"
    prompt = judge.calls[0].messages[-1]["content"]
    assert PARTIAL + CUT_NOTE in prompt and "B's view" in prompt  # it knows a's answer is not whole
    [a_finished] = [e for e in of(result, ev.AgentFinished) if e.agent == "a"]
    assert a_finished.text == PARTIAL  # the event keeps the model's words as given


async def test_redirect_running_step_restarts_it_with_the_new_instruction():
    calls = []

    def reply(request):
        calls.append(request.messages[0]["content"])
        return "done with new" if "USE RUST" in request.messages[0]["content"] else "old answer"

    slow = ScriptedModel({"b": [reply, reply]}, latency_s=0.3)
    fast = ScriptedModel(default="x")
    handle = Runner(team(SEQ3), RunOptions(models={"a": fast, "b": slow, "c": fast})).start("go")
    await wait_for(handle, lambda e: isinstance(e, ev.AgentStarted) and e.agent == "b")
    handle.redirect("2", "USE RUST")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done"
    assert [e.text for e in of(result, ev.AgentFinished) if e.agent == "b"] == ["done with new"]
    assert len([e for e in of(result, ev.AgentStarted) if e.agent == "b"]) == 2
    assert "USE RUST" in slow.calls[-1].messages[0]["content"]


async def test_redirect_pending_step_starts_with_it():
    model = ScriptedModel({"a": ["A"], "b": ["B"], "c": ["C"]}, latency_s=0.1)
    handle = start(SEQ3, model)
    await wait_for(handle, lambda e: isinstance(e, ev.AgentStarted) and e.agent == "a")
    handle.redirect("3", "be brief")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert "be brief" in model.calls_for("c")[0].messages[0]["content"]
    assert "be brief" not in model.calls_for("b")[0].messages[0]["content"]
    assert result.status == "done"


async def test_redirect_finished_step_reruns_it_and_its_dependents_only():
    model = ScriptedModel({"a": ["A1", "A2"], "b": ["B1", "B2"], "c": ["C1", "C2"]}, latency_s=0.05)
    handle = start(SEQ3, model)
    await wait_for(handle, lambda e: isinstance(e, ev.AgentStarted) and e.agent == "c")
    handle.redirect("2", "second opinion please")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done"
    # a is not asked again; b reruns with the instruction; c reruns after it
    assert [c.agent for c in model.calls] == ["a", "b", "c", "b", "c"]
    assert "second opinion please" in model.calls_for("b")[1].messages[0]["content"]
    assert "B2" in model.prompts_for("c")[-1]
    assert result.output == "C2"
    reused = [e for e in of(result, ev.AgentFinished) if e.reused]
    assert [e.agent for e in reused] == ["a"]


async def test_inject_reaches_the_agents_next_turn():
    model = ScriptedModel({"a": ["A"], "b": ["B"], "c": ["C"]}, latency_s=0.05)
    handle = start(SEQ3, model)
    await wait_for(handle, lambda e: isinstance(e, ev.AgentStarted) and e.agent == "a")
    handle.inject("c", "mention the deadline")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert "mention the deadline" in model.calls_for("c")[0].messages[0]["content"]
    assert "mention the deadline" not in model.calls_for("b")[0].messages[0]["content"]
    note = of(result, ev.CommandIssued)[0]
    assert (note.command, note.agent, note.text) == ("inject", "c", "mention the deadline")


async def test_stop_ends_the_run_and_keeps_what_finished():
    model = ScriptedModel({"a": ["A"], "b": ["B"]}, latency_s=0.0)
    slow = ScriptedModel({"b": ["slow"]}, latency_s=30)
    handle = Runner(team(SEQ3), RunOptions(models={"a": model, "b": slow, "c": model})).start("go")
    await wait_for(handle, lambda e: isinstance(e, ev.AgentStarted) and e.agent == "b")
    handle.stop()
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "stopped"
    final = statuses(result)
    assert final["1"] == "done" and final["2"] == "interrupted" and final["3"] == "skipped"
    assert of(result, ev.RunFinished)[0].status == "stopped"


async def test_supervisor_plan_waits_for_approval_and_takes_the_edit():
    plan = '{"tasks": [{"id": "t1", "worker": "w", "task": "original", "depends_on": []}]}'
    model = ScriptedModel({"p": [plan, "synth"], "w": ["work"]})
    handle = start("""
        name: s
        agents: {p: {role: Planner}, w: {role: Worker}}
        flow: {supervise: {planner: p, workers: [w]}}
    """, model, approve_plan=True)
    proposed = await wait_for(handle, lambda e: isinstance(e, ev.PlanProposed) and not e.approved)
    assert proposed.tasks[0]["task"] == "original"
    await asyncio.sleep(0.05)
    assert [c.agent for c in model.calls] == ["p"]  # nothing runs before approval
    handle.approve_plan(proposed.step, [{"id": "t1", "worker": "w", "task": "edited task", "depends_on": []}])
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done"
    assert "edited task" in model.prompts_for("w")[0]


async def test_retryable_error_is_retried_then_succeeds(monkeypatch):
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.01)
    model = ScriptedModel({"a": [ModelError("rate limited", retryable=True, status=429), "A"], "b": ["B"], "c": ["C"]})
    result = await run(team(SEQ3), model)
    assert result.status == "done"
    retry = of(result, ev.RetryScheduled)[0]
    assert (retry.agent, retry.attempt) == ("a", 2) and "rate limited" in retry.error


async def test_permanent_error_fails_fast_naming_agent_and_model():
    model = ScriptedModel({"a": [ModelError("invalid api key", retryable=False, status=401)]}, label="openai/x")
    result = await run(team(SEQ3), model)
    assert result.status == "failed"
    assert "a (openai/x)" in result.error and "invalid api key" in result.error
    assert len(model.calls) == 1 and not of(result, ev.RetryScheduled)


async def test_empty_reply_is_retried():
    model = ScriptedModel({"a": ["", "A"], "b": ["B"], "c": ["C"]})
    result = await run(team(SEQ3), model)
    assert result.status == "done" and "empty reply" in of(result, ev.RetryScheduled)[0].error


async def test_step_timeout_counts_as_a_retryable_failure(monkeypatch):
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.0)
    slow = ScriptedModel(default="late", latency_s=5)
    t = team("""
        name: t
        agents: {a: {role: A, timeout: 0.05, retries: 1}}
        flow: {agent: a}
    """)
    result = await asyncio.wait_for(Runner(t, RunOptions(models={"*": slow})).run("x"), 5)
    assert result.status == "failed" and "within 0.05s" in result.error
    assert len(slow.calls) == 2


async def test_degrade_mode_finishes_with_partial_results():
    plan = ('{"tasks": [{"id": "ok", "worker": "w", "task": "a", "depends_on": []},'
            ' {"id": "bad", "worker": "x", "task": "b", "depends_on": []},'
            ' {"id": "after", "worker": "w", "task": "c", "depends_on": ["bad"]}]}')
    model = ScriptedModel({"p": [plan, "partial synthesis"], "w": ["fine"],
                           "x": [ModelError("boom", retryable=False)]})
    t = team("""
        name: d
        on_failure: degrade
        agents: {p: {role: Planner}, w: {role: W}, x: {role: X}}
        flow: {supervise: {planner: p, workers: [w, x]}}
    """)
    result = await run(t, model)
    assert result.status == "done" and result.output == "partial synthesis"
    assert set(result.missing) == {"1.t.bad", "1.t.after"}
    assert "bad" in model.prompts_for("p")[1]  # the synthesis is told what is missing
    assert statuses(result)["1.t.after"] == "skipped"


async def test_token_budget_stops_the_run():
    t = team("""
        name: b
        budget: {max_tokens: 10}
        agents: {a: {role: A}, b: {role: B}}
        flow: {sequence: [{agent: a}, {agent: b}]}
    """)
    result = await run(t, ScriptedModel(default="a long enough answer to pass ten tokens easily"))
    assert result.status == "stopped" and "token budget" in result.error


def test_core_never_imports_textual_or_rich():
    code = (
        "import importlib, pkgutil, sys, teamtui.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'teamtui.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in ('textual', 'rich', 'litellm') if m in sys.modules]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


async def test_a_loops_time_covers_every_round_not_just_the_last() -> None:
    loop = team("""
        name: rounds
        agents: {a: {role: Writer}}
        flow: {loop: {max_iterations: 3, until: {contains: NEVER}, sequence: [{agent: a}]}}
    """)
    result = await run(loop, ScriptedModel(default="draft", latency_s=0.05))
    [finished] = [e for e in of(result, ev.StepStatusChanged) if e.step == "1" and e.status == ev.DONE]
    rounds = [e.duration_s for e in of(result, ev.StepStatusChanged) if e.status == ev.DONE and e.step != "1"]
    assert len(rounds) == 3 and finished.duration_s >= sum(rounds) - 0.01  # it was the last round's alone
