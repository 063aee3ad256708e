"""A run as one self-contained HTML page: inline CSS, no script, no external resource.

Every string from a run goes through ``clean`` and then ``html.escape``, and lands only in element
text, never in an attribute, a URL or CSS. The page also sets a Content-Security-Policy that
forbids scripts and any fetch, as a second wall. Turns are ``<details>`` so they fold without
JavaScript; each agent gets a colour from a fixed palette, by position (names never reach CSS).
"""

from __future__ import annotations

import html
import time
from typing import Iterable

from teamtui.core.events import Event
from teamtui.core.transcript import Transcript, Turn, describe, fold

from .sanitize import clean, clean_json_text

PALETTE = ("#2f6fde", "#c2410c", "#15803d", "#9333ea", "#b91c1c", "#0e7490", "#a16207", "#be185d")

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.6rem;border-radius:4px;margin:.4rem 0}
details{border-left:4px solid var(--c);margin:.8rem 0;padding:.2rem .8rem}summary{cursor:pointer;font-weight:600}
.agent{color:var(--c)}.muted{color:#656d76;font-size:.85rem}.note{color:#57606a;margin:.3rem 0 .3rem 1rem}
.demo{background:#fff8c5;border:1px solid #d4a72c;padding:.4rem .6rem;border-radius:4px}
.done{color:#1a7f37}.failed{color:#cf222e}.interrupted{color:#9a6700}
.skipped,.pending{color:#656d76}.running{color:#0969da}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'"
_STATUSES = {"done", "failed", "interrupted", "skipped", "pending", "running"}


def esc(text: str | None) -> str:
    return html.escape(clean(text or ""), quote=True)


def render(events: Iterable[Event]) -> str:
    tr = fold(events)
    colours = _colours(tr)
    team = tr.started.team if tr.started else "unknown team"
    body = _header(tr) + _plan(tr) + ["<h2>Transcript</h2>"]
    for item in tr.timeline():
        body += _turn(tr, item, colours) if isinstance(item, Turn) else [_note(item)]
    body += _ending(tr)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{esc(team)}: run {esc(tr.run_id)}</title>\n<style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _colours(tr: Transcript) -> dict[str, str]:
    names = [str(a.get("name", "")) for a in tr.started.agents] if tr.started else []
    names += [t.agent for t in tr.all_turns() if t.agent not in names]
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(dict.fromkeys(names))}


def _status(status: str) -> str:
    cls = status if status in _STATUSES else "pending"
    return f'<span class="{cls}">{esc(status)}</span>'


def _header(tr: Transcript) -> list[str]:
    st = tr.started
    out = [f"<h1>{esc(st.team if st else 'unknown team')}: run {esc(tr.run_id)}</h1>"]
    if st and st.description:
        out.append(f"<p>{esc(st.description)}</p>")
    if tr.demo:
        out.append('<p class="demo">Played by the offline demo model: scripted replies, not a real LLM.</p>')
    rows = [("Model", esc(st.model if st else "") or "unknown")]
    if tr.first_ts:
        rows.append(("Started", esc(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(tr.first_ts)))))
    rows.append(("Status", _status(tr.finished.status) if tr.finished else "unfinished"))
    if st and st.resumed_from:
        rows.append(("Resumed from", esc(st.resumed_from)))
    if tr.resumes:
        rows.append(("Resumed", f"{tr.resumes} time(s) in this journal"))
    out.append("<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>")
    out += ["<h2>Input</h2>", f"<pre>{esc(st.input if st else '')}</pre>"]
    return out


def _plan(tr: Transcript) -> list[str]:
    if not tr.steps:
        return []
    rows = ["<tr><th>Step</th><th>What</th><th>Agent</th><th>Depends on</th><th>Status</th></tr>"]
    for depth, step in tr.plan():
        added = step.added
        pad = "&nbsp;&nbsp;" * depth
        what = esc(added.label) + (f" <em>(redirected {step.redirects}×)</em>" if step.redirects else "")
        detail = f' <span class="muted">{esc(step.detail)}</span>' if step.detail else ""
        rows.append(
            f"<tr><td>{pad}{esc(step.id)}</td><td>{what}</td><td>{esc(added.agent)}</td>"
            f"<td>{esc(', '.join(added.depends_on))}</td><td>{_status(step.status)}{detail}</td></tr>"
        )
    return ["<h2>Plan</h2>", "<table>" + "".join(rows) + "</table>"]


def _turn(tr: Transcript, turn: Turn, colours: dict[str, str]) -> list[str]:
    step = tr.steps.get(turn.step)
    label = f" · {esc(step.added.label)}" if step and step.added.label not in ("", turn.agent) else ""
    done = turn.finished
    flags = []
    if done and done.reused:
        flags.append("replayed from the journal")
    if done is None:
        flags.append("cut off before it finished")
    elif done.interrupted:
        flags.append("interrupted")
    if done and not done.reused:
        flags.append(f"{done.input_tokens}+{done.output_tokens} tokens, {done.duration_s:.1f}s")
    muted = f' <span class="muted">{esc("; ".join(flags))}</span>' if flags else ""
    colour = colours.get(turn.agent, PALETTE[0])  # from PALETTE only: never a run's string
    out = [
        f'<details open style="--c:{colour}"><summary><span class="agent">{esc(turn.agent)}</span>'
        f" · step {esc(turn.step)}{label}{muted}</summary>"
    ]
    segments = turn.segments()
    for part in segments:
        if isinstance(part, str):
            out.append(f"<pre>{esc(part)}</pre>")
            continue
        arguments = clean_json_text(part.call.arguments, indent=2)
        out.append(f'<p class="muted">Tool call <code>{esc(part.call.tool)}</code></p><pre>{esc(arguments)}</pre>')
        if part.result is not None:
            failed = " (error)" if part.result.error else ""
            out.append(f'<p class="muted">Result{failed}</p><pre>{esc(part.result.result)}</pre>')
    if not segments:
        out.append('<p class="muted">(no text)</p>')
    return out + ["</details>"]


def _note(ev: Event) -> str:
    label, text = describe(ev)
    return f'<p class="note"><strong>{esc(label)}</strong> {esc(text)}</p>'


def _ending(tr: Transcript) -> list[str]:
    out: list[str] = []
    fin = tr.finished
    if fin is not None:
        out += ["<h2>Final answer</h2>", f"<pre>{esc(fin.output or '(no output)')}</pre>"]
        if fin.error:
            out.append(f"<p><strong>Error:</strong> {esc(fin.error)}</p>")
        if fin.missing:
            out.append(f"<p><strong>Missing results:</strong> {esc(', '.join(fin.missing))}</p>")
    usage = tr.usage_by_agent()
    if usage or fin is not None:
        rows = ["<tr><th>Agent</th><th>Turns</th><th>Input tokens</th><th>Output tokens</th><th>Cost (USD)</th></tr>"]
        rows += [
            f"<tr><td>{esc(a)}</td><td>{n}</td><td>{i}</td><td>{o}</td><td>{c:.4f}</td></tr>"
            for a, (n, i, o, c) in usage.items()
        ]
        if fin is not None:
            rows.append(
                f"<tr><th>Total</th><td></td><td>{fin.input_tokens}</td><td>{fin.output_tokens}</td>"
                f"<td>{fin.cost:.4f}</td></tr>"
            )
        out += ["<h2>Usage</h2>", "<table>" + "".join(rows) + "</table>"]
        if tr.first_ts and tr.last_ts:
            out.append(f'<p class="muted">Duration: {tr.last_ts - tr.first_ts:.1f}s</p>')
    return out
