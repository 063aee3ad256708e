"""Retry-After parsing for ModelError.retry_after_s (the rest is covered against the fake server)."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from teamtui.core.models.litellm_errors import parse_retry_after


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "1"}, 1.0),
        ({"retry-after": "0.1"}, 0.1),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "soon", "Retry-After": "3"}, 3.0),
        ({"Retry-After": "-5"}, 0.0),
        ({"Retry-After": "whenever"}, None),
        ({"content-type": "application/json"}, None),
    ],
)
def test_retry_after_forms(headers: dict[str, str], seconds: float | None) -> None:
    assert parse_retry_after(headers) == (pytest.approx(seconds) if seconds is not None else None)


def test_retry_after_as_an_http_date() -> None:
    in_ten = formatdate(time.time() + 10, usegmt=True)
    assert parse_retry_after({"Retry-After": in_ten}) == pytest.approx(10, abs=1.5)
