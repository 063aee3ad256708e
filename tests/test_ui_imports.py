"""The UI starts without waiting for litellm: importing and building the app never loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fresh(code: str) -> str:
    """What ``code`` prints in an interpreter of its own (what is imported depends on what ran)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_building_the_app_does_not_import_litellm() -> None:
    code = (
        "import sys, time\n"
        "start = time.perf_counter()\n"
        "from teamtui.ui.app import build_app\n"
        "build_app(handle_factory=lambda team, prompt: None)\n"
        "print(round(time.perf_counter() - start, 2))\n"
        "assert 'litellm' not in sys.modules, 'the UI imported litellm'\n"
    )
    out = _fresh(code)
    assert float(out.strip()) < 3.0  # litellm alone takes ~4 s; textual is well under this



def test_building_the_app_does_not_import_rich_pretty() -> None:
    # Textual's RichLog imports rich.pretty and, with it, attrs (12-18 ms of the first frame);
    # the event log draws its lines itself.
    code = (
        "import sys\n"
        "from teamtui.ui.app import build_app\n"
        "build_app(handle_factory=lambda team, prompt: None)\n"
        "print(sorted(m for m in ('rich.pretty', 'attr', 'textual.widgets._rich_log') if m in sys.modules))\n"
    )
    out = _fresh(code)
    assert out.strip() == "[]"


def test_markdown_loads_after_the_first_frame_not_before() -> None:
    # Nothing on the first frame is Markdown: its import (markdown-it, pygments) waits until the
    # frame is drawn, then happens off the event loop, before the first streamed block needs it.
    code = (
        "import asyncio, sys, threading\n"
        "from teamtui.core.models.scripted import ScriptedModel\n"
        "from teamtui.core.runtime import Runner, RunOptions\n"
        "from teamtui.launch import load_spec\n"
        "from teamtui.ui.app import build_app\n"
        "seen = {}\n"
        "def factory(team, prompt):\n"
        "    return Runner(team, RunOptions(models={'*': ScriptedModel(default='ok', latency_s=60)})).start(prompt)\n"
        "async def main():\n"
        "    app = build_app(team=load_spec('software-house').team, prompt='x', handle_factory=factory)\n"
        # The first frame is the first update the app hands its driver (Textual's Ready event is
        # posted earlier, after the default screen's first layout, which draws nothing).
        "    display = app._display\n"
        "    def first_frame(screen, update):\n"
        "        if update is not None and not app._batch_count and 'ready' not in seen:\n"
        "            seen['ready'] = 'rich.markdown' in sys.modules\n"
        "        display(screen, update)\n"
        "    app._display = first_frame\n"
        "    async with app.run_test() as pilot:\n"
        "        for _ in range(200):\n"
        "            await pilot.pause(0.02)\n"
        "            if 'textual.widgets._markdown' in sys.modules and not any(\n"
        "                    t.name == 'teamtui-warm-imports' for t in threading.enumerate()):\n"
        "                break\n"
        "        app.run_screen.handle.stop()\n"
        "    print(seen['ready'], 'rich.markdown' in sys.modules, 'textual.widgets._markdown' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    out = _fresh(code)
    assert out.split() == ["False", "True", "True"]


def test_the_run_screen_is_built_without_rich_emoji_table() -> None:
    # A str label of the plan tree was parsed as markup, which imports rich's emoji table (~3 ms
    # of the first frame); nothing on the run screen uses emoji codes.
    code = (
        "import sys\n"
        "from teamtui.ui.screens.run_screen import RunScreen\n"
        "from teamtui.ui.widgets.plan_view import PlanView\n"
        "from teamtui.ui.state import RunState\n"
        "before = 'rich._emoji_codes' in sys.modules\n"
        "PlanView(RunState())\n"
        "print(before, 'rich._emoji_codes' in sys.modules)\n"
    )
    out = _fresh(code)
    assert out.split() == ["False", "False"]


def test_the_run_screen_is_built_without_its_dialogs_or_help() -> None:
    # The first frame shows none of them; each is imported when first asked for (together
    # ~11M instructions before the first frame, callgrind).
    code = (
        "import sys\n"
        "from teamtui.ui.app import build_app\n"
        "build_app(handle_factory=lambda team, prompt: None)\n"
        "names = ('confirm', 'budget', 'help', 'log_filter', 'redirect', 'note', 'plan_review', 'picker', 'prompt')\n"
        "print(sorted(n for n in names if f'teamtui.ui.screens.{n}' in sys.modules))\n"
    )
    out = _fresh(code)
    assert out.strip() == "[]"
