"""Run teamtui's benchmarks: ``python bench/run.py`` prints a table, ``--json`` one JSON object.

Every figure is the median of several runs (min and max beside it). Models are scripted (zero
latency or a set latency per call), so the figures measure teamtui, not a provider.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable as a package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import core_figures, process_figures, tui_figures  # noqa: E402
from bench.stats import Figure, format_table  # noqa: E402

GROUPS = ("process", "core", "tui")


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu or platform.processor(), "python": platform.python_version(),
            "platform": platform.platform(), "install": install_kind(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def install_kind() -> str:
    """How teamtui is installed here. An editable install (`pip install -e`) hooks every import
    and adds ~15 ms to each process figure; users install with `pip install .` (README)."""
    from importlib.metadata import distributions

    # The installed one, not a build's teamtui.egg-info that the checkout on sys.path may hold.
    for dist in distributions(name="teamtui"):
        direct = dist.read_text("direct_url.json")
        if direct:
            return "editable" if json.loads(direct).get("dir_info", {}).get("editable") else "regular"
    return "not installed"


def run(groups: list[str], quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    runs = 1 if quick else 7
    if "process" in groups:
        figures.append(process_figures.help_figure(runs, warm=not quick))
        figures += process_figures.import_figures(runs, warm=not quick)
        figures += process_figures.headless_figures(runs, warm=not quick)
    if "core" in groups:
        figures += core_figures.run_core(core_figures.QUICK if quick else core_figures.Sizes())
    if "tui" in groups:
        figures += tui_figures.run_tui(tui_figures.TUI_QUICK if quick else tui_figures.TuiSizes())
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each (a smoke test, not figures)")
    parser.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated groups: {', '.join(GROUPS)}")
    args = parser.parse_args(argv)
    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = set(groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    info = machine()
    started = time.perf_counter()
    figures = run(groups, args.quick)
    info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    info["bench_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps({"machine": info, "quick": args.quick,
                          "figures": {f.name: f.to_dict() for f in figures}}, indent=2))
    else:
        print(f"{info['cpu']} · {info['nproc']} cores · Python {info['python']} · {info['install']} install · "
              f"load {info['loadavg_at_start']} → {info['loadavg_at_end']} · {info['bench_s']} s")
        print(format_table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
