"""A run as JSON: every event, loadable back with ``Event.from_dict``.

Strings are redacted and stripped of terminal escapes like every export, so the file is safe to
``cat``; nothing else is dropped or reshaped.
"""

from __future__ import annotations

import json
from typing import Iterable

from teamtui.core.events import SCHEMA_VERSION, Event

from .sanitize import clean_data


def render(events: Iterable[Event]) -> str:
    events = list(events)
    run_id = next((e.run_id for e in events if e.run_id), "")
    doc = {"version": SCHEMA_VERSION, "run_id": clean_data(run_id), "events": [clean_data(e.to_dict()) for e in events]}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def load(text: str) -> list[Event]:
    """The events of a JSON export (the inverse of ``render``, up to the cleaning)."""
    return [Event.from_dict(item) for item in json.loads(text)["events"]]
