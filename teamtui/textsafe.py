"""Make untrusted text (model output, user input, team files) safe for a terminal.

Model output may carry terminal escapes (``ESC[2J``, OSC 8 links, title changes) and control
characters. Every place that shows such text (TUI, headless printer, exports) strips them here.
No dependencies: the core, the exporters and the UI all use it.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (ESC ] P X ^ _
# ... up to BEL or ST), and the remaining two-character escapes (charset selection and the like).
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                   # CSI
    | \x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC / DCS / SOS / PM / APC, up to BEL or ST
    | \x1b[ -/]*[0-~]                          # two-character escapes (with intermediates)
    | \x1b                                     # a lone ESC
    | \x9b[0-?]*[ -/]*[@-~]                    # 8-bit CSI
    | [\x9d\x90\x98\x9e\x9f][^\x07\x9c]*[\x07\x9c]?  # 8-bit string sequences
    """,
    re.VERBOSE,
)
# C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides that can make
# text read differently from what it is ("Trojan Source").
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` without terminal escapes and control characters; tabs and newlines stay."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def one_line(text: str, limit: int | None = None) -> str:
    """Cleaned ``text`` folded onto one line (whitespace runs become one space), cut to ``limit``."""
    flat = " ".join(clean(text).split())
    if limit is not None and len(flat) > limit:
        return flat[: max(0, limit - 1)] + "…"
    return flat
