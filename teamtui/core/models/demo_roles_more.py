"""The knowledge roles of the demo: researcher, writer, analyst and the analysis panel
(optimist, skeptic, quant). Figures they give are illustrative and say so: the demo knows nothing.
"""

from __future__ import annotations

import re

from .demo_roles import is_software
from .demo_text import Ask, first_sentence, one_line


def _focus(ask: Ask) -> list[str]:
    """The turn's task (a supervisor task, an event) as a line of its own, if there is one."""
    return [f"Task: {one_line(ask.task, 140)}"] if ask.task else []


# Well-known traits, by criterion, for comparisons the built-in examples ask about.
_CRITERIA = ("setup", "concurrent writes", "scale", "operations", "best fit")
_TRAITS = {
    "sqlite": ("a library and one file; nothing to run", "one writer at a time (WAL lets readers continue)",
               "comfortable up to a few GB and modest write rates", "backups are file copies; no users, no network",
               "prototypes, single-server sites, local tools"),
    "postgresql": ("a server to install, configure and secure", "many concurrent writers (MVCC, row locks)",
                   "large datasets; replication built in", "backups, upgrades, monitoring, connection pooling",
                   "multi-user web apps, growing data, strict integrity"),
    "mysql": ("a server to install, configure and secure", "many concurrent writers (InnoDB row locks)",
              "large datasets; mature replication", "backups, upgrades, monitoring",
              "web apps, especially where hosting already offers it"),
    "redis": ("a server holding data in memory", "very fast; commands run one at a time",
              "bounded by memory", "persistence settings need care", "caches, queues, rate limits"),
    "mongodb": ("a server or a managed service", "concurrent writers, document-level locking",
                "horizontal scaling by sharding", "like any server: backups, upgrades, monitoring",
                "document-shaped data whose shape changes often"),
}
_ALIASES = {"postgres": "postgresql", "pg": "postgresql", "mongo": "mongodb"}
_PAIR = re.compile(r"\b(?:compare\s+)?([\w.+#-]+)\s+(?:and|vs\.?|versus|with|or)\s+([\w.+#-]+)", re.I)


def _comparison(ask: Ask) -> str | None:
    """A comparison table when the request compares two named things the demo knows about."""
    found = _PAIR.search(ask.subject.request) if re.search(r"compar|\bvs\b|versus", ask.subject.request, re.I) else None
    if not found:
        return None
    names = [found.group(1), found.group(2)]
    keys = [_ALIASES.get(n.lower(), n.lower()) for n in names]
    if not all(k in _TRAITS for k in keys):
        return None
    rows = [f"| {c} | {_TRAITS[keys[0]][i]} | {_TRAITS[keys[1]][i]} |" for i, c in enumerate(_CRITERIA)]
    return "\n".join([
        f"Comparison: {names[0]} vs {names[1]}", *_focus(ask), "",
        f"| | {names[0]} | {names[1]} |", "|---|---|---|", *rows, "",
        f"Trade-off: {names[0]} is simpler to run; {names[1]} handles {_TRAITS[keys[1]][1].split(' (')[0]}.",
        f"Recommendation: choose {names[0]} for {_TRAITS[keys[0]][4]}; move to {names[1]} for "
        f"{_TRAITS[keys[1]][4]}.",
        "Uncertain: exact limits depend on hardware and workload; measure with your own data before deciding.",
    ])


def _risks(ask: Ask) -> str:
    s = ask.subject
    risks = [
        ("Data or input that does not fit the new shape (types, encodings, empty values)",
         "run it on a copy of real data and compare counts and checksums"),
        ("It takes longer than planned, or blocks others while it runs", "time a full dry run at real size"),
        ("No way back once it has started", "write and rehearse the rollback before starting"),
        ("Hidden dependents (scripts, reports, scheduled jobs) break silently",
         "search for every consumer and ask their owners"),
        ("The happy path works but the error path was never tried", "force each failure once in a test"),
    ]
    picked = risks[:2] + ask.rng.sample(risks[2:], 2)
    return "\n".join([f"Risks and edge cases: {s.topic}", *_focus(ask), "",
                      *[f"{i}. {r} (check: {c})" for i, (r, c) in enumerate(picked, 1)]])


