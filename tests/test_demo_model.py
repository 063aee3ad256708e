"""The offline demo model: the shape of every kind of reply, determinism, and real streaming."""

from __future__ import annotations

import json
import re
import time

import pytest

from typing import Any, Iterable

from teamtui.core.memory import Contribution
from teamtui.core.models.base import Chunk, ChatModel, ModelRequest, TextChunk, ToolSpec, UsageChunk
from teamtui.core.models.demo import DemoModel, ToolCall
from teamtui.core.patterns import compose_prompt
from teamtui.core.patterns.route import classifier_schema
from teamtui.core.plan import parse_plan, plan_schema

MODEL = DemoModel(speed=0)


def request(agent: str, role: str, ask: str, *, work: Iterable[Contribution] = (), purpose: str = "worker",
            schema: dict | None = None, step: str = "1", task: str | None = None, tools: Iterable[ToolSpec] = (),
            extra: Iterable[dict] = (), instructions: str = "", roles: dict[str, str] | None = None,
            **hints: Any) -> ModelRequest:
    """A request shaped like the runtime's: system prompt, then the composed user prompt (plus ``extra``)."""
    system = f'You are the {role} ("{agent}") on the team "demo-test".'
    system += f"\n\n{instructions}" if instructions else ""
    messages = [{"role": "system", "content": system},
                {"role": "user", "content": compose_prompt(ask, tuple(work), task, roles or {})}, *extra]
    return ModelRequest(messages=messages, tools=list(tools), json_schema=schema, agent=agent, role=role,
                        purpose=purpose, team="demo-test", step=step, hints={"input": ask, **hints})


async def collect(model: DemoModel, req: ModelRequest) -> list[Chunk]:
    return [chunk async for chunk in model.stream(req)]


def reply(req: ModelRequest) -> tuple[str, list[ToolCall]]:
    return MODEL.reply(req)


# --- identity, stream shape, determinism ------------------------------------------------------------


def test_is_labelled_as_the_demo() -> None:
    model = DemoModel()
    assert isinstance(model, ChatModel)
    assert model.is_demo is True and model.label == "demo (offline)"


async def test_stream_is_text_then_usage_and_matches_reply() -> None:
    req = request("pm", "Product Manager", "Build a URL shortener in Go")
    chunks = await collect(DemoModel(speed=0), req)
    assert isinstance(chunks[-1], UsageChunk) and chunks[-1].cost == 0.0
    assert chunks[-1].output_tokens > 50 and chunks[-1].input_tokens > 0
    texts = [c.text for c in chunks if isinstance(c, TextChunk)]
    assert len(texts) > 20  # a word or a few per chunk
    assert "".join(texts) == MODEL.reply(req)[0]


async def test_same_request_gives_the_same_stream_and_inputs_change_it() -> None:
    req = request("developer", "Senior Developer", "Build a todo app in Rust")
    first, again = await collect(DemoModel(speed=0), req), await collect(DemoModel(speed=0), req)
    assert first == again
    other = await collect(DemoModel(speed=0), request("developer", "Senior Developer", "Build a URL shortener in Rust"))
    assert first != other


def test_specs_depend_on_the_request() -> None:
    go, _ = reply(request("pm", "Product Manager", "Build a URL shortener in Go"))
    todo, _ = reply(request("pm", "Product Manager", "Build a todo app in TypeScript"))
    assert go != todo
    assert "URL Shortener" in go and "/links" in go and "go test" in go
    assert "Todo App" in todo and "/tasks" in todo
    for spec in (go, todo):
        criteria = re.findall(r"^\d+\. .+$", spec.split("Acceptance criteria")[1], re.M)
        assert 5 <= len(criteria) <= 8
        assert 12 <= len(spec.splitlines()) <= 30


# --- developer ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ask", "tag"),
    [
        ("Build a URL shortener in Go", "go"),
        ("Build a todo app using golang", "go"),
        ("Write a notes service in Python", "python"),
        ("Build a key-value cache in Rust", "rust"),
        ("Make a bookmark API in TypeScript", "typescript"),
        ("Make a chat backend with Node.js", "javascript"),
        ("Create a REST API for a bookstore in Java", "java"),
        ("Build an inventory service", "python"),  # no language named: Python
        ("Write a Python function that checks whether a string is a palindrome", "python"),
        ("Write a fibonacci function in Java", "java"),
    ],
)
def test_code_is_fenced_in_the_requested_language(ask: str, tag: str) -> None:
    text, calls = reply(request("developer", "Senior Developer", ask))
    fences = re.findall(r"^```(\w*)$", text, re.M)
    assert calls == []
    assert fences and all(f in (tag, "") for f in fences) and fences[0] == tag
    code = "\n".join(re.findall(r"```\w+\n(.*?)```", text, re.S))
    assert 15 <= len(code.splitlines()) <= 140


