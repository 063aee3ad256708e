"""The software roles of the demo: product manager (spec), developer (code), QA / reviewer.

They read each other's work from the prompt: QA checks the spec's numbered acceptance criteria,
the developer's revision answers the defects in the latest review, and QA approves on round 2 or
3 (by a hash of the request, so different requests differ; always by the last round).
"""

from __future__ import annotations

import re

from .demo_code import code_kind, defects, domain_for, fix_for, minor_defects, write_code
from .demo_text import Ask, Subject, digest, list_items, one_line

SOFTWARE = re.compile(
    r"\b(?:app|api|service|server|tool|cli|website|site|bot|script|library|program|backend|database|"
    r"shortener|code|software|system|plugin|extension|game|dashboard|tracker|cache|queue|endpoint|crud)s?\b",
    re.I,
)
APPROVED = "APPROVED"


def is_software(ask: Ask) -> bool:
    return ask.subject.language_named or bool(SOFTWARE.search(ask.subject.request))


_TESTS = {"Go": "go test ./...", "Python": "python -m pytest", "Rust": "cargo test",
          "TypeScript": "npx tsx --test", "JavaScript": "node --test", "Java": "mvn test"}


def _commands(ask: Ask) -> tuple[str, str]:
    """How to run the program and its tests, as the code's header comment says."""
    kind = code_kind(ask.subject)
    if kind == "migration":
        return "python migrate.py app.db postgresql://localhost/app", ""
    run = {
        "Go": "go run .", "Python": "python app.py", "Rust": "cargo run", "TypeScript": "npx tsx server.ts",
        "JavaScript": "node server.mjs", "Java": f"java {domain_for(ask.subject).entity}Service.java",
    }[ask.subject.language]
    return ("" if kind != "service" else run), _TESTS[ask.subject.language]


# --- product manager ---------------------------------------------------------------------------


def spec(ask: Ask) -> str:
    s = ask.subject
    if not is_software(ask):
        return _with_note(_product_spec(ask), ask)
    if code_kind(s) != "service":
        return _with_note(_function_spec(ask), ask)
    d = domain_for(s)
    run, test = _commands(ask)
    user = ask.pick(["a developer who wants it running in a minute", "a small team using it daily",
                     "an operator who has to keep it up"])
    if s.language == "Rust":
        interface = [f"- `{d.plural} <{d.value}>...` stores each {d.value} and prints `<{d.key}> -> <{d.value}>`",
                     f"- Library API: `Store::add({d.value})` and `Store::get({d.key})`; no arguments prints usage"]
    else:
        interface = [f'- `POST /{d.plural}` with `{{"{d.value}": "..."}}` → `201` and the new {d.entity.lower()}',
                     f"- `GET /{d.plural}/{{{d.key}}}` → `200` with the {d.entity.lower()}, `404` if unknown"]
    lines = [
        f"# Spec: {s.title}",
        "",
        f"Goal: {s.phrase}, small enough to read in one sitting and correct under load.",
        f"Primary user: {user}.",
        f"Scope: create and fetch {d.plural}; out of scope: accounts, persistence, a web UI.",
        "",
        "## Interface",
        *interface,
        "",
        "## Acceptance criteria",
        f"1. Creating a {d.entity.lower()} with {d.value_desc} succeeds and returns a {d.key} no other "
        f"{d.entity.lower()} has.",
        f"2. Fetching by that {d.key} returns exactly the stored {d.value}.",
        f"3. An unknown {d.key} is reported as not found (404), never as an empty success.",
        f"4. Invalid input (not {d.value_desc}, or malformed JSON) is rejected (400) and stores nothing.",
        f"5. Concurrent use is safe: no lost writes and no duplicate {d.key}s.",
        f"6. Automated tests cover criteria 1-4 and run with `{test}`.",
        f"7. It starts with one command (`{run}`) using only the {s.language} standard library.",
    ]
    spec_text = _with_note("\n".join(lines), ask)
    if s.unsupported:
        spec_text += f"\n\nNote: the offline demo cannot write {s.unsupported}; the spec assumes {s.language}."
    return spec_text


