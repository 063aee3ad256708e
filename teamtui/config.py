"""Where teamtui keeps its files, and the user's settings file.

This module sits on the ``--help`` path, so it imports only the standard library and platformdirs.
Environment variables move everything for tests and for people who want their data elsewhere:
``TEAMTUI_HOME`` (runs and user teams) and ``TEAMTUI_CONFIG`` (the settings file).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import msgspec
import platformdirs

APP_NAME = "teamtui"


def home() -> Path:
    """The data directory: ``$TEAMTUI_HOME`` if set, else the platform's user data dir."""
    override = os.environ.get("TEAMTUI_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME))


def runs_dir() -> Path:
    """One folder per run (journal and exports) lives here."""
    return home() / "runs"


def teams_dir() -> Path:
    """User team files; a user team wins over a built-in team with the same name."""
    return home() / "teams"


def shown_path(path: Path | str) -> str:
    """``path`` as it is shown to the reader: under the home folder it starts with ``~``."""
    path = Path(path)
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except (ValueError, RuntimeError):  # elsewhere, or no home folder to speak of
        return str(path)


def config_path() -> Path:
    """The settings file: ``$TEAMTUI_CONFIG`` if set, else ``config.toml`` in the user config dir."""
    override = os.environ.get("TEAMTUI_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


class Settings(msgspec.Struct, frozen=True):
    """Settings read from the config file; command-line flags override them."""

    model: str | None = None
    """Default model for agents and teams that name none, as a litellm model string
    (e.g. ``openai/gpt-4o-mini``, ``ollama/llama3.1``) or ``demo``. None: the default chain decides."""

    api_base: str | None = None
    """Base URL of an OpenAI-compatible endpoint (vLLM, LM Studio, a proxy); None: the provider's own."""

    demo_speed: float = 1.0
    """How fast the offline demo model types: 2.0 is twice as fast, 0.5 half as fast."""


class ConfigError(ValueError):
    """A settings file that cannot be used. ``str(err)`` is one line naming the file."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (``config_path()`` unless given); a missing file means defaults."""
    path = path if path is not None else config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read the settings file: {exc}") from None
    import tomllib  # only when there is a file: most runs have none, and every run reads this

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line = int(found.group(1)) if found else None
        message = _TOML_POSITION.sub("", message)
        raise ConfigError(path, line, f"invalid TOML: {message}") from None
    return _settings_from(data, path)


def _settings_from(data: dict[str, Any], path: Path) -> Settings:
    known = ("model", "api_base", "demo_speed")
    for key in data:
        if key not in known:
            raise ConfigError(path, None, f"unknown setting {key!r} (known: {', '.join(known)})")
    for key in ("model", "api_base"):
        value = data.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise ConfigError(path, None, f"{key} must be a non-empty string, got {value!r}")
    api_base = data.get("api_base")
    if api_base is not None and not api_base.startswith(("http://", "https://")):
        raise ConfigError(path, None, f"api_base must start with http:// or https://, got {api_base!r}")
    speed = data.get("demo_speed", 1.0)
    # bool is an int in Python; "demo_speed = true" is a mistake, not a speed.
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed) or speed <= 0:
        raise ConfigError(path, None, f"demo_speed must be a number above 0, got {speed!r}")
    return Settings(model=data.get("model"), api_base=api_base, demo_speed=float(speed))
