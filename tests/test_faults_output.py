"""Bad model output, end to end through litellm and the fake server: broken plans, empty and
enormous replies, wild tool calls, markup and terminal escapes. Each is repaired, refused with a
clear error, or shown safely; none crashes the run."""

from __future__ import annotations

import asyncio
import io
import json
import textwrap

import pytest

from fakeserver import Error, FakeOpenAI, Received, Reply, ToolCall
from teamtui.core import events as ev
from teamtui.core.agent import MAX_REPLY_CHARS, MAX_TOOL_ROUNDS
from teamtui.core.handle import RunResult
from teamtui.core.models.litellm_loader import load_litellm
from teamtui.core.runtime import Runner, RunOptions
from teamtui.headless import print_human, print_json
from teamtui.loader import team_from_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm")

SUPERVISE = """
    name: sup
    agents: {p: {role: Planner}, w: {role: Worker}, v: {role: Verifier}}
    flow: {supervise: {planner: p, workers: [w, v]}}
"""
SOLO = """
    name: solo
    agents: {a: {role: A, retries: 2, tools: [memory]}}
    flow: {agent: a}
"""


@pytest.fixture(autouse=True)
async def setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET123")
    monkeypatch.setattr("teamtui.core.agent.backoff_delay", lambda attempt, retry_after_s=None: 0.0)
    await load_litellm()


def runner(fake: FakeOpenAI, yaml: str) -> Runner:
    team = team_from_text(textwrap.dedent(yaml), "output.yaml")
    return Runner(team, RunOptions(model="openai/fake", api_base=fake.base_url))


async def run_live(fake: FakeOpenAI, yaml: str) -> RunResult:
    return await asyncio.wait_for(runner(fake, yaml).run("go"), 60)


def of(result: RunResult, kind: type) -> list:
    return [e for e in result.events if isinstance(e, kind)]


def plan(*tasks: tuple[str, str, list[str]]) -> str:
    return json.dumps({"tasks": [{"id": i, "worker": w, "task": f"do {i}", "depends_on": d} for i, w, d in tasks]})


# --- plans ----------------------------------------------------------------------------------------


async def test_unparseable_plan_twice_fails_with_a_clear_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("Sure! Here is my plan: first research, then write."), Reply("{tasks: [oops"))
    result = await run_live(fake_openai, SUPERVISE)

    assert result.status == "failed"
    assert result.error == "planner p gave an invalid plan twice: the plan is not valid JSON"
    rejected = of(result, ev.PlanRejected)
    assert [(r.attempt, r.will_repair) for r in rejected] == [(1, True), (2, False)]
    repair = fake_openai.chat_requests[1].body["messages"]
    assert repair[-1]["content"].startswith("That plan is invalid: the plan is not valid JSON")
    assert repair[-2] == {"role": "assistant", "content": "Sure! Here is my plan: first research, then write."}
    assert len(fake_openai.chat_requests) == 2  # no worker ran


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (plan(("a", "w", []), ("b", "ghost", [])), "task 'b' names unknown worker 'ghost' (workers: v, w)"),
        (plan(("a", "w", ["b"]), ("b", "v", ["a"])), "the plan has a dependency cycle: a -> b -> a"),
        (plan(("a", "w", ["zzz"])), "task 'a' depends on missing task 'zzz'"),
        ('```json\n{"tasks": []}\n```', 'the plan must be an object with a non-empty "tasks" list'),
        ('{"tasks": [{"id": "a", "worker": ["w"], "task": "x"}]}', "task 'a' names unknown worker ['w'] (workers: v, w)"),
    ],
    ids=["unknown-worker", "cycle", "missing-dependency", "empty", "worker-not-a-name"],
)
async def test_a_bad_plan_gets_one_repair_request_naming_the_problem(fake_openai: FakeOpenAI, bad: str, words: str) -> None:
    good = plan(("a", "w", []), ("b", "v", ["a"]))
    fake_openai.script(Reply(bad), Reply(good), Reply("work a"), Reply("work b"), Reply("synthesis"))
    result = await run_live(fake_openai, SUPERVISE)

    assert result.status == "done", result.error
    assert result.output == "synthesis"
    [rejected] = of(result, ev.PlanRejected)
    assert rejected.error == words and rejected.will_repair
    assert words in fake_openai.chat_requests[1].body["messages"][-1]["content"]
    assert [t["id"] for t in of(result, ev.PlanProposed)[-1].tasks] == ["a", "b"]


# --- empty and enormous replies ------------------------------------------------------------------


async def test_empty_replies_are_retried_then_fail_clearly(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(""), Reply("   \n"), Reply(""))
    result = await run_live(fake_openai, SOLO)
    assert result.status == "failed"
    assert result.error == "a (openai/fake): the model returned an empty reply (gave up after 3 attempts)"
    assert len(of(result, ev.RetryScheduled)) == 2


async def test_an_empty_reply_then_a_real_one_is_fine(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(""), Reply("here it is"))
    result = await run_live(fake_openai, SOLO)
    assert result.status == "done" and result.output == "here it is"


