"""Text hygiene shared by every export format.

Model output and tool results are untrusted. Before any of it reaches a file: keys are redacted,
and terminal escapes (CSI colours, OSC 8 links, OSC titles), other control characters and bidi
overrides are removed, so a transcript that is ``cat``-ed, opened or rendered shows inert text.
"""

from __future__ import annotations

import json
from typing import Any

from teamtui.core.redact import redact
from teamtui.textsafe import clean as strip_escapes

def clean(text: str) -> str:
    """``text`` redacted and stripped of escapes and control characters; CRLF becomes LF."""
    return strip_escapes(redact(text))


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
