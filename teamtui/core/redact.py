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

#: The keywords of the header and parameter forms ("api_key=...").
_KEY_WORDS = ("x-api-key", "x-goog-api-key", "api[-_]?key", "access[-_]?token", "auth[-_]?token",
              "client[-_]?secret", "password")

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
            rf"""(\b(?:{"|".join(_KEY_WORDS)})["']?\s*[:=]\s*["']?)(?!\*\*\*)[^\s"',;&}}\]]+""",
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


def _prefixes(*atoms: str) -> str:
    """A regex for every non-empty prefix of what ``atoms`` (one character each) spell:
    ``_prefixes("s", "k")`` is ``s(?:k)?``."""
    out = ""
    for atom in reversed(atoms):
        out = f"{atom}(?:{out})?" if out else atom
    return out


_KEY_WORD_PREFIXES = "|".join(_prefixes(*re.findall(r"\[-_\]\?|.", word)) for word in _KEY_WORDS)
_HEADER_VALUE, _PARAM_VALUE = r"""[^\s"',;}\]]""", r"""[^\s"',;&}\]]"""
_SK_VALUE, _GSK_VALUE, _AIZA_VALUE = r"[A-Za-z0-9_\-]", "[A-Za-z0-9]", r"[0-9A-Za-z_\-]"

#: For each of ``_PATTERNS``, in the same order: (1) a regex for the start of a match still open at
#: the end of a text, one that more text could complete or extend: a prefix of the keyword, or the
#: keyword with its value so far. It may match where no key follows (that only holds text back a
#: little longer), never miss an open match (tests/test_security_stream.py checks it against the
#: patterns). (2) The characters that extend the masked value. Keep these in step with ``_PATTERNS``.
_OPEN: tuple[tuple[str, str], ...] = (
    (rf"""(?i:\b(?:{_prefixes(*"authorization")}|authorization["']?\s*"""
     rf"""(?:[:=]\s*["']?(?:(?:bearer|basic|token)\s+)?{_HEADER_VALUE}*)?)\Z)""", _HEADER_VALUE),
    (rf"(?i:\b(?:{_prefixes(*'bearer')}|bearer\s+{_HEADER_VALUE}*)\Z)", _HEADER_VALUE),
    (rf"""(?i:\b(?:{_KEY_WORD_PREFIXES}|(?:{"|".join(_KEY_WORDS)})["']?\s*(?:[:=]\s*["']?{_PARAM_VALUE}*)?)\Z)""",
     _PARAM_VALUE),
    (rf"\b[spr](?:k(?:-{_SK_VALUE}*)?)?\Z", _SK_VALUE),
    (rf"\b(?:{_prefixes('g', 's', 'k', f'_{_GSK_VALUE}*')}|{_prefixes('x', 'a', 'i', f'_{_GSK_VALUE}*')}"
     rf"|{_prefixes('h', 'f', f'_{_GSK_VALUE}*')})\Z", _GSK_VALUE),
    (rf"\b{_prefixes('A', 'I', 'z', f'a{_AIZA_VALUE}*')}\Z", _AIZA_VALUE),
)
#: The earliest start of any open match: one search, the leftmost position where some
#: alternative reaches the end. The lookahead on the letters a match can begin with lets the
#: search skip most positions at once (7.5 us -> 2.4 us for a 35-character piece).
OPEN_REGEXES = tuple(regex for regex, _ in _OPEN)
OPEN_FIRST = "aAbBcCpPxXsSrRgGhH"
OPEN_MATCH = re.compile(f"(?=[{OPEN_FIRST}])(?:"
                        + "|".join(f"(?P<p{index}>{regex})" for index, regex in enumerate(OPEN_REGEXES)) + ")")
#: Per pattern: the characters that extend its masked value (a regex character class).
VALUE_CHARS = tuple(chars for _, chars in _OPEN)

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


def known_secrets(secrets: Iterable[str | None]) -> tuple[str, ...]:
    """The values worth masking, longest first, so a key that contains another is masked whole."""
    return tuple(sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LEN}, key=len, reverse=True))


def mask_secrets(text: str, known: tuple[str, ...]) -> str:
    """``text`` with each of ``known`` (from ``known_secrets``) replaced by MASK."""
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return text


def mask_patterns(text: str, may: list[bool] | None = None) -> str:
    """``text`` with the key and header shapes masked. ``may``: ``_may_match`` of ``text`` (or of
    a text that holds it), when the caller has it already."""
    # Replacements only put MASK in place of a credential, so they never create a word: checking
    # the words once, before any replacement, is enough.
    for (pattern, replacement, _), may in zip(_PATTERNS, _may_match(text) if may is None else may):
        if may:
            text = pattern.sub(replacement, text)
    return text


def redact(text: str, secrets: Iterable[str | None] = (), *, env: bool = True) -> str:
    """Return ``text`` with credentials masked.

    ``secrets`` adds known values to mask (for example an API key passed on the command line).
    ``env=False`` skips reading the environment: for callers that put ``env_secrets()`` in ``secrets``.
    Text that arrives in pieces (a streamed reply) needs ``redact_stream.StreamRedactor`` instead.
    """
    if not text:
        return text
    return mask_patterns(mask_secrets(text, known_secrets((*secrets, *(env_secrets() if env else ())))))
