"""Credentials are masked wherever they hide in a message; ordinary text is left alone."""

from __future__ import annotations

import pytest

from teamtui.core.redact import MASK, redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Incorrect API key provided: sk-proj-AbCdEf1234567890xyz.", "AbCdEf1234567890xyz"),
        ("anthropic said: invalid x-api-key sk-ant-api03-QWERTY123456", "QWERTY123456"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9"),
        ("headers={'x-api-key': 'abc123def456'}", "abc123def456"),
        ("GET /v1/models?api_key=zzz999yyy888&x=1", "zzz999yyy888"),
        ('{"apiKey": "quiet-secret-value"}', "quiet-secret-value"),
        ("x-goog-api-key: AIzaSyA1234567890abcdefghijklmnop", "AIzaSyA1234567890abcdefghijklmnop"),
        ("token rejected: gsk_abcdefghijklmnopqrst", "abcdefghijklmnopqrst"),
        ("auth failed, Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ('{"authorization": "raw-credential-value"}', "raw-credential-value"),
    ],
)
def test_known_key_shapes_are_masked(text: str, secret: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert MASK in masked


def test_values_of_secret_env_vars_are_masked_whatever_their_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYPROVIDER_API_KEY", "totally-plain-words-1")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_lookslikeatoken99")
    monkeypatch.setenv("SERVICE_SECRET", "hunter2hunter2")
    monkeypatch.setenv("DEBUG_LEVEL", "verbose-mode")  # not a secret by name
    text = "echo: totally-plain-words-1 / ghp_lookslikeatoken99 / hunter2hunter2 / verbose-mode"
    assert redact(text) == f"echo: {MASK} / {MASK} / {MASK} / verbose-mode"


def test_short_env_values_are_not_treated_as_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMPTYISH_TOKEN", "1")
    assert redact("retry 1 of 3") == "retry 1 of 3"


def test_explicit_secrets_are_masked() -> None:
    assert redact("the key plain-credential-42 failed", ["plain-credential-42", None]) == f"the key {MASK} failed"


def test_a_longer_secret_containing_a_shorter_one_is_masked_whole() -> None:
    assert redact("k=abcdef-ghijkl", ["abcdef", "abcdef-ghijkl"]) == f"k={MASK}"


@pytest.mark.parametrize(
    "text",
    [
        "Rate limit reached for gpt-4o-mini; retry after 20s.",
        "max_tokens: 4096, completion_tokens=12, prompt_tokens: 30",
        "task-runner finished; desk-lamp ok",
        "Basic plan users cannot use this model",
        "The model `openai/gpt-4o` does not exist",
        "",
    ],
)
def test_ordinary_text_is_untouched(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent() -> None:
    once = redact("Authorization: Bearer sk-abcdefghijkl, api_key=qwerty12345")
    assert redact(once) == once
    assert "qwerty12345" not in once and "abcdefghijkl" not in once
