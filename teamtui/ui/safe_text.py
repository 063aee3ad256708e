"""Make untrusted text (model output, user input, team files) safe to put on the screen.

Model output may contain Rich markup (``[bold red]``) or terminal escapes (``ESC[2J``, OSC 8
links, window-title changes). The UI shows such text literally: escapes and control characters
are stripped (by ``teamtui.textsafe``, shared with the headless printer and the exports), and
every label built from untrusted text is a ``rich.text.Text`` (which never parses markup) made by
:func:`plain` or from :func:`one_line`.
"""

from __future__ import annotations

from rich.text import Text

from teamtui.textsafe import clean, one_line

__all__ = ["TAB_SIZE", "clean", "one_line", "plain"]

#: Columns a tab takes in model text on screen. Textual draws a tab 8 wide and Rich's Markdown 4:
#: the UI expands tabs to 4 itself, so code does not shift as a turn streams, freezes and ends.
TAB_SIZE = 4


def plain(text: str, style: str = "") -> Text:
    """A Rich ``Text`` showing ``text`` literally (markup is not parsed; escapes are removed)."""
    return Text(clean(text), style=style)
