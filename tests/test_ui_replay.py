"""A replay's keys in the real app: ] and [ change the pace, j jumps to a step, space pauses.

The replayed events are a real recorded run (Runner + ScriptedModel), re-timed so that every
event comes 1.5 s after the one before: at speed 1 the whole replay would take a minute, so
anything that finishes in a second or two did so because of the key pressed.
"""

from __future__ import annotations

import asyncio
from typing import Callable

import msgspec

from teamtui.core import events as ev
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.replay import ReplayHandle
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.team import Team
from teamtui.ui.app import TeamApp, build_app
from teamtui.ui.screens.run_screen import RunScreen
from ui_scenes import NOW, software_house_start

SIZE = (120, 36)
GAP_S = 1.5

TRIO = Team.model_validate({
    "name": "trio",
    "agents": {"pm": {"role": "PM"}, "developer": {"role": "Developer"}, "qa": {"role": "QA"}},
    "flow": {"sequence": [{"agent": "pm"}, {"agent": "developer"}, {"agent": "qa"}]},
})


async def recorded_run() -> list[ev.Event]:
    model = ScriptedModel(default=lambda request: f"{request.agent} says one thing. And another.")
    result = await Runner(TRIO, RunOptions(models={"*": model})).run("Build it")
    assert result.status == "done"
    start = result.events[0].ts
    return [msgspec.structs.replace(e, ts=start + i * GAP_S) for i, e in enumerate(result.events)]


def replay_app(handle: ReplayHandle) -> TeamApp:
    return build_app(handle=handle, clock=lambda: NOW, animations=False)


async def until(pilot, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the replay"
        await pilot.pause(0.02)


def screen_of(app: TeamApp) -> RunScreen:
    screen = app.run_screen
    assert screen is not None
    return screen


async def test_brackets_change_the_pace_and_the_header_shows_it() -> None:
    events = await recorded_run()
    handle = ReplayHandle(events, speed=1.0)
    app = replay_app(handle)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.pause(0.3)
        assert len(handle.history) <= 2  # one event per 1.5 s at speed 1
        await pilot.press("[")
        assert handle.playback.speed == 0.5
        assert "×0.5" in str(screen.header_bar.render())
        for _ in range(7):
            await pilot.press("]")
        assert handle.playback.speed == 64  # the fastest offered
        assert "×64" in str(screen.header_bar.render())
        # ~40 events 23 ms apart: done in about a second instead of a minute.
        await until(pilot, lambda: screen.state.finished)
        assert len(handle.history) == len(events)


async def test_j_jumps_to_the_chosen_plan_step_without_waiting() -> None:
    events = await recorded_run()
    handle = ReplayHandle(events, speed=1.0)
    app = replay_app(handle)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await until(pilot, lambda: "3" in screen.state.steps)
        # Without a choice, j on the first agent's step (already under way) says so and does nothing.
        await until(pilot, lambda: screen.state.steps["1"].status == ev.RUNNING)
        await pilot.press("j")
        assert screen.state.steps["3"].status == ev.PENDING
        screen.plan.focus()
        screen.plan.move_cursor(screen.plan._node_of["3"])
        await pilot.pause()
        await pilot.press("j")
        # Every event before step 3 starts plays at once; the next ones keep the 1.5 s pace.
        await until(pilot, lambda: screen.state.steps["3"].status == ev.RUNNING, timeout=2.0)
        assert screen.state.steps["2"].status == ev.DONE
        assert not screen.state.finished


async def test_space_pauses_playback_and_resumes_it() -> None:
    events = await recorded_run()
    handle = ReplayHandle(events, speed=64)
    app = replay_app(handle)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("space")
        assert "paused" in str(screen.header_bar.render())
        await pilot.pause(0.1)
        held = len(handle.history)
        await pilot.pause(0.5)  # ~20 events' worth at this speed
        assert len(handle.history) == held < len(events)
        await pilot.press("space")
        await until(pilot, lambda: screen.state.finished)


async def test_a_live_run_has_no_replay_keys() -> None:
    handle, control = software_house_start().handle()
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        for action in ("faster", "slower", "jump"):
            assert screen.check_action(action, ()) is False
        await pilot.press("]", "j")
        assert control.commands == []
