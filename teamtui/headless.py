"""Headless output: a readable live stream for people, or one JSON event per line for scripts.

Both are plain consumers of the run's event stream. Model text is untrusted: escapes and control
characters are stripped, and nothing from a model is ever parsed as markup. Colours are a handful
of SGR codes written here (no rich: importing it cost every headless run ~25 ms).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TextIO

from .core import events as ev
from .core.handle import RunHandle
from .textsafe import clean, one_line

PALETTE = ("cyan", "magenta", "green", "yellow", "blue", "bright_red", "bright_cyan", "bright_magenta")
SGR = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35",
       "cyan": "36", "white": "37", "bright_red": "91", "bright_magenta": "95", "bright_cyan": "96"}
STATUS_MARK = {ev.DONE: ("✓", "green"), ev.FAILED: ("✗", "red"), ev.INTERRUPTED: ("■", "yellow"),
               ev.SKIPPED: ("·", "dim")}


def wants_color(out: TextIO) -> bool:
    """Colour on a terminal unless NO_COLOR is set (FORCE_COLOR forces it), as rich decided."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return out.isatty() and os.environ.get("TERM") != "dumb"


def styled(text: str, style: str, color: bool) -> str:
    """``text`` (already cleaned) wrapped in the SGR codes of a style such as "bold green"."""
    codes = ";".join(SGR[word] for word in style.split()) if color and style else ""
    return f"\x1b[{codes}m{text}\x1b[0m" if codes and text else text


