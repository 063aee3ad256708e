"""Where a streaming turn may be frozen into Markdown: never inside a code fence."""

from teamtui.ui.widgets.turn_view import freeze_point


def test_cuts_after_the_last_blank_line_outside_a_fence():
    text = "para one\n\n```go\nx\n\ny\n```\n\nlast words"
    cut = freeze_point(text)
    assert text[:cut] == "para one\n\n```go\nx\n\ny\n```\n\n" and text[cut:] == "last words"


def test_never_cuts_inside_an_open_fence():
    text = "intro\n\n```python\ndef f():\n\n    return 1\n"
    assert text[: freeze_point(text)] == "intro\n\n"


def test_no_blank_line_no_cut():
    assert freeze_point("one long paragraph still streaming") == -1
    assert freeze_point("```\ncode\n\nmore code") == -1
