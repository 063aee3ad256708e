"""Reading a request for the demo model: the subject, the language, earlier work, steering notes.

Everything here is plain string work on what the runtime sends (see ``ModelRequest``); the prompt
layout it understands is the one ``patterns.compose_prompt`` writes ("## Request", "## Work so
far", one "### agent (Role), step N" section per contribution, "## Your turn"), with fallbacks
for messages shaped differently.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from typing import Any

# Language name -> (fence tag, pattern naming it). Order matters: "java" must not match "javascript".
LANGUAGES: dict[str, tuple[str, str]] = {
    "Go": ("go", r"\bgolang\b|\b(?:in|using|with|written in)\s+go\b"),
    "Rust": ("rust", r"\brust\b"),
    "TypeScript": ("typescript", r"\btypescript\b|\bts\b|\bdeno\b"),
    "JavaScript": ("javascript", r"\bjavascript\b|\bnode(?:\.?js)?\b|\bjs\b"),
    "Java": ("java", r"\bjava\b(?!\s*script)|\bspring boot\b"),
    "Python": ("python", r"\bpython\b|\bdjango\b|\bflask\b|\bfastapi\b"),
}
#: Languages the demo is often asked for but has no code templates for (it says so and uses Python).
UNSUPPORTED = {"C#": r"c#|\.net\b|\bcsharp\b", "Ruby": r"\bruby\b|\brails\b", "Kotlin": r"\bkotlin\b",
               "Swift": r"\bswift\b", "C++": r"c\+\+|\bcpp\b", "PHP": r"\bphp\b"}

_POLITE = re.compile(
    r"^(?:(?:please|pls|hey|hi|ok(?:ay)?|so|now|can you|could you|would you|will you|i need(?: you)?(?: to)?|"
    r"i want(?: you)?(?: to)?|we need(?: to)?|we want(?: to)?|help me(?: to)?|let'?s|i'?d like(?: you)?(?: to)?|"
    r"i would like(?: you)?(?: to)?)\b[\s,]*)+",
    re.I,
)
_VERB = re.compile(
    r"^(?:to\s+)?(?:build|write|create|make|implement|design|develop|code(?: up)?|draft|compose|plan|prepare|"
    r"produce|analy[sz]e|compare|research|investigate|summari[sz]e|explain|review|fix|debug|refactor|set up|"
    r"add|generate|put together|come up with|give(?: me| us)?|find|evaluate|assess|outline|propose|"
    r"estimate|forecast|decide(?: on)?|pick|choose|recommend)\b\s*(?:(?:me|us)\b\s*)?",
    re.I,
)
_QUESTION = re.compile(r"^(?:should|can|could|would|will|is|are|do|does)\s+(?:we|i|you|they|it|our|my)\b\s*", re.I)
_HOW = re.compile(r"^how (?:do|can|should) (?:i|we|you)\s+", re.I)
_TAIL = re.compile(r"\s+(?:in|using|with|written in)\s+(?:golang|go|python|rust|typescript|javascript|node(?:\.?js)?|"
                   r"java|ts|js|c#|c\+\+|ruby|kotlin|swift|php)(?!\w).*$", re.I)


@dataclass(frozen=True)
class Subject:
    """What a request is about, in forms the text templates can drop into sentences."""

    request: str  # the request as given, trimmed to one line
    phrase: str  # "a URL shortener in Go" / "whether we should expand to Japan"
    topic: str  # "URL shortener": short noun phrase for titles and identifiers
    language: str  # "Go", "Python", ...: the language code should be written in
    language_named: bool  # the request named a language (otherwise Python is a default)
    unsupported: str | None  # a language the request named that the demo cannot write

    @property
    def title(self) -> str:
        return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in self.topic.split())

    @property
    def fence(self) -> str:
        return LANGUAGES[self.language][0]


def one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def detect_language(text: str) -> tuple[str, bool, str | None]:
    """(language to write, whether the request named it, a named language the demo cannot write)."""
    for name, (_tag, pattern) in LANGUAGES.items():
        # A capitalised "Go" counts anywhere; lower-case "go" only after "in"/"using" (it is an English verb).
        if re.search(pattern, text, re.I) or (name == "Go" and re.search(r"\bGo\b", text)):
            return name, True, None
    for name, pattern in UNSUPPORTED.items():
        if re.search(pattern, text, re.I):
            return "Python", False, name
    return "Python", False, None


def subject_of(request: str) -> Subject:
    line = one_line(request.strip().splitlines()[0] if request.strip() else "", 200)
    language, named, unsupported = detect_language(request)
    first = re.split(r"(?<=[.!?])\s|;|\s+-\s+", line, maxsplit=1)[0].rstrip(".!?: ")
    core = _POLITE.sub("", first)
    if _HOW.match(core):
        core = _HOW.sub("", core)
        phrase = "how to " + core
    elif _QUESTION.match(core):
        phrase = "whether " + ("we should " if re.match(r"(?i)should we", core) else "") + _QUESTION.sub("", core)
        core = _QUESTION.sub("", core)
    else:
        core = _VERB.sub("", core)
        phrase = core
    topic = _TAIL.sub("", core)
    topic = re.sub(r"^(?:a|an|the|some|our|my|your)\s+", "", topic, flags=re.I)
    topic = re.split(r"\s+(?:that|which|so that|where|because)\s+|,", topic, maxsplit=1)[0]
    words = topic.split()[:7]
    topic = " ".join(words).strip(" .,:;\"'") or "the request"
    phrase = phrase.strip(" .,:;") or topic
    return Subject(line or "the request", one_line(phrase, 90), topic, language, named, unsupported)


# --- deterministic choices ---------------------------------------------------------------------


def digest(*parts: Any) -> int:
    """A stable hash (unlike ``hash()``, the same in every process)."""
    data = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


def rng_for(*parts: Any) -> random.Random:
    return random.Random(digest(*parts))


# --- reading the messages -----------------------------------------------------------------------

_SECTION = re.compile(r"^### (?P<agent>[A-Za-z][\w-]*) \((?P<role>[^)\n]*)\), step (?P<step>\S+)[ \t]*$", re.M)


@dataclass(frozen=True)
class Contribution:
    agent: str
    role: str
    step: str
    text: str


def system_text(messages: list[dict[str, Any]]) -> str:
    return "\n\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "system")


def user_text(messages: list[dict[str, Any]]) -> str:
    return "\n\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")


def contributions(messages: list[dict[str, Any]]) -> list[Contribution]:
    """Earlier agents' work found in the user messages, oldest first."""
    text = user_text(messages)
    found: list[Contribution] = []
    marks = list(_SECTION.finditer(text))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[mark.end():end]
        body = re.split(r"^## (?:Your turn|Request)\b", body, maxsplit=1, flags=re.M)[0].strip()
        found.append(Contribution(mark["agent"], mark["role"], mark["step"], body))
    return found


