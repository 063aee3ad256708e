"""The TUI under measurement, in a process of its own (run by bench/run.py; prints one JSON line).

    python bench/tui_probe.py first-frame --spawned=T   # seconds from spawn to the first frame
    python bench/tui_probe.py lag --spawned=T --presses=40 --agents=8
    python bench/tui_probe.py rss --spawned=T --events=10000 --agents=8

It uses Textual's headless driver (``run_test``): frames are composed as on a terminal, but
not written to one. A time is taken when the app hands the frame that shows the response to the
driver (bench/tui_frames.py).
"""

from __future__ import annotations

import time

STARTED = time.time()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

# `bench` as a package. Appended, not put first: `teamtui` must be the installed one that the
# table header names. A checkout first on the path was imported instead, and where bytecode is
# not written (PYTHONDONTWRITEBYTECODE) each probe compiled every teamtui module again.
sys.path.append(str(Path(__file__).resolve().parent.parent))

from teamtui.startup import defer_collection  # noqa: E402

defer_collection()  # what the `teamtui` entry point does first (teamtui/cli.py main)

SIZE = (120, 40)
PROMPT = "Build a URL shortener in Go"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def first_frame(args: argparse.Namespace) -> dict:
    # The imports and loading a `teamtui run TEAM "request"` does before its first frame.
    from teamtui.core.models.scripted import ScriptedModel
    from teamtui.core.runtime import Runner, RunOptions
    from teamtui.launch import check_models, load_spec
    from teamtui.ui.app import build_app

    from bench.tui_frames import FrameClock

    imported = time.time()
    spec = load_spec("software-house")
    # As `teamtui run` does before it takes the screen: resolve the team's models (with no key
    # set up, the demo model, whose modules this imports). The run below uses a scripted one.
    check_models(spec)

    def factory(team, prompt):
        # A model that is still thinking: the first frame is the run screen of a live run.
        return Runner(team, RunOptions(models={"*": ScriptedModel(default="ok", latency_s=60)})).start(prompt)

    app = build_app(team=spec.team, prompt=PROMPT, handle_factory=factory)
    # The first frame the run screen draws, over its whole area (a frame of Textual's blank
    # default screen would not count). Asked before the app starts: run_test returns only once
    # the app has started, by when that frame may be drawn already.
    cpu_at: dict[float, float] = {}  # the process's CPU time at each frame (less noisy than the wall clock)

    def clock() -> float:
        now = time.time()
        cpu_at[now] = time.process_time()
        return now

    drawn = FrameClock(app, clock).shown(lambda: app.run_screen)
    async with app.run_test(size=SIZE):
        at = await asyncio.wait_for(drawn, timeout=60)
        screen = type(app.screen).__name__
        app.run_screen.handle.stop()
    return {"first_frame_s": at - args.spawned, "imports_s": imported - args.spawned,
            "screen": screen, "python_start_s": STARTED - args.spawned, "cpu_s": cpu_at[at]}


def _app_with_run(agents: int, model_for):
    from teamtui.core.runtime import Runner, RunOptions
    from teamtui.ui.app import build_app

    from bench import teams

    def factory(team, prompt):
        return Runner(team, RunOptions(models={"*": model_for()})).start(prompt)

    return build_app(team=teams.parallel(agents, agents=agents), prompt=PROMPT, handle_factory=factory,
                     animations=False)


async def _until(condition, timeout: float = 30.0, step: float = 0.0005) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the TUI did not respond within the timeout")
        await asyncio.sleep(step)


async def lag(args: argparse.Namespace) -> dict:
    """Key press to its drawn response while every agent streams as fast as the loop allows.

    The keys are what a reader does during a run: down/up switch the agent pane on show (the
    agent list has focus), ? opens the help screen and escape closes it. A press counts from the
    moment the driver posts the key to the first frame handed to the driver that draws its
    response: the newly shown pane, the help screen, the run screen again (bench/tui_frames.py)."""
    from textual import events
    from textual.containers import VerticalScroll

    from teamtui.core import events as ev
    from teamtui.ui.screens.help import HelpScreen

    from bench.models import FirehoseModel
    from bench.tui_frames import FrameClock

    app = _app_with_run(args.agents, lambda: FirehoseModel(seconds=args.seconds))
    clock = FrameClock(app)
    rng = random.Random(1)
    samples: dict[str, list[float]] = {"switch": [], "help": []}

    def help_box():
        top = app.screen
        return next(iter(top.query(VerticalScroll)), None) if isinstance(top, HelpScreen) else None

    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        handle = screen.handle
        await _until(lambda: sum(isinstance(e, ev.AgentStarted) for e in handle.history) >= args.agents
                     and screen.agent_list.highlighted is not None)
        streamed_from = len(handle.history)
        began = time.perf_counter()
        for i in range(args.presses):
            await asyncio.sleep(rng.uniform(0.03, 0.08))
            if i % 4 < 2:  # switch the pane on show
                before = screen.panes.current
                kind, key = "switch", events.Key("down" if i % 4 == 0 else "up", None)
                response = lambda before=before: (  # noqa: E731
                    screen.panes.visible_content if screen.panes.current != before else None)
            elif i % 4 == 2:  # open the help screen
                kind, key, response = "help", events.Key("question_mark", "?"), help_box
            else:  # close it
                kind, key = "help", events.Key("escape", None)
                response = lambda: screen.panes if app.screen is screen else None  # noqa: E731
            drawn = clock.shown(response)
            start = time.perf_counter()
            app._driver.send_message(key)  # what the terminal driver does with a real key press
            try:
                at = await asyncio.wait_for(drawn, timeout=30)
            except asyncio.TimeoutError:
                raise TimeoutError(f"no frame drew the response to {key.key!r} within 30 s") from None
            samples[kind].append((at - start) * 1000)
        elapsed = time.perf_counter() - began
        still_live = not handle.finished
        events_seen = len(handle.history) - streamed_from
        handle.stop()
        await pilot.pause()
    if not still_live:
        raise RuntimeError("the run ended before the key presses did; raise --seconds")
    every = sorted(samples["switch"] + samples["help"])
    p95 = every[min(len(every) - 1, round(0.95 * (len(every) - 1)))]
    return {"lag_ms_p95": p95, "lag_ms_median": statistics.median(every), "lag_ms_max": every[-1],
            "switch_ms_median": statistics.median(samples["switch"]),
            "help_ms_median": statistics.median(samples["help"]) if samples["help"] else None,
            "presses": len(every), "events_per_s_during": events_seen / elapsed}


async def rss(args: argparse.Namespace) -> dict:
    """RSS once a run of about ``--events`` events has been shown in full."""
    from bench.models import FirehoseModel

    per_agent = max(1, args.events // args.agents)
    app = _app_with_run(args.agents, lambda: FirehoseModel(chunks=per_agent))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        await _until(lambda: screen.state.finished, timeout=120, step=0.01)
        await pilot.pause()
        events_shown = len(screen.handle.history)
    return {"rss_mb": _rss_mb(), "events": events_shown}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["first-frame", "lag", "rss"])
    parser.add_argument("--spawned", type=float, required=True, help="time.time() when the parent spawned us")
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the agents stream (lag)")
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    mode = {"first-frame": first_frame, "lag": lag, "rss": rss}[args.mode]
    print(json.dumps(asyncio.run(mode(args))))


if __name__ == "__main__":
    main()