class HumanPrinter:
    """Streams one agent's text live at a time; text from agents running alongside it is held
    and printed whole when their turn ends, so parallel agents never interleave mid-line."""

    def __init__(self, out: TextIO, color: bool) -> None:
        self.out = out
        self.use_color = color
        self.colors: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.live_step: str | None = None
        self.held: dict[str, list[str]] = {}
        self.at_line_start = True

    def color(self, agent: str | None) -> str:
        if not agent:
            return "white"
        return self.colors.setdefault(agent, PALETTE[len(self.colors) % len(PALETTE)])

    def line(self, *parts: tuple[str, str]) -> None:
        self._end_partial_line()
        self.out.write("".join(styled(clean(text), style, self.use_color) for text, style in parts) + "\n")
        self.out.flush()

    def _end_partial_line(self) -> None:
        if not self.at_line_start:
            self.out.write("\n")
            self.at_line_start = True

    def _write_text(self, text: str) -> None:
        text = clean(text)
        if text:
            self.out.write(text)
            self.out.flush()
            self.at_line_start = text.endswith("\n")

    def header(self, agent: str, step: str, extra: str = "") -> None:
        role = self.roles.get(agent, "")
        self.line(("▶ ", self.color(agent)), (agent, f"bold {self.color(agent)}"),
                  (f" ({one_line(role)})" if role else "", "dim"), (f" · step {step}{extra}", "dim"))

    def handle(self, e: ev.Event) -> None:  # noqa: C901 - one flat dispatch reads best here
        if isinstance(e, ev.TextDelta):
            if self.live_step is None:
                self.live_step = e.step
            if e.step == self.live_step:
                self._write_text(e.text)
            else:
                self.held.setdefault(e.step, []).append(e.text)
        elif isinstance(e, ev.RunStarted):
            for agent in e.agents:
                self.roles[agent["name"]] = agent["role"]
                self.color(agent["name"])
            model = "demo (offline demo model: scripted, not a real LLM)" if e.demo else e.model
            self.line(("team ", "dim"), (one_line(e.team), "bold"), ("  model ", "dim"), (one_line(model), "bold"))
            self.line(("request ", "dim"), (one_line(e.input, 300), ""))
        elif isinstance(e, ev.AgentStarted):
            if self.live_step is None or self.live_step == e.step:
                self.live_step = e.step
                self.header(e.agent, e.step)
        elif isinstance(e, ev.AgentFinished):
            held = self.held.pop(e.step, None)
            if e.step != self.live_step:
                self.header(e.agent, e.step, " (reused from an earlier call)" if e.reused else "")
                self._write_text("".join(held) if held else e.text)
            elif e.reused:
                self._write_text(e.text)
            self._end_partial_line()
            tokens = e.input_tokens + e.output_tokens
            note = " · interrupted" if e.interrupted else ""
            self.line(("  ✓ ", "green" if not e.interrupted else "yellow"),
                      (f"{e.agent} finished · {e.duration_s:.1f}s · {tokens} tokens{note}", "dim"))
            if e.step == self.live_step:
                self.live_step = None
        elif isinstance(e, ev.StepStatusChanged):
            if e.detail and e.status == ev.RUNNING and e.detail.startswith("round"):
                self.line(("↻ ", "yellow"), (f"loop {e.detail}", "yellow"))
            elif e.status in (ev.FAILED, ev.SKIPPED, ev.INTERRUPTED) and e.detail:
                mark, style = STATUS_MARK[e.status]
                self.line((f"{mark} step {e.step} {e.status}: ", style), (one_line(e.detail, 300), style))
            elif e.status == ev.DONE and e.detail.startswith(("condition met", "stopped after")):
                self.line(("↻ ", "yellow"), (f"loop {e.detail}", "yellow"))
        elif isinstance(e, ev.RouteChosen):
            how = " (fallback)" if e.fallback else ""
            self.line(("→ route ", "bold yellow"), (f"{one_line(e.category)}{how} → ", "yellow"),
                      (e.target, f"bold {self.color(e.target)}"))
        elif isinstance(e, ev.PlanProposed):
            state = "plan (waiting for approval)" if not e.approved else "plan"
            self.line((f"☰ {state}: {len(e.tasks)} tasks", "bold"))
            for t in e.tasks:
                deps = ", ".join(t.get("depends_on") or []) or "—"
                self.line(("   ", ""), (one_line(str(t.get("id")), 40), "bold"), (" → ", "dim"),
                          (str(t.get("worker")), self.color(str(t.get("worker")))),
                          (f"  after: {deps}  ", "dim"), (one_line(str(t.get("task")), 100), ""))
        elif isinstance(e, ev.PlanRejected):
            what = "asking the planner to repair it" if e.will_repair else "giving up"
            self.line(("✗ plan rejected: ", "red"), (one_line(e.error, 200), ""), (f" — {what}", "dim"))
        elif isinstance(e, ev.HandedOff):
            self.line(("⇢ handoff ", "bold yellow"), (e.source, self.color(e.source)), (" → ", "yellow"),
                      (e.target, self.color(e.target)), (f"  {one_line(e.reason, 160)}" if e.reason else "", "dim"))
        elif isinstance(e, ev.BusMessage):
            if e.dropped:
                self.line(("✗ bus ", "red"), (f"{e.topic} dropped at hop {e.hop} (hop limit)", "red"))
            else:
                subs = ", ".join(e.subscribers) or "no subscribers"
                self.line(("⚑ bus ", "bold blue"), (one_line(e.topic), "blue"), (f" from {e.source} → {subs}", "dim"))
        elif isinstance(e, ev.ToolCalled):
            self.line(("  ⚙ ", "dim"), (f"{e.agent} calls {one_line(e.tool)}({one_line(e.arguments, 120)})", "dim"))
        elif isinstance(e, ev.MemoryWritten):
            self.line(("  ✎ memory ", "dim"), (f"{one_line(e.key, 60)} = {one_line(e.value, 80)}", "dim"))
        elif isinstance(e, ev.RetryScheduled):
            self.line(("  ⟳ ", "yellow"), (f"{e.agent}: {one_line(e.error, 160)}; retry {e.attempt} in {e.delay_s:.1f}s", "yellow"))
        elif isinstance(e, ev.ErrorRaised):
            self.line(("✗ ", "red"), (one_line(e.message, 400), "red"))
        elif isinstance(e, ev.CommandIssued):
            target = e.step or e.agent or ""
            self.line(("⌨ ", "magenta"), (f"{e.by}: {e.command} {target} {one_line(e.text, 120)}".rstrip(), "magenta"))
        elif isinstance(e, ev.RunStatusChanged):
            self.line(("‖ ", "magenta"), (f"run {e.status}", "magenta"))
        elif isinstance(e, ev.RunFinished):
            self._end_partial_line()
            style = {"done": "bold green", "failed": "bold red"}.get(e.status, "bold yellow")
            cost = f" · ${e.cost:.4f}" if e.cost else ""
            self.line(("■ run ", style), (e.status, style),
                      (f" · {e.input_tokens + e.output_tokens} tokens{cost}", "dim"))
            if e.error:
                self.line(("  ", ""), (one_line(e.error, 400), "red" if e.status != "done" else "yellow"))


async def print_human(handle: RunHandle, out: TextIO | None = None, color: bool | None = None) -> None:
    out = out or sys.stdout
    printer = HumanPrinter(out, wants_color(out) if color is None else color)
    async for event in handle.subscribe():
        printer.handle(event)


async def print_json(handle: RunHandle, out: TextIO | None = None) -> None:
    from .core.journal import EventRedactor

    out = out or sys.stdout
    # What the journal writes: output piped to a file must not carry a key the journal masks.
    redactor = EventRedactor()
    sub = handle.subscribe()
    while batch := await sub.next_batch():
        # ASCII-only JSON: model text cannot put raw C1 controls or bidi overrides on the terminal.
        out.write("".join(json.dumps(data) + "\n" for e in batch for data in redactor.feed(e)))
        out.flush()
    out.write("".join(json.dumps(data) + "\n" for data in redactor.flush()))
    out.flush()
