"""The demo's coordinating parts: classifier (JSON), planner (JSON plan), synthesizer, arbiter,
and a fallback that fills any other JSON schema.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .demo_code import code_kind
from .demo_text import Ask, Contribution, digest, first_sentence, one_line

# Words that point at a category; a category name is also looked up by the table key it contains.
_SIGNALS = {
    "coding": "code bug function script program compile error exception api implement debug refactor class "
              "python golang rust java javascript typescript sql regex endpoint stack trace",
    "writing": "essay poem email blog story letter article write copy headline tweet post draft newsletter "
               "haiku speech tagline",
    "analysis": "data numbers compare comparison trend analyse analyze statistic metric chart forecast growth "
                "revenue percent survey dataset kpi",
    "billing": "refund invoice charge charged payment price subscription card receipt",
    "technical": "error crash login password bug broken slow install sign timeout",
    "research": "research sources paper study literature evidence",
    "math": "calculate equation solve integral proof probability",
}
_ALIASES = {"code": "coding", "program": "coding", "dev": "coding", "engineer": "coding", "write": "writing",
            "content": "writing", "creative": "writing", "analy": "analysis", "data": "analysis",
            "bill": "billing", "pay": "billing", "tech": "technical", "support": "technical",
            "research": "research", "math": "math"}


def _signals(category: str) -> list[str]:
    name = category.lower()
    key = name if name in _SIGNALS else next((v for k, v in _ALIASES.items() if k in name), "")
    return _SIGNALS.get(key, "").split() + re.findall(r"[a-z]{3,}", name)


def classify(ask: Ask, schema: dict[str, Any] | None) -> str:
    categories = list(ask.hints.get("categories") or [])
    if not categories and schema:
        categories = list(schema.get("properties", {}).get("category", {}).get("enum", []))
    categories = categories or ["general"]
    text = str(ask.hints.get("input") or ask.subject.request).lower()
    best, best_hits = categories[0], []
    for category in categories:
        hits = [w for w in dict.fromkeys(_signals(category)) if re.search(rf"\b{re.escape(w)}", text)]
        if len(hits) > len(best_hits):
            best, best_hits = category, hits
    if best_hits:
        reason = f"the request mentions {', '.join(repr(w) for w in best_hits[:3])}, which points to {best}"
    else:
        reason = f"no clear signal for any category, so the first one ({best}) handles it"
    return json.dumps({"category": best, "reason": reason})


# --- planner ------------------------------------------------------------------------------------

_KINDS = {
    "research": r"research|analy|investig|scout|librar",
    "build": r"develop|coder|cod(e|ing)|engineer|program|implement|build|writer|author",
    "review": r"review|qa|quality|critic|check|test|editor",
}


def _worker_for(kind: str, workers: dict[str, str], fallback_index: int) -> str:
    for name, role in workers.items():
        if re.search(_KINDS[kind], f"{name} {role}", re.I):
            return name
    names = list(workers)
    return names[fallback_index % len(names)]


def plan(ask: Ask, max_tasks: int | None) -> str:
    workers = {str(k): str(v) for k, v in dict(ask.hints.get("workers") or {}).items()} or {ask.agent: ask.role}
    s = ask.subject
    researcher, builder = _worker_for("research", workers, 0), _worker_for("build", workers, 1)
    reviewer = _worker_for("review", workers, 2)
    coding = re.search(r"develop|coder|cod(e|ing)|engineer|program", " ".join(workers.values()), re.I)
    making = "Implement" if coding else "Draft"
    first, second = (s.goals + ("", ""))[:2] if s.goals else ("", "")
    tasks = [
        {"id": "research", "worker": researcher, "depends_on": [],
         "task": f"{_sentence(first)}: give the key facts, the trade-offs and a short recommendation."
         if first else f"Research how {s.phrase} is usually done: approaches, pitfalls and constraints. "
                       "Return 4-5 findings and the open questions."},
        {"id": "build", "worker": builder, "depends_on": [],
         "task": f"{_sentence(second)}: complete and runnable, with short usage notes."
         if second else f"{making} {s.phrase}: a first complete version that covers the core of the request."},
    ]
    count = 3 + digest(s.request, "plan") % 3  # 3 to 5 tasks, depending on the request
    if count >= 4:
        tasks.append({"id": "risks", "worker": researcher, "depends_on": [],
                      "task": f"List the risks and edge cases for {s.topic}, most likely first, each with a "
                              "way to check for it."})
    if count == 5 and code_kind(s) != "migration":
        tasks.append({"id": "tests", "worker": builder, "depends_on": ["build"],
                      "task": "Write tests for the code from the build task, including the error cases."})
    tasks.append({"id": "review", "worker": reviewer, "depends_on": [t["id"] for t in tasks],
                  "task": f"Review the results for {s.topic} against the request; list what must change "
                          "before it is done."})
    if max_tasks is not None and len(tasks) > max_tasks:
        tasks = _trim(tasks, max_tasks)
    ordered = [{"id": t["id"], "worker": t["worker"], "task": t["task"], "depends_on": t["depends_on"]}
               for t in tasks]
    return json.dumps({"tasks": ordered}, indent=2)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _trim(tasks: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Keep the first ``limit`` tasks whose dependencies are kept too."""
    kept: list[dict[str, Any]] = []
    for task in tasks[: max(limit - 1, 1)] + tasks[-1:]:
        if len(kept) < limit:
            names = {k["id"] for k in kept}
            kept.append({**task, "depends_on": [d for d in task["depends_on"] if d in names]})
    return kept


