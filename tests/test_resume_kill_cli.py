"""Kill a real headless `teamtui run` with SIGKILL mid-step, then `teamtui resume` it.

The agents talk to the tests' OpenAI-compatible server over a real socket, so the server's
request log counts every model call across both processes: each step that finished before the
kill must have reached the model exactly once, the step in flight twice (cut, then rerun).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakeserver import Received, Reply

STEPS = [  # (role in the system prompt, reply) in the order software-house runs them
    ("Product Manager", "SPEC: shorten urls; AC1 codes are unique; AC2 unknown codes 404."),
    ("Senior Developer", "CODE: package main // a complete shortener with tests"),
    ("QA Engineer", "APPROVED\nEvery criterion is met."),
]


def role_of(received: Received) -> str:
    system = received.body["messages"][0]["content"]
    return next(role for role, _ in STEPS if role in system)


def reply_for(received: Received) -> Reply:
    text = dict(STEPS)[role_of(received)]
    return Reply(text, chunks=12, delay_s=0.08)  # about 1 s a step: time to kill it mid-stream


def cli(args: list[str], home: Path) -> list[str]:
    return [sys.executable, "-m", "teamtui", *args]


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "TEAMTUI_MODEL"}
    env.update(TEAMTUI_HOME=str(home), TEAMTUI_CONFIG=str(home / "config.toml"), OPENAI_API_KEY="sk-test-kill",
               NO_COLOR="1")
    return env


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("killed", [0, 1, 2], ids=["during-pm", "during-developer", "during-qa"])
def test_sigkill_then_resume_pays_once_for_every_finished_step(fake_openai, tmp_path, killed):
    fake_openai.default = reply_for
    home = tmp_path / "home"
    model = ["--model", "openai/fake-model", "--api-base", fake_openai.base_url]
    child = subprocess.Popen(cli(["run", "software-house", "shorten urls", "--headless", *model], home),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(home), text=True)
    try:
        run_id = child.stdout.readline().split()[-1]
        deadline = time.monotonic() + 60
        while len(fake_openai.chat_requests) <= killed:  # wait until the victim step's call is streaming
            assert time.monotonic() < deadline and child.poll() is None, child.stderr.read()
            time.sleep(0.02)
        time.sleep(0.3)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(10)
    assert child.returncode == -signal.SIGKILL

    resumed = subprocess.run(cli(["resume", run_id, "--headless"], home), capture_output=True, text=True,
                             timeout=120, env=environment(home))
    assert resumed.returncode == 0, resumed.stderr
    assert "run done" in resumed.stdout

    calls = [role_of(r) for r in fake_openai.chat_requests]
    for index, (role, _) in enumerate(STEPS):
        expected = 2 if index == killed else 1
        assert calls.count(role) == expected, (role, calls)

    transcript = subprocess.run(cli(["export", run_id, "--format", "md", "-o", str(tmp_path / "t.md")], home),
                                capture_output=True, text=True, timeout=60, env=environment(home))
    assert transcript.returncode == 0, transcript.stderr
    md = (tmp_path / "t.md").read_text()
    turns = md.split("## Transcript", 1)[1].split("## Final answer", 1)[0]
    for _, text in STEPS:  # every step once: the cut attempt is not shown beside its rerun
        assert turns.count(text.splitlines()[0]) == 1, text
    assert [line for line in turns.splitlines() if line.startswith("### ")] == [
        "### pm · step 1", "### developer · step 2.r1.1", "### qa · step 2.r1.2"]
    assert "sk-test-kill" not in md
