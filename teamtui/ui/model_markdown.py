"""Markdown read the way chat interfaces read a model's reply: a single line break stays one.

CommonMark joins the lines of a paragraph, so a spec's "Goal: ...", "Primary user: ..." and
"Scope: ..." lines, or "**Verdict:** ..." over "**Reason:** ...", ran together into one line on
screen (while streaming, the plain tail showed them apart, and they joined as the block froze).
Models write a line break where they mean one and seldom wrap prose by hand, so every Markdown
view of model text here turns soft breaks into hard ones. (markdown-it's ``breaks`` option does
this only in its own HTML renderer; Rich and Textual draw the tokens themselves.)

Imported where Markdown is drawn, never at start-up (markdown-it and pygments; see warm.py).
"""

from __future__ import annotations

import json
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from rich.markdown import Markdown


def _hard_breaks(state: StateCore) -> None:
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "softbreak":
                child.type = "hardbreak"


def _keep_breaks(md: MarkdownIt) -> MarkdownIt:
    md.core.ruler.push("teamtui_hard_breaks", _hard_breaks)
    return md


def as_markdown(text: str) -> str:
    """``text`` as Markdown to show: a reply that is a bare JSON document (a planner's plan) is
    shown as a JSON code block, since Markdown would drop its indentation."""
    body = text.strip()
    if body[:1] in ("{", "[") and body[-1:] in ("}", "]"):
        try:
            json.loads(body)
        except ValueError:
            return text
        return f"```json\n{body}\n```\n"
    return text


def widget_parser() -> MarkdownIt:
    """The ``parser_factory`` for Textual's ``Markdown`` widget: its own "gfm-like", breaks kept."""
    return _keep_breaks(MarkdownIt("gfm-like"))


@lru_cache(maxsize=1)
def _rich_parser() -> MarkdownIt:
    # Rich's own parser (commonmark with strikethrough and tables), breaks kept; parsing keeps no
    # state in the parser, so one serves every block.
    return _keep_breaks(MarkdownIt().enable("strikethrough").enable("table"))


class ModelMarkdown(Markdown):
    """Rich's ``Markdown`` (one frozen block of a streaming turn) with line breaks kept."""

    def __init__(self, markup: str, **kwargs) -> None:
        # Rich builds its parser inside __init__ and offers no option for it: give it nothing to
        # parse, then parse the text with ours (``markup`` and ``parsed`` are what it renders from).
        super().__init__("", **kwargs)
        self.markup = markup
        self.parsed = _rich_parser().parse(markup)
