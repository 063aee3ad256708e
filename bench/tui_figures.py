"""TUI figures, each measured in a fresh process by bench/tui_probe.py."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .process_figures import probe
from .stats import Figure


@dataclass(frozen=True)
class TuiSizes:
    first_frame_runs: int = 5
    lag_runs: int = 3
    presses: int = 40
    rss_runs: int = 3
    rss_events: int = 10_000
    warm: bool = True  # one unmeasured start first, so the file cache is warm


TUI_QUICK = TuiSizes(first_frame_runs=1, lag_runs=1, presses=4, rss_runs=1, rss_events=500, warm=False)


def first_frame(sizes: TuiSizes) -> Figure:
    if sizes.warm:
        probe("first-frame")
    runs = [probe("first-frame") for _ in range(sizes.first_frame_runs)]
    assert all(r["screen"] == "RunScreen" for r in runs), runs
    return Figure("tui_first_frame_s", "s", [r["first_frame_s"] for r in runs], goal=0.5,
                  note="process start to the first drawn frame of the run screen (headless driver)",
                  extra={"python_start_s": round(statistics.median(r["python_start_s"] for r in runs), 3),
                         "imports_done_s": round(statistics.median(r["imports_s"] for r in runs), 3),
                         "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 3)})


def lag(sizes: TuiSizes) -> Figure:
    runs = [probe("lag", f"--presses={sizes.presses}") for _ in range(sizes.lag_runs)]
    return Figure("tui_lag_ms_p95", "ms", [r["lag_ms_p95"] for r in runs], goal=50.0,
                  note="key press to its drawn response (switch agent pane, open/close help) while 8 agents "
                       "stream flat out",
                  extra={"lag_ms_median": round(statistics.median(r["lag_ms_median"] for r in runs), 1),
                         "switch_ms_median": round(statistics.median(r["switch_ms_median"] for r in runs), 1),
                         "help_ms_median": round(statistics.median(r["help_ms_median"] for r in runs), 1),
                         "events_per_s_during": round(statistics.median(r["events_per_s_during"] for r in runs))})


def rss(sizes: TuiSizes) -> Figure:
    runs = [probe("rss", f"--events={sizes.rss_events}") for _ in range(sizes.rss_runs)]
    assert all(r["events"] >= sizes.rss_events for r in runs), runs
    return Figure("tui_rss_mb", "MB", [r["rss_mb"] for r in runs], goal=120.0,
                  note=f"RSS of the TUI process after showing a {sizes.rss_events}-event run of 8 agents",
                  extra={"peak_rss_mb": round(max(r["max_rss_mb"] for r in runs), 1)})


def run_tui(sizes: TuiSizes) -> list[Figure]:
    return [first_frame(sizes), lag(sizes), rss(sizes)]
