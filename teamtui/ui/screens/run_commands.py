"""The steering keys of the run screen. Each one calls a RunHandle command; the runtime records it
as a CommandIssued event, which is how it reaches the log and the transcript."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from teamtui.core import events as ev

from ..safe_text import one_line
from ..state import StepView
from .replay_commands import REPLAY_ACTIONS

# The dialogs and the help screen are imported when first asked for: the first frame needs none.
if TYPE_CHECKING:
    from .log_filter import LogFilter
    from .run_screen import RunScreen

#: Actions that only make sense while the run can still change.
LIVE_ACTIONS = {"pause", "stop_step", "redirect", "note", "review_plan"}


class RunCommands:
    def check_action(self: RunScreen, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review_plan" and not self.state.pending_plans:
            return False  # hidden: only offered while a plan waits
        if action in REPLAY_ACTIONS:
            if not self.replay:
                return False  # hidden: a live run plays at its own pace
            return True if not self.handle.finished else None  # greyed once playback is over
        if action in LIVE_ACTIONS and not self.live:
            return None  # shown greyed out: the run is over
        if action in LIVE_ACTIONS - {"pause"} and self.replay:
            return None  # a replay can be paused, not steered: what happened, happened
        return True

    # --- what the keys act on ------------------------------------------------------------------

    def selected_agent(self: RunScreen) -> str | None:
        chosen = self.agent_list.chosen
        return chosen if chosen in self.state.agents else None

    def selected_step(self: RunScreen) -> StepView | None:
        """The plan's cursor step while the plan has focus, else the selected agent's current
        (or last, or next) step."""
        steps = self.state.steps
        if self.plan.has_focus and self.plan.chosen_step:
            return steps.get(self.plan.chosen_step)
        name = self.selected_agent()
        if name is not None:
            agent = self.state.agents[name]
            open_turns = list(agent.active.values())
            turn = open_turns[-1] if open_turns else (agent.turns[-1] if agent.turns else None)
            if turn is not None and turn.step in steps:
                return steps[turn.step]
            queued = [s for s in steps if s in agent.queued]
            if queued:
                return steps[queued[0]]
        return steps.get(self.plan.chosen_step or "")

    def _say(self: RunScreen, message: str, warning: bool = False) -> None:
        self.notify(message, markup=False, severity="warning" if warning else "information")

    # --- the commands ------------------------------------------------------------------------------

    def action_pause(self: RunScreen) -> None:
        if self.replay:
            # Playback pauses without an event (the journal's history stays as it was).
            self.replay_paused = not self.replay_paused
            self.handle.pause() if self.replay_paused else self.handle.resume()
            self.header_bar.replay_paused = self.replay_paused
            self.header_bar.refresh()
        elif self.state.paused:
            self.handle.resume()
        else:
            self.handle.pause()

    def _holds_steps(self: RunScreen, step: StepView, doing: str) -> bool:
        """A loop, a parallel or a plan holds the agents' steps; only those take a stop or a
        redirect (the core acts on agent turns), so say so instead of a command that does nothing."""
        if step.agent:
            return False
        self._say(f"Step {step.id} ({one_line(step.label, 40)}) holds other steps: choose one of its "
                  f"agents' steps to {doing}.", warning=True)
        return True

    def action_stop_step(self: RunScreen) -> None:
        step = self.selected_step()
        if step is None:
            self._say("Choose an agent or a plan step first.", warning=True)
        elif self._holds_steps(step, "stop"):
            return
        elif step.status != ev.RUNNING:
            self._say(f"Step {step.id} is {step.status}, not running: nothing to stop.", warning=True)
        else:
            self.handle.cancel_step(step.id)
            self._say(f"Stopping step {step.id} ({one_line(step.label, 40)}).")

    def action_redirect(self: RunScreen) -> None:
        step = self.selected_step()
        if step is None:
            self._say("Choose an agent or a plan step first.", warning=True)
            return
        if self._holds_steps(step, "redirect"):
            return

        def done(instruction: str | None) -> None:
            if not instruction:
                return
            if not self.live:  # it ended while the dialog was open: say so rather than drop the words
                self._say("The run has ended; the redirect was not sent.", warning=True)
                return
            self.handle.redirect(step.id, instruction)
            self._say(f"Step {step.id} redirected.")

        from .redirect import RedirectDialog  # with its TextArea, loaded when first asked for

        self.app.push_screen(RedirectDialog(step), done)

    def action_note(self: RunScreen) -> None:
        name = self.selected_agent()
        if name is None:
            self._say("Choose an agent in the list first.", warning=True)
            return

        def done(note: str | None) -> None:
            if not note:
                return
            if not self.live:  # it ended while the dialog was open: say so rather than drop the words
                self._say("The run has ended; the note was not sent.", warning=True)
                return
            self.handle.inject(name, note)
            self._say(f"Note queued for {one_line(name, 40)}: it sees it in its next turn.")

        from .note import NoteDialog  # with its TextArea, loaded when first asked for

        self.app.push_screen(NoteDialog(name, self.state.agents[name].role), done)

    def action_review_plan(self: RunScreen) -> None:
        for step in self.state.pending_plans:
            self._open_review(step)
            return

    def action_filter_log(self: RunScreen) -> None:
        from .log_filter import LogFilterDialog

        log = self.event_log

        def done(choice: LogFilter | None) -> None:
            if choice is not None:
                log.set_filter(*choice)

        self.app.push_screen(LogFilterDialog(list(self.state.agents), (log.agent, log.kind)), done)

    def action_help(self: RunScreen) -> None:
        from .help import show_help

        show_help(self.app)

    async def action_export(self: RunScreen) -> None:
        try:
            from teamtui.export import write_all
        except ImportError as exc:  # the exporters ship separately; say so rather than crash
            self._say(f"Export is not available: {exc}", warning=True)
            return
        run_id = self.state.run_id or self.handle.run_id
        folder = self.app.export_folder(run_id)
        events = list(self.handle.history)
        try:
            paths = await asyncio.to_thread(write_all, events, folder)
        except OSError as exc:
            self._say(f"Export failed: {exc}", warning=True)
            return
        names = ", ".join(p.name for p in paths)
        self.notify(f"{names}\nin {folder}", title="Transcript exported", markup=False, timeout=12)
