"""API keys and Authorization headers never reach journals, exports, logs, error messages or the
terminal, even when a careless provider echoes the request's Authorization header back."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fakeserver import FakeOpenAI, Reply, server_error, unauthorized
from teamtui.core.models.litellm_loader import load_litellm
from teamtui.export import write_all
from teamtui.loader import team_from_text
from teamtui.session import RunSpec, start_run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm")

SECRET = "sk-test-SECRET123"
MARKERS = (SECRET, "SECRET123", "Bearer sk-")
REPO = Path(__file__).resolve().parents[1]
TEAM = """
    name: leaky
    on_failure: degrade
    agents:
      a: {role: A, retries: 1}
      b: {role: B, retries: 1}
      c: {role: C}
    flow:
      sequence:
        - parallel: {branches: [{agent: a}, {agent: b}]}
        - agent: c
"""


def leaks_under(folder: Path) -> list[str]:
    """Every file under ``folder`` that holds the key in any form."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", errors="replace")
            found += [f"{path.relative_to(folder)}: {m}" for m in MARKERS if m in data]
    return found


def leaks_in_logs(records: list[logging.LogRecord]) -> list[str]:
    """Log records, at any level, that carry the key. One kind is let through: the OpenAI SDK's
    own DEBUG dump of the request body (off unless OPENAI_LOG=debug), which holds the messages as
    sent (here with a key the user pasted, and a reply quoting it) but not the request's headers."""
    found = []
    for record in records:
        text = record.getMessage()
        if record.name.startswith("openai") and record.levelno <= logging.DEBUG and text.startswith("Request options:"):
            assert "'headers': {'X-Stainless-Raw-Response': 'true'}" in text  # no Authorization in it
            continue
        found += [f"{record.name} {record.levelname}: {m}" for m in MARKERS if m in text]
    return found


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEAMTUI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEAMTUI_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.delenv("TEAMTUI_MODEL", raising=False)
    return tmp_path / "home"


async def test_a_journaled_run_against_a_provider_that_echoes_the_key_keeps_it_off_disk(
    home: Path, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.0)
    await load_litellm()
    caplog.set_level(logging.DEBUG)
    # a: rejected with the header echoed back; b: one echoed 500, then a reply quoting the key;
    # c: a reply whose text carries the key, as a model repeating its context might.
    quoting = Reply(f"I saw Authorization: Bearer {SECRET} and api_key={SECRET}")

    def by_agent(received):
        system = received.body["messages"][0]["content"]
        if '("a")' in system:
            return unauthorized(echo_auth=True)
        if '("b")' in system and not getattr(by_agent, "b_failed", False):
            by_agent.b_failed = True
            return server_error(f"internal error for key {SECRET}")
        return quoting

    fake_openai.default = by_agent
    team = team_from_text(textwrap.dedent(TEAM), "leaky.yaml")
    spec = RunSpec(team=team, team_text=TEAM, team_path=None, model="openai/fake", api_base=fake_openai.base_url)
    started = start_run(spec, f"please use my key {SECRET}")
    result = await asyncio.wait_for(started.wait(), 60)

    # The provider really did echo it: the test would catch a leak.
    assert fake_openai.chat_requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert result.status == "done" and result.missing == ("1.1",)
    write_all(result.events, started.run_dir)  # the exports land in the run folder too
    files = {p.name for p in started.run_dir.rglob("*") if p.is_file()}
    assert {"meta.json", "events.jsonl", "summary.json"} <= files and len(files) >= 6
    assert leaks_under(home) == []
    assert leaks_in_logs(caplog.records) == []
    # What the person sees is still useful: the 401 is named, with the key masked.
    journal = (started.run_dir / "events.jsonl").read_text()
    assert "authentication failed (HTTP 401)" in journal and "Bearer ***" in journal
    errors = [e["message"] for e in map(json.loads, journal.splitlines()) if e["kind"] == "error"]
    assert any(m.startswith("a (openai/fake): authentication failed") for m in errors)


def test_the_cli_never_prints_the_key(home: Path, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.script(unauthorized(echo_auth=True))
    team_file = tmp_path / "solo.yaml"
    team_file.write_text("name: solo\nagents: {a: {role: A}}\nflow: {agent: a}\n")
    env = {**os.environ, "TEAMTUI_HOME": str(home), "OPENAI_API_KEY": SECRET}
    for flags in (["--headless"], ["--json"]):
        proc = subprocess.run(
            [sys.executable, "-m", "teamtui", "run", str(team_file), "hi", "--model", "openai/fake",
             "--api-base", fake_openai.base_url, *flags],
            capture_output=True, text=True, timeout=120, cwd=REPO, env=env,
        )
        fake_openai.script(unauthorized(echo_auth=True))
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert "authentication failed (HTTP 401)" in output
        assert all(m not in output for m in MARKERS), output
    assert leaks_under(home) == []
