"""Any provider through litellm: OpenAI, Anthropic, Ollama, vLLM, any OpenAI-compatible endpoint.

Importing this module does not import litellm (that costs seconds); the first ``stream()`` call
waits for the background import started by ``preload_litellm()``. litellm's own retries are
turned off: the runtime retries, with backoff, whatever ``ModelError.retryable`` allows.
"""

from __future__ import annotations

import json
import os
from types import ModuleType
from typing import Any, AsyncIterator

from .base import Chunk, ModelError, ModelRequest, TextChunk, ToolCallChunk, UsageChunk, estimate_tokens
from .litellm_errors import to_model_error
from .litellm_loader import load_litellm, preload_litellm
from .preflight import BASE_URL_NAMES

__all__ = ["LiteLLMModel", "preload_litellm"]

#: How strongly a JSON reply is asked for; a provider that rejects one level gets the next.
_FORMAT_JSON_SCHEMA, _FORMAT_JSON_OBJECT, _FORMAT_PROMPT_ONLY = 0, 1, 2
#: Sent as the key to an OpenAI-compatible endpoint when none is set (see ``_arguments``).
NO_KEY = "no-key-set"


#: Seconds a request may go without a byte when the agent sets no ``timeout``.
STALL_TIMEOUT_S = 180.0

class LiteLLMModel:
    is_demo = False

    def __init__(self, model: str, api_base: str | None = None, api_key: str | None = None) -> None:
        self.model = model
        self.label = model
        self.api_base = api_base
        self.api_key = api_key
        # Remembered once a provider has rejected a stricter response_format, to skip the failing request.
        self._format_level = _FORMAT_JSON_SCHEMA

    def __repr__(self) -> str:  # never show the key
        return f"LiteLLMModel({self.model!r}, api_base={self.api_base!r})"

    async def prepare(self) -> None:
        """Finish importing litellm before a step's timeout starts counting (the runtime calls it)."""
        await load_litellm()

    async def stream(self, request: ModelRequest) -> AsyncIterator[Chunk]:
        litellm = await load_litellm()
        response = await self._open(litellm, request)
        text: list[str] = []
        calls = _ToolCallAssembler()
        usage: Any = None
        chunks = response.__aiter__()
        try:
            while True:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    break
                except Exception as exc:
                    raise to_model_error(exc, self.model, litellm, [self.api_key]) from None
                usage = getattr(chunk, "usage", None) or usage
                for choice in getattr(chunk, "choices", None) or []:
                    delta = getattr(choice, "delta", None)
                    content = getattr(delta, "content", None)
                    if content:
                        text.append(content)
                        yield TextChunk(content)
                    for fragment in getattr(delta, "tool_calls", None) or []:
                        calls.add(fragment)
        finally:
            await _close(response)  # also on cancel: release the HTTP stream
        for call in calls.finish():
            yield call
        yield self._usage(litellm, usage, request, "".join(text), calls)

    # --- request ------------------------------------------------------------------------------------

    async def _open(self, litellm: ModuleType, request: ModelRequest) -> Any:
        level = self._format_level if request.json_schema is not None else _FORMAT_PROMPT_ONLY
        while True:
            try:
                response = await litellm.acompletion(**self._arguments(litellm, request, level))
            except Exception as exc:
                error = to_model_error(exc, self.model, litellm, [self.api_key])
                if request.json_schema is not None and level < _FORMAT_PROMPT_ONLY and _format_rejected(exc, error, litellm):
                    level += 1
                    continue
                raise error from None
            if request.json_schema is not None:
                self._format_level = level
            return response

    def _arguments(self, litellm: ModuleType, request: ModelRequest, level: int) -> dict[str, Any]:
        messages = request.messages
        args: dict[str, Any] = {
            "model": self.model,
            "stream": True,
            "stream_options": {"include_usage": True},
            "num_retries": 0,  # retrying is the runtime's job
            "max_retries": 0,
        }
        api_base = self.api_base or self._env_api_base(litellm)
        if api_base:
            args["api_base"] = api_base
        if self.api_key:
            args["api_key"] = self.api_key
        elif api_base and self.model.startswith("openai/") and not os.environ.get("OPENAI_API_KEY"):
            # A server of one's own (vLLM, LM Studio, a proxy) often takes no key, but the OpenAI
            # client sends nothing without one: give it a placeholder, and let the endpoint decide.
            args["api_key"] = NO_KEY
        if request.tools:
            args["tools"] = [tool.to_openai() for tool in request.tools]
            # Our tools are plain functions, never MCP servers. Without this, litellm's MCP gateway
            # check imports the optional `mcp` package and fails. litellm strips the flag before sending.
            args["_skip_mcp_handler"] = True
        if request.temperature is not None:
            args["temperature"] = request.temperature
        # The HTTP client applies this to every read, so it is also how long a stalled stream may
        # sit silent; without an agent timeout litellm would wait 600 s.
        args["timeout"] = request.timeout_s if request.timeout_s is not None else STALL_TIMEOUT_S
        schema = request.json_schema
        if schema is not None:
            if level == _FORMAT_JSON_SCHEMA:
                args["response_format"] = {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}
            else:  # the provider only takes json_object, or nothing: say the schema in words
                messages = _with_schema_note(messages, schema)
                if level == _FORMAT_JSON_OBJECT:
                    args["response_format"] = {"type": "json_object"}
        args["messages"] = messages
        return args

    def _env_api_base(self, litellm: ModuleType) -> str | None:
        """OPENAI_BASE_URL / OPENAI_API_BASE for openai models, so any compatible server works."""
        try:
            provider = litellm.get_llm_provider(self.model)[1]
        except Exception:  # unknown provider: acompletion reports it properly
            return None
        if provider != "openai":
            return None
        return next((os.environ[name] for name in BASE_URL_NAMES if os.environ.get(name)), None)

    # --- usage --------------------------------------------------------------------------------------

    def _usage(self, litellm: ModuleType, usage: Any, request: ModelRequest, text: str, calls: "_ToolCallAssembler") -> UsageChunk:
        input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        if not usage:  # the provider did not say: estimate, so budgets still move
            input_tokens = estimate_tokens(json.dumps(request.messages, default=str))
            output_tokens = estimate_tokens(text + calls.arguments_text())
        try:
            prompt_cost, completion_cost = litellm.cost_per_token(
                model=self.model, prompt_tokens=input_tokens, completion_tokens=output_tokens
            )
            cost = float(prompt_cost) + float(completion_cost)
        except Exception:  # no price known for this model (local servers, new models)
            cost = 0.0
        return UsageChunk(input_tokens=input_tokens, output_tokens=output_tokens, cost=cost)


