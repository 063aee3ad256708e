"""The Textual app, built by one factory for the CLI, the tests and the screenshot script.

    build_app(handle_factory=f)                         # `teamtui`: the team picker
    build_app(team=t, handle_factory=f)                 # `teamtui run TEAM`: ask for the request
    build_app(team=t, prompt=p, handle_factory=f)       # `teamtui run TEAM "..."`: start at once
    build_app(handle=h)                                 # a started run, or a replay of a finished one

``handle_factory(team, prompt) -> RunHandle`` is called inside the app's event loop, so it may
call ``Runner(team, options).start(prompt)``. Everything shown comes from the handle's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from textual.app import App
from textual.binding import Binding

from teamtui.core.handle import RunHandle
from teamtui.core.team import Team
from teamtui.startup import settled

from . import warm
from .bridge import FRAME_S
from .screens.run_screen import RunScreen

if TYPE_CHECKING:
    from teamtui.loader import TeamInfo

HandleFactory = Callable[[Team, str], RunHandle]


def _list_teams() -> list[TeamInfo]:
    from teamtui.loader import list_teams

    return list_teams()


def _load_team(info: TeamInfo) -> Team:
    from teamtui.loader import load_team

    return load_team(info.path)


def _run_folder(run_id: str) -> Path:
    from teamtui import config

    return config.runs_dir() / run_id


class TeamApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "teamtui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("q", "quit_app", "Quit", show=False),  # the run screen shows its own; inputs type q
        Binding("ctrl+c", "quit_app", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        team: Team | None,
        prompt: str | None,
        handle_factory: HandleFactory | None,
        handle: RunHandle | None,
        list_teams: Callable[[], list[TeamInfo]],
        load_team: Callable[[TeamInfo], Team],
        export_folder: Callable[[str], Path],
        clock: Callable[[], float],
        animations: bool,
        frame_s: float,
    ) -> None:
        super().__init__()
        self._team, self._prompt, self._factory, self._handle = team, prompt, handle_factory, handle
        self._list_teams, self._load_team = list_teams, load_team
        self.export_folder = export_folder
        self.clock = clock
        self.frame_s = frame_s
        self.blink = animations  # read by the screens' inputs: snapshots need a cursor that holds still
        if not animations:
            self.animation_level = "none"

    def on_mount(self) -> None:
        # Start-up ends with the first frame: then the collector resumes, and skips what lives this long.
        self.call_after_refresh(self._first_frame_drawn)
        if self._handle is not None:
            self.push_screen(self._run_screen(self._handle))
        elif self._team is not None and self._prompt:
            self.start_run(self._team, self._prompt)
        elif self._team is not None:
            team = self._team
            # The prompt and the picker are imported here: a run's first frame needs neither.
            from .screens.prompt import PromptScreen

            self.push_screen(PromptScreen(team), lambda prompt: self.start_run(team, prompt))
        else:
            from .screens.picker import PickerScreen

            self.push_screen(PickerScreen(self._list_teams(), self._load_team), self._picked)

    def _first_frame_drawn(self) -> None:
        settled()
        warm.start()  # what the first frame did not need, in a thread (see warm.py)

    def _picked(self, choice: tuple[Team, str] | None) -> None:
        if choice is not None:
            self.start_run(*choice)

    def _run_screen(self, handle: RunHandle) -> RunScreen:
        return RunScreen(handle, self.clock, self.frame_s)

    def start_run(self, team: Team, prompt: str | None) -> None:
        if not prompt:
            return
        if self._factory is None:
            raise RuntimeError("build_app needs a handle_factory to start runs")
        handle = self._factory(team, prompt)
        self.push_screen(self._run_screen(handle))

    @property
    def run_screen(self) -> RunScreen | None:
        return next((s for s in reversed(self.screen_stack) if isinstance(s, RunScreen)), None)

    def action_quit_app(self) -> None:
        screen = self.run_screen
        if screen is None or not screen.live:
            self.exit()
            return
        from .screens.confirm import ConfirmDialog  # only when quitting a live run: not before the first frame

        if isinstance(self.screen, ConfirmDialog):
            return

        async def answer(stop: bool | None) -> None:
            if stop:
                screen.handle.stop()
                # Let the run record its end (journal, RunFinished) before the loop goes away.
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(screen.handle.wait(), timeout=5)
                self.exit()

        self.push_screen(ConfirmDialog("The run is still going. Stop it and quit?", yes="Stop and quit",
                                       no="Keep running"), answer)


def build_app(
    *,
    team: Team | None = None,
    prompt: str | None = None,
    handle_factory: HandleFactory | None = None,
    handle: RunHandle | None = None,
    list_teams: Callable[[], list[TeamInfo]] = _list_teams,
    load_team: Callable[[TeamInfo], Team] = _load_team,
    export_folder: Callable[[str], Path] = _run_folder,
    clock: Callable[[], float] = time.time,
    animations: bool = True,
    frame_s: float = FRAME_S,
) -> TeamApp:
    """The app for one of four starts (see the module docstring).

    - ``team``/``prompt``: the team to run and its request; without ``prompt`` the app asks for
      it (prefilled with ``team.example``); without ``team`` it shows the team picker.
    - ``handle_factory(team, prompt) -> RunHandle``: starts a run (called in the app's loop).
    - ``handle``: show this run instead (already started, or a replay handle over journaled events).
    - ``list_teams`` / ``load_team``: the picker's source (default: ``teamtui.loader``).
    - ``export_folder(run_id) -> Path``: where ``e`` writes the transcripts (default: the run's folder).
    - ``clock``: wall-clock seconds for the elapsed time (tests pass a fixed one).
    - ``animations=False``: no animation, no cursor blink (snapshots).
    - ``frame_s``: at most one batch of events reaches the screen per frame of this length.
    """
    return TeamApp(
        team=team, prompt=prompt, handle_factory=handle_factory, handle=handle, list_teams=list_teams,
        load_team=load_team, export_folder=export_folder, clock=clock, animations=animations, frame_s=frame_s,
    )

