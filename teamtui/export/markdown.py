"""A run as Markdown, for reading.

Model text (and tool output) goes inside fenced blocks, each fence longer than any backtick run
in the text. That costs the reader rendered headings and bold inside a turn, but it is the only
simple rule that holds whatever the model wrote: no heading of its own can break the outline, no
unclosed fence can swallow the rest of the file, and no raw HTML or ``javascript:`` link can run
in a renderer that allows them. Markdown was written to be read as plain text, so it reads fine.
Short strings from the team file and the user (labels, names, notes) are escaped inline.
"""

from __future__ import annotations

import re
import time
from typing import Iterable

from teamtui.core.events import Event
from teamtui.core.transcript import Transcript, Turn, describe, fold

from .sanitize import clean, clean_json_text

# Enough to stop emphasis, code spans, links, tables, entities and raw HTML inside a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|&~])")


def inline(text: str | None) -> str:
    """One line of text with Markdown and HTML syntax escaped (safe in prose and table cells)."""
    flat = " ".join(clean(text or "").split())
    return _SPECIAL.sub(r"\\\1", flat)


def fenced(text: str, info: str = "") -> str:
    text = clean(text).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def render(events: Iterable[Event]) -> str:
    tr = fold(events)
    out: list[str] = []
    out += _header(tr)
    out += _plan(tr)
    out += ["## Transcript", ""]
    for item in tr.timeline():
        out += _turn(tr, item) if isinstance(item, Turn) else [_note(item), ""]
    out += _ending(tr)
    return "\n".join(out).rstrip("\n") + "\n"


def _header(tr: Transcript) -> list[str]:
    st = tr.started
    team = st.team if st else "unknown team"
    lines = [f"# {inline(team)}: run {inline(tr.run_id)}", ""]
    if st and st.description:
        lines += [inline(st.description), ""]
    if tr.demo:
        lines += ["> **Demo:** this run was played by the built-in offline demo model;",
                  "> its replies are canned, not written by a real LLM.", ""]
    lines.append(f"- **Model:** {inline(st.model) if st and st.model else 'unknown'}")
    if st and st.agents:
        names = ", ".join(f"{inline(a.get('name'))} ({inline(a.get('role'))})" for a in st.agents)
        lines.append(f"- **Agents:** {names}")
    if tr.first_ts:
        lines.append(f"- **Started:** {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(tr.first_ts))}")
    status = tr.finished.status if tr.finished else "unfinished"
    lines.append(f"- **Status:** {inline(status)}")
    if st and st.resumed_from:
        lines.append(f"- **Resumed from:** {inline(st.resumed_from)}")
    if tr.resumes:
        lines.append(f"- **Resumed:** {tr.resumes} time(s) in this journal")
    lines += ["", "## Input", "", fenced(st.input if st else "", "text"), ""]
    return lines


def _plan(tr: Transcript) -> list[str]:
    if not tr.steps:
        return []
    lines = ["## Plan", "", "| Step | What | Agent | Depends on | Status |", "|---|---|---|---|---|"]
    for depth, step in tr.plan():
        added = step.added
        what = inline(added.label) + (f" (redirected {step.redirects}×)" if step.redirects else "")
        status = inline(step.status) + (f": {inline(step.detail)}" if step.detail else "")
        deps = ", ".join(inline(d) for d in added.depends_on)
        lines.append(f"| {'› ' * depth}{inline(step.id)} | {what} | {inline(added.agent)} | {deps} | {status} |")
    return lines + [""]


def _turn(tr: Transcript, turn: Turn) -> list[str]:
    step = tr.steps.get(turn.step)
    title = f"### {inline(turn.agent)} · step {inline(turn.step)}"
    if step and step.added.label not in ("", turn.agent):
        title += f" · {inline(step.added.label)}"
    lines = [title, ""]
    done = turn.finished
    flags = []
    if done and done.reused:
        flags.append("replayed from the journal")
    if done is None:
        flags.append("cut off before it finished")
    elif done.interrupted:
        flags.append("interrupted")
    if flags:
        lines += [f"*{'; '.join(flags)}*", ""]
    segments = turn.segments()
    for part in segments:
        if isinstance(part, str):
            lines += [fenced(part, "markdown"), ""]
            continue
        arguments = clean_json_text(part.call.arguments, indent=2)
        lines += [f"Tool call **{inline(part.call.tool)}**:", "", fenced(arguments, "json"), ""]
        if part.result is not None:
            failed = " (error)" if part.result.error else ""
            lines += [f"Result{failed}:", "", fenced(part.result.result, "text"), ""]
    if not segments:
        lines += ["*(no text)*", ""]
    return lines


def _note(ev: Event) -> str:
    label, text = describe(ev)
    return f"> **{label}** {inline(text)}"


def _ending(tr: Transcript) -> list[str]:
    lines: list[str] = []
    fin = tr.finished
    if fin is not None:
        lines += ["## Final answer", "", fenced(fin.output or "(no output)", "markdown"), ""]
        if fin.error:
            lines += [f"**Error:** {inline(fin.error)}", ""]
        if fin.missing:
            lines += [f"**Missing results:** {', '.join(inline(m) for m in fin.missing)}", ""]
    usage = tr.usage_by_agent()
    if usage or fin is not None:
        lines += ["## Usage", "", "| Agent | Turns | Input tokens | Output tokens | Cost (USD) |",
                  "|---|---|---|---|---|"]
        for agent, (n, i, o, c) in usage.items():
            lines.append(f"| {inline(agent)} | {n} | {i} | {o} | {c:.4f} |")
        if fin is not None:
            lines.append(f"| **Total** | | {fin.input_tokens} | {fin.output_tokens} | {fin.cost:.4f} |")
        if tr.first_ts and tr.last_ts:
            lines += ["", f"Duration: {tr.last_ts - tr.first_ts:.1f}s"]
        lines.append("")
    return lines
