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
from typing import Any

import msgspec

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
    r"estimate|forecast|decide(?: on)?|pick|choose|recommend|adds|fixes|implements|introduces|updates|"
    r"removes|refactors|changes)\b\s*(?:(?:me|us)\b\s*)?",
    re.I,
)
_QUESTION = re.compile(
    r"^(?:should|can|could|would|will|is|are|do|does)\s+(?P<who>we|i|you|they|it|"
    r"(?:a|an|the|this|our|my|your)\s+[\w-]+(?:\s+[\w-]+)?(?=\s+(?:move|switch|use|adopt|hire|buy|build|"
    r"stop|start|go|migrate|invest|expand|keep|drop|raise|launch|rewrite|replace|open|close|join|leave|"
    r"change|try)\b))\s+",
    re.I,
)
_LABEL = re.compile(r"^[^:]{2,60}:\s+(?=(?:\S+\s+){3})")  # "Pushed commit a1b2 to main: adds ..." -> "adds ..."
_HOW = re.compile(r"^how (?:do|can|should) (?:i|we|you)\s+", re.I)
_TAIL = re.compile(r"\s+(?:in|using|with|written in)\s+(?:golang|go|python|rust|typescript|javascript|node(?:\.?js)?|"
                   r"java|ts|js|c#|c\+\+|ruby|kotlin|swift|php)(?!\w).*$", re.I)


