"""Every steering key, pressed in the real app on a real run (Runner + ScriptedModel).

The scripted model answers with a latency, so steps are in flight when keys are pressed; the
assertions look at what the runtime really did (model calls, prompts, step statuses, files).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Callable

import pytest

from teamtui.core import events as ev
from teamtui.core.models.base import ModelRequest
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.team import Team
from teamtui.ui.app import TeamApp, build_app
from teamtui.ui.screens.confirm import ConfirmDialog
from teamtui.ui.screens.note import NoteDialog
from teamtui.ui.screens.plan_review import PlanReviewScreen
from teamtui.ui.screens.redirect import RedirectDialog
from teamtui.ui.screens.run_screen import RunScreen

SIZE = (120, 36)

SOFTWARE_HOUSE = Team.model_validate({
    "name": "software-house",
    "agents": {
        "pm": {"role": "Product Manager"},
        "developer": {"role": "Senior Developer"},
        "qa": {"role": "QA Engineer"},
    },
    "flow": {"sequence": [
        {"agent": "pm"},
        {"loop": {"max_iterations": 2, "until": {"contains": "APPROVED"},
                  "sequence": [{"agent": "developer"}, {"agent": "qa"}]}},
    ]},
})

SUPERVISOR = Team.model_validate({
    "name": "supervisor",
    "agents": {
        "planner": {"role": "Lead"},
        "researcher": {"role": "Researcher"},
        "coder": {"role": "Coder"},
    },
    "flow": {"supervise": {"planner": "planner", "workers": ["researcher", "coder"]}},
})


def answer(request: ModelRequest) -> str:
    prompt = "\n".join(str(m.get("content") or "") for m in request.messages)
    if request.purpose == "planner":
        return json.dumps({"tasks": [
            {"id": "facts", "worker": "researcher", "task": "Find the facts", "depends_on": []},
            {"id": "code", "worker": "coder", "task": "Write the code", "depends_on": []},
        ]})
    if request.agent == "qa":
        return "APPROVED"
    if "REST only" in prompt and request.agent == "pm":
        return "pm: a REST-only spec"
    return f"{request.agent} answers ({request.purpose})"


class HeldModel:
    """The scripted model, except that calls of the agents in ``held`` wait until released.

    A held call is in flight for as long as the test needs, however slow the machine is, so a
    key pressed "while the step runs" really is pressed while it runs."""

    label = "scripted"
    is_demo = False

    def __init__(self, *held: str) -> None:
        self.inner = ScriptedModel(default=answer)
        self.gates = {agent: asyncio.Event() for agent in held}

    def release(self, agent: str) -> None:
        self.gates[agent].set()

    async def stream(self, request: ModelRequest):
        gate = self.gates.get(request.agent)
        if gate is not None:
            await gate.wait()
        async for chunk in self.inner.stream(request):
            yield chunk

    def prompts_for(self, agent: str) -> list[str]:
        return self.inner.prompts_for(agent)

    def calls_for(self, agent: str) -> list[ModelRequest]:
        return self.inner.calls_for(agent)


def make_app(team: Team, model, tmp_path: Path, **options) -> TeamApp:
    def factory(team: Team, prompt: str):
        return Runner(team, RunOptions(models={"*": model}, **options)).start(prompt)

    return build_app(team=team, prompt="Build it", handle_factory=factory, animations=False,
                     export_folder=lambda run_id: tmp_path / run_id)


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition`` holds (fails the test after ``timeout``)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)


def run_screen(app: TeamApp) -> RunScreen:
    screen = app.run_screen
    assert screen is not None
    return screen


def step_status(app: TeamApp, step: str) -> str | None:
    view = run_screen(app).state.steps.get(step)
    return view.status if view else None


def commands(app: TeamApp) -> list[ev.CommandIssued]:
    return [e for e in run_screen(app).handle.history if isinstance(e, ev.CommandIssued)]


def logged(app: TeamApp, kind: str) -> list[str]:
    return [entry.text for entry in run_screen(app).state.log if entry.kind == kind]


async def choose_while_running(pilot, app: TeamApp, step: str, agent: str) -> RunScreen:
    """Once ``step`` runs, select ``agent`` in the agent list (the keys act on the chosen agent)."""
    screen = run_screen(app)
    await until(pilot, lambda: step_status(app, step) == ev.RUNNING)
    screen.agent_list.focus()
    screen.agent_list.choose(agent)
    return screen


async def test_space_pauses_new_calls_and_resumes(tmp_path: Path) -> None:
    model = HeldModel("pm")
    app = make_app(SOFTWARE_HOUSE, model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: step_status(app, "1") == ev.RUNNING)
        await pilot.press("space")
        await until(pilot, lambda: run_screen(app).state.paused)
        model.release("pm")  # the call in flight may finish...
        await until(pilot, lambda: step_status(app, "1") == ev.DONE)
        await pilot.pause(0.5)  # ...but no new call starts while paused
        assert len(model.inner.calls) == 1
        assert run_screen(app).state.agent_status("developer") == "waiting"
        assert step_status(app, "2.r1.1") == ev.PENDING  # not running while nothing runs
        await pilot.press("space")
        await until(pilot, lambda: run_screen(app).state.finished)
        assert [c.agent for c in model.inner.calls] == ["pm", "developer", "qa"]
        assert [c.command for c in commands(app)] == ["pause", "resume"]
        assert logged(app, "command") == ["user: pause", "user: resume"]


async def test_x_stops_the_selected_step(tmp_path: Path) -> None:
    model = HeldModel("pm")  # never released: only the stop can end its turn
    app = make_app(SOFTWARE_HOUSE, model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: step_status(app, "1") == ev.RUNNING)
        await until(pilot, lambda: run_screen(app).agent_list.chosen == "pm")
        await pilot.press("x")
        await until(pilot, lambda: step_status(app, "1") == ev.INTERRUPTED)
        assert [(c.command, c.step) for c in commands(app)] == [("cancel_step", "1")]
        assert logged(app, "command") == ["user: stop step 1"]
        await until(pilot, lambda: run_screen(app).state.agent_status("pm") == "stopped")


async def test_x_on_a_step_that_is_not_running_says_so(tmp_path: Path) -> None:
    model = HeldModel("developer")
    app = make_app(SOFTWARE_HOUSE, model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose_while_running(pilot, app, "2.r1.1", "pm")
        await pilot.press("x")
        assert commands(app) == []
        assert any("not running" in n.message for n in app._notifications)


@pytest.mark.parametrize("key", ["x", "r"])
async def test_x_and_r_on_a_step_that_holds_others_say_to_choose_an_agents_step(tmp_path: Path, key: str) -> None:
    # The loop is running while its developer streams; a stop or redirect of the loop itself
    # used to be accepted ("Step 2 redirected.") and change nothing.
    model = HeldModel("developer")
    app = make_app(SOFTWARE_HOUSE, model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = run_screen(app)
        await until(pilot, lambda: step_status(app, "2.r1.1") == ev.RUNNING and step_status(app, "2") == ev.RUNNING)
        screen.plan.focus()
        screen.plan.move_cursor(screen.plan._node_of["2"])
        await pilot.press(key)
        await pilot.pause()
        assert commands(app) == [] and not isinstance(app.screen, RedirectDialog)
        assert any("holds other steps" in n.message for n in app._notifications)
        model.release("developer")


async def test_r_redirects_a_finished_step_and_its_downstream_steps_rerun(tmp_path: Path) -> None:
    model = HeldModel("developer")
    app = make_app(SOFTWARE_HOUSE, model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await choose_while_running(pilot, app, "2.r1.1", "pm")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RedirectDialog))
        await pilot.press(*"REST only", "ctrl+s")
        await until(pilot, lambda: bool(commands(app)))
        model.release("developer")
        await until(pilot, lambda: screen.state.finished)
        pm_prompts = model.prompts_for("pm")
        assert len(pm_prompts) == 2 and "REST only" in pm_prompts[1] and "REST only" not in pm_prompts[0]
        # The developer's step depended on the PM's: it ran again, on the redirected spec.
        assert "a REST-only spec" in model.prompts_for("developer")[-1]
        assert [(c.command, c.step, c.text) for c in commands(app)] == [("redirect", "1", "REST only")]
        assert [t.step for t in screen.state.agents["pm"].turns] == ["1", "1"]  # both turns stay readable


async def test_n_sends_a_note_to_the_agents_next_prompt(tmp_path: Path) -> None:
    model = HeldModel("pm")
    app = make_app(SOFTWARE_HOUSE, model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await choose_while_running(pilot, app, "1", "developer")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"Use Go", "enter")
        await until(pilot, lambda: bool(commands(app)))
        model.release("pm")
        await until(pilot, lambda: screen.state.finished)
        assert "Use Go" in model.prompts_for("developer")[0]
        assert "Use Go" not in model.prompts_for("pm")[0]
        assert [(c.command, c.agent, c.text) for c in commands(app)] == [("inject", "developer", "Use Go")]
        assert logged(app, "command") == ["user: note to developer: Use Go"]


async def test_e_exports_markdown_json_and_html(tmp_path: Path) -> None:
    app = make_app(SOFTWARE_HOUSE, HeldModel(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = run_screen(app)
        await until(pilot, lambda: screen.state.finished)
        await pilot.press("e")
        folder = tmp_path / screen.state.run_id
        await until(pilot, lambda: (folder / "transcript.html").exists())
        assert sorted(p.name for p in folder.iterdir()) == ["transcript.html", "transcript.json", "transcript.md"]
        assert "APPROVED" in (folder / "transcript.md").read_text()
        assert any(str(folder) in n.message for n in app._notifications)  # the path is shown


async def test_plan_review_edits_the_plan_before_it_runs(tmp_path: Path) -> None:
    model = HeldModel()
    app = make_app(SUPERVISOR, model, tmp_path, approve_plan=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        review = app.screen
        assert [t["id"] for t in review.tasks] == ["facts", "code"]
        await pilot.pause(0.3)
        assert model.calls_for("researcher") == [] and model.calls_for("coder") == []  # nothing runs unapproved
        await pilot.press("d")  # remove "facts", the task under the cursor
        await pilot.press("ctrl+s")
        screen = run_screen(app)
        await until(pilot, lambda: screen.state.finished)
        assert model.calls_for("researcher") == []
        assert len(model.calls_for("coder")) == 1
        assert [c.step for c in commands(app) if c.command == "approve_plan"] == ["1"]
        assert [s for s in screen.state.steps if ".t." in s] == ["1.t.code"]


async def test_plan_review_rejects_a_broken_edit(tmp_path: Path) -> None:
    app = make_app(SUPERVISOR, HeldModel(), tmp_path, approve_plan=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        review = app.screen
        review.tasks[1]["depends_on"] = ["nowhere"]
        await pilot.press("ctrl+s")
        assert app.screen is review  # still open, saying why
        assert "missing task 'nowhere'" in str(review.query_one("#plan-error").render())
        assert not [c for c in commands(app) if c.command == "approve_plan"]


async def test_plan_review_later_then_p_reopens_it(tmp_path: Path) -> None:
    app = make_app(SUPERVISOR, HeldModel(), tmp_path, approve_plan=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: run_screen(app).state.finished)
        assert run_screen(app).state.status == ev.RUN_DONE


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quit_asks_while_the_run_is_live_then_stops_it(tmp_path: Path, key: str) -> None:
    app = make_app(SOFTWARE_HOUSE, HeldModel("pm"), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: step_status(app, "1") == ev.RUNNING)
        handle = run_screen(app).handle
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        assert app.is_running and not handle.finished
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running)
    assert handle.finished
    assert (await handle.wait()).status == ev.RUN_STOPPED


async def test_quit_after_the_run_ends_does_not_ask(tmp_path: Path) -> None:
    app = make_app(SOFTWARE_HOUSE, HeldModel(), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: run_screen(app).state.finished)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)


@pytest.mark.parametrize("key, dialog, keys, word", [
    ("n", NoteDialog, ("O", "k", "enter"), "note"),
    ("r", RedirectDialog, ("O", "k", "ctrl+s"), "redirect"),
])
async def test_a_note_or_redirect_sent_after_the_run_ended_says_it_was_not_sent(
        tmp_path: Path, key: str, dialog: type, keys: tuple[str, ...], word: str) -> None:
    model = HeldModel("pm")
    app = make_app(SOFTWARE_HOUSE, model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await choose_while_running(pilot, app, "1", "pm")
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, dialog))
        model.release("pm")  # the run ends while the dialog is open
        await until(pilot, lambda: screen.state.finished)
        await pilot.press(*keys)
        await until(pilot, lambda: not isinstance(app.screen, dialog))
        assert commands(app) == []  # nothing sent, nothing journaled
        assert any(f"the {word} was not sent" in n.message for n in app._notifications)