class _ToolCallAssembler:
    """Puts streamed tool-call fragments back together, keyed by their index."""

    def __init__(self) -> None:
        self._calls: dict[int, dict[str, Any]] = {}

    def add(self, fragment: Any) -> None:
        index = getattr(fragment, "index", None)
        call_id = getattr(fragment, "id", None)
        function = getattr(fragment, "function", None)
        if index is None:  # some providers send whole calls without an index
            same = self._calls and call_id in (None, self._calls[max(self._calls)]["id"])
            index = max(self._calls) if same else len(self._calls)
        slot = self._calls.setdefault(index, {"id": None, "name": "", "arguments": []})
        if call_id and not slot["id"]:
            slot["id"] = call_id
        name = getattr(function, "name", None)
        if name and not slot["name"]:
            slot["name"] = name
        arguments = getattr(function, "arguments", None)
        if arguments:
            slot["arguments"].append(arguments)

    def finish(self) -> list[ToolCallChunk]:
        return [
            ToolCallChunk(id=slot["id"] or f"call_{n}", name=slot["name"], arguments="".join(slot["arguments"]) or "{}")
            for n, (_, slot) in enumerate(sorted(self._calls.items()), start=1)
        ]

    def arguments_text(self) -> str:
        return "".join("".join(slot["arguments"]) for slot in self._calls.values())


def _format_rejected(exc: Exception, error: ModelError, litellm: ModuleType) -> bool:
    """True when a 400-type refusal is probably about response_format (not the context window)."""
    if isinstance(exc, litellm.ContextWindowExceededError):
        return False
    return error.status in (400, 422) or isinstance(exc, litellm.UnsupportedParamsError)


def _with_schema_note(messages: list[dict[str, Any]], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages with the schema spelled out in the system message (some servers reject late system messages)."""
    note = "Reply with one JSON object and nothing else. It must match this JSON schema:\n" + json.dumps(schema)
    if messages and messages[0].get("role") == "system" and isinstance(messages[0].get("content"), str):
        first = {**messages[0], "content": messages[0]["content"] + "\n\n" + note}
        return [first, *messages[1:]]
    return [{"role": "system", "content": note}, *messages]


async def _close(response: Any) -> None:
    aclose = getattr(response, "aclose", None)
    if aclose is None:
        return
    try:
        await aclose()
    except Exception:  # closing a broken stream may fail again; the first error is the one that matters
        pass
