"""Mask API keys and tokens in text before it reaches a journal, transcript, log or error message.

Providers echo credentials back in error bodies ("Incorrect API key provided: sk-..."), and
exception text can carry request headers, so every message that leaves the model layer goes
through ``redact``. It masks well-known key shapes and, whatever their shape, the current values
of environment variables whose names say they are secrets.
"""

from __future__ import annotations

import os
import re
from typing import Iterable

MASK = "***"

#: Environment variables whose values are always masked, whatever they look like.
SECRET_ENV_SUFFIXES = ("_API_KEY", "_TOKEN", "_SECRET", "_ACCESS_KEY", "_SECRET_KEY")
#: Shorter values are not masked: they are not keys, and masking them would shred ordinary text.
MIN_SECRET_LEN = 6

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Authorization: Basic abc", "authorization": "Token abc": the whole credential
    (
        re.compile(
            r"(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:(?:Bearer|Basic|Token)\s+)?)"
            r"(?!\*\*\*|(?:Bearer|Basic|Token)\s)[^\s\"',;}\]]+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
    ),
    # "Bearer abc" wherever it appears
    (re.compile(r"\b(Bearer\s+)(?!\*\*\*)[^\s\"',;}\]]+", re.IGNORECASE), rf"\1{MASK}"),
    # header or parameter forms: x-api-key: abc, api_key=abc, "apiKey": "abc", access_token=abc
    (
        re.compile(
            r"(\b(?:x-api-key|x-goog-api-key|api[-_]?key|access[-_]?token|auth[-_]?token|client[-_]?secret|password)"
            r"[\"']?\s*[:=]\s*[\"']?)(?!\*\*\*)[^\s\"',;&}\]]+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
    ),
    # bare provider keys: sk-..., sk-proj-..., sk-ant-..., and similar prefixed keys
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-]{6,}"), rf"\1-{MASK}"),
    (re.compile(r"\b(gsk|xai|hf)_[A-Za-z0-9]{10,}"), rf"\1_{MASK}"),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"), MASK),
)


def _env_secrets() -> list[str]:
    return [
        value
        for name, value in os.environ.items()
        if name.upper().endswith(SECRET_ENV_SUFFIXES) and len(value) >= MIN_SECRET_LEN
    ]


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with credentials masked.

    ``secrets`` adds known values to mask (for example an API key passed on the command line).
    """
    if not text:
        return text
    known = [s for s in (*secrets, *_env_secrets()) if s and len(s) >= MIN_SECRET_LEN]
    # Longest first, so a key that contains another key is masked whole.
    for value in sorted(set(known), key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
