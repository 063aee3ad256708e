"""Where the start-up of a headless run goes: ``python bench/startup.py`` (medians of fresh processes).

Each line is one step a ``teamtui run FILE --headless --model demo`` process takes, timed in
the order the CLI takes it, so each import's cost excludes what earlier steps already loaded.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.teams import SEQ3_YAML  # noqa: E402

# Runs in a fresh interpreter: times each step, then the command itself, and prints JSON.
CHILD = r"""
import json, sys, time
marks = []
last = time.perf_counter()
def mark(name):
    global last
    now = time.perf_counter(); marks.append((name, (now - last) * 1000)); last = now
from teamtui.startup import defer_collection; defer_collection()  # what the entry point does first
import typer; mark("import typer")
import teamtui.cli; mark("import teamtui.cli")
import typer._adapters; mark("import pydantic and its model machinery (typer's parameter adapters)")
import importlib.metadata; mark("import importlib.metadata (pydantic's plugin loader imports it)")
import asyncio; mark("import asyncio")
import teamtui.launch as launch; mark("import teamtui.launch (config, platformdirs)")
import yaml; mark("import yaml")
import teamtui.core.team; mark("import teamtui.core.team (the schema's 22 models, built on first use)")
import teamtui.core.events; mark("import teamtui.core.events (msgspec Structs)")
import teamtui.loader; mark("import teamtui.loader")
import teamtui.session; mark("import teamtui.session (runtime, journal)")
import teamtui.core.models.demo; mark("import the demo model")
import teamtui.headless; mark("import teamtui.headless")
run_command = launch.run_command
def timed(req):
    mark("parse the arguments")
    spec = launch.load_spec(req.team, model=req.model, speed=req.speed)
    mark("load the team file, build the schema's validator, validate")
    code = asyncio.run(launch.run_headless(spec, req.prompt, req.json))
    mark("the run: journal, model, printing")
    return code
launch.run_command = timed
sys.argv = ["teamtui", "run", sys.argv[1], "Plan a small web app", "--headless", "--model", "demo", "--speed", "0"]
try:
    teamtui.cli.main()
except SystemExit:
    pass
sys.stderr.write(json.dumps(marks) + "\n")
"""


def main(runs: int = 7) -> None:
    with tempfile.TemporaryDirectory(prefix="teamtui-bench-") as home:
        team_file = Path(home) / "bench-seq3.yaml"
        team_file.write_text(SEQ3_YAML, encoding="utf-8")
        env = {**os.environ, "TEAMTUI_HOME": home, "NO_COLOR": "1"}
        samples: dict[str, list[float]] = {}
        for _ in range(runs + 1):  # the first one warms the file cache
            # -P: the installed teamtui, not a checkout in the current directory
            done = subprocess.run([sys.executable, "-P", "-c", CHILD, str(team_file)], env=env, capture_output=True,
                                  text=True, check=True)
            for name, ms in json.loads(done.stderr.strip().splitlines()[-1]):
                samples.setdefault(name, []).append(ms)
    total = 0.0
    for name, values in samples.items():
        ms = statistics.median(values[1:])
        total += ms
        print(f"{ms:7.1f} ms  {name}")
    print(f"{total:7.1f} ms  total after the interpreter started")


if __name__ == "__main__":
    main()
