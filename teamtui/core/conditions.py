"""Evaluating a team file's ``Condition`` (loop stop tests, conditional handoffs)."""

from __future__ import annotations

import re
from typing import Mapping

from .team import Condition


def holds(condition: Condition, text: str, memory: Mapping[str, str]) -> bool:
    """True when every test the condition names holds for ``text`` and ``memory``."""
    flags = re.IGNORECASE if condition.ignore_case else 0
    subject = text.lower() if condition.ignore_case else text

    def has(needle: str) -> bool:
        return (needle.lower() if condition.ignore_case else needle) in subject

    if condition.contains is not None and not has(condition.contains):
        return False
    if condition.not_contains is not None and has(condition.not_contains):
        return False
    if condition.regex is not None and not re.search(condition.regex, text, flags):
        return False
    if condition.memory:
        for key, expected in condition.memory.items():
            if memory.get(key) != expected:
                return False
    return True
