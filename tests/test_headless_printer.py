"""The headless printer with agents running in parallel: one streams live, the others are held,
and every reply comes out whole under its own header, never broken mid-line and never lost."""

from __future__ import annotations

import asyncio
import io
import random

from teamtui.core import events as ev
from teamtui.core.runtime import Runner, RunOptions
from teamtui.headless import HumanPrinter, print_human
from teamtui.loader import resolve, load_team

ROLES = {"optimist": "Optimistic Analyst", "skeptic": "Skeptical Analyst", "quant": "Quantitative Analyst"}
REPLIES = {
    "optimist": "Optimist's view\n\n1. The upside compounds.\n2. The downside is bounded if we start small.\n3. Go.",
    "skeptic": "Skeptic's view\n\n1. The costs are certain.\n2. It takes twice as long.\n",
    "quant": "| scenario | p |\n|---|---|\n| upside | 25% |\n| base | 44% |\nExpected value: +13%",
}
STEPS = {"optimist": "1.1", "skeptic": "1.2", "quant": "1.3"}


def started() -> list[ev.Event]:
    return [ev.RunStarted(team="analysis", input="go?", model="m",
                          agents=tuple({"name": n, "role": r, "model": "m"} for n, r in ROLES.items()))]


def pieces(text: str, size: int) -> list[str]:
    """A reply cut into chunks that end mid-word and mid-line, as a model streams it."""
    return [text[i:i + size] for i in range(0, len(text), size)]


def turn(agent: str, size: int = 7) -> list[ev.Event]:
    step = STEPS[agent]
    return ([ev.AgentStarted(agent, step)] + [ev.TextDelta(agent, step, p) for p in pieces(REPLIES[agent], size)]
            + [ev.AgentFinished(agent, step, REPLIES[agent], 10, 20, 0.0, 1.5)])


def printed(events: list[ev.Event]) -> str:
    out = io.StringIO()
    printer = HumanPrinter(out, color=False)
    for e in events:
        printer.handle(e)
    return out.getvalue()


def blocks(output: str) -> dict[str, str]:
    """Each agent's text, read from its ▶ header down to its ✓ line; fails if the block is broken."""
    lines = output.split("\n")
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        if not line.startswith("▶ "):
            continue
        agent = line.split()[1]
        assert agent not in found, f"two headers for {agent}:\n{output}"
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(("▶ ", "  ✓ ", "✗ ", "■ ")))
        assert not lines[end].startswith("▶ "), f"{agent}'s reply is broken by {lines[end]!r}:\n{output}"
        if lines[end].startswith(f"  ✓ {agent} finished"):
            found[agent] = "\n".join(lines[i + 1:end])
    return found


def assert_whole(output: str, agents=tuple(REPLIES)) -> None:
    got = blocks(output)
    for agent in agents:
        assert got.get(agent) == REPLIES[agent].rstrip("\n"), f"{agent}'s reply is not whole:\n{output}"


def test_a_held_reply_that_finishes_waits_for_the_live_line_to_end() -> None:
    # The analysis pattern from QA: the optimist streams live and stops mid-line while the skeptic
    # and the quant finish whole replies of their own.
    optimist, skeptic, quant = turn("optimist"), turn("skeptic"), turn("quant")
    events = started() + [optimist[0], skeptic[0], quant[0]] + optimist[1:6] + skeptic[1:] + optimist[6:9]
    events += quant[1:] + optimist[9:]
    assert_whole(printed(events))


def test_the_next_step_to_go_live_keeps_its_header_and_its_held_text() -> None:
    # The supervisor pattern from QA: the coder's held text was dropped and its header never shown
    # once it became the live step.
    optimist, skeptic, quant = turn("optimist"), turn("skeptic"), turn("quant")
    events = started() + [optimist[0], skeptic[0], quant[0]] + optimist[1:4] + quant[1:5] + skeptic[1:3]
    events += optimist[4:] + quant[5:7] + skeptic[3:] + quant[7:]
    assert_whole(printed(events))


def test_any_interleaving_prints_every_reply_whole() -> None:
    for seed in range(200):
        rng = random.Random(seed)
        queues = [turn(agent, rng.randint(1, 12)) for agent in REPLIES]
        events = started()
        while any(queues):
            queue = rng.choice([q for q in queues if q])
            events.append(queue.pop(0))
        assert_whole(printed(events))


def test_a_held_step_that_fails_keeps_its_text_and_its_error_after_the_live_reply() -> None:
    optimist, skeptic = turn("optimist"), turn("skeptic")
    events = started() + [optimist[0], skeptic[0]] + optimist[1:4] + skeptic[1:4] + [
        ev.StepStatusChanged("1.2", ev.FAILED, "skeptic (m): connection failed"),
        ev.ErrorRaised(agent="skeptic", step="1.2", message="skeptic (m): connection failed"),
    ] + optimist[4:]
    output = printed(events)
    assert_whole(output, ["optimist"])
    held = "".join(e.text for e in skeptic[1:4])
    assert f"▶ skeptic (Skeptical Analyst) · step 1.2\n{held}\n✗ step 1.2 failed: skeptic (m): connection failed\n" in output
    assert output.count("connection failed") == 1, output  # the error said once, not restated


def test_a_stopped_run_prints_what_held_steps_had_said() -> None:
    optimist, skeptic = turn("optimist"), turn("skeptic")
    events = started() + [optimist[0], skeptic[0]] + optimist[1:4] + skeptic[1:4] + [
        ev.StepStatusChanged("1.1", ev.INTERRUPTED, "run stopped"),
        ev.StepStatusChanged("1.2", ev.INTERRUPTED, "run stopped"),
        ev.RunFinished(status="stopped", error="stopped by the user"),
    ]
    output = printed(events)
    for agent, events_of in (("optimist", optimist), ("skeptic", skeptic)):
        text = "".join(e.text for e in events_of[1:4])
        assert f"· step {STEPS[agent]}\n{text}\n■ step {STEPS[agent]} interrupted: run stopped\n" in output, output
    assert output.rstrip().endswith("stopped by the user")


def test_a_reused_reply_is_printed_whole_while_another_streams() -> None:
    optimist = turn("optimist")
    reused = ev.AgentFinished("skeptic", "1.2", REPLIES["skeptic"], reused=True)
    output = printed(started() + optimist[:5] + [reused] + optimist[5:])
    assert_whole(output, ["optimist", "skeptic"])
    assert "▶ skeptic (Skeptical Analyst) · step 1.2 (reused from an earlier call)" in output
    assert "✓ skeptic finished · reused\n" in output  # not "0.0s · 0 tokens": it cost nothing this run


async def test_the_analysis_team_on_the_streaming_demo_model_prints_each_reply_whole() -> None:
    # The demo model streams with short delays here (speed 20 > 0), so its three analysts interleave.
    team = load_team(resolve("analysis"))
    handle = Runner(team, RunOptions(model="demo", demo_speed=20)).start("Should we raise prices?")
    out = io.StringIO()
    _, result = await asyncio.wait_for(asyncio.gather(print_human(handle, out, color=False), handle.wait()), 60)
    finished = [e for e in result.events if isinstance(e, ev.AgentFinished)]
    got = blocks(out.getvalue())
    assert sorted(got) == sorted(e.agent for e in finished)
    for e in finished:
        assert got[e.agent] == e.text.rstrip("\n"), out.getvalue()