def research(ask: Ask) -> str:
    s = ask.subject
    if re.search(r"\brisks?\b|edge cases|go wrong", ask.task, re.I):
        return _risks(ask)
    table = _comparison(ask)
    if table:
        return table
    if is_software(ask):
        findings = [
            f"Most {s.topic} implementations keep the core tiny: a store, two or three operations, and the "
            "interesting work in validation and error handling.",
            "The common failure in production is not the happy path but input nobody expected: empty values, "
            "huge payloads, duplicate submissions.",
            "In-memory storage is fine for a first version; the usual next step is a single-file database "
            "(SQLite) behind the same interface.",
            "Generated identifiers should be unguessable if they are exposed; sequential ids leak volume.",
            "Teams that ship this kind of service fast write the tests for the error cases first.",
            "Rate limiting and request size limits are cheap to add early and painful to retrofit.",
        ]
        questions = ["Does anything need to survive a restart?", "Who is allowed to create entries?"]
    else:
        findings = [
            f"Discussions of {s.topic} split into two camps: those optimising for speed and those for "
            "lower risk; the best outcomes name which one they chose.",
            "The strongest arguments use a concrete comparison (before/after, this option vs the obvious "
            "alternative) rather than general claims.",
            "Costs are usually underestimated in the second half: maintenance, coordination, follow-up.",
            "Small pilots beat big launches when the audience's reaction is uncertain.",
            "The people affected most are rarely the ones asked first; their input changes priorities.",
            "Timing matters: the same decision lands very differently before and after a busy season.",
        ]
        questions = ["What would make this clearly not worth doing?", "Who decides, and by when?"]
    picked = ask.rng.sample(findings, 4)
    lines = [f"Research notes: {s.topic}", *_focus(ask), "", "Key findings:"]
    lines += [f"{i}. {f}" for i, f in enumerate(picked, 1)]
    lines += ["", "Open questions:", *[f"- {q}" for q in questions], "",
              "Caveat: the offline demo consulted no sources; treat these as prompts for real research."]
    return "\n".join(lines)


def write(ask: Ask) -> str:
    s = ask.subject
    text = s.request.lower()
    if re.search(r"\bpoem|haiku|verse|sonnet", text):
        return _poem(ask)
    if re.search(r"\be-?mail|letter|memo\b", text):
        return _email(ask)
    title = s.title if len(s.title) > 3 else "A Short Piece"
    hook = ask.pick([f"Everyone has an opinion about {s.topic}; few have tried it properly.",
                     f"{s.topic[:1].upper() + s.topic[1:]} looks simple from a distance.",
                     f"There is a quiet reason {s.topic} keeps coming up."])
    return "\n".join([
        f"# {title}", "",
        f"{hook} This piece looks at what it takes, what usually goes wrong, and what to do first.", "",
        f"The first thing to get right is scope. {s.topic[:1].upper() + s.topic[1:]} invites ambition, and "
        "ambition is where projects stall. Pick the one outcome that matters this month and let the rest wait.",
        "",
        "The second is feedback. Put an early version in front of the people it is for, watch what they do "
        "rather than what they say, and change course while change is still cheap.", "",
        "The third is finishing. A small thing that is done beats a large thing that is almost done: it can be "
        f"used, measured and improved. That is the whole method, applied to {s.topic}.",
    ])


def _poem(ask: Ask) -> str:
    topic = re.sub(r"^(?:poem|haiku|verse|sonnet)s?\s+(?:about|on)\s+", "", ask.subject.topic, flags=re.I)
    light = ask.pick(["the morning light", "a lamp left on", "the last of the sun"])
    return "\n".join([
        f"# {topic[:1].upper() + topic[1:]}", "",
        f"I went looking for {topic}",
        f"the way you look for {light}:",
        "not by staring at it,",
        "but by noticing what it touches.", "",
        "It was in the pause before an answer,",
        "in the cup still warm on the table,",
        f"in the way {topic} never quite arrives",
        "and never quite leaves.",
    ])


def _email(ask: Ask) -> str:
    s = ask.subject
    return "\n".join([
        f"Subject: {s.title}", "", "Hi all,", "",
        f"A short note on {s.phrase}. The main point: we should decide on it this week, because waiting "
        "costs more than either option.", "",
        "What I propose:",
        "1. Agree on the goal in one sentence (draft below).",
        "2. Pick an owner and a date for the first step.",
        "3. Review the result in two weeks and adjust.", "",
        f"Draft goal: make {s.topic} simpler for the people who rely on it.", "",
        "Reply with objections by Thursday; silence means go.", "", "Thanks,", ask.agent.capitalize(),
    ])


