"""A scripted model for tests and benchmarks: queued replies and failures, a record of every call.

Replies are queued per agent (``{"pm": [...], "qa": [...]}``), or in one shared queue under
``"*"``, because agents running in parallel call in no fixed order. A reply is one of:

- a string: streamed as text, in ``chunks`` pieces;
- ``Reply(text=..., tool_calls=[("tool_name", {"arg": 1}), ...])``;
- an exception instance (usually ``ModelError``): raised instead of replying;
- a callable ``f(request) -> reply``: decides from the request (for example from the prompt).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any, AsyncIterator, Callable, Iterable, Mapping

import msgspec

from .base import ModelRequest, TextChunk, ToolCallChunk, UsageChunk, estimate_tokens, Chunk


class Reply(msgspec.Struct):
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = msgspec.field(default_factory=list)


ReplySpec = str | Reply | BaseException | Callable[[ModelRequest], Any]


class ScriptExhausted(AssertionError):
    pass


class ScriptedModel:
    is_demo = False

    def __init__(
        self,
        script: Mapping[str, Iterable[ReplySpec]] | Iterable[ReplySpec] | None = None,
        *,
        default: ReplySpec | None = None,
        latency_s: float = 0.0,
        chunks: int = 4,
        label: str = "scripted",
        record: bool = True,
    ) -> None:
        if script is None:
            script = {}
        if not isinstance(script, Mapping):
            script = {"*": script}
        self.queues: dict[str, list[ReplySpec]] = {k: list(v) for k, v in script.items()}
        self.default = default
        self.latency_s = latency_s
        self.chunks = max(1, chunks)
        self.label = label
        #: Every request, for tests to inspect. ``record=False`` keeps none: a benchmark's model
        #: should not hold each request (and its messages) alive for the whole run.
        self.record = record
        self.calls: list[ModelRequest] = []
        self._ids = itertools.count(1)

    # --- inspection helpers for tests ---------------------------------------------------------

    def calls_for(self, agent: str) -> list[ModelRequest]:
        return [c for c in self.calls if c.agent == agent]

    def prompts_for(self, agent: str) -> list[str]:
        """The full text of every message sent for ``agent``, one string per call."""
        return ["\n".join(str(m.get("content") or "") for m in c.messages) for c in self.calls_for(agent)]

    def assert_done(self) -> None:
        left = {k: len(v) for k, v in self.queues.items() if v}
        if left:
            raise AssertionError(f"scripted replies left unused: {left}")

    # --- the protocol -----------------------------------------------------------------------------

    def _next(self, request: ModelRequest) -> ReplySpec:
        for key in (request.agent, "*"):
            queue = self.queues.get(key)
            if queue:
                return queue.pop(0)
        if self.default is not None:
            return self.default
        raise ScriptExhausted(f"no scripted reply left for agent {request.agent!r} (call {len(self.calls)})")

    async def stream(self, request: ModelRequest) -> AsyncIterator[Chunk]:
        if self.record:
            self.calls.append(request)
        spec = self._next(request)
        while callable(spec) and not isinstance(spec, BaseException):
            spec = spec(request)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if isinstance(spec, BaseException):
            raise spec
        reply = spec if isinstance(spec, Reply) else Reply(text=str(spec))
        text = reply.text
        if text:
            size = max(1, -(-len(text) // self.chunks))
            for i in range(0, len(text), size):
                yield TextChunk(text[i : i + size])
        for name, args in reply.tool_calls:
            yield ToolCallChunk(id=f"call_{next(self._ids)}", name=name, arguments=json.dumps(args))
        prompt_chars = sum(len(str(m.get("content") or "")) for m in request.messages)
        yield UsageChunk(input_tokens=(prompt_chars + 3) // 4, output_tokens=estimate_tokens(text))
