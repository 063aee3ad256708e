"""Every flow pattern, run by the real runtime against a scripted model."""

from __future__ import annotations

import json
import time

from teamtui.core import events as ev
from teamtui.core.models.base import ModelRequest
from teamtui.core.models.scripted import Reply, ScriptedModel

from teamkit import SOFTWARE_HOUSE, agents_in_order, of, run, statuses, team


async def test_sequence_passes_work_along_and_loop_stops_at_condition():
    model = ScriptedModel({"pm": ["SPEC-1"], "developer": ["CODE-1", "CODE-2"], "qa": ["defect: no tests", "APPROVED"]})
    result = await run(team(SOFTWARE_HOUSE), model, "build a shortener")
    assert result.status == "done"
    assert result.output == "APPROVED"
    assert agents_in_order(result) == ["pm", "developer", "qa", "developer", "qa"]
    # the developer's second round sees the spec, its first code and QA's defects
    second_dev = model.prompts_for("developer")[1]
    assert "SPEC-1" in second_dev and "CODE-1" in second_dev and "defect: no tests" in second_dev
    assert "build a shortener" in model.prompts_for("pm")[0]
    loop_done = [e for e in of(result, ev.StepStatusChanged) if e.step == "2" and e.status == "done"]
    assert loop_done and "round 2/3" in loop_done[0].detail
    model.assert_done()


async def test_loop_never_runs_past_its_maximum():
    model = ScriptedModel({"pm": ["spec"], "developer": ["c1", "c2", "c3"], "qa": ["no", "no", "still no"]})
    result = await run(team(SOFTWARE_HOUSE), model)
    assert result.status == "done"
    assert agents_in_order(result).count("developer") == 3
    assert "maximum of 3" in [e for e in of(result, ev.StepStatusChanged) if e.step == "2"][-1].detail
    model.assert_done()


async def test_plan_announces_pending_steps_before_they_run():
    model = ScriptedModel({"pm": ["s"], "developer": ["c"], "qa": ["APPROVED"]})
    result = await run(team(SOFTWARE_HOUSE), model)
    added = of(result, ev.StepAdded)
    first_status = next(i for i, e in enumerate(result.events) if isinstance(e, ev.StepStatusChanged))
    early = {e.step for e in result.events[:first_status] if isinstance(e, ev.StepAdded)}
    assert {"1", "2", "2.r1.1", "2.r1.2"} <= early
    qa = next(e for e in added if e.step == "2.r1.2")
    assert qa.depends_on == ("2.r1.1",) and qa.parent == "2" and qa.round == 1


PARALLEL = """
name: analysis
agents:
  a: {role: Optimist}
  b: {role: Skeptic}
  judge: {role: Arbiter}
flow:
  parallel: {branches: [{agent: a}, {agent: b}], arbiter: judge}
"""


async def test_parallel_branches_overlap_and_arbiter_sees_both():
    model = ScriptedModel({"a": ["UP"], "b": ["DOWN"], "judge": ["verdict"]}, latency_s=0.2)
    started = time.perf_counter()
    result = await run(team(PARALLEL), model)
    elapsed = time.perf_counter() - started
    assert result.status == "done" and result.output == "verdict"
    assert elapsed < 0.55, "two 0.2 s branches plus a 0.2 s arbiter must not take 0.6 s"
    judge_prompt = model.prompts_for("judge")[0]
    assert "UP" in judge_prompt and "DOWN" in judge_prompt
    assert model.calls_for("judge")[0].purpose == "arbiter"


async def test_parallel_without_arbiter_concatenates():
    t = team("""
        name: p
        agents: {a: {role: A}, b: {role: B}}
        flow: {parallel: [{agent: a}, {agent: b}]}
    """)
    result = await run(t, ScriptedModel({"a": ["alpha"], "b": ["beta"]}))
    assert "alpha" in result.output and "beta" in result.output


ROUTER = """
name: router
agents:
  classifier: {role: Classifier}
  coder: {role: Coder}
  writer: {role: Writer}
  helper: {role: Generalist}
flow:
  route:
    classifier: classifier
    routes: {coding: coder, writing: writer}
    fallback: helper
"""


async def test_router_picks_the_classified_route_with_a_schema():
    model = ScriptedModel({"classifier": ['{"category": "writing", "reason": "a poem"}'], "writer": ["a poem"]})
    result = await run(team(ROUTER), model, "write a poem")
    assert result.output == "a poem"
    route = of(result, ev.RouteChosen)[0]
    assert (route.category, route.target, route.fallback) == ("writing", "writer", False)
    request = model.calls_for("classifier")[0]
    assert request.purpose == "classifier"
    assert request.json_schema["properties"]["category"]["enum"] == ["coding", "writing"]


async def test_router_falls_back_on_an_unknown_category():
    model = ScriptedModel({"classifier": ['{"category": "cooking"}'], "helper": ["general answer"]})
    result = await run(team(ROUTER), model)
    route = of(result, ev.RouteChosen)[0]
    assert route.fallback and route.target == "helper"
    assert result.output == "general answer"


