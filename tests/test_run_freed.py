"""A finished run, once dropped, is freed by reference counting: no cycle keeps its state (every
event, step and reply) waiting for the collector's next full pass, which in a long-lived process
both holds the memory and makes that pass slower (it scans all of it). A failed run is left to
the collector: its exception's traceback holds the frames it went through, as in any Python code."""

from __future__ import annotations

import asyncio
import gc
import json
import weakref

import pytest

from teamtui.core.models.scripted import Reply, ScriptedModel
from teamtui.core.runtime import Runner, RunOptions

from teamkit import SOFTWARE_HOUSE, team
from test_patterns import EVENTS, PARALLEL, ROUTER, SUPERVISOR, TRIAGE

PLAN = json.dumps({"tasks": [
    {"id": "research", "worker": "researcher", "task": "find facts", "depends_on": []},
    {"id": "code", "worker": "coder", "task": "write code", "depends_on": ["research"]},
]})

CASES = {
    "sequence+loop": (SOFTWARE_HOUSE, {"pm": ["spec"], "developer": ["c1", "c2"], "qa": ["no", "APPROVED"]}),
    "parallel+arbiter": (PARALLEL, {"a": ["yes"], "b": ["no"], "judge": ["maybe"]}),
    "route": (ROUTER, {"classifier": ['{"category": "writing"}'], "writer": ["a poem"]}),
    "handoff": (TRIAGE, {"triage": [Reply("", [("transfer_to_billing", {"reason": "money"})])],
                         "billing": ["refunded"]}),
    "supervise": (SUPERVISOR, {"planner": [PLAN, "final"], "researcher": ["facts"], "coder": ["code"]}),
    "events": (EVENTS, {"tester": ["green"], "linter": ["clean"], "deployer": ["shipped"]}),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_a_dropped_run_needs_no_collector(case: str) -> None:
    yaml_text, script = CASES[case]
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        handle = Runner(team(yaml_text), RunOptions(models={"*": ScriptedModel(script)})).start("go")
        result = await asyncio.wait_for(handle.wait(), 5)
        assert result.status in ("done", "failed")
        ctx = weakref.ref(handle._control.ctx)
        del handle, result
        await asyncio.sleep(0)  # let the loop drop its last handles to the finished tasks
        assert ctx() is None, [type(r).__name__ for r in gc.get_referrers(ctx())]
    finally:
        if was_enabled:
            gc.enable()
