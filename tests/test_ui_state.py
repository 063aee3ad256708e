"""The view-state reducer, on hand-made event lists (no Textual involved)."""

from __future__ import annotations

from teamtui.core import events as ev
from teamtui.ui import state as st
from teamtui.ui.state import RunState

from ui_scenes import (
    TASKS,
    Scene,
    software_house_finished,
    software_house_mid_stream,
    software_house_start,
    supervisor_parallel,
    supervisor_planned,
)


def reduce(scene: Scene) -> RunState:
    state = RunState()
    state.apply(scene.events)
    return state


def test_header_facts_come_from_run_started_and_finished() -> None:
    state = reduce(software_house_mid_stream())
    assert (state.team, state.model, state.demo, state.status) == ("software-house", "demo (offline)", True, "running")
    assert state.tokens == 412 + 180
    assert state.elapsed(now=state.started_ts + 83) == 83
    done = reduce(software_house_finished())
    assert done.status == ev.RUN_DONE and done.finished
    assert done.tokens == 2092 + 680  # RunFinished's totals win
    assert done.elapsed(now=done.started_ts + 10_000) == 110.0  # the clock stops at the end


def test_agent_statuses_follow_their_turns() -> None:
    scene = software_house_start()
    state = reduce(scene)
    assert [state.agent_status(n) for n in ("pm", "developer", "qa")] == ["waiting", "waiting", "waiting"]
    changes = state.apply([ev.AgentStarted(agent="pm", step="1")])
    assert changes.agents == {"pm"} and state.agent_status("pm") == st.THINKING
    state.apply([ev.TextDelta(agent="pm", step="1", text="Hi")])
    assert state.agent_status("pm") == st.STREAMING
    state.apply([ev.RetryScheduled(agent="pm", step="1", attempt=2, error="429", delay_s=1)])
    assert state.agent_status("pm") == st.WAITING
    state.apply([ev.AgentFinished(agent="pm", step="1", text="Hi"), ev.StepStatusChanged(step="1", status=ev.DONE)])
    assert state.agent_status("pm") == st.AGENT_DONE
    state.apply([ev.StepStatusChanged(step="2.r1.1", status=ev.RUNNING), ev.AgentStarted(agent="developer", step="2.r1.1"),
                 ev.StepStatusChanged(step="2.r1.1", status=ev.FAILED, detail="boom")])
    state.apply([ev.AgentFinished(agent="developer", step="2.r1.1", text="")])
    assert state.agent_status("developer") == st.AGENT_FAILED
    state.apply([ev.RunStatusChanged(status=ev.RUN_PAUSED), ev.AgentStarted(agent="qa", step="2.r1.2")])
    assert state.agent_status("qa") == st.WAITING  # in a turn, but the run is paused


def test_interrupted_turn_marks_the_agent_stopped() -> None:
    state = reduce(software_house_start())
    state.apply([ev.AgentStarted(agent="pm", step="1"), ev.TextDelta(agent="pm", step="1", text="part"),
                 ev.AgentFinished(agent="pm", step="1", text="part", interrupted=True),
                 ev.StepStatusChanged(step="1", status=ev.INTERRUPTED)])
    assert state.agent_status("pm") == st.AGENT_STOPPED
    assert state.agents["pm"].turns[-1].status == ev.INTERRUPTED


def test_text_deltas_are_collected_per_turn_and_per_batch() -> None:
    state = reduce(software_house_start())
    changes = state.apply([
        ev.AgentStarted(agent="pm", step="1"),
        ev.TextDelta(agent="pm", step="1", text="Hel"),
        ev.TextDelta(agent="pm", step="1", text="lo"),
        ev.TextDelta(agent="qa", step="9", text="stray"),  # no turn of qa is open: ignored
    ])
    [turn] = changes.new_turns
    assert changes.text == {turn: "Hello"} and turn.text == "Hello"
    changes = state.apply([ev.TextDelta(agent="pm", step="1", text="!")])
    assert changes.text == {turn: "!"} and turn.text == "Hello!"


def test_finished_text_replaces_a_false_start() -> None:
    state = reduce(software_house_start())
    state.apply([ev.AgentStarted(agent="pm", step="1"), ev.TextDelta(agent="pm", step="1", text="half a tho")])
    changes = state.apply([ev.AgentFinished(agent="pm", step="1", text="The whole answer")])
    [turn] = changes.replaced
    assert turn.text == "The whole answer" and changes.finished_turns == [turn]


