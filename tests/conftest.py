"""Fixtures shared by every test module."""

from __future__ import annotations

from typing import Iterator

import pytest

from fakeserver import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible server on 127.0.0.1 (see tests/fakeserver.py); stopped afterwards.

    Fails the test if the server itself raised an unexpected error while handling a request.
    """
    with FakeOpenAI() as server:
        yield server
    assert not server.errors, f"fake OpenAI server errors: {server.errors!r}"
