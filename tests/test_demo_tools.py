"""The demo model with tools (handoffs, shared memory), on an event bus, steered, and at speed 1."""

from __future__ import annotations

import json
import time

from teamtui.core.models.base import TextChunk, UsageChunk
from teamtui.core.models.demo import DemoModel
from teamtui.core.tools import MEMORY_TOOLS, PUBLISH_TOOLS, transfer_tool

from test_demo_model import collect, reply, request

DESK = [transfer_tool("billing", "Charges, refunds, invoices, plans or payment methods."),
        transfer_tool("technical", "Errors, bugs, setup problems or anything that is not working.")]
URGENT = DESK + [transfer_tool("escalation", "An outage or an urgent problem that stops the customer's business.")]


def _transfer(ask: str, tools=DESK) -> tuple[str, dict]:
    text, calls = reply(request("triage", "Support Triage", ask, tools=tools, step="1.h1",
                                handoff_targets=[t.name.removeprefix("transfer_to_") for t in tools]))
    assert text.strip(), "a short sentence comes before the transfer"
    assert len(calls) == 1
    name, args = calls[0]
    return name, json.loads(json.dumps(args))


async def test_transfer_is_a_tool_call_with_json_arguments() -> None:
    req = request("triage", "Support Triage", "I was charged twice, please refund me", tools=DESK)
    chunks = await collect(DemoModel(speed=0), req)
    calls = [c for c in chunks if not isinstance(c, (TextChunk, UsageChunk))]
    assert [c.name for c in calls] == ["transfer_to_billing"]
    assert "refund" in json.loads(calls[0].arguments)["reason"]
    assert isinstance(chunks[-1], UsageChunk)


def test_transfers_follow_what_the_customer_says() -> None:
    assert _transfer("I was charged twice for my subscription and want a refund")[0] == "transfer_to_billing"
    assert _transfer("The app crashes every time I log in")[0] == "transfer_to_technical"
    assert _transfer("Where is my invoice for March?")[0] == "transfer_to_billing"


def test_escalation_wins_only_when_offered() -> None:
    ask = "URGENT: your API is down and our checkout is broken"
    assert _transfer(ask, URGENT)[0] == "transfer_to_escalation"
    assert _transfer(ask, DESK)[0] == "transfer_to_technical"


def test_nothing_fits_so_triage_answers_itself() -> None:
    text, calls = reply(request("triage", "Support Triage", "What are your opening hours?", tools=DESK))
    assert calls == [] and "opening hours" in text


def test_the_agent_handed_the_conversation_answers_in_text() -> None:
    ask = "I was charged twice for my subscription and want a refund"
    handed = [{"role": "assistant", "content": "[triage] This is a billing matter."},
              {"role": "user", "content": "[triage handed this conversation to you (billing).\n"
                                          "Reason: refund\nContinue helping with the request.]"}]
    back = [transfer_tool("triage", "The problem is not about billing after all.")]
    text, calls = reply(request("billing", "Billing Specialist", ask, tools=back, extra=handed, step="1.h2"))
    assert calls == [] and "refund" in text.lower()


def test_memory_write_first_then_text_after_the_tool_result() -> None:
    instructions = ('Record the verdict in shared memory with memory_write, key "tests", value "passed" or\n'
                    '"failed". Give your verdict as the first line, exactly "TESTS PASSED" or "TESTS FAILED".')
    ask = "Pushed commit a1b2c3 to main: adds rate limiting to the /login endpoint (Python, Flask)"
    first = request("tester", "Test Engineer", ask, tools=MEMORY_TOOLS, instructions=instructions, topic="code.pushed")
    text, calls = reply(first)
    assert calls == [("memory_write", {"key": "tests", "value": "passed"})]
    after = [{"role": "assistant", "content": text, "tool_calls": [
                 {"id": "c1", "type": "function", "function": {"name": "memory_write", "arguments": "{}"}}]},
             {"role": "tool", "tool_call_id": "c1", "content": "stored"}]
    text, calls = reply(request("tester", "Test Engineer", ask, tools=MEMORY_TOOLS, instructions=instructions,
                                extra=after, topic="code.pushed"))
    assert calls == []  # never loops on tools
    assert text.splitlines()[0] == "TESTS PASSED" and "429" in text


def test_a_role_without_named_keys_stores_its_own_fact() -> None:
    text, calls = reply(request("dev", "Senior Developer", "Build a URL shortener in Go", tools=MEMORY_TOOLS))
    (name, args), = calls
    assert name == "memory_write" and set(args) == {"key", "value"} and "Go" in args["value"]


