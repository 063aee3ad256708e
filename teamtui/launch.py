"""What the CLI commands do: load, validate, start, print. Kept apart from cli.py so the
argument definitions stay cheap to import (``teamtui --help``)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import msgspec

from . import config
from .cli import EXIT_BUDGET, EXIT_FAILED, EXIT_STOPPED, EXIT_USAGE, fail
from .startup import settled


class RunRequest(msgspec.Struct):
    team: str
    prompt: str | None
    model: str | None = None
    api_base: str | None = None
    headless: bool = False
    json: bool = False
    approve_plan: bool = False
    speed: float | None = None


def load_settings() -> config.Settings:
    try:
        return config.load_settings()
    except config.ConfigError as exc:
        fail(str(exc))
        raise AssertionError("unreachable")


def load_spec(source: str, **kwargs):
    """A RunSpec for a team name or path; a bad team file exits 2 with file:line."""
    from .loader import TeamFileError, load_team, resolve
    from .session import RunSpec

    try:
        path = resolve(source)
        team = load_team(path)
    except TeamFileError as exc:
        fail(str(exc))
        raise AssertionError("unreachable")
    return RunSpec(team=team, team_text=path.read_text(encoding="utf-8"), team_path=str(path),
                   settings=load_settings(), **kwargs)


def exit_code(status: str, stopped_by: str | None = None) -> int:
    if status == "stopped":
        return EXIT_BUDGET if stopped_by == "budget" else EXIT_STOPPED
    return 0 if status == "done" else EXIT_FAILED


def run_command(req: RunRequest) -> int:
    check_options(req)
    spec = load_spec(req.team, model=req.model, api_base=req.api_base, approve_plan=req.approve_plan,
                     speed=req.speed)
    # An omitted request means the team's example; one given empty is a mistake, not a wish for it.
    prompt = req.prompt if req.prompt is not None else spec.team.example
    given = "--json" if req.json else "--headless" if req.headless else None
    if not req.headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
        # No terminal to draw on (a pipe, CI, cron): print the run instead of failing.
        print("teamtui: not a terminal; running headless (use --headless to say so)", file=sys.stderr)
        req.headless = True
    if req.headless:
        if not prompt or not prompt.strip():
            fail(f"team {spec.team.name!r} has no example request; give one: teamtui run {req.team} \"...\"")
        if req.approve_plan:
            fail(f"--approve-plan needs the TUI (drop {given})" if given
                 else "--approve-plan needs the TUI, and there is no terminal here")
        return asyncio.run(run_headless(spec, prompt, req.json))
    return run_tui(spec, req.prompt)


def check_options(req: RunRequest) -> None:
    """Refuse, in one line, what would otherwise be quietly ignored or turned into something else."""
    from urllib.parse import urlsplit

    if req.prompt is not None and not req.prompt.strip():
        fail(f"the request is empty; give one, or leave it out to use the team's example: teamtui run {req.team}")
    if req.model is not None and not req.model.strip():
        fail("--model is empty; give a model such as openai/gpt-4o-mini, or demo")
    if req.api_base is not None:
        url = urlsplit(req.api_base.strip())
        if url.scheme not in ("http", "https") or not url.hostname:
            fail(f"--api-base {req.api_base!r} is not an http(s) URL; give one such as http://localhost:8000/v1")


def preflight(spec) -> None:
    """Refuse a model that cannot work before the run starts (nothing is journaled): one line, exit 2.
    Only what the model string and the environment tell; litellm judges the rest when called."""
    from .core.models.preflight import model_problem
    from .core.models.registry import choose

    api_base = spec.api_base or spec.settings.api_base
    for model in sorted({choose(spec.team, agent, spec.model, spec.settings.model) for agent in spec.team.agents}):
        problem = model_problem(model, api_base)
        if problem:
            fail(problem)


def check_models(spec) -> None:
    """Fail before the screen is taken when a model cannot be used (e.g. the local extra is missing)."""
    from .core.models.base import ModelError
    from .core.models.registry import resolve_models

    preflight(spec)
    try:
        resolve_models(spec.team, spec.model, spec.settings.model, spec.api_base, None, 0)
    except ModelError as exc:
        fail(str(exc), EXIT_FAILED)


def tui_factory(spec):
    """The TUI's handle factory: journaled runs, started in the app's own event loop. A team picked
    in the TUI (not the one on the command line) is found again by name for its file text."""
    from .loader import resolve
    from .session import start_run

    keep: set[asyncio.Task] = set()

    def factory(team, prompt: str):
        run_spec = spec
        if spec is None or team is not spec.team:
            path = resolve(team.name)
            run_spec = spec_for_picked(team, path, spec)
        started = start_run(run_spec, prompt)
        closer = asyncio.get_running_loop().create_task(started.wait())  # closes the journal at the end
        keep.add(closer)
        closer.add_done_callback(keep.discard)
        return started.handle

    return factory


def spec_for_picked(team, path, base):
    from .session import RunSpec

    return RunSpec(team=team, team_text=path.read_text(encoding="utf-8"), team_path=str(path),
                   model=base.model if base else None, api_base=base.api_base if base else None,
                   speed=base.speed if base else None, soft_budget="pause",
                   settings=base.settings if base else load_settings())


def run_tui(spec, prompt: str | None) -> int:
    from .ui.app import build_app

    check_models(spec)
    spec.soft_budget = "pause"
    app = build_app(team=spec.team, prompt=prompt, handle_factory=tui_factory(spec))
    app.run()
    return app.return_code or 0


async def run_headless(spec, prompt: str, as_json: bool) -> int:
    from .core.models.base import ModelError
    from .headless import print_human, print_json
    from .session import start_run

    preflight(spec)
    try:
        started = start_run(spec, prompt)
    except ModelError as exc:
        fail(str(exc), EXIT_FAILED)
    settled()  # imports and loading are done
    handle = started.handle
    if not as_json:
        print(f"run {handle.run_id}", flush=True)
    loop = asyncio.get_running_loop()
    signalled = []

    def stop() -> None:
        signalled.append(True)
        handle.stop()

    # Ctrl+C stops the run cleanly: the journal records it and what finished is kept.
    loop.add_signal_handler(signal.SIGINT, stop)
    loop.add_signal_handler(signal.SIGTERM, stop)
    printer = asyncio.create_task(print_json(handle) if as_json else print_human(handle))
    # Nobody is reading any more (`| head` exited): stop paying for a run no one sees.
    printer.add_done_callback(lambda task: task.cancelled() or task.exception() is None or handle.stop())
    result = await started.wait()
    await printer
    if signalled and result.status == "stopped" and started.run_dir is not None:
        print(f"teamtui: stopped; continue it with: teamtui resume {handle.run_id}", file=sys.stderr)
    return exit_code(result.status, result.stopped_by)


def list_teams_command(as_json: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from .loader import list_teams

    infos = list_teams()
    if as_json:
        print(json.dumps([{"name": i.name, "description": i.description, "example": i.example,
                                "path": str(i.path), "builtin": i.builtin, "error": i.error} for i in infos], indent=2))
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("team", style="bold")
    table.add_column("kind", style="dim")
    table.add_column("description")
    for info in infos:
        desc = f"[invalid] {info.error}" if info.error else info.description
        table.add_row(_plain(info.name), "built-in" if info.builtin else "yours", _plain(desc))
    console = Console()
    console.print(table)
    # Where a team of one's own goes: the picker, finding none, sends the reader here for it.
    folder = config.shown_path(config.teams_dir())
    console.print()
    console.print(_plain(f"Your teams: {folder}/NAME.yaml"), style="dim")


def _plain(text: str):
    from rich.text import Text

    from .textsafe import one_line

    return Text(one_line(text or ""))


def open_picker() -> int:
    from .ui.app import build_app

    app = build_app(handle_factory=tui_factory(None))
    app.run()
    return app.return_code or 0


# --- journaled runs --------------------------------------------------------------------------


def need_data_folder() -> None:
    """Commands that keep runs check their folder first: a bad TEAMTUI_HOME is a setup mistake to
    name in one line, not an internal error from deep inside a run."""
    folder = config.runs_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        home = config.home()
        # The OS names the path it tripped on, often not the one the user set: say what is wrong with it.
        blocker = next((p for p in (folder, home, *home.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            reason = f"{'it' if blocker == home else blocker} is a file, not a folder"
        else:
            reason = f"cannot create {exc.filename or folder}: {exc.strerror or exc}"
        where = " (TEAMTUI_HOME)" if os.environ.get("TEAMTUI_HOME") else ""
        fail(f"cannot use the data folder {home}{where}: {reason}")


def find_run(run_id: str):
    """The run folder for an id or a unique prefix of one; exits 2 otherwise."""
    root = config.runs_dir()
    exact = root / run_id
    if run_id and "/" not in run_id and (exact / "meta.json").is_file():
        return exact
    matches = sorted(p for p in root.glob(f"{run_id}*") if (p / "meta.json").is_file()) if root.is_dir() else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        fail(f"no run {run_id!r} in {root} (see: teamtui runs)")
    more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
    fail(f"run id {run_id!r} is ambiguous: {', '.join(p.name for p in matches[:5])}{more}")


def list_runs_command(as_json: bool) -> None:
    import time

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .runs import list_runs
    from .textsafe import one_line

    runs = list_runs()
    if as_json:
        print(json.dumps([r.to_dict() for r in runs], indent=2))
        return
    if not runs:
        print(f"no runs yet in {config.runs_dir()}")
        return
    console = Console()
    colors = {"done": "green", "failed": "red", "interrupted": "yellow", "stopped": "yellow", "running": "cyan"}
    with_cost = any(r.cost for r in runs)  # the demo and local models are free: no column of dashes
    rows = []
    for r in runs:
        cells = [r.run_id, one_line(r.team, 24), r.status, time.strftime("%m-%d %H:%M", time.localtime(r.started)),
                 f"{r.duration_s:.1f}s", str(r.tokens)] + ([f"${r.cost:.4f}" if r.cost else "–"] if with_cost else [])
        rows.append((cells, r))
    headers = ["run", "team", "status", "started", "duration", "tokens"] + (["cost"] if with_cost else [])
    widths = [max(len(h), *(len(cells[i]) for cells, _ in rows)) for i, h in enumerate(headers)]
    # Everything but the request keeps its full width; the request gets what is left of the line.
    room = console.width - sum(widths) - len(widths)
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1), collapse_padding=True)
    for header, width in zip(headers, widths):
        table.add_column(header, no_wrap=True, min_width=width)
    if room >= 12:
        table.add_column("request", no_wrap=True)
    for cells, r in rows:
        styled = [Text(c, style=colors.get(c, "")) if i == 2 else Text(c) for i, c in enumerate(cells)]
        if room >= 12:
            styled.append(Text(one_line(r.input, room)))
        table.add_row(*styled)
    console.print(table)


def resume_command(run_id: str, headless: bool, as_json: bool) -> int:
    from .core.journal import JournalBusy, JournalError, load_for_resume
    from .loader import TeamFileError, team_from_text
    from .session import RunSpec

    run_dir = find_run(run_id)
    try:
        data = load_for_resume(run_dir)
    except JournalError as exc:
        fail(str(exc))
    if data.status == "running":
        fail(f"run {data.run_id} is still running in another process")
    if data.status == "done":
        fail(f"run {data.run_id} already finished; see it with: teamtui export {data.run_id}  or  teamtui replay {data.run_id}")
    try:
        team = team_from_text(data.team_text, data.team_path or f"{run_dir}/meta.json")
    except TeamFileError as exc:
        fail(str(exc))
    spec = RunSpec(team=team, team_text=data.team_text, team_path=data.team_path, model=data.model,
                   api_base=data.api_base, resume=data, settings=load_settings())
    try:
        if headless:
            return asyncio.run(run_headless(spec, data.input, as_json))
        return run_tui(spec, data.input)
    except JournalBusy as exc:
        fail(str(exc))
        return EXIT_USAGE


def replay_command(run_id: str, speed: float) -> int:
    from .core.journal import read_events
    from .ui.app import build_app

    from .core.journal import read_meta
    from .core.replay import ReplayHandle
    from .loader import TeamFileError, team_from_text

    run_dir = find_run(run_id)
    events = read_events(run_dir)
    if not events:
        fail(f"run {run_id} has no events to replay")
    meta = read_meta(run_dir)
    try:
        team = team_from_text(meta.team_text, meta.team_path or str(run_dir / "meta.json"))
    except TeamFileError as exc:
        fail(str(exc))
    app = build_app(team=team, prompt=meta.input or "(replay)",
                    handle_factory=lambda _team, _prompt: ReplayHandle(events, speed))
    app.run()
    return app.return_code or 0


def export_command(run_id: str, fmt: str | None, output: str | None) -> None:
    from .core.journal import read_events
    from .export import export

    run_dir = find_run(run_id)
    events = read_events(run_dir)
    try:
        path = export(events, fmt, output or run_dir)
    except ValueError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write the export: {exc}", EXIT_FAILED)
    print(str(path))
