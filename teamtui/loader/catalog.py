"""Find teams by name: the user's team folder first, then the teams shipped with teamtui."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import msgspec

import teamtui
from teamtui import config
from teamtui.core.team import Team
from teamtui.loader.errors import TeamFileError, TeamNotFoundError
from teamtui.loader.parse import read_team_file

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class TeamInfo(msgspec.Struct, frozen=True):
    """A team as listed by ``teamtui teams`` and the team picker."""

    name: str  # what ``load_team`` takes: the file name without .yaml
    description: str
    example: str
    path: Path
    builtin: bool
    error: str | None = None  # set (and the other text empty) when the file does not load


def builtin_dir() -> Path:
    return Path(teamtui.__file__).parent / "teams"


def _team_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.is_file()}


def _looks_like_path(source: str | Path) -> bool:
    if isinstance(source, Path):
        return True
    seps = {os.sep, os.altsep or os.sep, "/"}
    return any(sep in source for sep in seps) or source.endswith((".yaml", ".yml"))


def resolve(source: str | Path) -> Path:
    """The file for a path or a team name (user teams win over built-ins of the same name)."""
    if _looks_like_path(source):
        return Path(source).expanduser()
    name = str(source)
    for folder in (config.teams_dir(), builtin_dir()):
        candidate = folder / f"{name}.yaml"
        if _NAME.fullmatch(name) and candidate.is_file():
            return candidate
    known = sorted(set(_team_files(builtin_dir())) | set(_team_files(config.teams_dir())))
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise TeamNotFoundError(
        name, f"no team named {name!r}{hint}; available: {', '.join(known) or 'none'} (or give a path to a .yaml file)"
    )


def load_team(source: str | Path) -> Team:
    """Load a team from a YAML path or a team name; raises TeamFileError (``str`` is one line)."""
    return read_team_file(resolve(source))


def validate_file(path: str | Path) -> Team:
    """Check one team file for ``teamtui validate FILE``; raises TeamFileError."""
    return read_team_file(Path(path).expanduser())


def list_teams() -> list[TeamInfo]:
    """Built-in teams, then user teams, each sorted by name. A user team that shares a built-in's
    name replaces it here as it does in ``load_team``. Files that fail to load are listed with
    their error instead of breaking the listing."""
    user = _team_files(config.teams_dir())
    builtin = {name: path for name, path in _team_files(builtin_dir()).items() if name not in user}
    found = [(name, path, True) for name, path in builtin.items()]
    found += [(name, path, False) for name, path in user.items()]
    return [_info(name, path, is_builtin) for name, path, is_builtin in found]


def _info(name: str, path: Path, builtin: bool) -> TeamInfo:
    try:
        team = read_team_file(path)
    except TeamFileError as exc:
        return TeamInfo(name, "", "", path, builtin, error=str(exc))
    return TeamInfo(name, team.description, team.example, path, builtin)