def test_the_deployer_reads_memory_and_only_deploys_on_passed_tests() -> None:
    instructions = 'First read the "tests" key from shared\nmemory with memory_read. Deploy only if the tests passed.'
    ask = "Pushed commit a1b2c3 to main: adds rate limiting to the /login endpoint"
    text, calls = reply(request("deployer", "Release Engineer", ask, tools=MEMORY_TOOLS, instructions=instructions,
                                topic="tests.passed"))
    assert calls == [("memory_read", {"key": "tests"})]

    def after(result: str) -> str:
        extra = [{"role": "assistant", "content": text, "tool_calls": [
                     {"id": "c1", "type": "function", "function": {"name": "memory_read", "arguments": "{}"}}]},
                 {"role": "tool", "tool_call_id": "c1", "content": result}]
        out, more = reply(request("deployer", "Release Engineer", ask, tools=MEMORY_TOOLS,
                                  instructions=instructions, extra=extra, topic="tests.passed"))
        assert more == []
        return out

    assert after("passed").startswith("Deploying") and "Roll back" in after("passed")
    assert after("failed").startswith("Not deploying") and "tests failed" in after("failed")
    assert after("(not set)").startswith("Not deploying")


def test_publish_is_never_called() -> None:
    _, calls = reply(request("tester", "Test Engineer", "Pushed a fix", tools=PUBLISH_TOOLS, topic="code.pushed"))
    assert calls == []


def test_bus_agents_react_to_their_topic() -> None:
    ask = "Pushed commit a1b2c3 to main: adds rate limiting to the /login endpoint (Python, Flask)"
    review, _ = reply(request("linter", "Code Quality Reviewer", ask, topic="code.pushed"))
    assert "code.pushed" in review and "high:" in review and "fix:" in review
    deploy, _ = reply(request("deployer", "Release Engineer", ask, topic="tests.passed"))
    assert "tests.passed" in deploy and "roll out" in deploy
    failed, _ = reply(request("tester", "Test Engineer", ask, topic="tests.failed"))
    assert "tests.failed" in failed


def test_redirects_and_notes_are_followed_visibly() -> None:
    req = request("writer", "Writer", "Write a blog post about remote work")
    req.messages[0]["content"] += ("\n\nThe person running this team redirected this step. Follow this instruction:\n"
                                   "Make it about hybrid work instead")
    text, _ = reply(req)
    assert "Make it about hybrid work instead" in text.splitlines()[0]
    req = request("developer", "Senior Developer", "Build a URL shortener in Go")
    req.messages[0]["content"] += "\n\nNote from the person running this team: use port 9090"
    assert "use port 9090" in reply(req)[0]


def test_unknown_roles_answer_from_their_role_and_instructions() -> None:
    text, calls = reply(request("vibes", "Chief Vibes Officer", "Plan the team offsite",
                                instructions="Keep morale high and the budget small."))
    assert calls == []
    assert text.startswith("Chief Vibes Officer") and "team offsite" in text and "budget small" in text


def test_no_terminal_escapes_or_markup_controls_in_replies() -> None:
    ask = "Build a URL shortener in Go \x1b[31m[bold]x[/bold]"
    for agent, role in [("pm", "Product Manager"), ("developer", "Senior Developer"), ("qa", "QA Engineer")]:
        text, _ = reply(request(agent, role, ask))
        assert "\x1b" not in text


async def test_speed_one_streams_over_time_and_speed_zero_does_not_wait() -> None:
    req = request("classifier", "Request Classifier", "Write a haiku about rain", purpose="classifier",
                  categories=["coding", "writing", "analysis"])
    started = time.perf_counter()
    chunks = await collect(DemoModel(speed=1.0), req)
    slow = time.perf_counter() - started
    texts = [c for c in chunks if isinstance(c, TextChunk)]
    assert len(texts) > 5 and 0.3 <= slow < 2.0  # a thinking pause, then ~60-120 tokens/s
    started = time.perf_counter()
    fast = await collect(DemoModel(speed=0), req)
    assert time.perf_counter() - started < 0.05 and fast == chunks
    started = time.perf_counter()
    await collect(DemoModel(speed=4.0), req)
    assert time.perf_counter() - started < slow / 2


async def test_a_redirected_spec_gains_a_criterion_that_qa_then_checks() -> None:
    from teamtui.core import events as ev
    from teamtui.core.runtime import Runner, RunOptions
    from teamtui.loader import load_team, resolve

    team = load_team(resolve("software-house"))
    handle = Runner(team, RunOptions(models={"*": DemoModel(speed=0)})).start("Build a URL shortener in Go")
    handle.redirect("1", "add rate limiting per client IP")  # the PM's step, before it starts
    result = await handle.wait()
    assert result.status == "done"
    said = {}
    for e in result.events:
        if isinstance(e, ev.AgentFinished):
            said.setdefault(e.agent, []).append(e.text)
    spec = said["pm"][-1]
    assert "8. Add rate limiting per client IP (added on your instruction)." in spec
    first_review, verdict = said["qa"][0], said["qa"][-1]
    assert "AC8 Add rate limiting per client IP" in first_review
    assert verdict.startswith("APPROVED") and "all 8 acceptance criteria" in verdict
