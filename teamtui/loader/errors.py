"""The one error type a team file can raise."""

from __future__ import annotations

from pathlib import Path


def _one_line(text: str) -> str:
    # Messages quote file content; keep them on one line and free of terminal control characters.
    text = " ".join(text.split())
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class TeamFileError(ValueError):
    """A team file that cannot be used. ``str(err)`` is ``"{path}:{line}: {message}"`` on one line,
    ready to print as is (editors and terminals jump to ``path:line``). ``line`` is 1-based, or None
    when the problem is not at a line (a missing file, an unknown team name)."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = _one_line(message)
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{_one_line(str(where))}: {self.message}")


class TeamNotFoundError(TeamFileError):
    """No team file by that name or path."""

    def __init__(self, source: Path | str, message: str) -> None:
        super().__init__(source, None, message)
