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


class _Sink:
    """Where output goes: the terminal, or (``out`` None) a buffer kept until the terminal is free."""

    __slots__ = ("out", "parts", "at_line_start", "streamed")

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self.parts: list[str] = []
        self.at_line_start = True
        self.streamed = False  # some of the agent's reply went through here

    def write(self, text: str) -> None:
        if self.out is None:
            self.parts.append(text)
        else:
            self.out.write(text)
            self.out.flush()

    def text(self, text: str) -> None:
        text = clean(text)
        if text:
            self.write(text)
            self.at_line_start = text.endswith("\n")
            self.streamed = True

    def line(self, rendered: str) -> None:
        self.write(("" if self.at_line_start else "\n") + rendered + "\n")
        self.at_line_start = True

    def end_line(self) -> None:
        if not self.at_line_start:
            self.write("\n")
            self.at_line_start = True

    def pour_into(self, other: "_Sink") -> None:
        """Write what this buffer holds to ``other``, starting on a line of its own."""
        if self.parts:
            other.end_line()
            other.write("".join(self.parts))
            other.at_line_start = self.at_line_start
            self.parts, self.at_line_start = [], True


class HumanPrinter:
    """Streams one agent's turn live at a time. While it streams, everything else waits: each
    agent running alongside it is held in a buffer of its own (header, text, tool calls, errors)
    and printed whole after the live turn ends, and lines about the rest of the run wait with it;
    so parallel agents never interleave, mid-line or otherwise, and nothing is lost."""

    def __init__(self, out: TextIO, color: bool) -> None:
        self.use_color = color
        self.colors: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.term = _Sink(out)
        self.live_step: str | None = None
        self.held: dict[str, _Sink] = {}  # steps whose turn runs while another is live, in start order
        self.later = _Sink()  # finished held turns and other lines, printed when the live turn ends
        self.failures: dict[str, str] = {}  # step -> the failure already printed for it

    def color(self, agent: str | None) -> str:
        if not agent:
            return "white"
        return self.colors.setdefault(agent, PALETTE[len(self.colors) % len(PALETTE)])

    def render(self, *parts: tuple[str, str]) -> str:
        return "".join(styled(clean(text), style, self.use_color) for text, style in parts)

    def line(self, *parts: tuple[str, str], step: str | None = None) -> None:
        self.sink(step).line(self.render(*parts))

    def header(self, sink: _Sink, agent: str, step: str, extra: str = "") -> None:
        role = self.roles.get(agent, "")
        sink.line(self.render(("▶ ", self.color(agent)), (agent, f"bold {self.color(agent)}"),
                              (f" ({one_line(role)})" if role else "", "dim"), (f" · step {step}{extra}", "dim")))

    # --- who has the terminal -----------------------------------------------------------------

    def sink(self, step: str | None) -> _Sink:
        """Where output about ``step`` goes now: the terminal, its held turn, or the lines that wait."""
        if step is not None:
            if step == self.live_step:
                return self.term
            if step in self.held:
                if self.live_step is None:
                    self._go_live(step)
                    return self.term
                return self.held[step]
        return self.term if self.live_step is None else self.later

    def _go_live(self, step: str) -> None:
        held = self.held.pop(step)
        held.pour_into(self.term)
        self.term.streamed = held.streamed
        self.live_step = step

    def _end_turn(self, step: str, *last: tuple[str, str]) -> None:
        """A turn is over: its last line goes after its text, and a live turn hands the terminal on."""
        if self.live_step is None:
            self._go_live(step)
        if step != self.live_step:
            held = self.held.pop(step)
            if last:
                held.line(self.render(*last))
            held.pour_into(self.later)
            return
        if last:
            self.term.line(self.render(*last))
        self.live_step = None
        self.later.pour_into(self.term)
        # The turn that has said most is probably furthest along; it goes on live from here.
        talking = [s for s, held in self.held.items() if held.streamed]
        if talking:
            self._go_live(max(talking, key=lambda s: sum(map(len, self.held[s].parts))))

    # --- events -------------------------------------------------------------------------------

    def handle(self, e: ev.Event) -> None:  # noqa: C901 - one flat dispatch reads best here
        if isinstance(e, ev.TextDelta):
            self.sink(e.step).text(e.text)
        elif isinstance(e, ev.RunStarted):
            for agent in e.agents:
                self.roles[agent["name"]] = agent["role"]
                self.color(agent["name"])
            model = "demo (offline demo model: scripted, not a real LLM)" if e.demo else e.model
            self.line(("team ", "dim"), (one_line(e.team), "bold"), ("  model ", "dim"), (one_line(model), "bold"))
            self.line(("request ", "dim"), (one_line(e.input, 300), ""))
        elif isinstance(e, ev.AgentStarted):
            if e.step == self.live_step or e.step in self.held:
                self.header(self.sink(e.step), e.agent, e.step)  # a new pass of the same turn (redirect)
            elif self.live_step is None:
                self.live_step = e.step
                self.term.streamed = False
                self.header(self.term, e.agent, e.step)
            else:
                self.held[e.step] = _Sink()
                self.header(self.held[e.step], e.agent, e.step)
        elif isinstance(e, ev.AgentFinished):
            note = " · interrupted" if e.interrupted else ""
            # A reused reply cost nothing this run: its 0.0s and 0 tokens would say nothing true.
            cost = "reused" if e.reused else f"{e.duration_s:.1f}s · {e.input_tokens + e.output_tokens} tokens"
            done = (("  ✓ ", "green" if not e.interrupted else "yellow"), (f"{e.agent} finished · {cost}{note}", "dim"))
            if e.step != self.live_step and e.step not in self.held:  # no call made: a reused reply
                self.held[e.step] = _Sink()
                self.header(self.held[e.step], e.agent, e.step, " (reused from an earlier call)" if e.reused else "")
            sink = self.sink(e.step)
            if not sink.streamed:
                sink.text(e.text)
            sink.end_line()
            self._end_turn(e.step, *done)
        elif isinstance(e, ev.StepStatusChanged):
            self._status(e)
        elif isinstance(e, ev.RouteChosen):
            how = " (fallback)" if e.fallback else ""
            self.line(("→ route ", "bold yellow"), (f"{one_line(e.category)}{how} → ", "yellow"),
                      (e.target, f"bold {self.color(e.target)}"), step=e.step)
        elif isinstance(e, ev.PlanProposed):
            state = "plan (waiting for approval)" if not e.approved else "plan"
            self.line((f"☰ {state}: {len(e.tasks)} tasks", "bold"), step=e.step)
            for t in e.tasks:
                deps = ", ".join(t.get("depends_on") or []) or "—"
                self.line(("   ", ""), (one_line(str(t.get("id")), 40), "bold"), (" → ", "dim"),
                          (str(t.get("worker")), self.color(str(t.get("worker")))),
                          (f"  after: {deps}  ", "dim"), (one_line(str(t.get("task")), 100), ""), step=e.step)
        elif isinstance(e, ev.PlanRejected):
            what = "asking the planner to repair it" if e.will_repair else "giving up"
            self.line(("✗ plan rejected: ", "red"), (one_line(e.error, 200), ""), (f" — {what}", "dim"), step=e.step)
        elif isinstance(e, ev.HandedOff):
            self.line(("⇢ handoff ", "bold yellow"), (e.source, self.color(e.source)), (" → ", "yellow"),
                      (e.target, self.color(e.target)), (f"  {one_line(e.reason, 160)}" if e.reason else "", "dim"),
                      step=e.step)
        elif isinstance(e, ev.BusMessage):
            if e.dropped:
                self.line(("✗ bus ", "red"), (f"{e.topic} dropped at hop {e.hop} (hop limit)", "red"), step=e.step)
            else:
                subs = ", ".join(e.subscribers) or "no subscribers"
                self.line(("⚑ bus ", "bold blue"), (one_line(e.topic), "blue"), (f" from {e.source} → {subs}", "dim"),
                          step=e.step)
        elif isinstance(e, ev.ToolCalled):
            self.line(("  ⚙ ", "dim"), (f"{e.agent} calls {one_line(e.tool)}({one_line(e.arguments, 120)})", "dim"),
                      step=e.step)
        elif isinstance(e, ev.MemoryWritten):
            self.line(("  ✎ memory ", "dim"), (f"{one_line(e.key, 60)} = {one_line(e.value, 80)}", "dim"), step=e.step)
        elif isinstance(e, ev.RetryScheduled):
            self.line(("  ⟳ ", "yellow"), (f"{e.agent}: {one_line(e.error, 160)}; retry {e.attempt} in {e.delay_s:.1f}s", "yellow"),
                      step=e.step)
        elif isinstance(e, ev.BudgetReached):
            self.line(("⚠ ", "yellow"), (e.text, "yellow"))
        elif isinstance(e, ev.ErrorRaised):
            if e.step is None or self.failures.get(e.step) != e.message:  # else: the failed step said it
                self.line(("✗ ", "red"), (one_line(e.message, 400), "red"), step=e.step)
        elif isinstance(e, ev.CommandIssued):
            target = e.step or e.agent or ""
            self.line(("⌨ ", "magenta"), (f"{e.by}: {e.command} {target} {one_line(e.text, 120)}".rstrip(), "magenta"),
                      step=e.step)
        elif isinstance(e, ev.RunStatusChanged):
            self.line(("‖ ", "magenta"), (f"run {e.status}", "magenta"))
        elif isinstance(e, ev.RunFinished):
            self._finished(e)

    def _status(self, e: ev.StepStatusChanged) -> None:
        if e.detail and e.status == ev.RUNNING and e.detail.startswith("round"):
            self.line(("↻ ", "yellow"), (f"loop {e.detail}", "yellow"), step=e.step)
        elif e.status in (ev.FAILED, ev.SKIPPED, ev.INTERRUPTED):
            mark, style = STATUS_MARK[e.status]
            last = ((f"{mark} step {e.step} {e.status}: ", style), (one_line(e.detail, 300), style)) if e.detail else ()
            if e.status == ev.FAILED and e.detail:
                self.failures[e.step] = e.detail
            if e.step == self.live_step or e.step in self.held:  # its turn ends without finishing
                self._end_turn(e.step, *last)
            elif last:
                self.line(*last, step=e.step)
        elif e.status == ev.DONE and e.detail.startswith(("condition met", "stopped after")):
            self.line(("↻ ", "yellow"), (f"loop {e.detail}", "yellow"), step=e.step)

    def _finished(self, e: ev.RunFinished) -> None:
        # Nothing may stay held once the run is over (the runtime ends every turn first; this is the backstop).
        while self.live_step is not None or self.held:
            self._end_turn(self.live_step or next(iter(self.held)))
        self.term.end_line()
        style = {"done": "bold green", "failed": "bold red"}.get(e.status, "bold yellow")
        cost = f" · ${e.cost:.4f}" if e.cost else ""
        self.line(("■ run ", style), (e.status, style), (f" · {e.input_tokens + e.output_tokens} tokens{cost}", "dim"))
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
