"""Exports of a run (a live run's history or a journal's events): Markdown, JSON, HTML.

Each format module has ``render(events) -> str``; this module writes them to files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from teamtui.core.events import Event

from . import html, json_export, markdown

#: format name -> (renderer, file suffix)
FORMATS: dict[str, tuple[Callable[[Iterable[Event]], str], str]] = {
    "md": (markdown.render, ".md"),
    "json": (json_export.render, ".json"),
    "html": (html.render, ".html"),
}
ALIASES = {"markdown": "md", "htm": "html"}
EXTENSIONS = {".md": "md", ".markdown": "md", ".json": "json", ".html": "html", ".htm": "html"}
_SEPARATORS = tuple(sep for sep in (os.sep, os.altsep) if sep)


def export(events: Iterable[Event], fmt: str | None, path: str | os.PathLike) -> Path:
    """Write one format to ``path``; see ``target`` for where it goes and in which format."""
    name, path = target(fmt, path)
    text = FORMATS[name][0](list(events))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a file
    return path


def target(fmt: str | None, path: str | os.PathLike) -> tuple[str, Path]:
    """The format and the file of an export. ``path`` is a folder (``transcript.<suffix>`` goes
    inside, Markdown unless ``fmt`` says otherwise) when it is one or ends with a separator: a str
    keeps that slash, a Path drops it. Otherwise it is the file, and its extension names the format
    when ``fmt`` does not; an explicit ``fmt`` that the extension contradicts is refused, since a
    .html file holding Markdown helps nobody. Raises ValueError with a one-line reason."""
    name = _format_name(fmt) if fmt else None
    text = os.fspath(path)
    path = Path(text)
    if text.endswith(_SEPARATORS) or path.is_dir():
        name = name or "md"
        return name, path / f"transcript{FORMATS[name][1]}"
    implied = EXTENSIONS.get(path.suffix.lower())
    if name is None and implied is None:
        raise ValueError(f"cannot tell the format from the file name {path.name!r}: "
                         f"name one ({', '.join(FORMATS)}) or end the name in .md, .json or .html")
    if name is not None and implied is not None and name != implied:
        raise ValueError(f"the format {name!r} does not match the file name {path.name!r} ({implied}): "
                         f"leave the format out or change the name")
    return name or implied, path


def _format_name(fmt: str) -> str:
    name = ALIASES.get(fmt.lower(), fmt.lower())
    if name not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (choose from: {', '.join(FORMATS)})")
    return name


def write_all(events: Iterable[Event], folder: Path) -> list[Path]:
    """Every format into ``folder`` as transcript.md / .json / .html; returns the paths."""
    events = list(events)
    return [export(events, name, Path(folder) / f"transcript{suffix}") for name, (_, suffix) in FORMATS.items()]
