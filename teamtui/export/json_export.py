"""A run as JSON: every event, loadable back with ``Event.from_dict``.

Strings are redacted and stripped of terminal escapes like every export, so the file is safe to
``cat``; nothing else is dropped or reshaped.
"""

from __future__ import annotations

import json
from typing import Iterable

from teamtui.core.events import SCHEMA_VERSION, Event, TextDelta
from teamtui.core.redact import redact
from teamtui.core.redact_stream import redact_deltas

from .sanitize import Cleaner


def render(events: Iterable[Event]) -> str:
    events = _split_keys_masked(list(events))
    clean = Cleaner()
    run_id = next((e.run_id for e in events if e.run_id), "")
    head = json.dumps({"version": SCHEMA_VERSION, "run_id": clean(run_id)}, ensure_ascii=False)
    # One event per line: easy to read and diff, and json's fast C encoder does each line (an
    # ``indent`` would switch the whole document to the slow pure-Python encoder).
    lines = ",\n".join(json.dumps(clean.data(e.to_dict()), ensure_ascii=False) for e in events)
    return f'{head[:-1]}, "events": [\n{lines}\n]}}\n'


def _split_keys_masked(events: list[Event]) -> list[Event]:
    """A live run's history (the TUI's export) holds its deltas as streamed, so a key split
    across two of them is only found in the stream's whole text. Only then are the deltas
    regrouped (``redact_deltas`` may move text between them); otherwise they stay as they were."""
    streams: dict[tuple[str, str], list[str]] = {}
    for event in events:
        if type(event) is TextDelta:
            streams.setdefault((event.agent, event.step), []).append(event.text)
    for pieces in streams.values():
        whole = "".join(pieces)
        if redact(whole) != "".join(redact(piece) for piece in pieces):
            return redact_deltas(events)
    return events


def load(text: str) -> list[Event]:
    """The events of a JSON export (the inverse of ``render``, up to the cleaning)."""
    return [Event.from_dict(item) for item in json.loads(text)["events"]]
