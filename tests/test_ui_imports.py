"""The UI starts without waiting for litellm: importing and building the app never loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_building_the_app_does_not_import_litellm() -> None:
    code = (
        "import sys, time\n"
        "start = time.perf_counter()\n"
        "from teamtui.ui.app import build_app\n"
        "build_app(handle_factory=lambda team, prompt: None)\n"
        "print(round(time.perf_counter() - start, 2))\n"
        "assert 'litellm' not in sys.modules, 'the UI imported litellm'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip()) < 3.0  # litellm alone takes ~4 s; textual is well under this

