"""Setting up a journaled run: the one place that ties a team, the user's settings, the journal
and the runner together, for the headless printer and the TUI alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec

from . import config
from .core.handle import RunHandle
from .core.journal import JournalWriter, ResumeData, RunMeta
from .core.resume import restore_controls
from .core.runtime import Runner, RunOptions, new_run_id
from .core.team import Team


class RunSpec(msgspec.Struct):
    """Everything needed to start (or resume) a run, gathered before any model is touched."""

    team: Team
    team_text: str
    team_path: str | None
    model: str | None = None
    api_base: str | None = None
    approve_plan: bool = False
    speed: float | None = None
    soft_budget: str = "warn"  # headless: a soft limit warns; the TUI sets "pause" (it asks)
    resume: ResumeData | None = None
    journal: bool = True
    settings: config.Settings = msgspec.field(default_factory=config.Settings)


class StartedRun:
    """A handle plus the journal behind it (closed when the run ends)."""

    def __init__(self, handle: RunHandle, journal: JournalWriter | None, run_dir: Path | None) -> None:
        self.handle = handle
        self.journal = journal
        self.run_dir = run_dir

    async def wait(self):
        try:
            return await self.handle.wait()
        finally:
            if self.journal is not None:
                self.journal.close()


def start_run(spec: RunSpec, prompt: str) -> StartedRun:
    """Start the run in the running event loop. Raises ModelError when a model cannot be built."""
    resume = spec.resume
    run_id = resume.run_id if resume else new_run_id()
    api_base = spec.api_base or spec.settings.api_base
    options = RunOptions(
        model=spec.model,
        config_model=spec.settings.model,
        api_base=api_base,
        approve_plan=spec.approve_plan,
        run_id=run_id,
        demo_speed=spec.speed if spec.speed is not None else spec.settings.demo_speed,
        replies=dict(resume.replies) if resume else {},
        spent=resume.spent if resume else (0, 0, 0.0),
        controls=restore_controls(resume.events) if resume else None,
        seq_start=resume.last_seq if resume else 0,
        resumed_from=run_id if resume else None,
        soft_budget=spec.soft_budget,
    )
    runner = Runner(spec.team, options)
    journal = run_dir = None
    if spec.journal:
        run_dir = config.runs_dir() / run_id
        options.workspace = run_dir / "workspace"
        meta = RunMeta(run_id=run_id, team=spec.team.name, team_text=spec.team_text, team_path=spec.team_path,
                       input=prompt, model=spec.model, api_base=api_base, resumed_from=options.resumed_from)
        journal = JournalWriter.open(run_dir, meta)
        options.sinks.append(journal)
    try:
        handle = runner.start(prompt)
    except BaseException:
        if journal is not None:
            journal.close()
            if resume is None:  # nothing ran: leave no empty run behind
                shutil.rmtree(run_dir, ignore_errors=True)
        raise
    return StartedRun(handle, journal, run_dir)
