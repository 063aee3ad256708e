"""The plan cursor's step in full: a label too long for the side panel is readable under the plan."""

from __future__ import annotations

from teamtui.core import events as ev
from teamtui.ui.app import build_app
from ui_scenes import NOW, Scene

LONG = "research the history of URL shorteners and the abuse they attract, then summarise the mitigations"


def long_label_scene() -> Scene:
    scene = Scene()
    scene.add(ev.RunStarted, team="t", input="go", model="demo", agents=({"name": "researcher", "role": "R"},))
    scene.add(ev.StepAdded, step="1", label="researcher", step_kind="agent", agent="researcher")
    scene.add(ev.StepAdded, step="1.t.history", label=LONG, step_kind="task", agent="researcher", parent="1")
    scene.add(ev.StepStatusChanged, step="1.t.history", status=ev.FAILED, detail="the provider said no " * 5)
    return scene


async def test_the_focused_plan_step_is_described_in_full() -> None:
    handle, _ = long_label_scene().handle()
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.run_screen
        while "1.t.history" not in screen.state.steps:
            await pilot.pause(0.02)
        await pilot.pause()
        assert not screen.step_detail.display  # the plan is not focused: nothing to describe
        screen.plan.focus()
        screen.plan.move_cursor(screen.plan._node_of["1.t.history"])
        await pilot.pause()
        assert screen.step_detail.display
        described = str(screen.step_detail.render())
        assert LONG in described and "failed" in described and "the provider said no" in described
        screen.agent_list.focus()
        await pilot.pause()
        assert not screen.step_detail.display
