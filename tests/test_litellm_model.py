"""LiteLLMModel against the fake OpenAI-compatible server, over a real socket.

The first test pays for importing litellm (about 4 s); the import is shared by the module.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakeserver import Cut, Error, FakeOpenAI, Hang, Reply, ToolCall, rate_limited, server_error, unauthorized
from teamtui.core.models.base import Chunk, ModelError, ModelRequest, TextChunk, ToolCallChunk, ToolSpec, UsageChunk
from teamtui.core.models.litellm_model import LiteLLMModel

# litellm's own deprecation warnings are silenced in the app (litellm_loader); pytest resets filters per test.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm")

MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello."}]
REPO = Path(__file__).resolve().parents[1]


def request(**overrides: object) -> ModelRequest:
    fields: dict[str, object] = {"messages": MESSAGES, "timeout_s": 5.0}
    fields.update(overrides)
    return ModelRequest(**fields)  # type: ignore[arg-type]


async def collect(model: LiteLLMModel, req: ModelRequest | None = None) -> list[Chunk]:
    return [chunk async for chunk in model.stream(req or request())]


async def collect_until_error(model: LiteLLMModel, req: ModelRequest) -> tuple[list[Chunk], ModelError]:
    chunks: list[Chunk] = []
    with pytest.raises(ModelError) as caught:
        async for chunk in model.stream(req):
            chunks.append(chunk)
    return chunks, caught.value


def text_of(chunks: list[Chunk]) -> str:
    return "".join(c.text for c in chunks if isinstance(c, TextChunk))


@pytest.fixture
def model(fake_openai: FakeOpenAI) -> LiteLLMModel:
    return LiteLLMModel("openai/fake-model", api_base=fake_openai.base_url, api_key="sk-fixture-key-000")


# --- happy paths ----------------------------------------------------------------------------------


async def test_streamed_text_arrives_in_pieces_and_reassembles(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("The quick brown fox jumps over the dog", chunks=4, usage=(12, 9)))
    chunks = await collect(model, request(temperature=0.2))

    texts = [c for c in chunks if isinstance(c, TextChunk)]
    assert len(texts) >= 3
    assert text_of(chunks) == "The quick brown fox jumps over the dog"
    assert chunks[-1] == UsageChunk(input_tokens=12, output_tokens=9, cost=0.0)  # unknown model: no price
    body = fake_openai.chat_requests[-1].body
    assert body["messages"] == MESSAGES
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0.2
    assert "response_format" not in body and "tools" not in body
    assert model.label == "openai/fake-model" and model.is_demo is False


async def test_an_endpoint_of_ones_own_is_reached_with_no_key_set(fake_openai: FakeOpenAI,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # vLLM or LM Studio behind --api-base often takes no key; the OpenAI client refuses to send
    # without one, so a placeholder goes, and the endpoint decides.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    fake_openai.script(Reply("from my own server"))
    chunks = await collect(LiteLLMModel("openai/fake-model", api_base=fake_openai.base_url))
    assert text_of(chunks) == "from my own server"
    assert fake_openai.chat_requests[-1].headers["authorization"] == "Bearer no-key-set"
    # A key that is set is the one sent.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-000000")
    fake_openai.script(Reply("again"))
    await collect(LiteLLMModel("openai/fake-model", api_base=fake_openai.base_url))
    assert fake_openai.chat_requests[-1].headers["authorization"] == "Bearer sk-env-key-000000"


async def test_streamed_tool_calls_come_out_whole(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    tools = [ToolSpec("lookup", "Look something up", {"type": "object", "properties": {"query": {"type": "string"}}})]
    fake_openai.script(
        Reply(
            "",
            tool_calls=[
                ToolCall("lookup", {"query": "weather in Paris", "days": 3}, id="call_abc", fragments=5),
                ToolCall("lookup", {"query": "weather in Rome"}, id="call_def", fragments=3),
            ],
        )
    )
    chunks = await collect(model, request(tools=tools))

    calls = [c for c in chunks if isinstance(c, ToolCallChunk)]
    assert [(c.id, c.name) for c in calls] == [("call_abc", "lookup"), ("call_def", "lookup")]
    assert json.loads(calls[0].arguments) == {"query": "weather in Paris", "days": 3}
    assert json.loads(calls[1].arguments) == {"query": "weather in Rome"}
    assert isinstance(chunks[-1], UsageChunk) and chunks[-1].output_tokens > 0
    body = fake_openai.chat_requests[-1].body
    assert body["tools"] == [tools[0].to_openai()]
    assert not any(key.startswith("_") for key in body)  # litellm-internal flags stay internal


async def test_cost_comes_from_litellm_prices_when_the_model_is_known(fake_openai: FakeOpenAI) -> None:
    known = LiteLLMModel("openai/gpt-4o-mini", api_base=fake_openai.base_url, api_key="sk-fixture-key-000")
    fake_openai.script(Reply("priced", usage=(1000, 1000)))
    usage = (await collect(known))[-1]
    assert isinstance(usage, UsageChunk)
    assert (usage.input_tokens, usage.output_tokens) == (1000, 1000)
    assert 0 < usage.cost < 0.01


async def test_openai_base_url_env_is_used_and_api_base_wins(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-0001")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    assert text_of(await collect(LiteLLMModel("openai/fake-model"))) == "Hello from the fake server."
    assert fake_openai.chat_requests[-1].headers["authorization"] == "Bearer sk-env-key-0001"

    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")  # nothing listens there
    await collect(LiteLLMModel("openai/fake-model", api_base=fake_openai.base_url))
    assert len(fake_openai.chat_requests) == 2


# --- structured output ----------------------------------------------------------------------------

SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}


async def test_json_schema_is_sent_as_response_format(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply('{"answer": "yes"}'))
    chunks = await collect(model, request(json_schema=SCHEMA))
    assert json.loads(text_of(chunks)) == {"answer": "yes"}
    assert fake_openai.chat_requests[-1].body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "reply", "schema": SCHEMA},
    }


async def test_rejected_json_schema_falls_back_to_json_object_and_remembers(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Error(400, "response_format.type 'json_schema' is not supported"), Reply('{"answer": "a"}'))
    assert json.loads(text_of(await collect(model, request(json_schema=SCHEMA)))) == {"answer": "a"}
    first, second = fake_openai.chat_requests
    assert first.body["response_format"]["type"] == "json_schema"
    assert second.body["response_format"] == {"type": "json_object"}
    assert json.dumps(SCHEMA) in second.body["messages"][0]["content"]  # the schema is spelled out instead
    assert second.body["messages"][0]["content"].startswith("You are terse.")

    fake_openai.script(Reply('{"answer": "b"}'))
    await collect(model, request(json_schema=SCHEMA))
    assert len(fake_openai.chat_requests) == 3  # straight to json_object, no second refusal
    assert fake_openai.chat_requests[-1].body["response_format"] == {"type": "json_object"}


async def test_json_falls_back_to_prompt_only_when_every_format_is_rejected(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Error(400, "no json_schema"), Error(400, "no json_object either"), Reply('{"answer": "c"}'))
    await collect(model, request(json_schema=SCHEMA))
    last = fake_openai.chat_requests[-1].body
    assert "response_format" not in last
    assert json.dumps(SCHEMA) in last["messages"][0]["content"]


# --- errors ---------------------------------------------------------------------------------------


async def test_rate_limit_is_retryable_with_retry_after_then_the_next_call_works(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(rate_limited(1), Reply("after the wait"))
    _, error = await collect_until_error(model, request())
    assert error.retryable is True
    assert error.status == 429
    assert error.retry_after_s == pytest.approx(1.0)
    assert "openai/fake-model" in str(error) and "\n" not in str(error)

    assert text_of(await collect(model)) == "after the wait"
    assert len(fake_openai.chat_requests) == 2  # litellm did not retry on its own


async def test_fractional_retry_after_is_kept(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(rate_limited(0.1))
    _, error = await collect_until_error(model, request())
    assert error.retry_after_s == pytest.approx(0.1)


async def test_an_exhausted_quota_is_final_though_it_comes_as_429(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Error(429, "You exceeded your current quota (insufficient_quota).", type="insufficient_quota"))
    _, error = await collect_until_error(model, request())
    assert error.status == 429 and not error.retryable and error.retry_after_s is None


async def test_prepare_finishes_the_import_before_any_request(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    await asyncio.wait_for(model.prepare(), 60)
    assert "litellm" in sys.modules and fake_openai.chat_requests == []


async def test_server_error_is_retryable(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(server_error())
    _, error = await collect_until_error(model, request())
    assert (error.retryable, error.status) == (True, 500)
    assert len(fake_openai.chat_requests) == 1


async def test_unauthorized_is_final_and_the_echoed_key_is_redacted(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET123")
    fake_openai.script(unauthorized(echo_auth=True))
    _, error = await collect_until_error(LiteLLMModel("openai/fake-model", api_base=fake_openai.base_url), request())

    assert fake_openai.chat_requests[-1].headers["authorization"] == "Bearer sk-test-SECRET123"  # it was echoed
    assert (error.retryable, error.status) == (False, 401)
    for text in (str(error), repr(error), *map(str, error.args)):
        assert "SECRET123" not in text
    assert "openai/fake-model" in str(error) and "Incorrect API key" in str(error)


async def test_an_explicit_api_key_is_redacted_whatever_its_shape(fake_openai: FakeOpenAI) -> None:
    key = "plain-looking-credential-42"
    fake_openai.script(lambda received: Error(403, f"key {received.headers['authorization'][7:]} may not use this model"))
    _, error = await collect_until_error(LiteLLMModel("openai/fake-model", api_base=fake_openai.base_url, api_key=key), request())
    assert (error.retryable, error.status) == (False, 403)
    assert key not in str(error) and "may not use this model" in str(error)
    assert key not in repr(LiteLLMModel("openai/x", api_key=key))


@pytest.mark.parametrize("status", [400, 404])
async def test_bad_request_and_unknown_model_are_final(model: LiteLLMModel, fake_openai: FakeOpenAI, status: int) -> None:
    fake_openai.script(Error(status, "The model `nope` does not exist"))
    _, error = await collect_until_error(model, request())
    assert (error.retryable, error.status) == (False, status)


async def test_unknown_provider_is_final_without_a_request(fake_openai: FakeOpenAI) -> None:
    _, error = await collect_until_error(LiteLLMModel("no-such-provider-xyz/model"), request())
    assert error.retryable is False
    assert "no-such-provider-xyz/model" in str(error)
    assert fake_openai.requests == []


@pytest.mark.parametrize(("model", "said"), [
    ("nonsense", "nonsense: no provider given; write the model as provider/model, e.g. openai/gpt-4o-mini"),
    ("no-such-provider-xyz/model", "no-such-provider-xyz/model: unknown provider 'no-such-provider-xyz'; "
                                   "write the model as provider/model, e.g. openai/gpt-4o-mini"),
])
async def test_a_model_without_a_known_provider_is_one_short_line_with_no_http_status(
        fake_openai: FakeOpenAI, model: str, said: str) -> None:
    # litellm says it in a paragraph and calls it HTTP 400, though nothing was sent.
    _, error = await collect_until_error(LiteLLMModel(model), request())
    assert (str(error), error.retryable, error.status) == (said, False, None)
    assert fake_openai.requests == []


@pytest.mark.parametrize(("model", "env", "provider"), [
    ("openai/gpt-4o-mini", "OPENAI_API_KEY", "openai"),  # litellm: "server error (HTTP 500)", retried
    ("gemini/gemini-1.5-flash", "GEMINI_API_KEY", "gemini"),  # litellm: a connection error, retried
])
async def test_a_missing_key_is_named_and_final_not_a_server_error(
        fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, model: str, env: str, provider: str) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_BASE_URL",
                 "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    # The call fails before sending. An openai model pointed at an endpoint of one's own gets a
    # placeholder key (the test above), so this one has none; no name but the loopback resolves.
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"test: no network beyond loopback ({host})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    api_base = None if provider == "openai" else fake_openai.base_url
    _, error = await collect_until_error(LiteLLMModel(model, api_base=api_base), request())
    assert (str(error), error.retryable, error.status) == (f"{model}: no API key for {provider}: set {env}", False, None)
    assert fake_openai.requests == []


async def test_a_stalled_stream_times_out_even_without_an_agent_timeout(
    model: LiteLLMModel, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("teamtui.core.models.litellm_model.STALL_TIMEOUT_S", 0.5)
    fake_openai.script(Hang(seconds=10, after_chunks=1))
    await model.prepare()  # the first import of litellm must not count
    started = time.monotonic()
    _, error = await collect_until_error(model, request(timeout_s=None))
    assert error.retryable and time.monotonic() - started < 5


async def test_timeout_is_retryable(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Hang(seconds=10))
    started = time.monotonic()
    _, error = await collect_until_error(model, request(timeout_s=0.5))
    assert error.retryable is True
    assert "timed out" in str(error)
    assert time.monotonic() - started < 3


async def test_stall_mid_stream_times_out_as_retryable(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Hang(seconds=10, after_chunks=2))
    started = time.monotonic()
    chunks, error = await collect_until_error(model, request(timeout_s=0.5))
    assert text_of(chunks)  # some words arrived before the stall
    assert error.retryable is True
    assert time.monotonic() - started < 3


async def test_cut_stream_is_retryable(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Cut("one two three four five six", after_chunks=2, chunks=6))
    chunks, error = await collect_until_error(model, request())
    assert text_of(chunks) == "one two th"  # the pieces sent before the cut
    assert error.retryable is True
    assert not any(isinstance(c, UsageChunk) for c in chunks)


async def test_connection_refused_is_retryable() -> None:
    dead = LiteLLMModel("openai/fake-model", api_base=f"http://127.0.0.1:{closed_port()}/v1", api_key="sk-fixture-key-000")
    _, error = await collect_until_error(dead, request(timeout_s=2.0))
    assert error.retryable is True  # (litellm reports it as a 500 "Connection error.")
    assert "onnection" in str(error)


# --- cancellation ---------------------------------------------------------------------------------


async def test_cancel_while_waiting_for_the_reply_is_prompt(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Hang(seconds=10))
    task = asyncio.create_task(collect(model, request(timeout_s=30)))
    await wait_for(lambda: fake_openai.chat_requests)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1


async def test_cancel_mid_stream_closes_the_http_stream(model: LiteLLMModel, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("a slow reply that would take a long time", chunks=20, delay_s=0.2))
    got_text = asyncio.Event()

    async def consume() -> None:
        async for chunk in model.stream(request(timeout_s=30)):
            if isinstance(chunk, TextChunk):
                got_text.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_text.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The server notices the client went away on its next write and ends that connection.
    await wait_for(lambda: fake_openai.open_connections == 0, timeout=3)


# --- hygiene --------------------------------------------------------------------------------------


def test_importing_the_module_does_not_import_litellm() -> None:
    code = (
        "import sys, teamtui.core.models.litellm_model as m; "
        "m.LiteLLMModel('openai/x'); "
        "assert 'litellm' not in sys.modules, 'litellm imported'; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


async def test_litellm_prints_nothing_to_the_terminal(model: LiteLLMModel, fake_openai: FakeOpenAI, capfd: pytest.CaptureFixture[str]) -> None:
    fake_openai.script(Reply("quiet please"), unauthorized(), Cut())
    await collect(model)
    await collect_until_error(model, request())
    await collect_until_error(model, request())
    await collect_until_error(LiteLLMModel("no-such-provider-xyz/model"), request())
    await asyncio.sleep(0.1)  # litellm logs from background tasks too
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# --- helpers --------------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
