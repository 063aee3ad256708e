"""A small OpenAI-compatible HTTP server for tests (127.0.0.1 only, random free port).

Real clients (litellm, the openai SDK, httpx) talk to it over a real socket, so tests exercise the
actual HTTP, SSE and error paths instead of a monkeypatched SDK.

Usage::

    with FakeOpenAI() as fake:                  # or the ``fake_openai`` pytest fixture
        fake.script(rate_limited(1), Reply("Hello there, world"))
        ...call a client with api_base=fake.base_url...  # "http://127.0.0.1:PORT/v1"
        fake.requests[-1].body["messages"]     # every request received, parsed
        fake.pending                           # behaviours not used yet
        fake.errors                            # unexpected exceptions in the server (should be [])
        fake.open_connections                  # client connections still open (0 once a client hung up)

Endpoints: ``POST /v1/chat/completions`` answers with the next scripted behaviour (or
``fake.default``, a short fixed reply, when the queue is empty); ``GET /v1/models`` lists
``fake.models``. Anything else is a 404 with an OpenAI-style error body.

Behaviours (queue them with ``fake.script(...)``, first in first out, one per chat request):

- ``Reply(text, chunks=4, tool_calls=[...], usage=(in, out), delay_s=0.0)``: streamed as SSE
  when the request has ``stream: true`` (``data: {...}`` chunks, a usage chunk when
  ``stream_options.include_usage`` is set, then ``data: [DONE]``), otherwise one JSON body.
  Tool calls (``ToolCall(name, arguments)``) are streamed in fragments, as providers do.
- ``Error(status, message, headers={}, echo_auth=False)``: an OpenAI-style error body;
  ``echo_auth`` copies the request's Authorization header into the message, as careless
  providers do, to test key redaction. Shortcuts: ``rate_limited(retry_after)``,
  ``server_error()``, ``unauthorized()``.
- ``Hang(seconds, after_chunks=0)``: stall before answering (or, with ``after_chunks``, after
  streaming that many text chunks) so the client's timeout fires. Ends early when the server stops.
- ``Cut(text, after_chunks=2)``: stream that many chunks, then drop the connection without
  finishing the chunked body (a stream cut mid-way).
- any callable ``f(received) -> behaviour``: decide from the request.

Responses use HTTP/1.1 with chunked transfer encoding for streams, so a cut is visible to the
client as an incomplete body. Stopping the server wakes hung handlers, closes open connections
and joins every handler thread: nothing is left running after the ``with`` block or fixture.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

DEFAULT_TEXT = "Hello from the fake server."


@dataclass(frozen=True)
class Received:
    """One request as the server saw it; ``headers`` keys are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str = ""
    fragments: int = 3  # the arguments JSON is streamed in this many pieces

    def arguments_json(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass(frozen=True)
class Reply:
    text: str = DEFAULT_TEXT
    chunks: int = 4
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: tuple[int, int] | None = None  # (prompt_tokens, completion_tokens); estimated if None
    delay_s: float = 0.0  # pause between streamed chunks


@dataclass(frozen=True)
class Error:
    status: int
    message: str = "fake error"
    headers: dict[str, str] = field(default_factory=dict)
    echo_auth: bool = False
    type: str = "fake_error"


@dataclass(frozen=True)
class Hang:
    seconds: float = 30.0
    after_chunks: int = 0
    text: str = "This reply stalls half way through."


@dataclass(frozen=True)
class Cut:
    text: str = "This reply is cut off in the middle of a sentence."
    after_chunks: int = 2
    chunks: int = 5


Behaviour = Reply | Error | Hang | Cut | Callable[[Received], Any]


def rate_limited(retry_after: float | str = 1) -> Error:
    return Error(429, "Rate limit reached, slow down.", {"Retry-After": str(retry_after)}, type="rate_limit_error")


def server_error(message: str = "The server had an error processing your request.") -> Error:
    return Error(500, message, type="server_error")


def unauthorized(echo_auth: bool = True) -> Error:
    return Error(401, "Incorrect API key provided.", echo_auth=echo_auth, type="invalid_request_error")


def split_text(text: str, parts: int) -> list[str]:
    """Split ``text`` into ``parts`` non-empty pieces (fewer if the text is short)."""
    parts = max(1, min(parts, len(text) or 1))
    size = -(-len(text) // parts) if text else 0
    return [text[i : i + size] for i in range(0, len(text), size)] if text else [""]


class FakeOpenAI:
    """The server; start/stop it with ``with`` (or ``start()``/``stop()``)."""

    def __init__(self, models: list[str] | None = None) -> None:
        self.models = models or ["fake-model"]
        self.default: Behaviour = Reply()
        self.requests: list[Received] = []
        #: Unexpected exceptions raised while handling requests (a bug in a test or here).
        self.errors: list[BaseException] = []
        self._queue: list[Behaviour] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._conns: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- public API -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def open_connections(self) -> int:
        """Client connections the server holds open (kept-alive ones included)."""
        with self._lock:
            return len(self._conns)

    @property
    def chat_requests(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def script(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._queue.extend(behaviours)

    def start(self) -> "FakeOpenAI":
        server = _Server(self)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._closing.set()
        self._server.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # wake handlers blocked on idle keep-alive connections
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        assert self._thread is not None
        self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- used by the handler ----------------------------------------------------------------------

    def _record(self, received: Received, chat: bool) -> Behaviour | None:
        """Log a request; for a chat request also take its behaviour (atomically, so they pair up)."""
        with self._lock:
            self.requests.append(received)
            if not chat:
                return None
            behaviour = self._queue.pop(0) if self._queue else self.default
        while callable(behaviour) and not isinstance(behaviour, (Reply, Error, Hang, Cut)):
            behaviour = behaviour(received)
        return behaviour

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # so server_close() joins every handler thread

    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), type("FakeOpenAIHandler", (_Handler,), {"fake": fake}))

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # clients hang up: cancelled calls, timeouts, pooled connections closed
            return
        if exc is not None:
            with self.fake._lock:
                self.fake.errors.append(exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def setup(self) -> None:
        super().setup()
        self.fake._track(self.connection, True)

    def finish(self) -> None:
        self.fake._track(self.connection, False)
        try:
            super().finish()
        except OSError:
            pass

    # --- routing ----------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self.fake._record(self._received(None), chat=False)
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.fake.models]
            self._json(200, {"object": "list", "data": data})
        else:
            self._json(404, _error_body(f"Unknown path {self.path}", "not_found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        is_chat_path = self.path.rstrip("/").endswith("/chat/completions")
        chat = is_chat_path and isinstance(body, dict)
        received = self._received(body)
        behaviour = self.fake._record(received, chat)
        if not chat:
            problem = "Request body is not a JSON object" if is_chat_path else f"Unknown path {self.path}"
            self._json(400 if is_chat_path else 404, _error_body(problem, "invalid_request_error"))
            return
        self._perform(behaviour, body, received)

    def _received(self, body: Any) -> Received:
        return Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)

    # --- behaviours -------------------------------------------------------------------------------

    def _perform(self, behaviour: Behaviour | None, body: dict[str, Any], received: Received) -> None:
        model = str(body.get("model") or "fake-model")
        streaming = bool(body.get("stream"))
        if isinstance(behaviour, Error):
            message = behaviour.message
            if behaviour.echo_auth:
                message += f" You sent: Authorization: {received.headers.get('authorization', '')}"
            self._json(behaviour.status, _error_body(message, behaviour.type), behaviour.headers)
        elif isinstance(behaviour, Hang):
            if behaviour.after_chunks and streaming:
                self._start_stream()
                for piece in split_text(behaviour.text, behaviour.after_chunks + 1)[: behaviour.after_chunks]:
                    self._event(_chunk(model, {"content": piece}))
            self.fake._closing.wait(behaviour.seconds)
            self.close_connection = True
        elif isinstance(behaviour, Cut):
            self._start_stream()
            for piece in split_text(behaviour.text, behaviour.chunks)[: behaviour.after_chunks]:
                self._event(_chunk(model, {"content": piece}))
            self.close_connection = True  # no terminating chunk: the body is incomplete
            self.connection.shutdown(socket.SHUT_RDWR)
        elif isinstance(behaviour, Reply):
            usage = _usage(behaviour, body)
            if streaming:
                self._stream_reply(behaviour, model, usage, bool((body.get("stream_options") or {}).get("include_usage")))
            else:
                self._json(200, _completion(behaviour, model, usage))
        else:
            raise TypeError(f"unknown fake behaviour: {behaviour!r}")

    def _stream_reply(self, reply: Reply, model: str, usage: dict[str, int], include_usage: bool) -> None:
        self._start_stream()
        self._event(_chunk(model, {"role": "assistant", "content": ""}))
        if reply.text:
            for piece in split_text(reply.text, reply.chunks):
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                self._event(_chunk(model, {"content": piece}))
        for index, call in enumerate(reply.tool_calls):
            call_id = call.id or f"call_{index + 1}"
            head = {"index": index, "id": call_id, "type": "function", "function": {"name": call.name, "arguments": ""}}
            self._event(_chunk(model, {"tool_calls": [head]}))
            for piece in split_text(call.arguments_json(), call.fragments):
                self._event(_chunk(model, {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
        finish = "tool_calls" if reply.tool_calls else "stop"
        self._event(_chunk(model, {}, finish_reason=finish))
        if include_usage:
            self._event({**_chunk(model, {}), "choices": [], "usage": usage})
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # end of the chunked body

    # --- HTTP plumbing ----------------------------------------------------------------------------

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def _event(self, payload: dict[str, Any]) -> None:
        self._write_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def _error_body(message: str, type_: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": None}}


def _chunk(model: str, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _usage(reply: Reply, body: dict[str, Any]) -> dict[str, int]:
    if reply.usage is not None:
        prompt, completion = reply.usage
    else:  # a rough estimate, about four characters a token
        prompt = max(1, len(json.dumps(body.get("messages", []))) // 4)
        completion = max(1, (len(reply.text) + sum(len(c.arguments_json()) for c in reply.tool_calls)) // 4)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(reply: Reply, model: str, usage: dict[str, int]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": c.id or f"call_{i + 1}", "type": "function", "function": {"name": c.name, "arguments": c.arguments_json()}}
            for i, c in enumerate(reply.tool_calls)
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
        "usage": usage,
    }
