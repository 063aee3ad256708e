"""The plan cursor's step in full, under the plan while the plan has focus.

The side panel is 42 columns (30 when narrow), so a plan row cuts a long label or detail off;
this says it all, wrapped.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from .. import format as fmt
from ..safe_text import one_line
from ..state import StepView


def describe(step: StepView) -> Text:
    glyph, style = fmt.STEP_STYLE.get(step.status, ("?", ""))
    text = Text.assemble((f"{glyph} {step.id}", style), f" {step.status}")
    if step.agent:
        text.append(f" · {one_line(step.agent, 60)}", "cyan")
    text.append(f"\n{one_line(step.label, 300)}")
    if step.route:
        text.append(f"\nroute {step.route}", "magenta")
    if step.detail:
        text.append(f"\n{one_line(step.detail, 300)}", "red" if step.status == "failed" else "dim")
    return text


class StepDetail(Static):
    def show(self, step: StepView | None) -> None:
        """Describe ``step``; None hides the detail."""
        self.display = step is not None
        if step is not None:
            self.update(describe(step))
