"""Text hygiene shared by every export format.

Model output and tool results are untrusted. Before any of it reaches a file: keys are redacted,
and terminal escapes (CSI colours, OSC 8 links, OSC titles), other control characters and bidi
overrides are removed, so a transcript that is ``cat``-ed, opened or rendered shows inert text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from teamtui.core.redact import redact

# ESC-led sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), DCS/SOS/PM/APC
# strings (ESC P/X/^/_ ... ESC \), then any other two-byte escape. The 8-bit C1 forms follow.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
# What is left of C0/C1 controls (tab and newline stay), DEL, and the bidi controls that can
# make text read differently from what it is ("Trojan Source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` redacted and stripped of escapes and control characters; CRLF becomes LF."""
    text = redact(text).replace("\r\n", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class Cleaner:
    """``clean`` for whole documents, memoized for short strings: run ids, agent names, step ids
    and streamed tokens repeat endlessly, and each ``redact`` costs tens of microseconds."""

    MAX_LEN = 64

    def __init__(self) -> None:
        self._memo: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if len(text) > self.MAX_LEN:
            return clean(text)
        done = self._memo.get(text)
        if done is None:
            done = self._memo[text] = clean(text)
        return done

    def data(self, value: Any) -> Any:
        """Every string inside a JSON-like value cleaned. Tool-call ``arguments`` are JSON text
        themselves, so the strings inside them are cleaned too."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {
                self(str(k)): self.json_text(v) if k == "arguments" and isinstance(v, str) else self.data(v)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    def json_text(self, text: str, indent: int | None = None) -> str:
        """JSON text with every string inside it cleaned (``\\u001b`` written inside JSON is
        still an escape to whoever decodes it); text that is not JSON is cleaned as text."""
        try:
            data = json.loads(text)
        except ValueError:
            return self(text)
        cleaned = self.data(data)
        if cleaned == data and indent is None:
            return text  # nothing to clean: keep the model's exact text
        return json.dumps(cleaned, ensure_ascii=False, indent=indent)


def clean_data(value: Any) -> Any:
    return Cleaner().data(value)


def clean_json_text(text: str, indent: int | None = None) -> str:
    return Cleaner().json_text(text, indent)
