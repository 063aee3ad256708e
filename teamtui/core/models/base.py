"""The one model protocol the core talks to.

A model streams a reply for a list of OpenAI-style messages: text pieces, tool calls and a
usage record. litellm, the offline demo, the scripted test model and the local llama.cpp model
all sit behind this protocol; nothing else in the core knows which one it is talking to.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Protocol, runtime_checkable

import msgspec


def _no_parameters() -> dict[str, Any]:
    return {"type": "object", "properties": {}}


class ToolSpec(msgspec.Struct, frozen=True):
    """A tool offered to the model; ``parameters`` is a JSON schema object."""

    name: str
    description: str
    parameters: dict[str, Any] = msgspec.field(default_factory=_no_parameters)

    def to_openai(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


class ModelRequest(msgspec.Struct):
    """Everything a model needs for one reply.

    ``agent``, ``role``, ``purpose`` and ``team`` are hints about who is speaking; real models
    ignore them (the messages say it all), the demo model uses them to play its part.
    ``purpose`` is one of: worker, classifier, planner, synthesizer, arbiter, repair.
    """

    messages: list[dict[str, Any]]
    tools: list[ToolSpec] = msgspec.field(default_factory=list)
    json_schema: dict[str, Any] | None = None  # ask for a JSON object matching this schema
    temperature: float | None = None
    timeout_s: float | None = None
    agent: str = ""
    role: str = ""
    purpose: str = "worker"
    team: str = ""
    step: str = ""
    #: Facts a real model reads from the messages, handed over plainly for the demo model:
    #: "input" (the run's request), "round"/"max_rounds" (loops), "categories" (classifier),
    #: "workers" ({name: role}, planner), "repair" (what was wrong with the last plan),
    #: "topic" (event bus), "handoff_targets" (names reachable by transfer tools).
    hints: dict[str, Any] = msgspec.field(default_factory=dict)


# --- what a stream yields -------------------------------------------------------------------------
# Read-only by convention, like the events, and msgspec Structs for the same reason: a stream
# builds one per token and a usage record per call (see teamtui/core/events.py).


class TextChunk(msgspec.Struct, gc=False):
    text: str


class ToolCallChunk(msgspec.Struct, gc=False):
    """One complete tool call (implementations assemble streamed fragments first)."""

    id: str
    name: str
    arguments: str  # JSON text


class UsageChunk(msgspec.Struct, gc=False):
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0  # USD, 0.0 when unknown


Chunk = TextChunk | ToolCallChunk | UsageChunk


class ModelError(Exception):
    """A failed model call. ``retryable`` decides whether the runtime tries again."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after_s = retry_after_s


@runtime_checkable
class ChatModel(Protocol):
    #: Label shown in the UI and written to journals, e.g. "openai/gpt-4o-mini" or "demo (offline)".
    label: str
    #: True for the offline demo model, which must always be named as the demo.
    is_demo: bool

    def stream(self, request: ModelRequest) -> AsyncIterator[Chunk]:
        """Stream one reply. Raise ModelError on failure."""
        ...


def estimate_tokens(text: str) -> int:
    """A cheap token estimate for models that do not report usage (about 4 chars a token)."""
    return max(1, (len(text) + 3) // 4) if text else 0