def test_a_language_the_demo_cannot_write_is_named_not_faked() -> None:
    text, _ = reply(request("developer", "Senior Developer", "Build a chat server in C#"))
    assert "```python" in text and "C#" in text.split("```")[0]


def test_go_shortener_has_handlers_a_store_and_tests() -> None:
    text, _ = reply(request("coder", "Software Engineer", "Build a URL shortener in Go"))
    for needle in ("package main", "type Store struct", 'mux.HandleFunc("POST /links"', "func TestAddThenGet",
                   'r.PathValue("code")', "sync.Mutex"):
        assert needle in text


# --- QA in a loop, and the developer answering it ------------------------------------------------------


def _loop(ask: str, max_rounds: int = 3) -> list[tuple[str, str]]:
    """Play the software house: pm, then developer/qa rounds until APPROVED; returns (agent, text)."""
    roles = {"pm": "Product Manager", "developer": "Senior Developer", "qa": "QA Engineer"}
    work = [Contribution("pm", "1", reply(request("pm", roles["pm"], ask))[0])]
    for r in range(1, max_rounds + 1):
        for i, agent in enumerate(("developer", "qa"), 1):
            text, _ = reply(request(agent, roles[agent], ask, work=work, step=f"2.r{r}.{i}",
                                    round=r, max_rounds=max_rounds, roles=roles))
            work.append(Contribution(agent, f"2.r{r}.{i}", text))
        if work[-1].text.startswith("APPROVED"):
            break
    return [(c.agent, c.text) for c in work]


@pytest.mark.parametrize("ask", ["Build a URL shortener in Go", "Build a todo app in TypeScript",
                                 "Write a Python function that checks whether a string is a palindrome"])
def test_qa_finds_defects_first_and_approves_by_the_last_round(ask: str) -> None:
    log = _loop(ask)
    reviews = [text for agent, text in log if agent == "qa"]
    assert "approv" not in reviews[0].lower()
    assert 2 <= len(re.findall(r"^\d+\. ", reviews[0].split("Defects:")[1], re.M)) <= 3
    assert reviews[-1].splitlines()[0] == "APPROVED"
    assert 2 <= len(reviews) <= 3
    assert all("APPROVED" not in r for r in reviews[:-1])


def test_the_approval_round_depends_on_the_request() -> None:
    asks = ["Build a URL shortener in Go", "Build a todo app in TypeScript", "Build a notes API in Rust",
            "Build a recipe service in Java", "Build an expense tracker", "Build a bookmark API in Go"]
    rounds = {len([a for a, _ in _loop(ask) if a == "qa"]) for ask in asks}
    assert rounds == {2, 3}


def test_qa_approves_on_the_last_round_even_a_short_loop() -> None:
    reviews = [t for a, t in _loop("Build a URL shortener in Go", max_rounds=2) if a == "qa"]
    assert len(reviews) == 2 and reviews[-1].startswith("APPROVED\n")


def test_the_developer_answers_each_defect_of_the_previous_review() -> None:
    log = _loop("Build a URL shortener in Go")
    first_code, review, revision = log[1][1], log[2][1], log[3][1]
    defects = re.findall(r"^\d+\. (.+)$", review.split("Defects:")[1], re.M)
    for defect in defects:
        assert defect[:40] in revision
    assert "validURL" not in first_code and "validURL" in revision  # the code itself changed
    assert "TestRejectsBadInput" in revision


def test_a_reviewer_outside_a_loop_reviews_without_the_approval_protocol() -> None:
    work = [Contribution("coder", "1.t.build", reply(request("coder", "Software Engineer", "Build a todo app"))[0])]
    text, _ = reply(request("reviewer", "Reviewer", "Build a todo app", work=work))
    assert "Review of coder's work" in text and "Issues:" in text and not text.startswith("APPROVED")


# --- classifier, planner, synthesizer, arbiter ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ask", "expected"),
    [
        ("Fix the bug in my sorting function", "coding"),
        ("Write a Python function that checks whether a string is a palindrome", "coding"),
        ("Write a blog post about remote work", "writing"),
        ("Write a haiku about rain", "writing"),
        ("Compare our Q1 and Q2 revenue trends", "analysis"),
        ("Hello there, how are you?", "coding"),  # nothing fits: the first category
    ],
)
def test_classifier_answers_json_from_the_enum(ask: str, expected: str) -> None:
    categories = ["coding", "writing", "analysis"]
    req = request("classifier", "Request Classifier", ask, purpose="classifier",
                  schema=classifier_schema(categories), categories=categories)
    data = json.loads(reply(req)[0])
    assert data["category"] == expected and data["reason"]


