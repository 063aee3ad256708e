"""What a resumed run must know besides the finished model calls: the user's redirects and notes.

A model call is found again by a hash of what was sent, and what was sent includes any redirect
instruction and any note the turn took in. So a resumed run gets back each step's instruction,
the notes each finished turn took in (to the same step), and the notes not yet taken in.
"""

from __future__ import annotations

from typing import Iterable

import msgspec

from .events import AgentStarted, CommandIssued, Event


class RestoredControls(msgspec.Struct):
    overrides: dict[str, str] = msgspec.field(default_factory=dict)  # step -> instruction
    step_notes: dict[str, list[str]] = msgspec.field(default_factory=dict)  # step -> notes it took in
    pending_notes: dict[str, list[str]] = msgspec.field(default_factory=dict)  # agent -> notes not yet taken in


def restore_controls(events: Iterable[Event]) -> RestoredControls:
    restored = RestoredControls()
    given: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, CommandIssued) and event.step and event.command == "redirect":
            restored.overrides[event.step] = event.text
        elif isinstance(event, CommandIssued) and event.agent and event.command == "inject":
            given.setdefault(event.agent, []).append(event.text)
        elif isinstance(event, AgentStarted) and event.notes:
            restored.step_notes[event.step] = list(event.notes)
            pending = given.get(event.agent, [])
            for note in event.notes:
                if note in pending:
                    pending.remove(note)
    restored.pending_notes = {agent: notes for agent, notes in given.items() if notes}
    return restored
