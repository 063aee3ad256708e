"""The command when its reader goes away (`teamtui run … | head`): it stops the run it no longer
shows instead of paying for it unseen, and exits without calling it an internal error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_a_closed_pipe_stops_the_run_quietly(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "TEAMTUI_HOME": str(home), "NO_COLOR": "1"}
    # Speed 1: the demo takes seconds, so the run is still going when the reader leaves.
    child = subprocess.Popen([sys.executable, "-m", "teamtui", "run", "software-house", "--json", "--model", "demo",
                              "--speed", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert child.stdout is not None and child.stderr is not None
    first = json.loads(child.stdout.readline())
    child.stdout.close()  # what `| head -1` does after its line
    child.wait(20)  # the whole demo run takes ~30 s at speed 1
    err = child.stderr.read().decode()
    assert first["kind"] == "run_started"
    assert child.returncode == 1, err
    assert "internal error" not in err and "Traceback" not in err, err
    assert not (home / "logs" / "crash.log").exists()
    listing = subprocess.run([sys.executable, "-m", "teamtui", "runs", "--json"], capture_output=True, text=True,
                             env=env, timeout=60)
    assert [r["status"] for r in json.loads(listing.stdout)] == ["stopped"]