def test_reused_turn_without_agent_started_shows_its_text() -> None:
    state = reduce(software_house_start())
    changes = state.apply([ev.AgentFinished(agent="pm", step="1", text="from the journal", reused=True)])
    [turn] = changes.new_turns
    assert changes.replaced == [turn] and turn.text == "from the journal" and turn.reused


def test_plan_steps_nest_and_carry_round_route_duration_and_tokens() -> None:
    state = reduce(software_house_finished())
    assert state.roots == ["1", "2"]
    assert state.steps["2"].children == ["2.r1.1", "2.r1.2"]
    dev = state.steps["2.r1.1"]
    assert (dev.round, dev.depends_on, dev.status, dev.duration_s, dev.tokens) == (1, ("1",), ev.DONE, 73.8, 1040)
    state.apply([ev.StepAdded(step="3", label="route", step_kind="route"),
                 ev.RouteChosen(step="3", classifier="triage", category="billing", target="billing_agent")])
    assert state.steps["3"].route == "billing → billing_agent"


def test_a_plan_waiting_for_approval_is_tracked_until_approved() -> None:
    state = RunState()
    changes = state.apply(supervisor_planned(approved=False).events)
    assert changes.plan_review == "1" and state.pending_plans == {"1": [dict(t) for t in TASKS]}
    state.apply([ev.CommandIssued(command="approve_plan", step="1")])
    assert state.pending_plans == {}
    parallel = reduce(supervisor_parallel())
    assert parallel.pending_plans == {}
    assert parallel.steps["1.t.review"].depends_on == ("1.t.research", "1.t.script")
    assert {parallel.agent_status(a) for a in ("researcher", "coder")} == {st.STREAMING}


def test_the_log_records_decisions_faults_and_commands() -> None:
    state = reduce(supervisor_parallel())
    kinds = [entry.kind for entry in state.log]
    assert kinds == ["run", "step", "plan", "command", "plan", "tool", "tool"]
    command = next(e for e in state.log if e.kind == "command")
    assert command.text == "user: approve plan 1" and command.step == "1"
    tool = next(e for e in state.log if e.kind == "tool")
    assert tool.agent == "coder" and tool.text.startswith("coder calls memory(")
    mid = reduce(software_house_mid_stream())
    assert [(e.kind, e.level) for e in mid.log if e.kind in ("retry", "memory")] == [("memory", "info"), ("retry", "warn")]


def test_log_text_is_folded_to_one_clean_line() -> None:
    state = reduce(software_house_start())
    state.apply([ev.ErrorRaised(message="bad\n\x1b[31mthing\x1b[0m happened", agent="pm")])
    assert state.log[-1].text == "bad thing happened" and state.log[-1].level == "error"


def test_run_finished_clears_waiting_work() -> None:
    state = reduce(supervisor_planned(approved=False))
    changes = state.apply([ev.RunFinished(status=ev.RUN_STOPPED, error="stopped by the user")])
    assert changes.finished and state.pending_plans == {} and "1" in changes.steps
    assert state.log[-1].text == "run stopped: stopped by the user" and state.log[-1].level == "error"


def test_one_agent_can_run_two_turns_at_once() -> None:
    state = reduce(supervisor_planned(approved=True))
    changes = state.apply([
        ev.AgentStarted(agent="researcher", step="1.t.a"),
        ev.AgentStarted(agent="researcher", step="1.t.b"),
        ev.TextDelta(agent="researcher", step="1.t.a", text="first "),
        ev.TextDelta(agent="researcher", step="1.t.b", text="second "),
        ev.TextDelta(agent="researcher", step="1.t.a", text="again"),
    ])
    first, second = changes.new_turns
    assert (first.text, second.text) == ("first again", "second ")
    state.apply([ev.AgentFinished(agent="researcher", step="1.t.a", text="first again")])
    assert state.agent_status("researcher") == st.STREAMING  # the other turn still talks
    state.apply([ev.AgentFinished(agent="researcher", step="1.t.b", text="second ")])
    assert state.agent_status("researcher") == st.AGENT_DONE


