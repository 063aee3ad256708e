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

#: (pattern, replacement, words): a pattern can only match where one of its words occurs (in
#: lower case for the case-insensitive patterns).
_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    # "Authorization: Basic abc", "authorization": "Token abc": the whole credential
    (
        re.compile(
            r"(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:(?:Bearer|Basic|Token)\s+)?)"
            r"(?!\*\*\*|(?:Bearer|Basic|Token)\s)[^\s\"',;}\]]+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
        ("authorization",),
    ),
    # "Bearer abc" wherever it appears
    (re.compile(r"\b(Bearer\s+)(?!\*\*\*)[^\s\"',;}\]]+", re.IGNORECASE), rf"\1{MASK}", ("bearer",)),
    # header or parameter forms: x-api-key: abc, api_key=abc, "apiKey": "abc", access_token=abc
    (
        re.compile(
            r"(\b(?:x-api-key|x-goog-api-key|api[-_]?key|access[-_]?token|auth[-_]?token|client[-_]?secret|password)"
            r"[\"']?\s*[:=]\s*[\"']?)(?!\*\*\*)[^\s\"',;&}\]]+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
        ("api", "token", "secret", "password"),
    ),
    # bare provider keys: sk-..., sk-proj-..., sk-ant-..., and similar prefixed keys
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-]{6,}"), rf"\1-{MASK}", ("sk-", "pk-", "rk-")),
    (re.compile(r"\b(gsk|xai|hf)_[A-Za-z0-9]{10,}"), rf"\1_{MASK}", ("gsk_", "xai_", "hf_")),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"), MASK, ("AIza",)),
)

#: Which patterns ignore case (flag arithmetic on ``re.RegexFlag`` costs more than the test itself).
_NOCASE = tuple(bool(pattern.flags & re.IGNORECASE) for pattern, _, _ in _PATTERNS)

#: The only non-ASCII characters that re.IGNORECASE matches to an ASCII letter.
_FOLD_CHARS = "\u0130\u0131\u017f\u212a"
_FOLD = str.maketrans(dict(zip(_FOLD_CHARS, "iisk")))


def _may_match(text: str) -> list[bool]:
    """Which patterns can match ``text``. A pattern run over a long reply costs about 100 times
    more than looking for its words, and most text (a model's answer) holds none of them."""
    folds = not text.isascii() and any(c in text for c in _FOLD_CHARS)
    folded = (text.translate(_FOLD) if folds else text).lower()
    return [any(w in (folded if nocase else text) for w in words)
            for nocase, (_, _, words) in zip(_NOCASE, _PATTERNS)]


def env_secrets() -> tuple[str, ...]:
    """The values of the environment variables whose names say they are secrets. Reading the
    environment decodes every variable (~1 us each), far more than masking a short text costs, so
    a caller that redacts a stream of texts (the journal) takes this once and passes it on."""
    return tuple(
        value
        for name, value in os.environ.items()
        if name.upper().endswith(SECRET_ENV_SUFFIXES) and len(value) >= MIN_SECRET_LEN
    )


def redact(text: str, secrets: Iterable[str | None] = (), *, env: bool = True) -> str:
    """Return ``text`` with credentials masked.

    ``secrets`` adds known values to mask (for example an API key passed on the command line).
    ``env=False`` skips reading the environment: for callers that put ``env_secrets()`` in ``secrets``.
    """
    if not text:
        return text
    known = [s for s in (*secrets, *(env_secrets() if env else ())) if s and len(s) >= MIN_SECRET_LEN]
    # Longest first, so a key that contains another key is masked whole.
    for value in sorted(set(known), key=len, reverse=True):
        text = text.replace(value, MASK)
    # Replacements only put MASK in place of a credential, so they never create a word: checking
    # the words once, before any replacement, is enough.
    for (pattern, replacement, _), may in zip(_PATTERNS, _may_match(text)):
        if may:
            text = pattern.sub(replacement, text)
    return text
