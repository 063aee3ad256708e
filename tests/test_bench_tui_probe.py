"""The TUI probe measures the teamtui that is installed (the one the runner's table header names),
not the checkout it sits in."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_probe_imports_teamtui_from_the_path_not_from_its_checkout(tmp_path: Path) -> None:
    stub = tmp_path / "teamtui"
    stub.mkdir()
    (stub / "__init__.py").write_text("")
    (stub / "startup.py").write_text("import sys\nprint('installed teamtui')\nsys.exit(3)\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))  # stands for site-packages: before the checkout
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "tui_probe.py"), "first-frame",
                           f"--spawned={time.time()}"], capture_output=True, text=True, timeout=60, env=env,
                          cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (3, "installed teamtui"), done.stderr[-1000:]


def test_the_first_frame_comes_with_the_cpu_time_it_took() -> None:
    import json

    done = subprocess.run([sys.executable, str(ROOT / "bench" / "tui_probe.py"), "first-frame",
                           f"--spawned={time.time()}"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-1000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["screen"] == "RunScreen"
    # One thread until the first frame: its CPU time is at most the wall time since the spawn.
    assert 0 < figures["cpu_s"] <= figures["first_frame_s"] + 0.01
