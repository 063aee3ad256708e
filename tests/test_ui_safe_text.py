"""Untrusted text reaches the screen as text: no markup, no terminal escapes, no control bytes."""

from __future__ import annotations

import pytest
from rich.console import Console

from teamtui.ui.safe_text import clean, one_line, plain


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b[31mred\x1b[0m", "red"),  # SGR colour
        ("a\x1b[2Jb", "ab"),  # clear screen
        ("\x1b]0;pwned title\x07after", "after"),  # OSC window title, BEL-terminated
        ("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink, ST-terminated
        ("\x1bPq#0;2;0;0;0\x1b\\x", "x"),  # DCS (sixel)
        ("x\x1b7y\x1b8z", "xyz"),  # save / restore cursor
        ("\x9b31mC1 CSI", "C1 CSI"),  # 8-bit CSI
        ("bell\x07 back\x08space\x00nul", "bell backspacenul"),
        ("keep\ttabs\nand lines", "keep\ttabs\nand lines"),
        ("crlf\r\nline", "crlf\nline"),
        ("bare\rreturn", "barereturn"),  # a bare CR could overwrite the line it is on
        ("abc\u202edcba", "abcdcba"),  # bidi override
        ("lone escape \x1b", "lone escape "),
    ],
)
def test_clean_strips_escapes_and_controls(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_clean_keeps_unicode_and_markup_characters() -> None:
    text = "café ✔ 漢字 [bold red]not markup[/] `code`"
    assert clean(text) == text


def test_plain_does_not_interpret_rich_markup() -> None:
    text = plain("[bold red]boom[/] [link=http://x]y[/link]")
    assert text.plain == "[bold red]boom[/] [link=http://x]y[/link]"
    assert text.spans == []
    console = Console(record=True, width=80, color_system=None)
    console.print(text)
    assert "[bold red]boom[/]" in console.export_text()


def test_one_line_folds_and_cuts() -> None:
    assert one_line("a\n\n b\t c") == "a b c"
    assert one_line("x" * 50, limit=10) == "x" * 9 + "…"
    assert one_line("\x1b[1mshort\x1b[0m", limit=10) == "short"
