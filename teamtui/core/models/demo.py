"""The offline demo model: plays every role of the built-in teams with no API key and no network.

It is a demo, not a test double (tests use ``ScriptedModel``): replies are plausible, depend on
the request, and stream at the pace of a fast real model. A reply is a pure function of the
request (and the optional seed), so a rerun looks the same. What to write is decided from the
call's purpose, the agent's role and name, the tools offered and the hints (see ``ModelRequest``).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, AsyncIterator

from . import demo_roles as software
from . import demo_roles_more as knowledge
from . import demo_roles_ops as ops
from .base import Chunk, ModelRequest, TextChunk, ToolCallChunk, ToolSpec, UsageChunk, estimate_tokens
from .demo_code import article
from .demo_structured import arbitrate, classify, from_schema, plan, synthesize
from .demo_text import Ask, contributions, digest, one_line, rng_for, steering, subject_of, system_text, your_turn

ToolCall = tuple[str, dict[str, Any]]

# (pattern on "role agent-name", kind); the first match wins, so specific roles come first.
ROLE_KINDS = [
    (r"secur", "security"),
    (r"\bqa\b|quality|review", "qa"),
    (r"\btest", "tester"),
    (r"lint", "linter"),
    (r"deploy|release|devops|\bsre\b", "deployer"),
    (r"billing|payment|finance|invoice", "billing"),
    (r"escalat|incident|on-?call", "escalation"),
    (r"triage|front ?desk|dispatch|reception|intake|concierge", "triage"),
    (r"support|helpdesk|\btech\b", "support"),
    (r"product|\bpm\b|owner", "pm"),
    (r"optimis|\bbull|advocate|champion", "optimist"),
    (r"skeptic|sceptic|pessimis|\bbear|devil|critic", "skeptic"),
    (r"quant|statistic|number|actuar", "quant"),
    (r"research|scout|librarian", "researcher"),
    (r"develop|coder|\bcod(?:e|ing)\b|programm|engineer|implement|software|architect", "developer"),
    (r"writ|editor|copy|author|journalist|poet", "writer"),
    (r"analy|strateg|consult|advis", "analyst"),
]

WRITERS = {
    "security": ops.security_report, "qa": software.qa_review, "tester": ops.test_report,
    "linter": ops.lint_report, "deployer": ops.deploy_log, "billing": ops.billing,
    "escalation": ops.escalation, "triage": ops.triage, "support": ops.tech_support, "pm": software.spec,
    "optimist": lambda ask: knowledge.stance(ask, "optimist"), "skeptic": lambda ask: knowledge.stance(ask, "skeptic"),
    "quant": lambda ask: knowledge.stance(ask, "quant"), "researcher": knowledge.research,
    "developer": software.develop, "writer": knowledge.write, "analyst": knowledge.analyse,
}

# Handoff routes: (what the customer says, which target fits). Escalation wins when it is offered.
_ROUTES = [
    ("escalation", r"urgent|outage|\bdown\b|emergency|critical|asap|immediately",
     r"escalat|incident|manager|on-?call|urgent"),
    ("billing", r"refund|invoice|charge|billing|payment|\bpaid\b|subscription|receipt|price",
     r"billing|payment|financ"),
    ("technical", r"error|crash|login|log in|password|\bbug|broken|not working|sign in|install|slow|timeout",
     r"tech|support|engineer"),
]
_HANDED = re.compile(r"handed this conversation to you", re.I)


def role_kind(role: str, agent: str) -> str:
    who = f"{role} {agent}"
    return next((kind for pattern, kind in ROLE_KINDS if re.search(pattern, who, re.I)), "generic")


class DemoModel:
    """``ChatModel`` for ``--model demo``. ``speed`` 1.0 ≈ a fast real model, 0 = no waiting at all."""

    label = "demo (offline)"
    is_demo = True

    def __init__(self, speed: float = 1.0, seed: int | None = None) -> None:
        self.speed = max(0.0, float(speed))
        self.seed = seed

    # --- the protocol ----------------------------------------------------------------------------

    async def stream(self, request: ModelRequest) -> AsyncIterator[Chunk]:
        text, calls = self.reply(request)
        pace = rng_for(self.seed, "pace", _request_text(request), request.agent, request.step)
        thinking, rate = pace.uniform(0.3, 0.7), pace.uniform(60, 120) * self.speed  # pause (s), tokens/s
        loop = asyncio.get_running_loop()
        due = loop.time() + (thinking / self.speed if self.speed and text else 0.0)
        for piece in _pieces(text, pace):  # the same pieces at every speed
            if self.speed:
                due += len(piece) / 4 / rate  # ~4 characters a token, as estimate_tokens
                await asyncio.sleep(max(0.0, due - loop.time()))  # against a deadline: no drift
            yield TextChunk(piece)
        arguments = []
        for i, (name, args) in enumerate(calls):
            arguments.append(json.dumps(args))
            call_id = f"call_demo_{digest(request.step, request.agent, len(request.messages), i) % 16**10:010x}"
            yield ToolCallChunk(id=call_id, name=name, arguments=arguments[-1])
        prompt = "\n".join(str(m.get("content") or "") for m in request.messages)
        yield UsageChunk(input_tokens=estimate_tokens(prompt),
                         output_tokens=estimate_tokens(text + "".join(arguments)), cost=0.0)

    # --- what to say ------------------------------------------------------------------------------

    def reply(self, request: ModelRequest) -> tuple[str, list[ToolCall]]:
        """The whole reply for ``request``: text, then tool calls. Deterministic."""
        ask = self._read(request)
        purpose = request.purpose
        if purpose == "classifier":
            return classify(ask, request.json_schema), []
        if purpose in ("planner", "repair") and (ask.hints.get("workers") or purpose == "planner"):
            limit = re.search(r"At most (\d+) tasks", "\n".join(str(m.get("content") or "") for m in request.messages))
            return plan(ask, int(limit.group(1)) if limit else ask.hints.get("max_tasks")), []
        if purpose == "synthesizer":
            return synthesize(ask), []
        if purpose == "arbiter":
            return arbitrate(ask), []
        if request.json_schema:
            return json.dumps(from_schema(request.json_schema, ask)), []
        kind = role_kind(request.role, request.agent)
        if kind == "qa" and ask.hints.get("topic"):
            kind = "linter"  # a reviewer on an event bus reviews the pushed change
        tool_turn = _tool_turn(request, ask, kind)
        if tool_turn is not None:
            return tool_turn
        text = WRITERS.get(kind, knowledge.generic)(ask)
        if ask.note and kind != "developer":  # the developer weaves the note in itself
            text = f"Following your instruction: {ask.note}\n\n{text}"
        return text, []

    def _read(self, request: ModelRequest) -> Ask:
        source = _request_text(request)
        return Ask(
            agent=request.agent, role=request.role, subject=subject_of(source),
            rng=rng_for(self.seed, source, request.agent, request.step), work=contributions(request.messages),
            task=your_turn(request.messages), note=steering(request.messages),
            instructions=system_text(request.messages), hints=dict(request.hints),
            tool_result=str(request.messages[-1].get("content") or "") if _answers_tool(request) else "",
        )


def _answers_tool(request: ModelRequest) -> bool:
    return bool(request.messages) and request.messages[-1].get("role") == "tool"


def _request_text(request: ModelRequest) -> str:
    """The run's request: from the hints, else the prompt's "## Request" section, else the first user message."""
    if request.hints.get("input"):
        return str(request.hints["input"])
    users = [str(m.get("content") or "") for m in request.messages if m.get("role") == "user"]
    found = re.search(r"^## Request\s*\n(.+?)(?:\n## |\Z)", "\n".join(users), re.S | re.M)
    return found.group(1).strip() if found else (users[0] if users else "")


def _pieces(text: str, rng: Any) -> list[str]:
    """A word or a few per chunk, whitespace kept, so the pieces join back to ``text`` exactly."""
    words = re.findall(r"\s*\S+|\s+$", text)
    out, i = [], 0
    while i < len(words):
        n = rng.choice((1, 1, 2, 2, 3))
        out.append("".join(words[i : i + n]))
        i += n
    return out


# --- tools: handoffs and shared memory ------------------------------------------------------------


def _tool_turn(request: ModelRequest, ask: Ask, kind: str) -> tuple[str, list[ToolCall]] | None:
    """A tool call to make on this call, or None to answer in text (always after a tool result)."""
    messages = request.messages
    if not request.tools or _answers_tool(request):
        return None
    names = [t.name for t in request.tools]
    conversation = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")
    handed = bool(_HANDED.search(conversation)) or any(m.get("role") == "tool" for m in messages)
    transfers = [t for t in request.tools if t.name.startswith("transfer_to_")]
    if transfers and not handed:
        choice = _choose_transfer(transfers, f"{ask.subject.request}\n{conversation}")
        if choice is not None:
            name, topic, hits = choice
            target = name.removeprefix("transfer_to_")
            sentence = f"This is {article(topic)} matter, so I am handing you to {target}, who can resolve it."
            return sentence, [(name, {"reason": f"{topic}: the customer mentions {', '.join(hits)}"})]
    if any(m.get("role") == "assistant" and m.get("tool_calls") for m in messages):
        return None  # one tool round per turn is enough for the demo
    wanted = re.search(r'"([\w.-]+)"\s+key\s+from\s+shared\s+memory|memory_read[^.]*?key\s+"([\w.-]+)"',
                       ask.instructions)
    if "memory_read" in names and wanted:
        key = wanted.group(1) or wanted.group(2)
        return f"Checking `{key}` in shared memory first.", [("memory_read", {"key": key})]
    if "memory_write" in names:
        key, value = _memory_fact(ask, kind)
        return f"Saving `{key}` to shared memory so the rest of the team can use it.", [
            ("memory_write", {"key": key, "value": value})]
    return None


def _choose_transfer(transfers: list[ToolSpec], text: str) -> tuple[str, str, list[str]] | None:
    """(tool name, topic, words that decided it) for the best-fitting transfer, or None."""
    best: tuple[int, str, str, list[str]] | None = None
    for topic, says, fits in _ROUTES:
        hits = sorted({m.group(0).lower() for m in re.finditer(says, text, re.I)})[:3]
        by_name = [t for t in transfers if re.search(fits, t.name, re.I)]
        target = (by_name or [t for t in transfers if re.search(fits, t.description, re.I)] or [None])[0]
        if not hits or target is None:
            continue
        score = 100 if topic == "escalation" else len(hits)
        if best is None or score > best[0]:
            best = (score, target.name, topic, hits)
    return None if best is None else best[1:]


def _memory_fact(ask: Ask, kind: str) -> tuple[str, str]:
    """The fact to store: the one the instructions name (key "tests", value "passed"), else a role's own."""
    named = re.search(r'memory_write,?\s+key "([\w.-]+)",?\s+value "([^"]+)"', ask.instructions)
    if named:
        return named.group(1), named.group(2)
    s = ask.subject
    facts = {
        "pm": ("spec_scope", f"{s.topic}: create and fetch, in memory, {s.language}"),
        "developer": ("implementation", f"{s.topic} in {s.language}, in-memory store, tests included"),
        "tester": ("last_test_run", f"green for {s.topic}"),
        "linter": ("lint_status", "0 errors, 2 warnings"),
        "deployer": ("last_deploy", f"{s.topic}: rolled out to 100%"),
        "security": ("security_status", "no critical findings; add rate limiting"),
    }
    return facts.get(kind, (f"{ask.agent}_note", one_line(f"{ask.role or ask.agent} worked on {s.phrase}", 120)))