async def test_an_enormous_reply_is_cut_and_says_so(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("0123456789" * 30_000, chunks=60))  # 300k characters
    result = await run_live(fake_openai, SOLO)

    assert result.status == "done", result.error
    [finished] = of(result, ev.AgentFinished)
    assert len(finished.text) == MAX_REPLY_CHARS == 200_000
    assert sum(len(e.text) for e in of(result, ev.TextDelta)) == MAX_REPLY_CHARS
    [notice] = [e for e in of(result, ev.ErrorRaised) if "cut" in e.message]
    assert notice.agent == "a" and "200000 characters" in notice.message and not notice.fatal


# --- wild tool calls ------------------------------------------------------------------------------


async def test_unknown_tools_and_broken_arguments_go_back_to_the_model_as_errors(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        Reply("", tool_calls=[ToolCall("rm_rf", {"path": "/"}), ToolCall("memory_write", "{not json")]),
        Reply("", tool_calls=[ToolCall("memory_write", {"key": "k"})]),  # a required argument missing
        Reply("recovered"),
    )
    result = await run_live(fake_openai, SOLO)

    assert result.status == "done" and result.output == "recovered"
    returned = of(result, ev.ToolReturned)
    assert [r.error for r in returned] == [True, True, True]
    assert "not available" in returned[0].result and "rm_rf" in returned[0].result
    assert returned[1].result == "error: arguments are not valid JSON"
    assert returned[2].result.startswith("error: bad arguments for memory_write")
    tool_messages = [m for m in fake_openai.chat_requests[1].body["messages"] if m["role"] == "tool"]
    assert [m["content"] for m in tool_messages] == [returned[0].result, returned[1].result]


async def test_a_model_that_never_stops_calling_tools_gets_a_clear_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Reply("", tool_calls=[ToolCall("memory_read", {"key": "x"})])
    result = await run_live(fake_openai, SOLO)

    assert result.status == "failed"
    assert result.error == f"a (openai/fake): kept calling tools after {MAX_TOOL_ROUNDS} rounds without answering"
    assert len(fake_openai.chat_requests) == MAX_TOOL_ROUNDS + 1
    assert "tools" not in fake_openai.chat_requests[-1].body  # the last round offered none


async def test_text_given_with_tool_calls_on_the_last_round_is_the_answer(fake_openai: FakeOpenAI) -> None:
    calling = Reply("", tool_calls=[ToolCall("memory_read", {"key": "x"})])
    fake_openai.script(*[calling] * MAX_TOOL_ROUNDS, Reply("my answer", tool_calls=[ToolCall("memory_read", {"key": "x"})]))
    result = await run_live(fake_openai, SOLO)
    assert result.status == "done" and result.output == "my answer"


# --- markup and escapes ---------------------------------------------------------------------------

HOSTILE = (
    "[bold red]ALERT[/bold red] [link=http://evil.example]click[/link]\n"
    "\x1b[2J\x1b[H\x1b]0;pwned-title\x07\x1b]8;;http://evil.example\x1b\\link text\x1b]8;;\x1b\\ "
    "\x9b31m\u202eevil\u202c end\r\n"
)


async def test_headless_printer_shows_markup_literally_and_strips_escapes(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        Error(500, "upstream said \x1b]0;owned\x07[blink]hi[/blink]"),
        Reply(HOSTILE, chunks=7),
    )
    for color in (False, True):
        out = io.StringIO()
        handle = runner(fake_openai, SOLO.replace("retries: 2", "retries: 1")).start("go")
        await asyncio.wait_for(asyncio.gather(print_human(handle, out, color=color), handle.wait()), 60)
        text = out.getvalue()
        assert "[bold red]ALERT[/bold red]" in text and "[link=http://evil.example]click[/link]" in text
        assert "link text" in text and "[blink]hi[/blink]" in text
        assert "\x1b]" not in text and "\x07" not in text and "\x9b" not in text
        assert "\x1b[2J" not in text and "\x1b[H" not in text
        assert "pwned-title" not in text and "owned" not in text
        assert "\u202e" not in text and "\r" not in text
        if not color:
            assert "\x1b" not in text
        fake_openai.script(Error(500, "upstream said \x1b]0;owned\x07[blink]hi[/blink]"), Reply(HOSTILE, chunks=7))


async def test_json_lines_keep_the_text_but_never_a_raw_escape(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(HOSTILE, chunks=3))
    out = io.StringIO()
    handle = runner(fake_openai, SOLO).start("go")
    await asyncio.wait_for(asyncio.gather(print_json(handle, out), handle.wait()), 60)
    raw = out.getvalue()
    assert "\x1b" not in raw and "\x07" not in raw
    events = [json.loads(line) for line in raw.splitlines()]
    finished = [e for e in events if e["kind"] == "agent_finished"]
    assert finished[0]["text"] == HOSTILE  # data stays exact; escaping is the JSON's job


async def test_json_lines_escape_c1_controls_and_bidi_overrides(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(HOSTILE, chunks=3))
    out = io.StringIO()
    handle = runner(fake_openai, SOLO).start("go")
    await asyncio.wait_for(asyncio.gather(print_json(handle, out), handle.wait()), 60)
    raw = out.getvalue()
    assert "\x9b" not in raw and "\u202e" not in raw
