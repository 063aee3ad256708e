"""A headless run stopped with Ctrl-C ends by saying how to finish it (`teamtui resume ID`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
@pytest.mark.parametrize("flags", [["--headless"], ["--json"]])
def test_ctrl_c_ends_with_the_resume_command(tmp_path: Path, flags: list[str]) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "TEAMTUI_MODEL"}
    env.update(TEAMTUI_HOME=str(home), TEAMTUI_CONFIG=str(home / "config.toml"), NO_COLOR="1")
    # The demo model at its realistic pace: the first step takes seconds, time enough to stop it.
    child = subprocess.Popen([sys.executable, "-m", "teamtui", "run", "software-house", "shorten urls", *flags,
                              "--model", "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        for line in child.stdout:  # wait until the first agent is under way
            if "agent_started" in line or line.startswith("▶ "):
                break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    run_id = next(p.name for p in (home / "runs").iterdir())
    assert child.returncode == 130, err
    assert err.strip().splitlines()[-1:] == [f"teamtui: stopped; continue it with: teamtui resume {run_id}"], err
