"""The scripted model keeps every request for tests to inspect; ``record=False`` (the benchmarks')
keeps none, so a long run does not hold each request and its messages alive until it ends."""

from __future__ import annotations

import gc

import pytest

from teamtui.core import events as ev
from teamtui.core.models.base import ModelRequest
from teamtui.core.models.scripted import ScriptedModel

from teamkit import SOFTWARE_HOUSE, of, run, team

SCRIPT = {"pm": ["spec"], "developer": ["c1", "c2"], "qa": ["no", "APPROVED"]}


def alive_requests() -> int:
    gc.collect()
    return sum(isinstance(o, ModelRequest) for o in gc.get_objects())


@pytest.mark.parametrize("record", [True, False])
async def test_a_scripted_model_keeps_the_requests_only_when_it_records(record: bool) -> None:
    before = alive_requests()
    model = ScriptedModel(SCRIPT, record=record)
    result = await run(team(SOFTWARE_HOUSE), model)
    assert result.status == ev.RUN_DONE, result.error
    # The same replies either way.
    assert [e.text for e in of(result, ev.AgentFinished)] == ["spec", "c1", "no", "c2", "APPROVED"]
    model.assert_done()
    if record:
        assert [c.agent for c in model.calls] == ["pm", "developer", "qa", "developer", "qa"]
        assert alive_requests() - before == 5
    else:
        assert model.calls == []
        assert alive_requests() - before == 0  # the run (still held) keeps none of them either
