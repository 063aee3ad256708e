"""Supervisor plans: the JSON schema we ask for, and strict parsing of what comes back.

Model output is untrusted, so a plan is checked completely before anything runs: valid JSON,
known workers, unique ids, dependencies that exist, no cycles, not too many tasks.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

import msgspec


class PlanError(ValueError):
    pass


class Task(msgspec.Struct):  # read-only by convention, like the events
    id: str
    worker: str
    task: str
    depends_on: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "worker": self.worker, "task": self.task, "depends_on": list(self.depends_on)}


def plan_schema(workers: Iterable[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "tasks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "worker": {"type": "string", "enum": list(workers)},
                        "task": {"type": "string"},
                        "depends_on": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["id", "worker", "task", "depends_on"],
                },
            }
        },
        "required": ["tasks"],
    }


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_TASK_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


def extract_json(text: str) -> Any:
    """The first JSON value in ``text``: bare, fenced, or embedded in prose."""
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCE.findall(text)]
    for opener in "{[":
        start = text.find(opener)
        if start >= 0:
            candidates.append(text[start:])
    decoder = json.JSONDecoder()
    for candidate in candidates:
        try:
            value, _ = decoder.raw_decode(candidate)
            return value
        except (json.JSONDecodeError, ValueError):
            continue
    raise PlanError("the plan is not valid JSON")


def parse_plan(text: str, workers: Mapping[str, Any] | Iterable[str], max_tasks: int) -> list[Task]:
    data = extract_json(text)
    return validate_plan(data, workers, max_tasks)


def validate_plan(data: Any, workers: Mapping[str, Any] | Iterable[str], max_tasks: int) -> list[Task]:
    known_workers = set(workers)
    raw = data.get("tasks") if isinstance(data, dict) else data
    if not isinstance(raw, list) or not raw:
        raise PlanError('the plan must be an object with a non-empty "tasks" list')
    if len(raw) > max_tasks:
        raise PlanError(f"the plan has {len(raw)} tasks; at most {max_tasks} are allowed")
    tasks: list[Task] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise PlanError(f"task {i} is not an object")
        task_id = item.get("id")
        task_id = str(task_id).strip() if isinstance(task_id, (str, int)) else ""
        if not task_id:
            raise PlanError(f"task {i} has no id")
        if not _TASK_ID.fullmatch(task_id):
            raise PlanError(f"task id {task_id!r} must be 1-40 letters, digits, '_' or '-'")
        if task_id in seen:
            raise PlanError(f"task id {task_id!r} is used twice")
        seen.add(task_id)
        worker = item.get("worker")
        if not isinstance(worker, str) or worker not in known_workers:  # a list would not even hash
            raise PlanError(f"task {task_id!r} names unknown worker {worker!r} (workers: {', '.join(sorted(known_workers))})")
        text = item.get("task")
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise PlanError(f"task {task_id!r} has no task text")
        deps = item.get("depends_on") or []
        if isinstance(deps, str):
            deps = [deps]
        if not isinstance(deps, list):
            raise PlanError(f"task {task_id!r}: depends_on must be a list of task ids")
        # No map for no dependencies (a third of a large plan's tasks): 1.7k instructions each.
        tasks.append(Task(task_id, worker, text, tuple(map(str, deps)) if deps else ()))
    position = {t.id: i for i, t in enumerate(tasks)}
    in_order = True  # every task listed after all it depends on (as planners write them): no cycle
    for i, task in enumerate(tasks):
        for dep in task.depends_on:
            if dep not in position:
                raise PlanError(f"task {task.id!r} depends on missing task {dep!r}")
            if dep == task.id:
                raise PlanError(f"task {task.id!r} depends on itself")
            if position[dep] > i:
                in_order = False
    cycle = None if in_order else find_cycle(tasks)
    if cycle:
        raise PlanError("the plan has a dependency cycle: " + " -> ".join(cycle))
    return tasks


def find_cycle(tasks: list[Task]) -> list[str] | None:
    """A cycle of task ids if there is one (iterative DFS: plans can be long)."""
    deps = {t.id: t.depends_on for t in tasks}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for root in deps:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            node, index = stack.pop()
            if index == 0:
                state[node] = 1
                path.append(node)
            children = deps[node]
            if index < len(children):
                stack.append((node, index + 1))
                child = children[index]
                if state.get(child) == 1:
                    return path[path.index(child):] + [child]
                if not state.get(child):
                    stack.append((child, 0))
            else:
                state[node] = 2
                path.pop()
    return None