TRIAGE = """
name: triage
agents:
  triage: {role: Triage}
  billing: {role: Billing}
  escalation: {role: Escalation}
flow:
  handoff:
    start: triage
    max_handoffs: 2
    transfers:
      triage:
        - {to: billing, description: Money questions, note: "Customer is on the annual plan"}
        - {to: escalation, when: {regex: "(?i)outage"}}
      billing:
        - {to: triage}
"""


def _tool_names(request: ModelRequest) -> set[str]:
    return {t.name for t in request.tools}


async def test_handoff_moves_the_conversation_with_its_note():
    model = ScriptedModel({
        "triage": [Reply("Let me get billing.", [("transfer_to_billing", {"reason": "refund"})])],
        "billing": ["Refund issued."],
    })
    result = await run(team(TRIAGE), model, "I want a refund")
    assert result.output == "Refund issued."
    hand = of(result, ev.HandedOff)[0]
    assert (hand.source, hand.target, hand.reason) == ("triage", "billing", "refund")
    billing_prompt = model.prompts_for("billing")[0]
    assert "I want a refund" in billing_prompt and "annual plan" in billing_prompt and "Let me get billing." in billing_prompt


async def test_conditional_handoff_is_offered_only_when_its_condition_holds():
    calm = ScriptedModel({"triage": ["Happy to help."]})
    await run(team(TRIAGE), calm, "question about my invoice")
    assert _tool_names(calm.calls[0]) == {"transfer_to_billing"}
    urgent = ScriptedModel({"triage": [Reply("", [("transfer_to_escalation", {})])], "escalation": ["on it"]})
    result = await run(team(TRIAGE), urgent, "total OUTAGE in production")
    assert _tool_names(urgent.calls[0]) == {"transfer_to_billing", "transfer_to_escalation"}
    assert result.output == "on it"


async def test_handoffs_stop_at_max_handoffs():
    bounce = [Reply("", [("transfer_to_billing", {})]), "final from triage"]
    model = ScriptedModel({"triage": bounce, "billing": [Reply("", [("transfer_to_triage", {})])]})
    result = await run(team(TRIAGE), model, "money")
    assert len(of(result, ev.HandedOff)) == 2
    # after two handoffs triage is offered no transfer and must answer
    assert model.calls_for("triage")[-1].tools == []
    assert result.output == "final from triage"


SUPERVISOR = """
name: sup
agents:
  planner: {role: Planner}
  researcher: {role: Researcher}
  coder: {role: Coder}
flow:
  supervise: {planner: planner, workers: [researcher, coder]}
"""

GOOD_PLAN = json.dumps({"tasks": [
    {"id": "research", "worker": "researcher", "task": "find facts", "depends_on": []},
    {"id": "code", "worker": "coder", "task": "write code", "depends_on": []},
    {"id": "review", "worker": "researcher", "task": "check", "depends_on": ["research", "code"]},
]})


async def test_supervisor_runs_independent_tasks_at_the_same_time():
    model = ScriptedModel({"planner": [GOOD_PLAN, "final synthesis"], "researcher": ["facts", "checked"],
                           "coder": ["code"]}, latency_s=0.15)
    started = time.perf_counter()
    result = await run(team(SUPERVISOR), model)
    elapsed = time.perf_counter() - started
    assert result.status == "done" and result.output == "final synthesis"
    tasks = {e.step: e for e in of(result, ev.AgentStarted)}
    finishes = {e.step: e.ts for e in of(result, ev.AgentFinished)}
    research, code = tasks["1.t.research"], tasks["1.t.code"]
    # both independent tasks started before either finished: they overlapped in time
    assert research.ts < finishes["1.t.code"] and code.ts < finishes["1.t.research"]
    assert tasks["1.t.review"].ts >= max(finishes["1.t.research"], finishes["1.t.code"])
    assert elapsed < 0.15 * 5 - 0.1  # plan, (research ∥ code), review, synth = 4 latencies, not 5
    synth_prompt = model.prompts_for("planner")[1]
    assert "facts" in synth_prompt and "code" in synth_prompt and "checked" in synth_prompt
    plan = of(result, ev.PlanProposed)[0]
    assert [t["id"] for t in plan.tasks] == ["research", "code", "review"]


async def test_bad_plan_gets_one_repair_request():
    model = ScriptedModel({"planner": ["not json at all", GOOD_PLAN, "done"], "researcher": ["r", "v"], "coder": ["c"]})
    result = await run(team(SUPERVISOR), model)
    assert result.status == "done"
    rejected = of(result, ev.PlanRejected)
    assert len(rejected) == 1 and rejected[0].will_repair and "JSON" in rejected[0].error
    repair = model.calls_for("planner")[1]
    assert repair.hints["repair"] and "invalid" in repair.messages[-1]["content"]


