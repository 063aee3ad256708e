"""The fake OpenAI-compatible server itself, checked with a plain HTTP client."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

from fakeserver import DEFAULT_TEXT, Error, FakeOpenAI, Hang, Reply, ToolCall


def post(fake: FakeOpenAI, body: dict[str, Any], path: str = "/chat/completions") -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(
        fake.base_url + path, json.dumps(body).encode(), {"Content-Type": "application/json", "Authorization": "Bearer t0k"}
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def sse_events(raw: bytes) -> list[Any]:
    lines = [line[len("data: "):] for line in raw.decode().split("\n\n") if line.startswith("data: ")]
    return [line if line == "[DONE]" else json.loads(line) for line in lines]


def test_non_streamed_reply_and_default(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("scripted", tool_calls=[ToolCall("f", {"x": 1}, id="c1")], usage=(3, 4)))
    status, _, raw = post(fake_openai, {"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    reply = json.loads(raw)
    assert status == 200
    assert reply["choices"][0]["message"]["content"] == "scripted"
    assert reply["choices"][0]["message"]["tool_calls"][0]["function"] == {"name": "f", "arguments": '{"x": 1}'}
    assert reply["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}

    _, _, raw = post(fake_openai, {"model": "m", "messages": []})  # queue empty: the default reply
    assert json.loads(raw)["choices"][0]["message"]["content"] == DEFAULT_TEXT
    assert fake_openai.pending == 0
    assert [r.headers["authorization"] for r in fake_openai.chat_requests] == ["Bearer t0k", "Bearer t0k"]


def test_streamed_reply_is_sse_with_usage_only_when_asked(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("abcdef", chunks=3, usage=(1, 2)), Reply("abcdef", chunks=3))
    _, headers, raw = post(fake_openai, {"model": "m", "messages": [], "stream": True, "stream_options": {"include_usage": True}})
    events = sse_events(raw)
    assert headers["Content-Type"] == "text/event-stream"
    assert events[-1] == "[DONE]"
    assert "".join(e["choices"][0]["delta"].get("content", "") for e in events[:-2] if e["choices"]) == "abcdef"
    assert events[-2]["choices"] == [] and events[-2]["usage"]["total_tokens"] == 3

    _, _, raw = post(fake_openai, {"model": "m", "messages": [], "stream": True})
    assert not any(isinstance(e, dict) and "usage" in e for e in sse_events(raw))


def test_errors_callables_and_unknown_paths(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        Error(429, "slow down", {"Retry-After": "2"}),
        lambda received: Error(418, f"you asked for {received.body['model']}"),
    )
    status, headers, raw = post(fake_openai, {"model": "m", "messages": []})
    assert (status, headers["Retry-After"], json.loads(raw)["error"]["message"]) == (429, "2", "slow down")
    status, _, raw = post(fake_openai, {"model": "teapot", "messages": []})
    assert (status, json.loads(raw)["error"]["message"]) == (418, "you asked for teapot")
    assert post(fake_openai, {"x": 1}, path="/embeddings")[0] == 404


def test_models_endpoint() -> None:
    with FakeOpenAI(models=["a", "b"]) as fake:
        with urllib.request.urlopen(fake.base_url + "/models", timeout=5) as resp:
            assert [m["id"] for m in json.load(resp)["data"]] == ["a", "b"]
        assert fake.requests[-1].method == "GET"


def test_stop_leaves_no_thread_behind_even_with_a_hung_request() -> None:
    before = set(threading.enumerate())
    fake = FakeOpenAI().start()
    fake.script(Hang(seconds=30))
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            post(fake, {"model": "m", "messages": []})
        except Exception as exc:  # the server hangs up without answering
            outcome.append(exc)

    client = threading.Thread(target=call)
    client.start()
    while not fake.chat_requests:
        threading.Event().wait(0.01)
    fake.stop()  # wakes the hung handler, joins everything
    client.join(timeout=5)
    assert outcome, "the hung request should end without a reply"
    assert set(threading.enumerate()) - before == set()
