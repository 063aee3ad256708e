"""Constrained output for a small local model: grammars, tightened schemas, decision prompts.

A 135M-parameter model rarely produces valid JSON or picks one of a list of names on its own.
Where the app needs structure, llama.cpp is given a grammar so that every token it samples keeps
the output valid; these helpers build those grammars and the short prompts that go with them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .base import ToolSpec

#: Caps added to schemas the model must fill, so a rambling small model still closes its JSON
#: within the token limit (a plan of at most 6 tasks, strings of at most 240 characters).
MAX_ITEMS = 6
MAX_STRING = 240

ANSWER = "answer"
MYSELF = "myself"
CHANGES = "CHANGES"
#: What a reviewer's notes say instead of the approval word when the verdict is CHANGES, so a
#: loop's ``until: {contains: APPROVED}`` is decided by the verdict and not by a stray word.
WITHHELD = "signed off"

#: A capitalised word shortly after "reply", "respond", ... in the instructions: the word a
#: reviewer is asked to give ("reply with the single word APPROVED"). Format names do not count.
_VERDICT_WORD = re.compile(
    r"\b(?i:reply|respond|answer|say|write|output|start|begin)\b[^.\n]{0,40}?\b([A-Z][A-Z_]{3,})\b"
)
_NOT_VERDICTS = {"JSON", "YAML", "HTML", "TODO", "TOML", "MARKDOWN"}


def tightened_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` that llama.cpp's grammar can close in bounded tokens.

    Every declared property becomes required (still valid for the original schema), objects
    take no extra keys, and arrays and free strings get upper bounds unless they have their own.
    """
    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v) for k, v in node.items()}
        kind = out.get("type")
        if kind == "object" and isinstance(out.get("properties"), dict) and out["properties"]:
            out["required"] = list(out["properties"])
            out.setdefault("additionalProperties", False)
        elif kind == "array":
            out.setdefault("maxItems", MAX_ITEMS)
        elif kind == "string" and not {"enum", "const", "pattern", "format"} & out.keys():
            out.setdefault("maxLength", MAX_STRING)
        return out

    return walk(copy.deepcopy(schema))


def is_plan_schema(schema: dict[str, Any]) -> bool:
    """True for a supervisor plan schema: ``tasks`` items with id, worker, task and depends_on."""
    items = schema.get("properties", {}).get("tasks", {}).get("items", {})
    return {"id", "worker", "task", "depends_on"} <= set(items.get("properties", {}))


def plan_grammar_schema(schema: dict[str, Any], max_tasks: int = 4) -> dict[str, Any]:
    """A plan schema whose every instance is a valid plan, for a model too small to keep one.

    Task k has the id ``t<k>`` and may depend only on earlier tasks, so ids are unique, every
    dependency exists and there is no cycle; the worker keeps the original schema (an enum of
    the team's workers). Plans have 1 to ``max_tasks`` tasks.
    """
    item = schema["properties"]["tasks"]["items"]["properties"]
    worker = tightened_schema(item["worker"])
    text = {"type": "string", "minLength": 8, "maxLength": MAX_STRING}

    def task(k: int) -> dict[str, Any]:
        earlier = [f"t{i}" for i in range(1, k)]
        deps: dict[str, Any] = {"const": []}
        if earlier:
            deps = {"type": "array", "items": {"enum": earlier}, "maxItems": len(earlier)}
        return {
            "type": "object",
            "properties": {"id": {"const": f"t{k}"}, "worker": worker, "task": text, "depends_on": deps},
            "required": ["id", "worker", "task", "depends_on"],
            "additionalProperties": False,
        }

    plans = [{"type": "array", "prefixItems": [task(k) for k in range(1, n + 1)], "items": False}
             for n in range(1, max_tasks + 1)]
    return {
        "type": "object",
        "properties": {"tasks": {"anyOf": plans}},
        "required": ["tasks"],
        "additionalProperties": False,
    }


def gbnf_literal(text: str) -> str:
    """``text`` as a GBNF string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def choice_grammar(options: list[str]) -> str:
    """A grammar whose only sentences are the given options, verbatim."""
    return "root ::= " + " | ".join(gbnf_literal(o) for o in options) + "\n"


def verdict_word(messages: list[dict[str, Any]]) -> str | None:
    """The approval word the agent's instructions ask for ("Reply APPROVED or ..."), if any."""
    for message in messages:
        if message.get("role") == "system":
            text = str(message.get("content") or "")
            for found in _VERDICT_WORD.finditer(text):
                if found.group(1) not in _NOT_VERDICTS:
                    return found.group(1)
            return None
    return None


def handoff_prompt(targets: list[str], tools: list[ToolSpec]) -> str:
    lines = ["Who should handle this request? Options:"]
    lines += [f"- {target}: {tool.description}" for target, tool in zip(targets, tools)]
    lines += [f"- {MYSELF}: I answer it myself", "Reply with one option name only."]
    return "\n".join(lines)


def tool_choice_prompt(tools: list[ToolSpec]) -> str:
    lines = ["Decide what to do next. Options:", f"- {ANSWER}: reply to the request yourself"]
    lines += [f"- {t.name}: {t.description}" for t in tools]
    lines.append("Reply with the option name only.")
    return "\n".join(lines)


def tool_args_prompt(tool: ToolSpec) -> str:
    return f"Give the arguments for {tool.name} ({tool.description}) as a JSON object."


def has_arguments(tool: ToolSpec) -> bool:
    return bool((tool.parameters or {}).get("properties"))


def verdict_prompt(word: str) -> str:
    return (
        f"Decide: reply {word} if the work meets the requirements, "
        f"or {CHANGES} if it needs changes. Reply with one word."
    )


def notes_prompt(word: str, verdict: str) -> str:
    if verdict == word:
        return "You approve the work. In one or two sentences, say why."
    return "You ask for changes. List the defects to fix, briefly."


def category_prompt(categories: list[str]) -> str:
    return "Classify the request. Reply with exactly one of: " + ", ".join(categories) + "."


class WordMask:
    """Replaces ``word`` (any case) in streamed text, even when split across chunks."""

    def __init__(self, word: str, replacement: str) -> None:
        self._pattern = re.compile(re.escape(word), re.IGNORECASE)
        self._hold = len(word) - 1
        self._replacement = replacement
        self._pending = ""

    def feed(self, text: str) -> str:
        self._pending = self._pattern.sub(self._replacement, self._pending + text)
        cut = max(0, len(self._pending) - self._hold)
        out, self._pending = self._pending[:cut], self._pending[cut:]
        return out

    def flush(self) -> str:
        out, self._pending = self._pending, ""
        return out
