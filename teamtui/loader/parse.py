"""One team file to one checked Team, or one TeamFileError with a line number."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError
from yaml.nodes import MappingNode

from teamtui.core.team import Team, TeamReferenceError, check_references
from teamtui.loader import messages, yamltree
from teamtui.loader.errors import TeamFileError, TeamNotFoundError

#: Team files are a few KB; anything this big is not a team file.
MAX_BYTES = 1_000_000


def read_team_file(path: Path) -> Team:
    """Load and fully check the team file at ``path``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TeamNotFoundError(path, "no such file") from None
    except IsADirectoryError:
        raise TeamNotFoundError(path, "is a directory, not a team file") from None
    except OSError as exc:
        raise TeamFileError(path, None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise TeamFileError(path, None, f"file is larger than {MAX_BYTES} bytes; not a team file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise TeamFileError(path, line, "not UTF-8 text") from None
    return team_from_text(text, str(path))


def team_from_text(text: str, path: str = "<team>") -> Team:
    """Parse and check a team from YAML text; ``path`` is only used in error messages."""
    root = yamltree.compose(text, path)
    if root is None:
        raise TeamFileError(path, 1, "the file is empty; a team needs name, agents and flow")
    if not isinstance(root, MappingNode):
        got = "a list" if root.tag.endswith(":seq") else repr(root.value)[:40]
        raise TeamFileError(
            path, root.start_mark.line + 1, f"expected a mapping of team settings (name, agents, flow), got {got}"
        )
    yamltree.check(root, path)
    data = yamltree.construct(root, path)
    try:
        team = _validate(data)
    except ValidationError as exc:
        error = messages.pick(exc.errors(include_url=False))
        loc = messages.untagged(error["loc"])
        # A missing or unknown key is reported at its parent mapping, named in the message.
        target = loc[:-1] if error["type"] in ("missing", "extra_forbidden") else loc
        line, matched = yamltree.locate(root, target)
        if error["type"] == "extra_forbidden":
            line, _ = yamltree.locate(root, loc)
        raise TeamFileError(path, line, _at(matched, messages.describe(error))) from None
    try:
        check_references(team)
    except TeamReferenceError as exc:
        line, matched = yamltree.locate(root, exc.path)
        raise TeamFileError(path, line, _at(matched, exc.message)) from None
    return team


def _validate(data: Any) -> Team:
    if Team.__pydantic_complete__:
        return Team.model_validate(data)
    with _no_pydantic_plugins():  # the first call builds the schema's validator
        return Team.model_validate(data)


@contextmanager
def _no_pydantic_plugins() -> Iterator[None]:
    """The first validator built without this opt-out makes pydantic read the entry points of every
    installed package, looking for plugins: 16M instructions of a headless run's 1,020M
    (callgrind). The team schema is ours and has no use for them; typer builds its parameters'
    validators the same way. Validators built later still see plugins."""
    saved = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYDANTIC_DISABLE_PLUGINS", None)
        else:
            os.environ["PYDANTIC_DISABLE_PLUGINS"] = saved


def _at(matched: tuple[str | int, ...], message: str) -> str:
    where = yamltree.format_path(matched)
    return f"{where}: {message}" if where else message
