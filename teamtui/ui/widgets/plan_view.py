"""The plan: every step with status, worker, dependencies, round or route, duration and tokens."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from .. import format as fmt
from ..safe_text import one_line
from ..state import RunState, StepView


#: Glyph and style of a task in a plan that waits for approval (not a step yet).
PROPOSED = ("◌", "yellow")


def step_label(step: StepView) -> Text:
    glyph, style = fmt.STEP_STYLE.get(step.status, ("?", ""))
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{glyph} ", style)
    text.append(step.id, "bold" if step.status == "running" else "")
    # Say each thing once: task steps are named by their id, agent steps by their agent.
    label = one_line(step.label, 40)
    if label == step.agent or step.id.endswith(f".{label}"):
        label = ""
    if label:
        text.append(f" {label}")
    if step.agent and step.agent not in label:
        text.append(f" {one_line(step.agent, 24)}", "cyan")
    if step.round:
        text.append(f" r{step.round}", "magenta")
    if step.depends_on:
        text.append(f" ← {', '.join(one_line(d, 24) for d in step.depends_on)}", "dim")
    if step.route:
        text.append(f" {step.route}", "magenta")
    if step.detail and not step.route:  # a router's detail only repeats the route chosen
        text.append(f" {one_line(step.detail, 60)}", "red" if step.status == "failed" else "dim")
    if step.duration_s is not None:
        text.append(f" {step.duration_s:.1f}s", "dim")
    if step.tokens:
        text.append(f" {fmt.tokens(step.tokens)}t", "dim")
    return text


def proposed_label(task: dict) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", style="italic")
    text.append(f"{PROPOSED[0]} ", PROPOSED[1])
    text.append(one_line(str(task.get("id", "")), 30))
    text.append(f" {one_line(str(task.get('worker', '')), 24)}", "cyan")
    deps = task.get("depends_on") or ()
    if deps:
        text.append(f" ← {', '.join(one_line(str(d), 24) for d in deps)}", "dim")
    text.append(" proposed", "yellow")
    return text


class PlanView(Tree[str]):
    """A tree of steps; each node's data is its step id."""

    def __init__(self, state: RunState, **kwargs) -> None:
        # A Text, not a str: a str label is parsed as markup, whose emoji table (rich._emoji_codes,
        # ~3 ms to import) nothing else before the first frame needs.
        super().__init__(Text("plan"), **kwargs)
        self._state = state
        self._node_of: dict[str, TreeNode[str]] = {}
        self._proposed: dict[str, list[TreeNode[str]]] = {}
        self.show_root = False
        self.guide_depth = 2

    @property
    def chosen_step(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None and node.data else None

    def sync(self, steps: list[str]) -> None:
        """Add new steps under their parents and redraw changed ones."""
        state = self._state
        for step_id in steps:
            step = state.steps.get(step_id)
            if step is None:
                continue
            label = step_label(step)
            node = self._node_of.get(step_id)
            if node is None:
                parent = self._node_of.get(step.parent or "", self.root)
                node = parent.add(label, data=step_id, expand=True, allow_expand=False)
                parent.allow_expand = parent is not self.root
                self._node_of[step_id] = node
            else:
                node.set_label(label)
        for step_id in steps:  # after every step has its node, so proposed tasks come last
            if step_id in self._node_of:
                self._show_proposed(step_id)

    def _show_proposed(self, step_id: str) -> None:
        """A plan that waits for approval shows its tasks (greyed) under its step until approved."""
        shown = self._proposed.pop(step_id, [])
        for node in shown:
            node.remove()
        tasks = self._state.pending_plans.get(step_id)
        if not tasks:
            return
        parent = self._node_of[step_id]
        parent.allow_expand = True
        self._proposed[step_id] = [parent.add_leaf(proposed_label(task)) for task in tasks]
