"""The key a finished model call is found again by (resume, a restart after a redirect): a hash of
the step and of exactly what was sent. Journals keep these keys, so they must not drift."""

from __future__ import annotations

import hashlib
import json

from teamtui.core.agent import call_key
from teamtui.core.models.base import ToolSpec


def reference(step, messages, tools, schema) -> str:
    payload = json.dumps([step, messages, [t.name for t in tools], schema], sort_keys=True, default=str)
    return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


CASES = [
    ("1", [{"role": "system", "content": "You are A."}, {"role": "user", "content": "hi"}], [], None),
    ("2.r1.1", [{"role": "user", "content": "ünïcødé \u2014 \"quotes\" \\ back\nslash \x01 \ud83d\ude00"}],
     [ToolSpec("memory_read", "read"), ToolSpec("files_write", "write")], {"type": "object", "b": 1.5, "a": [None, True]}),
    ("1.t.x", [{"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "t", "arguments": "{\"k\": 1}"}}]},
               {"role": "tool", "tool_call_id": "c1", "content": "ok", "extra": object}], [], {"nan": float("inf")}),
]


def test_the_key_is_the_blake2b_of_the_sorted_json_of_what_was_sent() -> None:
    for step, messages, tools, schema in CASES:
        assert call_key(step, messages, tools, schema) == reference(step, messages, tools, schema)


def test_the_key_changes_with_the_step_and_with_every_message() -> None:
    step, messages, tools, schema = CASES[0]
    keys = {call_key(step, messages, tools, schema), call_key("9", messages, tools, schema),
            call_key(step, messages[:1], tools, schema), call_key(step, messages, CASES[1][2], schema),
            call_key(step, messages, tools, {"type": "object"})}
    assert len(keys) == 5
