"""Hand-made runs for the UI tests, snapshots and screenshots, fed through the real bridge.

A scene is a list of events plus a ``SceneHandle``: a RunHandle over an EventStream we fill
ourselves (exactly how a replay works), whose control records the commands it is given.
Times are fixed so pictures do not change from run to run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from teamtui.core import events as ev
from teamtui.core.handle import RunHandle, RunResult
from teamtui.core.stream import EventStream

T0 = 1_700_000_000.0  # every scene starts at this wall-clock second
NOW = T0 + 83.0  # the clock the app is given: 01:23 into the run
RUN_ID = "20231114-221320-abc123"


class SceneControl:
    """The RunControl behind a SceneHandle: commands are recorded, not executed."""

    def __init__(self, stream: EventStream) -> None:
        self.stream = stream
        self.commands: list[tuple[str, dict[str, Any]]] = []

    def command(self, name: str, **kwargs: Any) -> None:
        self.commands.append((name, kwargs))

    async def wait(self) -> RunResult:
        return RunResult(RUN_ID, "done", events=self.stream.history)


class Scene:
    """Builds a run's events with increasing seq and fixed timestamps."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []
        self.t = T0

    def at(self, seconds: float) -> "Scene":
        self.t = T0 + seconds
        return self

    def add(self, cls: type[ev.Event], **fields: Any) -> "Scene":
        self.events.append(cls(run_id=RUN_ID, seq=len(self.events) + 1, ts=self.t, **fields))
        return self

    def say(self, agent: str, step: str, text: str, pieces: int = 6) -> "Scene":
        size = max(1, len(text) // pieces + 1)
        for i in range(0, len(text), size):
            self.add(ev.TextDelta, agent=agent, step=step, text=text[i : i + size])
        return self

    def turn(self, agent: str, step: str, text: str, start: float, end: float, tokens: tuple[int, int]) -> "Scene":
        self.at(start).add(ev.StepStatusChanged, step=step, status=ev.RUNNING)
        self.add(ev.AgentStarted, agent=agent, step=step, model="demo (offline)", prompt=f"## Request\n{REQUEST}")
        self.say(agent, step, text)
        self.at(end).add(ev.AgentFinished, agent=agent, step=step, text=text, input_tokens=tokens[0],
                         output_tokens=tokens[1], duration_s=end - start)
        return self.add(ev.StepStatusChanged, step=step, status=ev.DONE, duration_s=end - start)

    def handle(self, close: bool = False) -> tuple[RunHandle, SceneControl]:
        stream = EventStream()
        for event in self.events:
            stream.emit(event)
        if close:
            stream.close()
        control = SceneControl(stream)
        return RunHandle(RUN_ID, stream, control), control


REQUEST = "Build a URL shortener in Go"

SPEC = """# URL shortener: specification

**Goal:** a small HTTP service that turns long URLs into short codes.

## Acceptance criteria
1. `POST /shorten` with `{"url": ...}` returns `{"code": "abc123"}`.
2. `GET /{code}` redirects (302) to the original URL.
3. Unknown codes return **404**.
"""

CODE = """Here is the implementation, in one file.

```go
package main

import (
\t"crypto/rand"
\t"encoding/hex"
\t"net/http"
\t"sync"
)

type store struct {
\tmu   sync.Mutex
\turls map[string]string
}

func (s *store) shorten(url string) string {
\tb := make([]byte, 3)
\trand.Read(b)
"""

REVIEW = """APPROVED

- AC1: `POST /shorten` returns a code.
- AC2: redirects with 302.
- AC3: unknown codes give 404.
"""

SOFTWARE_HOUSE_AGENTS = (
    {"name": "pm", "role": "Product Manager", "model": "demo (offline)"},
    {"name": "developer", "role": "Senior Developer", "model": "demo (offline)"},
    {"name": "qa", "role": "QA Engineer", "model": "demo (offline)"},
)


def software_house_start() -> Scene:
    scene = Scene()
    scene.add(ev.RunStarted, team="software-house", description="PM, developer and QA", input=REQUEST,
              model="demo (offline)", demo=True, agents=SOFTWARE_HOUSE_AGENTS)
    scene.add(ev.StepAdded, step="1", label="pm", step_kind="agent", agent="pm")
    scene.add(ev.StepAdded, step="2", label="loop (max 3)", step_kind="loop", depends_on=("1",))
    scene.add(ev.StepAdded, step="2.r1.1", label="developer", step_kind="agent", agent="developer", parent="2",
              depends_on=("1",), round=1)
    scene.add(ev.StepAdded, step="2.r1.2", label="qa", step_kind="agent", agent="qa", parent="2",
              depends_on=("2.r1.1",), round=1)
    return scene


def software_house_mid_stream() -> Scene:
    """The PM is done; the developer is halfway through its code."""
    scene = software_house_start()
    scene.turn("pm", "1", SPEC, 0.5, 21.0, (412, 180))
    scene.add(ev.MemoryWritten, agent="pm", key="spec", value="URL shortener: specification", step="1")
    scene.at(21.2).add(ev.StepStatusChanged, step="2", status=ev.RUNNING, detail="round 1/3")
    scene.add(ev.StepStatusChanged, step="2.r1.1", status=ev.RUNNING)
    scene.add(ev.AgentStarted, agent="developer", step="2.r1.1", model="demo (offline)", prompt=f"## Request\n{REQUEST}")
    scene.at(30.0).add(ev.RetryScheduled, agent="developer", step="2.r1.1", attempt=2, error="rate limited (429)",
                       delay_s=1.5)
    scene.at(62.0).add(ev.CommandIssued, command="inject", agent="developer", text="Use only the standard library")
    scene.at(80.0).say("developer", "2.r1.1", CODE)
    return scene


def software_house_finished() -> Scene:
    scene = software_house_mid_stream()
    scene.at(95.0).add(ev.AgentFinished, agent="developer", step="2.r1.1", text=CODE + "```\n", input_tokens=630,
                       output_tokens=410, duration_s=73.8)
    scene.add(ev.StepStatusChanged, step="2.r1.1", status=ev.DONE, duration_s=73.8)
    scene.turn("qa", "2.r1.2", REVIEW, 95.2, 110.0, (1050, 90))
    scene.add(ev.StepStatusChanged, step="2", status=ev.DONE, detail="condition met in round 1/3", duration_s=88.8)
    scene.add(ev.RunFinished, status=ev.RUN_DONE, output=REVIEW, input_tokens=2092, output_tokens=680)
    return scene


SUPERVISOR_AGENTS = (
    {"name": "planner", "role": "Engineering Lead", "model": "demo (offline)"},
    {"name": "researcher", "role": "Researcher", "model": "demo (offline)"},
    {"name": "coder", "role": "Software Engineer", "model": "demo (offline)"},
    {"name": "reviewer", "role": "Reviewer", "model": "demo (offline)"},
)

TASKS = (
    {"id": "research", "worker": "researcher", "task": "Compare SQLite and PostgreSQL for a small web app",
     "depends_on": []},
    {"id": "script", "worker": "coder", "task": "Write a migration script from SQLite to PostgreSQL",
     "depends_on": []},
    {"id": "review", "worker": "reviewer", "task": "Review the comparison and the script",
     "depends_on": ["research", "script"]},
)


def supervisor_planned(approved: bool) -> Scene:
    scene = Scene()
    scene.add(ev.RunStarted, team="supervisor", description="planner and workers", input="Compare databases",
              model="demo (offline)", demo=True, agents=SUPERVISOR_AGENTS)
    scene.add(ev.StepAdded, step="1", label="supervise (planner)", step_kind="supervise")
    scene.add(ev.StepAdded, step="1.plan", label="planner (plan)", step_kind="planner", agent="planner", parent="1")
    scene.add(ev.StepStatusChanged, step="1", status=ev.RUNNING, detail="planning")
    scene.turn("planner", "1.plan", "```json\n" + json.dumps({"tasks": TASKS}, indent=1) + "\n```", 0.2, 6.0,
               (339, 120))
    scene.add(ev.PlanProposed, step="1", tasks=TASKS, approved=approved)
    return scene


def supervisor_parallel() -> Scene:
    """The plan is approved; research and script run at once, the review waits for both."""
    scene = supervisor_planned(approved=False)
    scene.at(9.0).add(ev.CommandIssued, command="approve_plan", step="1")
    scene.add(ev.PlanProposed, step="1", tasks=TASKS, approved=True)
    for task in TASKS:
        scene.add(ev.StepAdded, step=f"1.t.{task['id']}", label=task["id"], step_kind="task", agent=task["worker"],
                  parent="1", depends_on=tuple(f"1.t.{d}" for d in task["depends_on"]) or ("1.plan",),
                  instruction=task["task"])
    scene.add(ev.StepStatusChanged, step="1", status=ev.RUNNING, detail="3 tasks")
    for agent, step in (("researcher", "1.t.research"), ("coder", "1.t.script")):
        scene.add(ev.StepStatusChanged, step=step, status=ev.RUNNING)
        scene.add(ev.AgentStarted, agent=agent, step=step, model="demo (offline)", prompt="## Task\n...")
    scene.at(40.0).say("researcher", "1.t.research",
                       "## SQLite vs PostgreSQL\n\n| | SQLite | PostgreSQL |\n|---|---|---|\n| setup | none | a server |\n")
    scene.add(ev.ToolCalled, agent="coder", step="1.t.script", call_id="c1", tool="memory",
              arguments='{"op": "read", "key": "schema"}')
    scene.add(ev.ToolReturned, agent="coder", step="1.t.script", call_id="c1", tool="memory", result="users, links")
    scene.say("coder", "1.t.script", "```python\nimport sqlite3\nimport psycopg\n\ndef migrate(src, dst):\n")
    return scene


@dataclass(frozen=True)
class FakeTeamInfo:
    name: str
    description: str
    example: str
    path: Path
    builtin: bool
    error: str | None = None


PICKER_TEAMS = [
    FakeTeamInfo("analysis", "Analysts look at a question from several sides; an arbiter weighs them.",
                 "Should we move our monolith to microservices?", Path("teams/analysis.yaml"), True),
    FakeTeamInfo("software-house", "A product manager writes the spec, a developer implements it, QA reviews.",
                 REQUEST, Path("teams/software-house.yaml"), True),
    FakeTeamInfo("supervisor", "A planner splits the work among a researcher, a coder and a reviewer.",
                 "Compare SQLite and PostgreSQL", Path("teams/supervisor.yaml"), True),
    FakeTeamInfo("my-team", "", "", Path("~/.config/teamtui/teams/my-team.yaml"), False,
                 error="my-team.yaml:4: unknown agent 'writer'"),
]


# --- apps showing the scenes (snapshots and screenshots) ----------------------------------------------


def scene_app(scene: Scene, close: bool = False):
    """The real app following ``scene`` through the bridge, with a fixed clock and no animation."""
    from teamtui.ui.app import build_app

    handle, _ = scene.handle(close=close)
    return build_app(handle=handle, clock=lambda: NOW, animations=False)


def picker_app():
    from teamtui.ui.app import build_app

    return build_app(handle_factory=lambda team, prompt: None, list_teams=lambda: PICKER_TEAMS,
                     load_team=lambda info: None, animations=False)


async def settle(pilot) -> None:
    """Wait until the run screen shows every event it was given, every turn fully rendered."""
    import asyncio

    from teamtui.ui.safe_text import clean
    from teamtui.ui.widgets.turn_view import TurnView

    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        await pilot.pause(0.05)
        screen = app.run_screen
        if screen is None or len(screen.state.log) == 0:
            continue
        views = [view for pane in screen._pane_of.values() for view in pane.query(TurnView)]
        turns = sum(len(a.turns) for a in screen.state.agents.values())
        shown = [view for view in views if view.parent.id == screen.panes.current]  # hidden panes wait
        if len(views) == turns and all(view.shown_text == clean(view.turn.text) for view in shown):
            break
    await pilot.pause(0.3)  # let the last Markdown blocks mount
    await pilot.wait_for_scheduled_animations()