def analyse(ask: Ask) -> str:
    s = ask.subject
    drivers = ask.rng.sample([
        "the size of the opportunity relative to the effort", "how quickly results can be measured",
        "dependence on a few key people", "what competitors or alternatives already offer",
        "the cost of reversing the decision later", "how well it fits current priorities",
    ], 3)
    return "\n".join([
        f"Analysis: {s.topic}", *_focus(ask), "",
        f"Summary: {s.phrase[:1].upper() + s.phrase[1:]} is worth pursuing if it can be tested small first.", "",
        "Key drivers:", *[f"- {d[:1].upper() + d[1:]}" for d in drivers], "",
        "Risks:",
        "- The benefits arrive later than the costs, so early numbers will look worse than the trend.",
        "- " + ask.pick(["Scope creep once the first results look good.", "Hidden maintenance cost."]), "",
        "Recommendation: run a time-boxed pilot with a success metric agreed in advance.",
        "Bottom line: proceed, small and measured.",
    ])


def stance(ask: Ask, kind: str) -> str:
    s = ask.subject
    if kind == "quant":
        return _quant(ask)
    if kind == "optimist":
        points = [f"The upside compounds: every step of {s.topic} that works makes the next one cheaper.",
                  "The downside is bounded if we start with a pilot and a clear stop rule.",
                  ask.pick(["Timing favours moving now, while attention is on it.",
                            "The team already has most of the skills needed."])]
        head, bottom = "Optimist's view on", "Bottom line: go ahead; the asymmetry favours trying."
    else:
        points = ["The costs are front-loaded and certain; the benefits come later and are uncertain.",
                  f"Efforts like {s.topic} often take twice as long as planned; nothing here suggests otherwise.",
                  ask.pick(["Success depends on people who are already overloaded.",
                            "There is no agreed way to tell, early on, whether it is working."])]
        head, bottom = "Skeptic's view on", "Bottom line: not yet; first define what failure looks like."
    return "\n".join([f"{head} {s.phrase}", "", *[f"{i}. {p}" for i, p in enumerate(points, 1)], "", bottom])


def _quant(ask: Ask) -> str:
    s = ask.subject
    r = ask.rng
    p_up, p_base = r.randint(20, 35), r.randint(40, 50)
    p_down = 100 - p_up - p_base
    up, base, down = r.randint(25, 60), r.randint(5, 20), -r.randint(10, 35)
    ev = (p_up * up + p_base * base + p_down * down) / 100
    return "\n".join([
        f"The numbers on {s.phrase} (illustrative figures from the offline demo)", "",
        "| scenario | probability | outcome vs today |", "|---|---|---|",
        f"| upside | {p_up}% | +{up}% |", f"| base | {p_base}% | +{base}% |", f"| downside | {p_down}% | {down}% |",
        "", f"Expected value: {ev:+.1f}% with a {p_down}% chance of a loss.",
        f"Bottom line: {'positive expected value; worth a capped bet' if ev > 0 else 'negative expected value; pass'}.",
    ])


def generic(ask: Ask) -> str:
    """Any role the demo has no script for: an answer built from the role and its instructions."""
    s = ask.subject
    duty = first_sentence(re.sub(r'^You are the .*?team "[^"]*"\.\s*', "", ask.instructions.strip()))
    steps = ask.rng.sample([
        f"Pin down what a good result for {s.topic} looks like, in one sentence.",
        "List what is already known and what still has to be checked.",
        "Do the smallest piece of work that moves it forward, then check it.",
        "Write down the decisions made and why, so the next person does not redo them.",
        "Flag the one risk most likely to bite, with a way to watch for it.",
    ], 3)
    lines = [f"{ask.role or ask.agent}: my part on {s.phrase}", *_focus(ask), ""]
    if duty:
        lines += [f"My brief: {duty}", ""]
    lines += [f"{i}. {p}" for i, p in enumerate(steps, 1)]
    previous = ask.work[-1] if ask.work else None
    if previous:
        lines += ["", f"Building on {previous.agent}: {first_sentence(previous.text, 100) or 'noted'}"]
    return "\n".join(lines)
