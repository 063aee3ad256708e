"""Shared memory of one run: a key/value store and the shared history of contributions."""

from __future__ import annotations

import msgspec


class Contribution(msgspec.Struct):
    agent: str
    step: str
    text: str


class SharedMemory(msgspec.Struct):
    values: dict[str, str] = msgspec.field(default_factory=dict)
    history: list[Contribution] = msgspec.field(default_factory=list)

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def add(self, agent: str, step: str, text: str) -> Contribution:
        contribution = Contribution(agent, step, text)
        self.history.append(contribution)
        return contribution

    def recent(self, limit: int = 5) -> list[Contribution]:
        return self.history[-limit:] if limit > 0 else []