async def test_plan_invalid_twice_fails_clearly():
    cyclic = json.dumps({"tasks": [
        {"id": "a", "worker": "coder", "task": "x", "depends_on": ["b"]},
        {"id": "b", "worker": "coder", "task": "y", "depends_on": ["a"]},
    ]})
    unknown = json.dumps({"tasks": [{"id": "a", "worker": "chef", "task": "cook", "depends_on": []}]})
    model = ScriptedModel({"planner": [cyclic, unknown]})
    result = await run(team(SUPERVISOR), model)
    assert result.status == "failed"
    errors = [e.error for e in of(result, ev.PlanRejected)]
    assert "cycle" in errors[0] and "unknown worker 'chef'" in errors[1]
    assert "invalid plan twice" in result.error
    model.assert_done()


async def test_plan_with_missing_dependency_is_rejected():
    missing = json.dumps({"tasks": [{"id": "a", "worker": "coder", "task": "x", "depends_on": ["ghost"]}]})
    model = ScriptedModel({"planner": [missing, missing]})
    result = await run(team(SUPERVISOR), model)
    assert result.status == "failed" and "missing task 'ghost'" in of(result, ev.PlanRejected)[0].error


EVENTS = """
name: ci
agents:
  tester: {role: Tester}
  linter: {role: Linter}
  deployer: {role: Deployer}
flow:
  events:
    start: code.pushed
    max_hops: 3
    subscribers:
      - {agent: tester, on: code.pushed, publish: tests.passed}
      - {agent: linter, on: code.pushed}
      - {agent: deployer, on: tests.passed, publish: deploy.done}
"""


async def test_event_bus_fans_out_and_chains():
    model = ScriptedModel({"tester": ["all green"], "linter": ["clean"], "deployer": ["shipped"]})
    result = await run(team(EVENTS), model, "commit abc")
    assert result.status == "done"
    assert sorted(agents_in_order(result)[:2]) == ["linter", "tester"]
    assert agents_in_order(result)[2] == "deployer"
    assert "all green" in model.prompts_for("deployer")[0]
    topics = [(e.topic, e.hop) for e in of(result, ev.BusMessage)]
    assert ("code.pushed", 1) in topics and ("tests.passed", 2) in topics and ("deploy.done", 3) in topics


async def test_event_bus_hop_limit_stops_a_runaway_chain():
    t = team("""
        name: ping
        agents: {ping: {role: Ping}, pong: {role: Pong}}
        flow:
          events:
            start: ping
            max_hops: 4
            subscribers:
              - {agent: pong, on: ping, publish: pong}
              - {agent: ping, on: pong, publish: ping}
    """)
    result = await run(t, ScriptedModel(default="again"))
    assert result.status == "done"
    assert len(of(result, ev.AgentFinished)) == 4
    dropped = [e for e in of(result, ev.BusMessage) if e.dropped]
    assert dropped and dropped[0].hop == 5
    assert any("hop limit" in e.message for e in of(result, ev.ErrorRaised))


async def test_shared_memory_tools_are_visible_to_other_agents_and_in_events():
    t = team("""
        name: mem
        agents:
          a: {role: Writer, tools: [memory]}
          b: {role: Reader, tools: [memory]}
        flow: {sequence: [{agent: a}, {agent: b}]}
    """)
    model = ScriptedModel({
        "a": [Reply("", [("memory_write", {"key": "db", "value": "postgres"})]), "stored it"],
        "b": [Reply("", [("memory_read", {"key": "db"})]), "we use postgres"],
    })
    result = await run(t, model)
    writes = of(result, ev.MemoryWritten)
    assert [(w.agent, w.key, w.value) for w in writes] == [("a", "db", "postgres")]
    read_result = [e for e in of(result, ev.ToolReturned) if e.tool == "memory_read"][0]
    assert read_result.result == "postgres"
    assert "Shared memory holds these keys" in model.calls_for("b")[0].messages[0]["content"]


async def test_save_as_writes_the_output_to_memory():
    t = team("""
        name: save
        agents: {a: {role: A}, b: {role: B}}
        flow: {sequence: [{agent: a, save_as: spec}, {agent: b}]}
    """)
    result = await run(t, ScriptedModel({"a": ["the spec"], "b": ["ok"]}))
    assert [(w.key, w.value) for w in of(result, ev.MemoryWritten)] == [("spec", "the spec")]


async def test_named_flows_are_reusable():
    t = team("""
        name: named
        agents: {a: {role: A}, b: {role: B}}
        flows:
          review: {sequence: [{agent: b}]}
        flow: {sequence: [{agent: a}, {flow: review}]}
    """)
    result = await run(t, ScriptedModel({"a": ["x"], "b": ["y"]}))
    assert agents_in_order(result) == ["a", "b"] and statuses(result)["2.1"] == "done"


async def test_team_output_names_the_agent_whose_last_reply_is_the_answer():
    t = team(SOFTWARE_HOUSE.replace("name: software-house", "name: software-house\noutput: developer"))
    model = ScriptedModel({"pm": ["spec"], "developer": ["code v1", "code v2"], "qa": ["fix it", "APPROVED"]})
    result = await run(t, model)
    assert result.output == "code v2"
    assert of(result, ev.RunFinished)[0].output == "code v2"