def test_classifier_reads_the_enum_from_the_schema_alone() -> None:
    req = request("c", "Router", "My invoice is wrong", purpose="classifier",
                  schema=classifier_schema(["technical", "billing"]))
    assert json.loads(reply(req)[0])["category"] == "billing"


WORKERS = {"researcher": "Researcher", "coder": "Software Engineer", "reviewer": "Reviewer"}
ASKS = ["Compare SQLite and PostgreSQL for a small web app and write a migration script from one to the other",
        "Build a URL shortener in Go", "Write a blog post about remote work", "Should we adopt Rust?",
        "Design a key-value cache", "Analyse churn in our newsletter", "Build a CLI that tracks expenses"]


def _independent(tasks: list) -> bool:
    """Some pair of tasks where neither depends (even indirectly) on the other."""
    deps = {t.id: set(t.depends_on) for t in tasks}

    def reaches(a: str, b: str) -> bool:
        stack, seen = [a], set()
        while stack:
            for d in deps[stack.pop()] - seen:
                if d == b:
                    return True
                seen.add(d)
                stack.append(d)
        return False

    ids = list(deps)
    return any(not reaches(a, b) and not reaches(b, a) for i, a in enumerate(ids) for b in ids[i + 1:])


@pytest.mark.parametrize("ask", ASKS)
def test_plans_are_valid_with_parallel_work_and_a_final_task(ask: str) -> None:
    req = request("planner", "Engineering Lead", ask, purpose="planner", schema=plan_schema(WORKERS),
                  workers=WORKERS, task="Plan the work. At most 12 tasks.")
    tasks = parse_plan(reply(req)[0], WORKERS, 12)  # the runtime's own validator
    assert 3 <= len(tasks) <= 5
    assert _independent(tasks)
    others = {t.id for t in tasks[:-1]}
    assert set(tasks[-1].depends_on) == others  # the final task waits for everything else


def test_plans_vary_by_request_and_respect_the_task_limit() -> None:
    sizes = {len(parse_plan(reply(request("p", "Lead", ask, purpose="planner", workers=WORKERS))[0], WORKERS, 12))
             for ask in ASKS}
    assert len(sizes) > 1
    for limit in (1, 2, 3):
        req = request("p", "Lead", ASKS[0], purpose="planner", workers=WORKERS, task=f"At most {limit} tasks.")
        assert len(parse_plan(reply(req)[0], WORKERS, limit)) <= limit


def test_a_repair_request_gets_a_valid_plan() -> None:
    req = request("p", "Lead", ASKS[1], purpose="planner", workers={"only": "Generalist"},
                  repair="unknown worker 'coder'")
    tasks = parse_plan(reply(req)[0], {"only": "Generalist"}, 12)
    assert {t.worker for t in tasks} == {"only"}


def test_the_synthesizer_merges_results_into_one_answer() -> None:
    ask = ASKS[0]
    work = [Contribution("researcher", "3.t.research", reply(request("researcher", "Researcher", ask))[0]),
            Contribution("coder", "3.t.build", reply(request("coder", "Software Engineer", ask))[0])]
    work.append(Contribution("reviewer", "3.t.review", reply(request("reviewer", "Reviewer", ask, work=work))[0]))
    text, _ = reply(request("planner", "Engineering Lead", ask, work=work, purpose="synthesizer"))
    assert "| SQLite | PostgreSQL |" in text and "```python" in text and "import sqlite3" in text
    assert "sequences are not advanced" in text  # the review's point carried into the answer
    assert "researcher" not in text and "coder" not in text  # no tasks or workers named


def test_the_arbiter_weighs_every_branch_and_decides() -> None:
    ask = "Should a five-person startup move its product from a monolith to microservices?"
    roles = [("optimist", "Optimistic Analyst"), ("skeptic", "Skeptical Analyst"), ("quant", "Quantitative Analyst")]
    work = [Contribution(a, f"1.{i}", reply(request(a, r, ask, step=f"1.{i}"))[0]) for i, (a, r) in enumerate(roles, 1)]
    assert all("Bottom line:" in c.text for c in work)
    text, _ = reply(request("arbiter", "Chief Analyst", ask, work=work, purpose="arbiter"))
    assert all(f"- {a}:" in text for a, _ in roles)
    assert "Where they agree:" in text and "Where they disagree:" in text and "Decision:" in text
