"""Plan validation: which task ids pass, and how a task's dependencies are read.

The ids accepted must be exactly those the documented pattern describes, whatever the check
looks like inside; no dependencies, however spelled, is an empty tuple."""

from __future__ import annotations

import re

import pytest

from teamtui.core.plan import PlanError, validate_plan

DOCUMENTED = re.compile(r"[A-Za-z0-9_-]{1,40}")

IDS = ["a", "t0", "T_9-x", "_", "-", "--", "a" * 40, "a" * 41, "a b", "a.b", "a/b", "é", "ß", "٣", "Ａ",
       "a\tb", "x\x00", "ı", "K", "a+b", "[a]", "0" * 39 + "Z", "naïve", "id\u200b"]


@pytest.mark.parametrize("task_id", IDS)
def test_an_id_passes_exactly_when_it_matches_the_documented_pattern(task_id: str) -> None:
    plan = {"tasks": [{"id": task_id, "worker": "w", "task": "do it", "depends_on": []}]}
    if DOCUMENTED.fullmatch(task_id):
        assert validate_plan(plan, ["w"], 10)[0].id == task_id
    else:
        with pytest.raises(PlanError, match="must be 1-40 letters, digits"):
            validate_plan(plan, ["w"], 10)


def test_ids_are_stripped_and_numbers_taken_as_text() -> None:
    plan = {"tasks": [{"id": " a ", "worker": "w", "task": "x"}, {"id": 7, "worker": "w", "task": "y", "depends_on": ["a"]},
                      {"id": "b", "worker": "w", "task": "z", "depends_on": [7]}]}
    tasks = validate_plan(plan, ["w"], 10)
    assert [t.id for t in tasks] == ["a", "7", "b"]
    assert [t.depends_on for t in tasks] == [(), ("a",), ("7",)]


@pytest.mark.parametrize("deps", [None, [], "", 0])
def test_no_dependencies_in_any_spelling_is_an_empty_tuple(deps) -> None:
    tasks = validate_plan({"tasks": [{"id": "a", "worker": "w", "task": "x", "depends_on": deps}]}, ["w"], 10)
    assert tasks[0].depends_on == ()


def test_a_single_dependency_may_be_a_string() -> None:
    tasks = validate_plan({"tasks": [{"id": "a", "worker": "w", "task": "x"},
                                     {"id": "b", "worker": "w", "task": "y", "depends_on": "a"}]}, ["w"], 10)
    assert tasks[1].depends_on == ("a",)
