"""Exports of a run (a live run's history or a journal's events): Markdown, JSON, HTML.

Each format module has ``render(events) -> str``; this module writes them to files.
"""

from __future__ import annotations

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


def export(events: Iterable[Event], fmt: str, path: Path) -> Path:
    """Write one format to ``path`` (a folder gets ``transcript.<suffix>`` inside it)."""
    name = ALIASES.get(fmt.lower(), fmt.lower())
    if name not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (choose from: {', '.join(FORMATS)})")
    render, suffix = FORMATS[name]
    path = Path(path)
    if path.is_dir():
        path = path / f"transcript{suffix}"
    text = render(list(events))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a file
    return path


def write_all(events: Iterable[Event], folder: Path) -> list[Path]:
    """Every format into ``folder`` as transcript.md / .json / .html; returns the paths."""
    events = list(events)
    return [export(events, name, Path(folder) / f"transcript{suffix}") for name, (_, suffix) in FORMATS.items()]