def _with_note(spec_text: str, ask: Ask) -> str:
    """A redirect or note becomes one more acceptance criterion, so QA checks it like the rest."""
    if not ask.note:
        return spec_text
    numbered = len(re.findall(r"(?m)^\d+\. ", spec_text))
    note = ask.note.rstrip(".")
    return f"{spec_text}\n{numbered + 1}. {note[:1].upper()}{note[1:]} (added on your instruction)."


def _function_spec(ask: Ask) -> str:
    s = ask.subject
    run, test = _commands(ask)
    lines = [
        f"# Spec: {s.title}", "",
        f"Goal: {s.phrase}, correct on every input a caller can pass, with tests that prove it.",
        f"Language: {s.language}, standard library only{' (plus the PostgreSQL driver)' if run else ''}.", "",
        "## Acceptance criteria",
        "1. It gives the right result on the typical examples from the request.",
        "2. Edge cases behave sensibly: empty input, a single element, the largest supported input.",
        "3. Invalid input fails loudly with a clear error instead of returning a wrong answer.",
        f"4. Automated tests cover criteria 1-3 and run with `{test}`.",
        "5. The public function has a one-line doc comment saying what it returns.",
    ]
    return "\n".join(lines)


def _product_spec(ask: Ask) -> str:
    s = ask.subject
    audience = ask.pick(["first-time readers", "busy decision makers", "the team that will act on it"])
    return "\n".join([
        f"# Brief: {s.title}",
        "",
        f"Goal: deliver {s.phrase} that {audience} can use without a follow-up meeting.",
        f"Audience: {audience}. Tone: plain, specific, no filler.",
        "",
        "## Acceptance criteria",
        f"1. The first paragraph states the main point about {s.topic} in two sentences or fewer.",
        "2. Every claim that matters comes with a reason or an example.",
        "3. Trade-offs and open risks are named, not hidden.",
        "4. It ends with concrete next steps, each with an owner or a date.",
        "5. It fits on one page; anything longer moves to an appendix.",
    ])


# --- developer ---------------------------------------------------------------------------------


def _review_defects(ask: Ask) -> list[str]:
    """Defect lines of the latest review that did not approve, or []."""
    review = ask.latest(r"\bqa\b|quality|review|test")
    if review is None or review.text.lstrip().startswith(APPROVED):
        return []
    part = re.split(r"(?im)^\s*defects?\b.*$", review.text, maxsplit=1)
    return list_items(part[1] if len(part) > 1 else review.text)[:5]


def develop(ask: Ask) -> str:
    s = ask.subject
    found = _review_defects(ask)
    # Outside a review loop there is no second chance, so the first version is the complete one.
    revised = bool(found) or ask.round > 1 or "round" not in ask.hints
    run, test = _commands(ask)
    parts = []
    if s.unsupported:
        parts.append(f"(The offline demo writes Go, Python, Rust, TypeScript, JavaScript and Java, so this is "
                     f"{s.language} rather than {s.unsupported}.)\n")
    if ask.note:
        parts.append(f"Following your instruction: {ask.note}\n")
    if found:
        parts.append(f"Revision {ask.round}: every point from the review is addressed.\n")
        parts += [f"{i}. {one_line(d, 90)}\n   → {fix_for(d)}" for i, d in enumerate(found, 1)]
        parts.append("")
    elif ask.round > 1:
        parts.append(f"Revision {ask.round}: validation, the missing tests and the robustness fix are in.\n")
    else:
        parts.append(_intro(ask))
    parts.append(write_code(s, revised=revised))
    if run and test:
        parts.append(f"\nRun it with `{run}`; the tests run with `{test}`.")
    elif test:
        parts.append(f"\nRun the tests with `{test}`.")
    else:
        parts.append(f"\nRun it with `{run}`, on a copy of the data first.")
    if not revised and code_kind(s) == "service":
        parts.append(ask.pick([
            "Next I would add persistence behind the same Store interface.",
            "The store is in memory on purpose: the spec leaves persistence out of scope.",
        ]))
    return "\n".join(parts)


def _intro(ask: Ask) -> str:
    s, kind = ask.subject, code_kind(ask.subject)
    task = ""
    if ask.task:
        task = " (with the tests you asked for)" if re.search(r"\btests?\b", ask.task, re.I) else ""
    if kind == "migration":
        return (f"Here is the migration script{task}. It copies every table from SQLite to PostgreSQL, creating "
                "tables with mapped column types and copying rows in batches, one transaction per table.\n")
    if kind != "service":
        return f"Here is {s.phrase}{task}, with tests. It handles the edge cases the obvious version misses.\n"
    shell = "command line" if s.language == "Rust" else "HTTP handlers"
    return f"Here is {s.phrase}{task}: an in-memory store, the {shell} and tests.\n"


