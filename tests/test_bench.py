"""Smoke test: the benchmark runner still runs end to end (tiny sizes, one run each).

It checks that every figure is produced and plausible, not how fast anything is: CI does not time."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXPECTED = {
    "help_s", "import_s", "import_rss_mb", "headless_run_s", "headless_run_rss_mb", "seq3_overhead_ms",
    "fanout10_latency10_ms:parallel", "fanout10_latency10_ms:supervise",
    "fanout10_zero_ms:parallel", "fanout10_zero_ms:supervise", "dag40_zero_ms", "dag_linearity",
    "makespan_ratio", "events_per_s:one_agent", "events_per_s:team8",
    "tui_first_frame_s", "tui_lag_ms_p95", "tui_rss_mb",
}


def test_runner_produces_every_figure_quickly() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    figures = report["figures"]
    assert set(figures) == EXPECTED
    for name, figure in figures.items():
        assert math.isfinite(figure["median"]) and figure["median"] > 0, (name, figure)
        assert figure["min"] <= figure["median"] <= figure["max"], (name, figure)
    # A run with 10 calls of 10 ms each, all at once, cannot take less than one call's latency.
    assert figures["fanout10_latency10_ms:parallel"]["min"] >= 10
    assert figures["makespan_ratio"]["min"] >= 1.0  # nothing beats the critical path
    assert report["machine"]["nproc"] >= 1 and report["machine"]["python"]


def test_table_output_lists_the_figures() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--only", "core"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "seq3_overhead_ms" in done.stdout and "events_per_s:team8" in done.stdout
    assert "help_s" not in done.stdout  # only the group asked for
