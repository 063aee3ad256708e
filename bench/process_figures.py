"""Whole-process figures: real ``teamtui`` processes (and the TUI probe), timed from outside."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import teams
from .stats import Figure

PROBE = Path(__file__).with_name("tui_probe.py")

#: This interpreter, without the current directory first on sys.path (-P): run from a checkout,
#: ``python -c "import teamtui"`` imported the checkout, not the installed package the table names.
PYTHON = [sys.executable, "-P"]


@dataclass
class Finished:
    wall_s: float
    max_rss_mb: float
    stdout: str


def teamtui_command() -> list[str]:
    """The installed console script next to this interpreter, else the same entry point via -c."""
    script = Path(sys.executable).with_name("teamtui")
    if script.exists():
        return [str(script)]
    return [*PYTHON, "-c", "from teamtui.startup import main; main()"]


def run_process(argv: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> Finished:
    """Run ``argv`` to its end: wall time from spawn to exit, and the child's peak RSS.

    Output goes to files (no pipe to drain), so the child can be reaped with a blocking wait4,
    which is both exact in time and the only way to get this one child's rusage."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, text=True)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:4])} exited {proc.returncode}: {err.read().strip()[-800:]}")
        return Finished(wall, usage.ru_maxrss / 1024, out.read())


def bench_env(home: str) -> dict[str, str]:
    env = dict(os.environ)
    env["TEAMTUI_HOME"] = home  # runs are journaled here, not in the user's data folder
    env.pop("TEAMTUI_MODEL", None)
    env["NO_COLOR"] = "1"
    return env


def help_figure(runs: int, warm: bool = True) -> Figure:
    argv = teamtui_command() + ["--help"]
    if warm:
        run_process(argv)  # warm the file cache, as a user's second run would be
    samples = [run_process(argv) for _ in range(runs)]
    assert "usage" in samples[0].stdout.lower()
    return Figure("help_s", "s", [s.wall_s for s in samples], goal=0.15, note="whole process: teamtui --help")


def import_figures(runs: int, warm: bool = True) -> list[Figure]:
    """What embedding the orchestration core costs: a process that only imports the runtime."""
    argv = [*PYTHON, "-c", "import teamtui.core.runtime"]
    if warm:
        run_process(argv)
    samples = [run_process(argv) for _ in range(runs)]
    note = "whole process: python -c 'import teamtui.core.runtime' (the embeddable core)"
    return [Figure("import_s", "s", [s.wall_s for s in samples], note=note),
            Figure("import_rss_mb", "MB", [s.max_rss_mb for s in samples], note="peak RSS of that process")]


#: What any process pays that parses a typer CLI (typer builds pydantic adapters for its
#: parameters), reads YAML and runs asyncio, before a line of teamtui runs.
LIBRARIES_FLOOR = [*PYTHON, "-c", "import asyncio, yaml, typer, typer._adapters"]


def headless_figures(runs: int, warm: bool = True) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="teamtui-bench-") as home:
        team_file = Path(home) / "bench-seq3.yaml"
        team_file.write_text(teams.SEQ3_YAML, encoding="utf-8")
        argv = teamtui_command() + ["run", str(team_file), "Plan a small web app", "--headless",
                                    "--model", "demo", "--speed", "0"]
        env = bench_env(home)
        if warm:
            run_process(argv, env)
        samples = [run_process(argv, env) for _ in range(runs)]
        floor = [run_process(LIBRARIES_FLOOR, env).wall_s for _ in range(runs)]
    assert "run done" in samples[0].stdout, samples[0].stdout[-400:]
    note = "whole process: teamtui run <3-agent sequence> --headless --model demo --speed 0 (instant demo model)"
    return [Figure("headless_run_s", "s", [s.wall_s for s in samples], goal=0.25, note=note,
                   extra={"libraries_floor_s": round(statistics.median(floor), 3)}),
            Figure("headless_run_rss_mb", "MB", [s.max_rss_mb for s in samples], goal=45.0,
                   note="peak RSS of that process")]


def probe(mode: str, *args: str, timeout: float = 120) -> dict:
    """Run the TUI probe in its own process; it prints one JSON object."""
    with tempfile.TemporaryDirectory(prefix="teamtui-bench-") as home:
        spawned = time.time()
        done = run_process([sys.executable, str(PROBE), mode, f"--spawned={spawned!r}", *args],
                           bench_env(home), timeout)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["max_rss_mb"] = done.max_rss_mb
    return result