def your_turn(messages: list[dict[str, Any]]) -> str:
    """The task for this turn (a supervisor task, a step instruction), or ""."""
    found = re.search(r"^## Your turn\s*\n(.+)", user_text(messages), re.S | re.M)
    task = found.group(1).strip() if found else ""
    return "" if task.startswith("Do your part for this request") else task


def steering(messages: list[dict[str, Any]]) -> str:
    """A redirect or a note from the person running the team, so the demo can visibly follow it."""
    text = system_text(messages)
    found = re.search(r"redirected this step\. Follow this instruction:\s*\n?(.+)", text, re.I)
    if not found:
        found = re.search(r"note from the person running this team:\s*(.+)", text, re.I)
    return one_line(found.group(1), 140) if found else ""


def first_sentence(text: str, limit: int = 140) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#>*-0123456789. ").strip()
        if len(line) > 12 and not line.startswith("```"):
            return one_line(re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0], limit)
    return ""


def list_items(text: str) -> list[str]:
    """Numbered or bulleted lines ("1. ...", "- ...") as plain strings."""
    return [m.group(1).strip() for m in re.finditer(r"^\s*(?:\d+[.)]|[-*])\s+(.+)$", text, re.M)]


def has_any(text: str, *words: str) -> bool:
    return any(re.search(rf"\b{w}", text, re.I) for w in words)
