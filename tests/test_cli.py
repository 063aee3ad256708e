"""The teamtui command as a user meets it: real subprocesses, a private TEAMTUI_HOME."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def teamtui(*args: str, home: Path, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    environ.update({"TEAMTUI_HOME": str(home), "TEAMTUI_CONFIG": str(home / "config.toml"),
                    "NO_COLOR": "1", **env})
    environ.pop("TEAMTUI_MODEL", None)
    return subprocess.run([sys.executable, "-m", "teamtui", *args], capture_output=True, text=True,
                          timeout=timeout, env=environ)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_help_is_fast_and_imports_nothing_heavy(home):
    code = ("import sys, runpy; sys.argv=['teamtui','--help']\n"
            "try:\n    runpy.run_module('teamtui', run_name='__main__')\nexcept SystemExit: pass\n"
            "heavy=[m for m in ('litellm','textual','pydantic','yaml') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert "run" in proc.stdout and "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_version(home):
    proc = teamtui("--version", home=home)
    assert proc.returncode == 0 and proc.stdout.startswith("teamtui ")


def test_software_house_headless_on_the_demo_model(home):
    proc = teamtui("run", "software-house", "--headless", "--model", "demo", "--speed", "0", home=home)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.splitlines()[0].startswith("run ")
    assert "demo" in out.splitlines()[1]
    pm, dev, qa = out.index("▶ pm"), out.index("▶ developer"), out.index("▶ qa")
    assert pm < dev < qa
    assert "APPROVED" in out and "run done" in out
    assert "package main" in out  # the example asks for Go
    runs = list((home / "runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "events.jsonl").is_file()


def test_json_lines_are_events_with_run_id_and_sequence(home):
    proc = teamtui("run", "router", "Write a haiku about rain", "--json", "--model", "demo", "--speed", "0", home=home)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[0]["kind"] == "run_started" and events[-1]["kind"] == "run_finished"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert len({e["run_id"] for e in events}) == 1
    route = next(e for e in events if e["kind"] == "route")
    assert route["category"] == "writing"


def test_bad_team_file_is_one_line_with_file_and_line_and_exit_2(home, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nagents:\n  a: {role: A}\nflow:\n  sequence:\n    - agent: ghost\n")
    for args in (("validate", str(bad)), ("run", str(bad), "hi", "--headless")):
        proc = teamtui(*args, home=home)
        assert proc.returncode == 2
        assert proc.stderr.strip().count("\n") == 0, proc.stderr
        assert f"{bad}:6:" in proc.stderr and "ghost" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_unknown_team_name_lists_the_choices(home):
    proc = teamtui("run", "no-such-team", "--headless", home=home)
    assert proc.returncode == 2 and "software-house" in proc.stderr and "Traceback" not in proc.stderr


def test_teams_lists_builtins_and_user_teams(home):
    (home / "teams").mkdir(parents=True)
    (home / "teams" / "mine.yaml").write_text("name: mine\ndescription: my own team\nagents: {a: {role: A}}\nflow: {agent: a}\n")
    proc = teamtui("teams", "--json", home=home)
    names = {t["name"]: t for t in json.loads(proc.stdout)}
    assert {"software-house", "router", "supervisor", "triage", "analysis", "ci-events", "mine"} <= set(names)
    assert names["mine"]["builtin"] is False and names["mine"]["description"] == "my own team"
    table = teamtui("teams", home=home, COLUMNS="400").stdout
    assert "my own team" in table and f"Your teams: {home / 'teams'}/NAME.yaml" in table
    mine = next(line for line in table.splitlines() if line.startswith("mine "))
    assert mine.split()[1] == "yours"  # the picker's word for them


def test_runs_lists_and_export_writes_a_file(home, tmp_path):
    assert teamtui("run", "analysis", "Should we raise prices?", "--headless", "--model", "demo", "--speed", "0",
                   home=home).returncode == 0
    listing = json.loads(teamtui("runs", "--json", home=home).stdout)
    assert len(listing) == 1 and listing[0]["team"] == "analysis" and listing[0]["status"] == "done"
    target = tmp_path / "out.html"
    proc = teamtui("export", listing[0]["run_id"][:12], "--format", "html", "-o", str(target), home=home)
    assert proc.returncode == 0, proc.stderr
    assert target.read_text().lstrip().lower().startswith("<!doctype html")

    run_id = listing[0]["run_id"]
    folder = tmp_path / "new"
    for fmt in ("md", "json", "html"):  # a trailing slash: a folder, made on demand, one file per format
        proc = teamtui("export", run_id, "-f", fmt, "-o", f"{folder}/", home=home)
        assert proc.returncode == 0 and proc.stdout.strip() == str(folder / f"transcript.{fmt}"), proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["transcript.html", "transcript.json", "transcript.md"]
    page = tmp_path / "page.html"  # no -f: the extension says html
    assert teamtui("export", run_id, "-o", str(page), home=home).returncode == 0
    assert page.read_text().lstrip().lower().startswith("<!doctype html")
    for args in (("-f", "md", "-o", str(tmp_path / "clash.html")), ("-o", str(tmp_path / "notes.txt"))):
        proc = teamtui("export", run_id, *args, home=home)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert not Path(args[-1]).exists()


def test_installed_command_finds_the_builtin_teams_outside_the_source_tree(home, tmp_path):
    """CI installs with a plain `pip install .`: the console script must find the teams it ships."""
    script = Path(sys.executable).parent / "teamtui"
    if not script.exists():
        pytest.skip("no installed teamtui script next to this Python")
    environ = {**os.environ, "TEAMTUI_HOME": str(home), "TEAMTUI_CONFIG": str(home / "config.toml")}
    proc = subprocess.run([str(script), "teams", "--json"], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, env=environ)
    assert proc.returncode == 0, proc.stderr
    builtin = {t["name"] for t in json.loads(proc.stdout) if t["builtin"]}
    assert builtin == {"software-house", "router", "supervisor", "triage", "analysis", "ci-events"}


@pytest.mark.parametrize("command", [("run", "router", "hi", "--headless", "--model", "demo"), ("replay", "no-such-run")])
def test_a_negative_or_endless_speed_is_a_one_line_usage_error(home, command):
    for speed in ("-1", "nan", "inf"):
        proc = teamtui(*command, f"--speed={speed}", home=home)
        assert proc.returncode == 2, (speed, proc.stdout, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "--speed" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert not (home / "runs").is_dir() or not list((home / "runs").iterdir())  # no run was started


@pytest.mark.parametrize("command", [("run", "router", "hi", "--headless", "--model", "demo", "--speed", "0"),
                                     ("runs",), ("export", "2026"), ("resume", "2026", "--headless"),
                                     ("replay", "2026")])
def test_an_unusable_data_folder_is_named_in_one_line(tmp_path, command):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    for home in (not_a_folder, not_a_folder / "below"):
        proc = teamtui(*command, home=home, TEAMTUI_CONFIG=str(tmp_path / "config.toml"))
        assert proc.returncode == 2, (home, proc.stdout, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "internal error" not in proc.stderr, proc.stderr
        assert f"cannot use the data folder {home} (TEAMTUI_HOME): " in proc.stderr, proc.stderr


def test_help_reads_like_ordinary_usage_and_shows_every_summary_whole(home):
    commands = ("run", "teams", "validate", "runs", "resume", "replay", "export")
    top = teamtui("--help", home=home).stdout
    for command in commands:
        line = next(line for line in top.splitlines() if line.strip().startswith(command + " "))
        assert not line.rstrip().endswith("..."), line
    usage = {c: teamtui(c, "--help", home=home).stdout for c in commands}
    assert " run [OPTIONS] TEAM [REQUEST]" in usage["run"]
    assert " validate [OPTIONS] FILES..." in usage["validate"]
    assert " export [OPTIONS] RUN_ID" in usage["export"]
    for command, text in usage.items():
        assert not any(mark in text for mark in ("{", "<str>", "<list", "<path>", "<float>")), (command, text)


def test_an_ambiguous_run_id_says_how_many_more_match(home):
    for n in range(8):
        run_dir = home / "runs" / f"20260101-00000{n}-abcdef"
        run_dir.mkdir(parents=True)
        (run_dir / "meta.json").write_text("{}")
    proc = teamtui("export", "2026", home=home)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "20260101-000000-abcdef" in proc.stderr and "and 3 more" in proc.stderr, proc.stderr


def test_headless_budget_warns_at_the_soft_limit_and_stops_at_the_hard_one_with_exit_3(home, tmp_path):
    """A headless run cannot ask: a soft limit is one warning line and the run goes on; the hard
    limit stops it before its next call, keeping the reply that crossed it, with its own exit code."""
    text = (Path(__file__).parent.parent / "teamtui" / "teams" / "software-house.yaml").read_text()
    team = tmp_path / "budget.yaml"
    team.write_text(text.replace("name: software-house", "name: sh-budget", 1)
                    + "\nbudget: {soft_tokens: 1000, max_tokens: 5000}\n")
    proc = teamtui("run", str(team), "--headless", "--model", "demo", "--speed", "0", home=home)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.count("soft budget reached") == 1
    assert "token budget exceeded" in out and "run stopped" in out
    assert not re.search(r"step 2\.r\d\.\d interrupted", out), out  # every turn that started had finished
    finished = [line for line in out.splitlines() if "✓ developer finished" in line]
    assert len(finished) == 2, out  # r1 and r2, whose reply crossed the hard limit
    run_id = out.splitlines()[0].split()[-1]
    again = teamtui("resume", run_id, "--headless", home=home)
    assert again.returncode == 3, again.stdout + again.stderr  # the hard limit still holds, before any new call
    assert "token budget exceeded" in again.stdout
