"""What `teamtui run` refuses before a run starts: one line on stderr, exit 2, no run folder left.
Real subprocesses with a private TEAMTUI_HOME and no API keys; none of them reaches a model."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli import teamtui


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def refused(proc, home: Path) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stderr.startswith("teamtui: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (home / "runs").is_dir() or not any((home / "runs").iterdir()), "a run was started"
    return proc.stderr


@pytest.mark.parametrize("request_text", ["", "   "])
def test_an_empty_request_is_called_empty(home: Path, request_text: str) -> None:
    err = refused(teamtui("run", "router", request_text, "--headless", home=home), home)
    assert "request is empty" in err and "no example" not in err


def test_an_omitted_request_still_runs_the_example(home: Path) -> None:
    proc = teamtui("run", "router", "--headless", "--model", "demo", "--speed", "0", home=home)
    assert proc.returncode == 0 and "palindrome" in proc.stdout, proc.stderr


def test_a_model_with_no_provider_is_refused_before_the_run(home: Path) -> None:
    err = refused(teamtui("run", "router", "hi", "--headless", "--model", "nonsense", home=home), home)
    assert "model 'nonsense': no provider given; write it as provider/model" in err


def test_a_missing_key_is_refused_before_the_run(home: Path) -> None:
    for flags in (["--headless"], ["--json"]):
        err = refused(teamtui("run", "router", "hi", *flags, "--model", "openai/gpt-4o-mini", home=home,
                              OPENAI_BASE_URL="", OPENAI_API_BASE=""), home)
        assert "no API key for openai; set OPENAI_API_KEY" in err


def test_a_bad_model_in_the_config_file_is_refused_too(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text('model = "nonsense"\n')
    err = refused(teamtui("run", "router", "hi", "--headless", home=home), home)
    assert "model 'nonsense'" in err


def test_an_empty_model_is_refused(home: Path) -> None:
    err = refused(teamtui("run", "router", "hi", "--headless", "--model", "", "--speed", "0", home=home), home)
    assert "--model" in err and "empty" in err


@pytest.mark.parametrize("url", ["notaurl", "localhost:8000", "ftp://example.test/v1", "http://"])
def test_a_malformed_api_base_is_refused(home: Path, url: str) -> None:
    err = refused(teamtui("run", "router", "hi", "--headless", "--model", "demo", "--speed", "0", "--api-base", url, home=home), home)
    assert "--api-base" in err and repr(url) in err


def test_approve_plan_names_the_flag_that_was_given(home: Path) -> None:
    err = refused(teamtui("run", "supervisor", "--json", "--approve-plan", home=home), home)
    assert "drop --json" in err and "--headless" not in err
    err = refused(teamtui("run", "supervisor", "--headless", "--approve-plan", home=home), home)
    assert "drop --headless" in err
