"""Shared memory of one run: a key/value store and the shared history of contributions."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Contribution:
    agent: str
    step: str
    text: str


@dataclass
class SharedMemory:
    values: dict[str, str] = field(default_factory=dict)
    history: list[Contribution] = field(default_factory=list)

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
