"""Turn pydantic's validation errors into short sentences about the team file."""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from teamtui.core import team as schema

_EXPECTED = {
    "int_parsing": "an integer", "int_type": "an integer", "int_from_float": "a whole number",
    "float_parsing": "a number", "float_type": "a number", "finite_number": "a finite number",
    "string_type": "text", "bool_type": "true or false", "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value lines)", "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list", "tuple_type": "a list",
}

_BOUNDS = {
    "greater_than": "more than {gt}", "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}", "less_than_equal": "at most {le}",
}


def pick(errors: list[ErrorDetails]) -> ErrorDetails:
    """The error to report. A missing field usually comes with its misspelt twin ('rol' for
    'role'); the unknown key is the more useful of the two, so missing fields go last."""
    return sorted(errors, key=lambda e: e["type"] == "missing")[0]


def untagged(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """``loc`` without the union tags pydantic inserts after each flow step.

    ``('flow', 'loop', 'loop', 'max_iterations')`` -> ``('flow', 'loop', 'max_iterations')``.
    A tag can equal a real key (``agent`` is both the tag and the field of an agent step), so
    tags are dropped by position: flow steps sit at the top-level ``flow``, at ``flows.<name>``,
    and at each index of a ``sequence`` or ``branches`` list.
    """
    out: list[str | int] = []
    at_flow_step = False
    for item in loc:
        if at_flow_step and item in schema.FLOW_KEYS:
            at_flow_step = False
            continue
        out.append(item)
        at_flow_step = (
            out == ["flow"]
            or (len(out) == 2 and out[0] == "flows")
            or (isinstance(item, int) and len(out) >= 2 and out[-2] in ("sequence", "branches"))
        )
    return tuple(out)


def describe(error: ErrorDetails) -> str:
    """One human sentence for one pydantic error (without the location)."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return f"missing required field {error['loc'][-1]!r}"
    if kind == "extra_forbidden":
        return f"unknown key {error['loc'][-1]!r}{_did_you_mean(str(error['loc'][-1]), field_names())}"
    if kind == "flow_kind":
        return _flow_kind(value)
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        if kind == "string_type" and isinstance(value, (bool, int, float)):
            return f"expected text, got {_show(value)} (put it in quotes to keep it as text)"
        return f"expected {expected}, got {_show(value)}"
    if kind in _BOUNDS:
        bounds = {k: f"{v:g}" if isinstance(v, float) else v for k, v in ctx.items()}  # 0, not 0.0
        return f"must be {_BOUNDS[kind].format(**bounds)}, got {_show(value)}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} {'entry' if n == 1 else 'entries'}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, got {_show(value)}"
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"].removeprefix("Value error, "))
    return error["msg"]


def _flow_kind(value: Any) -> str:
    kinds = ", ".join(schema.FLOW_KEYS)
    if isinstance(value, str):
        return f"a flow step needs one of: {kinds}; got the text {_show(value)} (for one agent write 'agent: {value}')"
    if isinstance(value, dict) and value:
        first = str(next(iter(value)))
        return f"a flow step needs one of: {kinds}; got {first!r}{_did_you_mean(first, schema.FLOW_KEYS)}"
    return f"a flow step needs one of: {kinds}; got {_show(value)}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


@cache
def field_names() -> frozenset[str]:
    """Every key the schema knows, for spelling suggestions."""
    names: set[str] = set()
    for obj in vars(schema).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == schema.__name__:
            names.update(obj.model_fields)
    return frozenset(names)