def test_a_soft_budget_pause_is_a_question_with_its_figures() -> None:
    state = RunState()
    changes = state.apply([ev.BudgetReached(run_id="r", seq=1, ts=1.0, tokens=1234, cost=0.0456, paused=True)])
    assert changes.soft_budget == (1234, 0.0456)
    # A run that only warned (headless) asks nothing.
    changes = state.apply([ev.BudgetReached(run_id="r", seq=2, ts=2.0, tokens=9, cost=0.0, paused=False)])
    assert changes.soft_budget is None


def test_a_step_detail_lasts_only_as_long_as_its_status() -> None:
    scene = software_house_start()
    scene.add(ev.StepStatusChanged, step="1", status=ev.DONE)
    scene.add(ev.StepStatusChanged, step="1", status=ev.PENDING, detail="will rerun after a redirect")
    state = reduce(scene)
    assert state.steps["1"].detail == "will rerun after a redirect"
    scene.add(ev.StepStatusChanged, step="1", status=ev.RUNNING)
    scene.add(ev.StepStatusChanged, step="1", status=ev.DONE)
    assert reduce(scene).steps["1"].detail == ""


def test_turns_are_told_apart_by_identity() -> None:
    # The panes key their views by turn: two turns of one agent on one step (a rerun, a retry)
    # are two keys even while their fields are equal.
    first, again = st.Turn("dev", "2"), st.Turn("dev", "2")
    assert first != again and len({first: 1, again: 2}) == 2
    assert first == first and {first: 1}[first] == 1


def test_log_entries_compare_and_hash_by_value() -> None:
    entry = st.LogEntry(1.0, "run", "started", agent="pm")
    assert entry == st.LogEntry(1.0, "run", "started", agent="pm") and len({entry, st.LogEntry(1.0, "run", "started", agent="pm")}) == 1


def test_a_running_step_redirected_starts_a_new_turn_and_the_first_is_interrupted() -> None:
    state = reduce(software_house_start())
    state.apply([ev.AgentStarted(agent="pm", step="1"), ev.TextDelta(agent="pm", step="1", text="old")])
    changes = state.apply([ev.CommandIssued(command="redirect", step="1", text="shorter"),
                           ev.AgentStarted(agent="pm", step="1")])  # the core's restart of the step
    first, second = state.agents["pm"].turns
    assert first.status == ev.INTERRUPTED and changes.finished_turns == [first]
    assert state.agents["pm"].active == {"1": second} and state.agent_status("pm") == st.THINKING


def test_the_log_says_resumed_reused_and_warns_of_a_soft_budget() -> None:
    state = RunState()
    state.apply([ev.RunStarted(run_id="r1", team="t", model="demo", resumed_from="r1"),
                 ev.StepAdded(step="1", label="pm", step_kind="agent", agent="pm")])
    assert state.log[-1].text == "run r1 resumed: t on demo"  # the id once
    state.apply([ev.StepStatusChanged(step="1", status=ev.RUNNING),
                 ev.AgentFinished(agent="pm", step="1", text="spec", reused=True),
                 ev.StepStatusChanged(step="1", status=ev.DONE, duration_s=0.0)])
    assert state.log[-1].text == "1 pm done (reused from an earlier call)"
    state.apply([ev.StepStatusChanged(step="1", status=ev.PENDING, detail="will rerun after a redirect"),
                 ev.StepStatusChanged(step="1", status=ev.RUNNING), ev.AgentStarted(agent="pm", step="1"),
                 ev.AgentFinished(agent="pm", step="1", text="new spec"),
                 ev.StepStatusChanged(step="1", status=ev.DONE, duration_s=2.5)])
    assert state.log[-1].text == "1 pm done in 2.5s"  # its rerun made a call
    state.apply([ev.BudgetReached(tokens=9, cost=0.0, paused=True),
                 ev.RunStatusChanged(status=ev.RUN_PAUSED), ev.RunStatusChanged(status=ev.RUN_RUNNING)])
    soft, paused, resumed = state.log[-3:]
    assert (soft.kind, soft.level, soft.text) == ("run", "warn", "soft budget reached (9 tokens, $0.0000); paused — resume to continue")
    assert (paused.text, resumed.text) == ("run paused", "run resumed")
    other = RunState()
    other.apply([ev.RunStarted(run_id="r2", team="t", model="demo", resumed_from="r1")])
    assert other.log[-1].text == "run r2 started: t on demo, resuming r1"
