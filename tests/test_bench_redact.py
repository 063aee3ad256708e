"""redact() skips the patterns whose words a text does not hold; it must mask exactly what running
every pattern would mask (the skip is a speed-up found by the benchmarks, not a new rule)."""

from __future__ import annotations

import os
import random

import pytest

from teamtui.core import redact as r

PIECES = [
    "api", "API", "Api", "key", "KEY", "_", "-", "token", "Token", "TOKEN", "secret", "client", "access",
    "auth", "Bearer ", "bearer\t", "Basic ", "authorization", "AUTHORIZATION", "password", "PassWord",
    "x-goog-", "x-", ":", "=", " ", "  ", '"', "'", ",", ";", "}", "]", "\n", "sk", "pk", "rk", "gsk", "xai",
    "hf", "AIza", "abcdef123456", "ABCDEFGHIJ0123456789xyz", "***", "é", "—", "日本",
    "\u017f", "\u212a", "\u0130", "\u0131",  # the letters re.IGNORECASE matches to s, k, i, i
]


def every_pattern(text: str) -> str:
    for pattern, replacement, _ in r._PATTERNS:
        text = pattern.sub(replacement, text)
    return text


@pytest.fixture(autouse=True)
def no_secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "environ", {"PATH": "/usr/bin", "HOME": "/root"})


def test_skipping_patterns_masks_exactly_what_every_pattern_masks() -> None:
    rng = random.Random(5)
    masked = 0
    for _ in range(20_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 24)))
        expected = every_pattern(text)
        assert r.redact(text) == expected, text
        masked += expected != text
    assert masked > 2000  # the inputs really do hold credentials, in many shapes


@pytest.mark.parametrize("text, masked", [
    ("Authorization: Bearer abc123def", "Authorization: Bearer ***"),
    ("PA\u017f\u017fWORD=hunter22", "PA\u017f\u017fWORD=***"),  # long s: re.IGNORECASE reads it as s
    ("x-api-\u212aey: abcdef", "x-api-\u212aey: ***"),  # Kelvin sign: read as k
    ("AUTHOR\u0130ZATION: abcdef", "AUTHOR\u0130ZATION: ***"),  # dotted capital I: read as i
    ("author\u0131zation=abcdef", "author\u0131zation=***"),  # dotless i: read as i
    ("my key is sk-abcdefgh1234", "my key is sk-***"),
])
def test_letters_that_ignorecase_folds_do_not_hide_a_credential(text: str, masked: str) -> None:
    assert r.redact(text) == masked


def test_ordinary_text_is_left_alone() -> None:
    text = "The migration keeps every row; run it twice and nothing changes. " * 200
    assert r.redact(text) == text


def test_the_fold_table_names_every_letter_ignorecase_adds() -> None:
    import re
    import sys

    letter = re.compile("[a-z]", re.IGNORECASE).fullmatch
    extra = {chr(cp) for cp in range(128, sys.maxunicode + 1) if letter(chr(cp))}
    assert extra == set(r._FOLD_CHARS)
