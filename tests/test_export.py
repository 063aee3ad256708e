"""Exports (Markdown, JSON, HTML) of real runs, and hostile model output made inert in each."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from teamtui.core import events as ev
from teamtui.core.models.scripted import Reply, ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.export import export, html, json_export, markdown, write_all
from teamtui.export.sanitize import clean_data

from teamkit import run, team

SECRET = "sk-test-SECRET123"
HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) "
    "<a href=\"javascript:alert(4)\">a</a> [bold red]loud[/] \x1b[31mred\x1b[0m "
    "\x1b]8;;http://evil.example/\x1b\\osc link\x1b]8;;\x1b\\ \x1b]0;title\x07 bell\x07 \u202eesrever "
    f"key {SECRET}"
)

HELPDESK = """
name: helpdesk
description: Triage hands money questions to billing; a planner splits the follow-up work.
agents:
  triage: {role: Triage}
  billing: {role: Billing, tools: [memory]}
  planner: {role: Planner}
  researcher: {role: Researcher}
  coder: {role: Coder}
flow:
  sequence:
    - handoff:
        start: triage
        transfers:
          triage: [{to: billing, note: "Customer is on the annual plan"}]
    - supervise: {planner: planner, workers: [researcher, coder]}
"""

PLAN = json.dumps({"tasks": [
    {"id": "research", "worker": "researcher", "task": "find facts", "depends_on": []},
    {"id": "code", "worker": "coder", "task": "write code", "depends_on": []},
    {"id": "review", "worker": "researcher", "task": "check", "depends_on": ["research", "code"]},
]})


async def helpdesk_run(hostile: str = "") -> list[ev.Event]:
    model = ScriptedModel({
        "triage": [Reply("Let me get billing.", [("transfer_to_billing", {"reason": "refund"})])],
        "billing": [Reply("", [("memory_write", {"key": "refund", "value": "approved " + hostile})]),
                    "Refund issued. " + hostile],
        "planner": [PLAN, "## Summary\nAll done. " + hostile],
        "researcher": ["facts", "checked"],
        "coder": ["```python\nprint('hi')\n```\n## Injected heading\n```\nunclosed fence"],
    })
    result = await run(team(HELPDESK), model, "I want a refund " + hostile)
    assert result.status == "done", result.error
    return result.events


@pytest.fixture
async def events() -> list[ev.Event]:
    return await helpdesk_run()


@pytest.fixture
async def hostile_events() -> list[ev.Event]:
    return await helpdesk_run(HOSTILE)


# --- Markdown ------------------------------------------------------------------------------------


def headings(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith("#")]


async def test_markdown_reads_as_the_run(events: list[ev.Event]) -> None:
    md = markdown.render(events)
    assert md.startswith("# helpdesk: run ")
    assert "Triage hands money questions" in md and "- **Model:** scripted" in md and "Demo" not in md
    assert "```text\nI want a refund \n```" in md
    # the plan, with workers, dependencies and statuses
    assert "| › 2.t.review | review | researcher | 2.t.research, 2.t.code | done |" in md
    plan_rows = [line.split(" | ")[0] for line in md.split("## Plan")[1].split("## Transcript")[0].splitlines()[4:-1]]
    assert plan_rows == ["| 1", "| › 1.h1", "| › 1.h2", "| 2", "| › 2.plan", "| › 2.t.research",
                         "| › 2.t.code", "| › 2.t.review", "| › 2.synth"]
    # turns in order, each labelled by agent and step; tool use and orchestration inline
    turns = [h for h in headings(md) if h.startswith("### ")]
    assert turns == [
        "### triage · step 1.h1", "### billing · step 1.h2", "### planner · step 2.plan · planner (plan)",
        *turns[3:5], "### researcher · step 2.t.review · review",
        "### planner · step 2.synth · planner (synthesis)",
    ]
    assert sorted(turns[3:5]) == ["### coder · step 2.t.code · code",
                                  "### researcher · step 2.t.research · research"]
    # within a turn, text and tool calls keep their order
    triage = md.split("### triage", 1)[1].split("### billing", 1)[0]
    assert triage.index("Let me get billing.") < triage.index("transfer\\_to\\_billing") < triage.index("Handoff")
    assert "> **Handoff** triage → billing: Customer is on the annual plan" in md
    plan = "> **Plan** step 2: research → researcher; code → coder; review → researcher after research, code"
    assert plan in md
    assert "Tool call **memory\\_write**:" in md and '"key": "refund"' in md
    # final answer and usage (every agent, and the run's totals)
    final = md.split("## Final answer", 1)[1]
    assert "## Summary\nAll done." in final
    usage = md.split("## Usage", 1)[1]
    for agent in ("triage", "billing", "planner", "researcher", "coder"):
        assert f"| {agent} |" in usage
    assert re.search(r"\| \*\*Total\*\* \| \| \d+ \| \d+ \| 0\.0000 \|", usage)


async def test_commands_read_as_the_tuis_keys_name_them(events: list[ev.Event]) -> None:
    issued = [ev.CommandIssued(run_id="r", seq=10_000, ts=0.0, command="cancel_step", step="2.t.code"),
              ev.CommandIssued(run_id="r", seq=10_001, ts=0.0, command="inject", agent="billing", text="be brief")]
    md = markdown.render([*events[:-1], *issued, events[-1]])
    assert "> **Command** stop step 2.t.code (by user)" in md
    assert "> **Command** note to billing: be brief (by user)" in md and "cancel\\_step" not in md


async def test_model_markdown_cannot_break_the_transcript_structure(events: list[ev.Event]) -> None:
    md = markdown.render(events)
    # The coder's reply has a fence of its own, a heading and an unclosed fence; the planner's
    # has a heading.
    # Rendered, the document keeps exactly our sections: nothing of the model's became structure.
    tokens = MarkdownIt("commonmark").parse(md)
    h2 = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert h2 == ["Input", "Plan", "Transcript", "Final answer", "Usage"]
    assert "## Summary" not in h2


# --- JSON ----------------------------------------------------------------------------------------


async def test_json_has_every_event_and_loads_back(events: list[ev.Event]) -> None:
    doc = json.loads(json_export.render(events))
    assert doc["version"] == ev.SCHEMA_VERSION and doc["run_id"] == events[0].run_id
    loaded = [ev.Event.from_dict(d) for d in doc["events"]]
    assert loaded == events
    assert json_export.load(json_export.render(events)) == events


async def test_json_of_hostile_output_is_clean_and_still_loads(hostile_events: list[ev.Event]) -> None:
    text = json_export.render(hostile_events)
    loaded = json_export.load(text)
    assert [e.to_dict() for e in loaded] == [clean_data(e.to_dict()) for e in hostile_events]
    assert "evil.example" not in text

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    # No control character in any string once parsed. (A tool call's arguments are JSON text
    # themselves: there an escape can only stay as the inert six characters "\u001b".)
    assert not [s for s in strings(json.loads(text)) if re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", s)]


# --- HTML ----------------------------------------------------------------------------------------


class Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table", "tr", "th", "td",
             "span", "em", "strong", "code", "pre", "details", "summary"}


def parse(page: str) -> Structure:
    parser = Structure()
    parser.feed(page)
    return parser


async def test_html_is_one_self_contained_page(events: list[ev.Event]) -> None:
    page = html.render(events)
    doc = parse(page)
    tags = [t for t, _ in doc.tags]
    assert set(tags) <= SAFE_TAGS
    assert tags.count("details") == sum(isinstance(e, ev.AgentFinished) for e in events)
    assert not re.search(r"https?://|url\(|@import|<link|<script", page, re.IGNORECASE)
    text = "".join(doc.text)
    assert "Customer is on the annual plan" in text and "Final answer" in text and "Plan" in text
    # agents get distinct colours from the palette
    colours = {a.get("style") for t, a in doc.tags if t == "details"}
    assert len(colours) == 5 and all(c.startswith("--c:#") for c in colours)


async def test_demo_runs_say_so(tmp_path: Path) -> None:
    from teamtui.loader import load_team

    result = await Runner(load_team("software-house"), RunOptions(model="demo", demo_speed=1000)).run("a shortener")
    assert result.status == "done"
    md, page = markdown.render(result.events), html.render(result.events)
    assert "offline demo model" in md.split("## Input")[0]
    assert 'class="demo"' in page and "offline demo model" in page


# --- hostile output, every format ----------------------------------------------------------------


async def test_hostile_model_output_is_inert_in_every_format(hostile_events: list[ev.Event], tmp_path: Path) -> None:
    paths = write_all(hostile_events, tmp_path)
    assert sorted(p.name for p in paths) == ["transcript.html", "transcript.json", "transcript.md"]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert SECRET not in text and "SECRET123" not in text, path.name
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", text), path.name  # no escapes, no controls
        assert "evil.example" not in text, path.name  # the OSC 8 link's target is gone with it
        assert "osc link" in text and "loud" in text, path.name  # the words themselves stay

    page = (tmp_path / "transcript.html").read_text()
    doc = parse(page)
    assert {t for t, _ in doc.tags} <= SAFE_TAGS  # no script, img, a, iframe ... from the model
    for tag, attrs in doc.tags:
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in ("href", "src"), (tag, name)
            assert "javascript" not in (value or "").lower(), (tag, name)
    text = "".join(doc.text)
    assert "<script>alert(1)</script>" in text and "[bold red]loud[/]" in text  # shown, as text

    # Markdown, rendered by a permissive renderer (raw HTML allowed): still nothing active.
    md = (tmp_path / "transcript.md").read_text()
    rendered = parse(MarkdownIt("commonmark").render(md))
    assert {t for t, _ in rendered.tags} <= {"h1", "h2", "h3", "p", "ul", "li", "strong", "em", "pre", "code",
                                             "blockquote", "br", "hr"}
    assert not any("javascript" in str(a).lower() for _, a in rendered.tags)


async def test_export_picks_the_format_and_the_file_name(events: list[ev.Event], tmp_path: Path) -> None:
    assert export(events, "markdown", tmp_path) == tmp_path / "transcript.md"
    assert export(events, "HTML", tmp_path / "x" / "page.html") == tmp_path / "x" / "page.html"
    assert (tmp_path / "x" / "page.html").read_text().startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        export(events, "pdf", tmp_path)
    assert not list(tmp_path.glob("**/*.tmp"))


async def test_a_path_ending_in_a_separator_is_a_folder_made_on_demand(events: list[ev.Event], tmp_path: Path) -> None:
    folder = f"{tmp_path / 'new'}/"  # a str: Path() would drop the slash that says "folder"
    written = [export(events, fmt, folder) for fmt in ("md", "json", "html")]
    assert written == [tmp_path / "new" / name for name in ("transcript.md", "transcript.json", "transcript.html")]
    assert all(p.is_file() for p in written)


async def test_the_file_extension_names_the_format_when_none_is_given(events: list[ev.Event], tmp_path: Path) -> None:
    for name, start in (("a.html", "<!DOCTYPE html>"), ("b.HTM", "<!DOCTYPE html>"), ("c.json", "{"),
                        ("d.markdown", "# "), ("e.md", "# ")):
        assert export(events, None, tmp_path / name).read_text().startswith(start), name
    assert export(events, None, tmp_path) == tmp_path / "transcript.md"  # a folder: Markdown, as before
    assert export(events, "md", tmp_path / "notes.txt").read_text().startswith("# ")  # an explicit format goes anywhere


async def test_a_format_that_contradicts_the_extension_or_cannot_be_told_is_refused(events: list[ev.Event],
                                                                                     tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'md'.*out.html"):
        export(events, "md", tmp_path / "out.html")
    with pytest.raises(ValueError, match="notes.txt"):
        export(events, None, tmp_path / "notes.txt")
    assert not list(tmp_path.iterdir())  # nothing written
