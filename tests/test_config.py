"""Paths and the settings file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from teamtui import config
from teamtui.config import ConfigError, Settings, load_settings


def test_home_and_folders_follow_teamtui_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMTUI_HOME", str(tmp_path))
    assert config.home() == tmp_path
    assert config.runs_dir() == tmp_path / "runs"
    assert config.teams_dir() == tmp_path / "teams"
    assert not (tmp_path / "runs").exists(), "asking for a path must not create it"


def test_shown_path_writes_the_home_folder_as_a_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert config.shown_path(tmp_path / "me" / "teams" / "mine.yaml") == str(Path("~/teams/mine.yaml"))
    assert config.shown_path(tmp_path / "elsewhere.yaml") == str(tmp_path / "elsewhere.yaml")
    assert config.shown_path(tmp_path / "meow.yaml") == str(tmp_path / "meow.yaml"), "a prefix of the name is not home"


def test_home_defaults_to_platform_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEAMTUI_HOME", raising=False)
    import platformdirs

    assert config.home() == Path(platformdirs.user_data_dir("teamtui"))


def test_config_path_env_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMTUI_CONFIG", str(tmp_path / "c.toml"))
    assert config.config_path() == tmp_path / "c.toml"
    monkeypatch.delenv("TEAMTUI_CONFIG")
    assert config.config_path().name == "config.toml"


def _write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("TEAMTUI_CONFIG", str(path))
    return path


def test_missing_file_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMTUI_CONFIG", str(tmp_path / "absent.toml"))
    assert load_settings() == Settings(model=None, api_base=None, demo_speed=1.0)


def test_settings_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, monkeypatch, 'model = "ollama/llama3.1"\napi_base = "http://127.0.0.1:11434"\ndemo_speed = 3\n')
    settings = load_settings()
    assert settings == Settings(model="ollama/llama3.1", api_base="http://127.0.0.1:11434", demo_speed=3.0)
    assert isinstance(settings.demo_speed, float)
    with pytest.raises(AttributeError):
        settings.model = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('model = "a"\ndemo_speed = \n', 2, "invalid TOML"),
        ('modle = "gpt"\n', None, "unknown setting 'modle'"),
        ("demo_speed = 0\n", None, "demo_speed must be a number above 0"),
        ("demo_speed = true\n", None, "demo_speed must be a number above 0"),
        ('demo_speed = "fast"\n', None, "demo_speed must be a number above 0"),
        ("model = 4\n", None, "model must be a non-empty string"),
        ('api_base = "localhost:8000"\n', None, "api_base must start with http"),
    ],
)
def test_bad_settings_give_one_line_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: int | None, fragment: str
) -> None:
    path = _write(tmp_path, monkeypatch, text)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert info.value.line == line
    assert message.startswith(f"{path}:{line}: " if line else f"{path}: ")
    assert fragment in message and "\n" not in message


def test_config_import_stays_light() -> None:
    code = "import sys, teamtui.config; print('pydantic' in sys.modules, 'yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