# --- QA and reviewers ---------------------------------------------------------------------------

_GROUPS = [r"invalid|valid|reject|400", r"test", r"concurren|duplicate|race"]


def _criteria(ask: Ask) -> list[str]:
    spec_text = ask.latest(r"product|\bpm\b|spec|owner")
    if spec_text is None:
        return []
    part = re.split(r"(?im)^.*acceptance criteria.*$", spec_text.text, maxsplit=1)
    return list_items(part[-1])[:8]


def _defect_count(subject: Subject) -> int:
    """How many defects the first review finds: 2 or 3, depending on the request."""
    return 2 + digest(subject.request, "defects") % 2


def approve_round(ask: Ask) -> int:
    """2 or 3, chosen by the request; never after the last round."""
    return min(2 + digest(ask.subject.request, "approve") % 2, ask.max_rounds)


def qa_review(ask: Ask) -> str:
    if "round" not in ask.hints:
        return review(ask)
    s, r = ask.subject, ask.round
    criteria = _criteria(ask)
    if r >= approve_round(ask) or r >= ask.max_rounds:
        met = f"all {len(criteria)} acceptance criteria" if criteria else "every acceptance criterion"
        fixed = list(dict.fromkeys(fix_for(d) for d in defects(s)[: _defect_count(s)])) if r > 1 else []
        # Blank lines between the parts: Markdown runs lines of one paragraph together.
        return "\n".join([
            APPROVED, "",
            f"Revision {r} of {s.phrase} meets {met}.", "",
            *[f"- Fixed since the first review: {f}." for f in fixed], *([""] if fixed else []),
            ask.pick(["Ship it.", "Good to merge."]),
        ])
    if r == 1:
        found = defects(s)[: _defect_count(s)]
        header = f"Review of revision 1 against the spec ({s.language}, round 1 of {ask.max_rounds})."
    else:
        found = minor_defects(s)
        header = f"Re-review of revision {r}: the first round's defects are fixed; two smaller issues remain."
    lines = [header, ""]
    if criteria:
        lines.append("Acceptance criteria:")
        for i, crit in enumerate(criteria, 1):
            failing = any(re.search(g, crit, re.I) and re.search(g, " ".join(found), re.I) for g in _GROUPS)
            lines.append(f"- AC{i} {one_line(crit, 60)}: {'NOT MET' if failing and r == 1 else 'met'}")
        lines.append("")
    lines.append("Defects:")
    lines += [f"{i}. {d}" for i, d in enumerate(found, 1)]
    lines += ["", "Please fix these and send the next revision."]
    return "\n".join(lines)


def review(ask: Ask) -> str:
    """A one-off review (no loop): of code when there is code, else of the work so far."""
    s = ask.subject
    has_code = any("```" in c.text for c in ask.work)
    target = ask.latest(r"develop|coder|engineer|program") if has_code else (ask.work[-1] if ask.work else None)
    who = f"{target.agent}'s work" if target else f"the work on {s.phrase}"
    if has_code:
        # Code written outside a review loop is the complete version: only the smaller points remain.
        found = defects(s) if code_kind(s) == "migration" else minor_defects(s)
        points = [f"{i}. {d}" for i, d in enumerate(found, 1)]
        verdict = "Verdict: good structure and readable code; merge once the points above are fixed."
    else:
        points = [
            f"1. The main claim about {s.topic} is clear, but the supporting evidence is thin in places.",
            "2. " + ask.pick(["Two recommendations overlap; merge them.", "The risks section lists risks "
                              "without saying how likely each is."]),
            "3. The next steps need owners and dates to be actionable.",
        ]
        verdict = "Verdict: solid draft; with these three edits it is ready to share."
    return "\n".join([f"Review of {who} ({s.topic})", "", "Strengths:",
                      "- " + ask.pick(["Clear structure; easy to follow.", "Scope is tight and well chosen."]),
                      "- " + ask.pick(["The key trade-off is stated up front.", "Naming is consistent throughout."]),
                      "", "Issues:", *points, "", verdict])