# --- synthesizer and arbiter --------------------------------------------------------------------


def _code_block(work: list[Contribution]) -> str:
    for c in reversed(work):
        found = re.search(r"```[\w+-]*\n.*?```", c.text, re.S)
        if found:
            return found.group(0)
    return ""


def _is_review(c: Contribution) -> bool:
    return re.search(r"review|qa|critic", f"{c.role} {c.agent}", re.I) is not None


def synthesize(ask: Ask) -> str:
    """One answer to the request from the task results (without naming tasks or workers)."""
    s = ask.subject
    notes = [c for c in ask.work if "```" not in c.text and not _is_review(c)]
    lines = [f"# {s.title}", ""]
    for c in notes:
        table = [line for line in c.text.splitlines() if line.startswith("|")]
        items = [m.group(1) for m in re.finditer(r"^\s*\d+[.)]\s+(.+)$", c.text, re.M)][:4]
        recommendation = re.search(r"(?im)^recommendation:\s*(.+)$", c.text)
        if table and table[0] in lines:
            continue  # the same table twice adds nothing
        heading = c.text.strip().splitlines()[0].split(":")[0].lstrip("# ").strip() if c.text.strip() else ""
        if heading and len(heading) < 50 and (table or items):
            lines += [f"## {heading}", ""]
        lines += table + [""] if table else [f"- {one_line(i, 140)}" for i in items] + [""]
        if recommendation:
            lines += [f"Recommendation: {recommendation.group(1).strip()}", ""]
    code = _code_block(ask.work)
    if code:
        lines += ["## Implementation", "", code, ""]
    review = next((c for c in reversed(ask.work) if _is_review(c)), None)
    issues = [m.group(1) for m in re.finditer(r"^\s*\d+\.\s+(.+)$", review.text, re.M)][:3] if review else []
    if issues:
        lines += ["## Before relying on it", *[f"- {one_line(i, 160)}" for i in issues], ""]
    if len(lines) <= 2:
        lines += [f"Here is the combined answer on {s.phrase}.", ""]
    lines.append("Next step: " + ask.pick(["apply the fixes above, then try it on a copy of real data.",
                                           "run it once on a small sample, check the result, then go wide."]))
    return "\n".join(lines)


_YES = re.compile(r"go ahead|proceed|worth|positive|\bship\b|\byes\b|recommend", re.I)
_NO = re.compile(r"not yet|\bpass\b|\bno\b|negative|\bstop\b|against|wait", re.I)


def _verdict(text: str) -> str:
    bottom = re.search(r"(?im)^\**bottom line:?\**\s*(.+)$", text)
    return one_line(bottom.group(1) if bottom else first_sentence(text, 120), 120)


def arbitrate(ask: Ask) -> str:
    s = ask.subject
    views = [(c.agent, _verdict(c.text)) for c in ask.work] or [("team", "no answers arrived")]
    leaning = [(_YES.search(v) is not None) - (_NO.search(v) is not None) for _, v in views]
    yes, no = leaning.count(1), leaning.count(-1)
    lines = [f"Weighing {len(views)} views on {s.phrase}", ""]
    lines += [f"- {agent}: {verdict}" for agent, verdict in views]
    lines += ["", "Where they agree: " + ask.pick([
        "a small, time-boxed first step is safer than a big commitment.",
        "the decision turns on evidence we can get cheaply before committing."])]
    if yes and no:
        lines.append(f"Where they disagree: {yes} lean yes and {no} lean no; the split is about how much "
                     "the downside costs if it happens.")
    else:
        lines.append("Where they disagree: mostly on emphasis, not on direction.")
    if yes > no:
        decision = "go ahead with a capped pilot and a stop rule agreed in advance"
    elif no > yes:
        decision = "do not commit yet; first define what failure looks like and gather the missing numbers"
    else:
        decision = "run the cheapest test that would change someone's mind, then decide"
    lines += ["", f"Decision: {decision}.",
              "Why: it keeps the upside the optimistic view sees while capping the risk the skeptical view fears."]
    return "\n".join(lines)


# --- any other JSON schema ----------------------------------------------------------------------


def from_schema(schema: dict[str, Any], ask: Ask, depth: int = 0) -> Any:
    """A plausible value for ``schema`` (enums take their first option)."""
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" and depth < 4:
        props = schema.get("properties", {})
        return {name: from_schema(sub, ask, depth + 1) for name, sub in props.items()}
    if kind == "array" and depth < 4:
        return [from_schema(schema.get("items", {"type": "string"}), ask, depth + 1)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    return f"{ask.subject.topic} (demo)"
