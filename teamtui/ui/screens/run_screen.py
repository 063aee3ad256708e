"""The live run: header, agents, plan, one pane per agent, the final answer, the event log.

The screen owns the run's ``RunState``. The bridge worker posts one ``EventsArrived`` per batch;
``_apply`` runs the reducer once and redraws only what the batch changed. Steering keys live in
``RunCommands`` (a replay's keys in ``ReplayCommands``); everything the screen shows comes from events, so a replay looks the same.
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher

from teamtui.core.handle import RunHandle

from .. import format as fmt
from ..bridge import FRAME_S, EventsArrived, pump
from ..collector import StreamCollector
from ..safe_text import one_line
from ..state import RunState, Turn
from ..widgets.agent_list import FINAL, AgentList
from ..widgets.agent_pane import AgentPane, turn_title
from ..widgets.event_log import EventLog
from ..widgets.final_answer import FinalAnswer
from ..widgets.key_footer import KeyFooter
from ..widgets.plan_view import PlanView
from ..widgets.run_header import RunHeader
from ..widgets.step_detail import StepDetail
from .breakpoints import take_breakpoints
from .frames import PromptFrames
from .replay_commands import ReplayCommands
from .run_commands import RunCommands


#: The pane on screen redraws streamed text at most this often. Every redraw re-lays out the
#: growing Markdown, the costliest thing on screen while agents stream; 10 a second still reads
#: as live, and leaves the loop free to answer keys.
TEXT_S = 0.1


class RunScreen(RunCommands, ReplayCommands, PromptFrames):
    BINDINGS = [
        Binding("space", "pause", "Pause/resume", priority=True),  # before the plan tree's own space
        Binding("x", "stop_step", "Stop step"),
        Binding("r", "redirect", "Redirect"),
        Binding("n", "note", "Note"),
        Binding("p", "review_plan", "Review plan"),
        Binding("e", "export", "Export"),
        Binding("l", "filter_log", "Filter"),
        # A replay's own keys (hidden on a live run).
        Binding("left_square_bracket", "slower", "Slower", key_display="["),
        Binding("right_square_bracket", "faster", "Faster", key_display="]"),
        Binding("j", "jump", "Jump to step"),
        # Acted on when the key arrives, not after it has bubbled from the focused widget through
        # the busy run screen's queue (~4 message hops, 25 ms at worst while agents stream).
        Binding("question_mark", "help", "Help", priority=True),
        Binding("q", "app.quit_app", "Quit"),
    ]
    #: The footer's keys, most important first: when they do not all fit, the last go first.
    FOOTER_RANK = ("help", "app.quit_app", "pause", "review_plan", "stop_step", "redirect", "note", "jump",
                   "faster", "slower", "export", "filter_log")

    def __init__(self, handle: RunHandle, clock: Callable[[], float], frame_s: float = FRAME_S) -> None:
        super().__init__()
        self.handle = handle
        self.state = RunState()
        self._frame_s = frame_s
        #: A replay handle (journaled events played back) can be paused but not steered.
        self.replay = bool(getattr(handle, "is_replay", False))
        self.replay_paused = False
        self.header_bar = RunHeader(self.state, clock, replay=self.replay, id="header")
        if self.replay:
            self.header_bar.replay_speed = float(getattr(getattr(handle, "playback", None), "speed", 1.0))
        self.agent_list = AgentList(self.state, self._chosen, id="agents")
        self.plan = PlanView(self.state, id="plan")
        self.step_detail = StepDetail(id="step-detail")
        self.panes = ContentSwitcher(id="panes", initial="final")
        self.final = FinalAnswer(id="final")
        self.event_log = EventLog(self.state, id="log")
        self._pane_of: dict[str, AgentPane] = {}
        self._follow = True  # show the agent that just started, until the reader picks one
        self._auto_choice: str | None = None
        self._reviewing: str | None = None
        self._unshown: dict[Turn, None] = {}  # turns with streamed text not drawn yet, in order
        self._behind: AgentPane | None = None  # a pane just shown that has not caught up yet
        self._collector = StreamCollector()  # full GC passes stay short while the history grows

    def compose(self) -> ComposeResult:
        take_breakpoints(self)  # before the widgets: else they are all styled again on the first Resize
        yield self.header_bar
        with Horizontal(id="body"):
            with Vertical(id="side"):
                yield self.agent_list
                yield self.plan
                yield self.step_detail
            with self.panes:
                yield self.final
        yield self.event_log
        yield KeyFooter()

    def on_mount(self) -> None:
        self.step_detail.display = False
        self.agent_list.border_title = "Agents"
        self.plan.border_title = "Plan"
        self.event_log.border_title = self.event_log.title_text()
        self.final.border_title = "Final answer"
        self._collector.start()
        self.run_worker(pump(self.handle, self, self._frame_s), name="bridge", group="bridge", exclusive=True)
        self.set_interval(TEXT_S, self._show_streamed_text)

    def on_unmount(self) -> None:
        self._collector.stop()

    @property
    def live(self) -> bool:
        """True while commands can still change the run."""
        return not self.state.finished and not self.handle.finished

    # --- events in ---------------------------------------------------------------------------------

    async def on_events_arrived(self, message: EventsArrived) -> None:
        try:
            if message.events:
                await self._apply(message)
            if message.closed:
                self._collector.stop()
                self.refresh_bindings()
        finally:
            message.applied.set()

    async def _apply(self, message: EventsArrived) -> None:
        state = self.state
        changes = state.apply(message.events)
        with self.app.batch_update():
            if changes.agents or changes.finished:
                self.agent_list.sync(changes.agents)
            for name in state.agents:
                if name not in self._pane_of:
                    await self._add_pane(name)
            if changes.steps:
                self.plan.sync(changes.steps)
                if self.plan.chosen_step in changes.steps:
                    self._describe_step()
            if changes.log:
                self.event_log.add(changes.log)
            if changes.header or changes.agents:
                self.header_bar.refresh()
            for turn in changes.new_turns:
                await self._pane_of[turn.agent].add_turn(turn, state.steps.get(turn.step))
            for turn in changes.finished_turns:
                view = self._pane_of[turn.agent].view_for(turn)
                if view is not None:
                    view.set_title(turn_title(turn, state.steps.get(turn.step)))
            # Streamed text waits for the next text tick; a finished turn shows its final text now.
            self._unshown.update(dict.fromkeys(changes.text))
            await self._catch_up(dict.fromkeys([*changes.finished_turns, *changes.replaced]))
        if changes.new_turns and self._follow and not state.finished:
            self._choose(changes.new_turns[-1].agent)
        if changes.finished:
            self._collector.stop()
            await self._show_final()
        else:
            self._collector.applied(len(message.events))
        if changes.plan_review:
            self._open_review(changes.plan_review)
        if changes.soft_budget and self.live and not self.replay:
            self._ask_budget(*changes.soft_budget)
        if changes.header:
            self.refresh_bindings()

    @property
    def covered(self) -> bool:
        """True while an opaque screen (help) hides this one. Textual still counts it as visible,
        as it must for the dialogs it shows through, and redraws it and the screen on top."""
        top = self.app.screen
        return top is not self and top.styles.background.a == 1

    async def _show_streamed_text(self) -> None:
        if self.covered:
            return  # nothing of it shows: the text waits, and is drawn over the ticks after
        turns, self._unshown = self._unshown, {}
        pane, self._behind = self._behind, None
        if pane is not None and pane.id == self.panes.current:
            turns = {turn: None for turn in turns if self._pane_of[turn.agent] is not pane}  # once a tick
            self._unshown.update(dict.fromkeys(await pane.catch_up()))
        await self._catch_up(turns)

    async def _catch_up(self, turns: dict[Turn, None]) -> None:
        # Only the pane on screen renders as text arrives; the others catch up when shown. A turn
        # with more to show than a tick renders stays queued for the next one.
        for turn in turns:
            pane = self._pane_of[turn.agent]
            view = pane.view_for(turn)
            if view is not None and pane.id == self.panes.current and await view.catch_up():
                self._unshown[turn] = None

    async def _add_pane(self, name: str) -> None:
        pane = AgentPane(name, id=f"pane-{len(self._pane_of)}")
        pane.display = False  # the switcher only hides the children it was composed with
        self._pane_of[name] = pane
        agent = self.state.agents[name]
        pane.border_title = Text.assemble((one_line(name, 40), "bold"), f"  {one_line(agent.role, 40)}")
        await self.panes.mount(pane, before=self.final)
        if self.panes.current == "final" and not self.state.finished:
            self._choose(name)

    async def _show_final(self) -> None:
        await self.final.show(self.state)
        self.agent_list.sync()
        self._choose(FINAL)
        status = self.state.status
        # Only a run that is done has a final answer; a stopped one shows why, and its last finished reply.
        shown = "The final answer is shown" if status == "done" else "The final pane says why it ended"
        self.notify(f"Run {status}. {shown}; press e to export.", markup=False,
                    severity="information" if status == "done" else "warning")

    def _open_review(self, step: str) -> None:
        if self._reviewing is not None or not self.live or step not in self.state.pending_plans:
            return
        self._reviewing = step
        workers = list(self.state.agents)

        def done(tasks: list[dict] | None) -> None:
            self._reviewing = None
            if tasks is not None and self.live and step in self.state.pending_plans:
                self.handle.approve_plan(step, tasks)

        from .plan_review import PlanReviewScreen  # only runs with --approve-plan need it

        self.app.push_screen(PlanReviewScreen(step, self.state.pending_plans[step], workers), done)

    def _ask_budget(self, tokens: int, cost: float) -> None:
        def done(keep_going: bool | None) -> None:
            if keep_going is None or not self.live:
                return  # decide later: the run stays paused (space resumes, q stops)
            if keep_going:
                self.handle.resume()
            else:
                self.handle.stop()

        used = f"{fmt.tokens(tokens)} tokens" + (f" / {fmt.cost(cost)}" if cost else "")  # no price known: no $0
        from .budget import BudgetDialog  # only runs with a soft budget reach it

        self.app.push_screen(BudgetDialog(used), done)

    # --- the plan cursor's step in full ---------------------------------------------------------------

    def _describe_step(self) -> None:
        step = self.state.steps.get(self.plan.chosen_step or "") if self.plan.has_focus else None
        self.step_detail.show(step)

    def on_tree_node_highlighted(self) -> None:
        self._describe_step()

    def on_descendant_focus(self) -> None:
        self._describe_step()

    def on_descendant_blur(self) -> None:
        self._describe_step()

    # --- choosing what the centre shows ---------------------------------------------------------------

    def _choose(self, key: str) -> None:
        """Show ``key``'s pane (an agent or FINAL) without counting as the reader's choice."""
        self._show(key)
        if self.agent_list.chosen != key:
            self._auto_choice = key  # the highlight this causes is ours, not the reader's
            if not self.agent_list.choose(key):
                self._auto_choice = None

    def _show(self, key: str) -> None:
        pane = self.final if key == FINAL else self._pane_of.get(key)
        if pane is not None and self.panes.current != pane.id:
            self.panes.current = pane.id
            if isinstance(pane, AgentPane):
                # Shown at once; what it missed while hidden follows on the next text tick, so
                # the key that chose it is answered before that work is done.
                self._behind = pane

    def _chosen(self, key: str, focus: bool) -> None:
        """The agent list's highlight moved to ``key`` (``focus``: selected with enter or a click)."""
        if key == self._auto_choice and not focus:
            self._auto_choice = None
        elif focus or self.agent_list.has_focus:
            self._follow = False  # the reader picked an agent: stop following the action
        self._show(key)
        if focus:
            (self.final if key == FINAL else self._pane_of[key]).focus()
