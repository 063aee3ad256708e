"""The keys of a replay: pause (shared with a live run's space), speed and jump to a step.

They drive a ``ReplayHandle`` (``set_speed``, ``jump``); a live run never offers them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from teamtui.core import events as ev

from ..safe_text import one_line

if TYPE_CHECKING:
    from .run_screen import RunScreen

#: Actions that only a replay has.
REPLAY_ACTIONS = {"faster", "slower", "jump"}
#: Playback speeds offered by ] and [ (each press doubles or halves).
MIN_SPEED, MAX_SPEED = 1 / 16, 64.0


class ReplayCommands:
    def _set_speed(self: RunScreen, speed: float) -> None:
        speed = min(MAX_SPEED, max(MIN_SPEED, speed))
        self.handle.set_speed(speed)  # type: ignore[attr-defined]  # a ReplayHandle (check_action)
        self.header_bar.replay_speed = speed
        self.header_bar.refresh()

    def action_faster(self: RunScreen) -> None:
        self._set_speed((self.header_bar.replay_speed or MAX_SPEED) * 2)  # 0 plays at once: already fastest

    def action_slower(self: RunScreen) -> None:
        self._set_speed((self.header_bar.replay_speed or MAX_SPEED) / 2)

    def action_jump(self: RunScreen) -> None:
        step = self.selected_step()
        if step is None:
            self.notify("Choose a step in the plan first.", markup=False, severity="warning")
            return
        if step.status != ev.PENDING:
            self.notify(f"Step {step.id} has already started in this replay.", markup=False, severity="warning")
            return
        self.handle.jump(step.id)  # type: ignore[attr-defined]
        if self.replay_paused:  # a jump is a request to see the step: play on to it
            self.action_pause()
        self.notify(f"Jumping to step {step.id} ({one_line(step.label, 40)}).", markup=False)
