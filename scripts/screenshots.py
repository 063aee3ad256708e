"""Write SVG screenshots of the key screens into screenshots/ (for the README).

    python scripts/screenshots.py

Each picture is the real app following a real run of a built-in team on the offline demo model.
The run is recorded first (instantly, demo speed 0), given fixed times and a fixed id, then cut
at an interesting moment and fed to the app through the same bridge a replay uses, so the
pictures are the same every time.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from teamtui.core import events as ev  # noqa: E402
from teamtui.core.runtime import Runner, RunOptions  # noqa: E402
from teamtui.loader import list_teams, load_team  # noqa: E402
from teamtui.ui.app import build_app  # noqa: E402
from ui_scenes import Scene, settle  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (120, 36)
T0 = 1_700_000_000.0
STEP_S = 0.05  # seconds between recorded events once retimed


async def record(team_name: str, approve: bool = False) -> list[ev.Event]:
    """A whole demo run of a built-in team (plans approved as proposed)."""
    team = load_team(team_name)
    handle = Runner(team, RunOptions(model="demo", demo_speed=0, approve_plan=approve, run_id="demo-run")).start(
        team.example)
    async for event in handle.subscribe():
        if isinstance(event, ev.PlanProposed) and not event.approved:
            handle.approve_plan(event.step, None)
    await handle.wait()
    return retimed(handle.history)


def retimed(events: list[ev.Event]) -> list[ev.Event]:
    """Fixed, evenly spaced times (a demo run at speed 0 takes no time), durations to match."""
    out: list[ev.Event] = []
    started: dict[str, float] = {}
    for i, event in enumerate(events):
        event = msgspec.structs.replace(event, ts=T0 + i * STEP_S)
        if isinstance(event, ev.StepStatusChanged) and event.status == ev.RUNNING:
            started.setdefault(event.step, event.ts)
        elif isinstance(event, ev.AgentStarted):
            started[event.step] = event.ts
        elif event.kind in ("step_status", "agent_finished") and event.duration_s is not None \
                and event.step in started:
            event = msgspec.structs.replace(event, duration_s=round(event.ts - started[event.step], 1))
        out.append(event)
    return out


async def shoot(name: str, events: list[ev.Event], press: tuple[str, ...] = (), closed: bool = False) -> None:
    scene = Scene()
    scene.events = events
    handle, _ = scene.handle(close=closed)
    now = events[-1].ts + 1
    app = build_app(handle=handle, clock=lambda: now, animations=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if press:
            await pilot.press(*press)
            await pilot.pause(0.3)
        app.save_screenshot(str(OUT / f"{name}.svg"))
    print(OUT / f"{name}.svg")


async def picker() -> None:
    app = build_app(handle_factory=lambda team, prompt: None, animations=False,
                    list_teams=lambda: [t for t in list_teams() if t.builtin])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / "picker.svg"))
    print(OUT / "picker.svg")


def first_turn_deltas(events: list[ev.Event], agent: str) -> int:
    step = next(e.step for e in events if isinstance(e, ev.AgentStarted) and e.agent == agent)
    return sum(1 for e in events if isinstance(e, ev.TextDelta) and e.agent == agent and e.step == step)


def part_of_turn(events: list[ev.Event], agent: str, share: float) -> list[ev.Event]:
    wanted = max(1, int(first_turn_deltas(events, agent) * share))
    count = 0
    for i, e in enumerate(events):
        if isinstance(e, ev.TextDelta) and e.agent == agent:
            count += 1
            if count >= wanted:
                return events[: i + 1]
    return events


async def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    OUT.mkdir(exist_ok=True)
    house = await record("software-house")
    supervisor = await record("supervisor", approve=True)
    mid = part_of_turn(house, "developer", 0.6)
    await picker()
    await shoot("software-house", mid)
    await shoot("redirect", mid, press=("r",))
    await shoot("help", mid, press=("question_mark",))
    await shoot("finished", house, closed=True)
    plan = next(i for i, e in enumerate(supervisor) if isinstance(e, ev.PlanProposed))
    await shoot("plan-review", supervisor[: plan + 1])
    await shoot("supervisor", part_of_turn(supervisor, "coder", 0.5))


if __name__ == "__main__":
    asyncio.run(main())