class Subject(msgspec.Struct, frozen=True):
    """What a request is about, in forms the text templates can drop into sentences."""

    request: str  # the request as given, trimmed to one line
    phrase: str  # "a URL shortener in Go" / "whether we should expand to Japan"
    topic: str  # "URL shortener": short noun phrase for titles and identifiers
    language: str  # "Go", "Python", ...: the language code should be written in
    language_named: bool  # the request named a language (otherwise Python is a default)
    unsupported: str | None  # a language the request named that the demo cannot write
    question: bool = False  # "Should we ...?": topic is then a gerund phrase ("moving to Go")
    goals: tuple[str, ...] = ()  # "compare X and write Y": each clause, when there are several

    @property
    def title(self) -> str:
        small = {"a", "an", "the", "to", "for", "of", "in", "on", "and", "or", "with", "that", "our", "my"}
        words = self.topic.split()
        return " ".join(w if w.isupper() or (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # terminal escapes and other controls


def one_line(text: str, limit: int = 160) -> str:
    """``text`` on one line, without control characters, cut to ``limit``."""
    text = " ".join(_CONTROL.sub("", text).split())
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


_CLAUSE = re.compile(r"\s+and (?:then )?(?=(?:write|build|create|make|draft|implement|add|design|produce|give|"
                     r"propose|recommend|suggest|explain|summari[sz]e)\b)", re.I)
_GENERIC_HEAD = re.compile(r"\b(?:function|script|program|tool|app|cli|service|class|method|bot|query|command)$", re.I)
_SMALL_TAIL = re.compile(r"(?:\s+(?:to|a|an|the|from|of|for|and|in|with|on|its|our|my))+$", re.I)
_LANG_WORD = re.compile(r"\b(?:golang|go|python|rust|typescript|javascript|node(?:\.?js)?|java)\s+", re.I)


def subject_of(request: str) -> Subject:
    line = one_line(request.strip().splitlines()[0] if request.strip() else "", 200)
    language, named, unsupported = detect_language(request)
    first = re.split(r"(?<=[.!?])\s|;|\s+-\s+", line, maxsplit=1)[0].rstrip(".!?: ")
    first = re.sub(r"\s*\([^)]*\)$", "", first)  # a trailing "(Python, Flask)"
    core = _POLITE.sub("", first)
    if not _QUESTION.match(core) and re.match(r"(?i)pushed|commit|merged|deploy|alert|ticket|re:", core):
        core = _LABEL.sub("", core)
    goals = tuple(g.strip() for g in _CLAUSE.split(core) if g.strip())
    core = goals[0] if goals else core
    question = bool(_QUESTION.match(core))
    if _HOW.match(core):
        core = _HOW.sub("", core)
        phrase = "how to " + core
    elif question:
        found = _QUESTION.match(core)
        aux, who, rest = core.split()[0].lower(), found.group("who"), core[found.end():]
        phrase = f"whether {who} {aux} {rest}"
        core = _gerund(rest) if aux not in ("is", "are") else rest
    else:
        core = _VERB.sub("", core)
        phrase = core
    topic = _TAIL.sub("", core)
    topic = re.sub(r"^(?:a|an|the|some|our|my|your)\s+", "", topic, flags=re.I)
    topic = _LANG_WORD.sub("", topic.split(",")[0], count=1) if not question else topic.split(",")[0]
    head, *rest = re.split(r"\s+(?:that|which|so that|where|because)\s+", topic, maxsplit=1)
    if rest and not _GENERIC_HEAD.search(head) and len(re.findall(r"\w{4,}", head)) > 1:
        topic = head  # "URL shortener that ..." -> "URL shortener"; keep "CLI that tracks expenses"
    topic = _SMALL_TAIL.sub("", " ".join(topic.split()[:9])).strip(" .,:;\"'") or "the request"
    phrase = phrase.strip(" .,:;") or topic
    return Subject(line or "the request", one_line(phrase, 90), topic, language, named, unsupported, question,
                   goals if len(goals) > 1 else ())


def _gerund(clause: str) -> str:
    """"move our monolith" -> "moving our monolith", so a question reads as a noun phrase."""
    verb, _, rest = clause.partition(" ")
    low = verb.lower()
    if low in ("be", "have", "do", "go") or not low.isalpha() or low.endswith("ing"):
        return clause
    if low.endswith("ie"):
        low = low[:-2] + "y"
    elif low.endswith("e") and not low.endswith(("ee", "ye", "oe")):
        low = low[:-1]
    elif re.fullmatch(r"[^aeiou]*[aeiou][bdgmnpt]", low):  # stop -> stopping, plan -> planning
        low += low[-1]
    return f"{low}ing {rest}".strip()


# --- deterministic choices ---------------------------------------------------------------------


def digest(*parts: Any) -> int:
    """A stable hash (unlike ``hash()``, the same in every process)."""
    data = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


def rng_for(*parts: Any) -> random.Random:
    return random.Random(digest(*parts))


# --- reading the messages -----------------------------------------------------------------------

_SECTION = re.compile(r"^### (?P<agent>[A-Za-z][\w-]*) \((?P<role>[^)\n]*)\), step (?P<step>\S+)[ \t]*$", re.M)


class Contribution(msgspec.Struct, frozen=True):
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


# --- one request, read once --------------------------------------------------------------------


class Ask(msgspec.Struct, frozen=True):
    """What the text writers need to know about one model call."""

    agent: str
    role: str
    subject: Subject
    rng: random.Random
    work: list[Contribution]  # earlier agents' contributions, oldest first
    task: str  # this turn's task ("" when the role says it all)
    note: str  # a redirect or note from the person running the team
    instructions: str  # the agent's system prompt
    hints: dict[str, Any]
    tool_result: str = ""  # the result this call answers, when the last message is a tool result

    @property
    def round(self) -> int:
        return int(self.hints.get("round") or 1)

    @property
    def max_rounds(self) -> int:
        return int(self.hints.get("max_rounds") or 1)

    def latest(self, pattern: str) -> Contribution | None:
        """The newest contribution whose role or agent name matches ``pattern``."""
        for c in reversed(self.work):
            if re.search(pattern, f"{c.role} {c.agent}", re.I):
                return c
        return None

    def pick(self, options: list[str] | tuple[str, ...]) -> str:
        return options[self.rng.randrange(len(options))]
