"""The ``teamtui`` command (typer). Heavy imports (the TUI, the runtime, litellm) happen inside
commands, so ``teamtui --help`` answers at once. Typer itself costs a headless run ~65 ms of
start-up (bench/startup.py); it is the project's chosen CLI library, and what it buys (typed
options, generated help, one declaration per command) is worth that here."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperCommand

from . import __version__

app = typer.Typer(
    name="teamtui",
    help="Run and watch teams of LLM agents from the terminal.",
    add_completion=False,
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

class Command(TyperCommand):
    """Arguments shown as people write them: ``TEAM [REQUEST]``, ``FILES...``. Recent typer writes
    ``{team}`` and ``team <str>``; this keeps typer's help text and only renames the arguments."""

    def collect_usage_pieces(self, ctx):
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            pieces += [_shown(param)] if param.param_type_name == "argument" else param.get_usage_pieces(ctx)
        return pieces

    def format_options(self, ctx, formatter) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"Arguments": [], "Options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                sections["Arguments"].append((_shown(param), record[1]))
            else:
                sections["Options"].append(record)
        for title, rows in sections.items():
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _shown(argument) -> str:
    name = argument.metavar or argument.name.upper()
    name = name if argument.required else f"[{name}]"
    return name + ("..." if argument.nargs != 1 else "")


EXIT_USAGE = 2  # bad input: a team file, an argument
EXIT_FAILED = 1  # the run failed or a model could not be used
EXIT_BUDGET = 3  # the team's hard budget stopped the run (a soft limit only warns)
EXIT_STOPPED = 130  # the run was stopped (Ctrl+C), as a shell reports SIGINT


def fail(message: str, code: int = EXIT_USAGE) -> None:
    """One line on stderr and a non-zero exit: never a traceback for bad input."""
    from .textsafe import one_line

    print(f"teamtui: {one_line(message, 2000)}", file=sys.stderr)
    raise SystemExit(code)


def _speed(value: float | None) -> float | None:
    """0 means instant; below that, or NaN and infinity, is no speed at all."""
    import math

    if value is not None and not (math.isfinite(value) and value >= 0):
        fail(f"--speed must be a number from 0 (instant) up, got {value}")
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"teamtui {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Run and watch teams of LLM agents. With no command, opens the team picker."""
    if ctx.invoked_subcommand is None:
        from .launch import need_data_folder, open_picker

        need_data_folder()
        raise typer.Exit(open_picker())


@app.command(cls=Command)
def run(
    team: str = typer.Argument(..., metavar="TEAM",
                               help="A built-in or user team name, or a path to a team YAML file."),
    prompt: Optional[str] = typer.Argument(None, metavar="REQUEST",
                                           help="The request. Default: the team's example (the TUI asks)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", metavar="MODEL",
                                        help="Model for every agent: a litellm model string, 'demo' or 'local'."),
    api_base: Optional[str] = typer.Option(None, "--api-base", metavar="URL",
                                           help="Base URL of an OpenAI-compatible endpoint."),
    headless: bool = typer.Option(False, "--headless", help="No TUI: print the run as it happens."),
    json_out: bool = typer.Option(False, "--json", help="Headless, one JSON event per line."),
    approve_plan: bool = typer.Option(False, "--approve-plan", help="Review supervisor plans before they run (TUI)."),
    speed: Optional[float] = typer.Option(None, "--speed", callback=_speed, metavar="SPEED",
                                          help="Demo model speed (1 = realistic, 0 = instant)."),
) -> None:
    """Run a team."""
    from .launch import RunRequest, need_data_folder, run_command

    need_data_folder()
    code = run_command(RunRequest(team=team, prompt=prompt, model=model, api_base=api_base,
                                  headless=headless or json_out, json=json_out, approve_plan=approve_plan,
                                  speed=speed))
    raise typer.Exit(code)


@app.command(cls=Command)
def teams(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the built-in teams and yours."""
    from .launch import list_teams_command

    list_teams_command(json_out)


@app.command(cls=Command)
def validate(files: list[Path] = typer.Argument(..., help="Team YAML files to check.")) -> None:
    """Check team files; print file:line: problem for each bad one."""
    from .loader import TeamFileError, validate_file

    bad = 0
    for path in files:
        try:
            team = validate_file(path)
        except TeamFileError as exc:
            typer.echo(str(exc), err=True)
            bad += 1
        else:
            typer.echo(f"{path}: ok ({team.name}, {len(team.agents)} agents)")
    if bad:
        raise typer.Exit(EXIT_USAGE)


@app.command(cls=Command)
def runs(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List journaled runs, newest first."""
    from .launch import list_runs_command, need_data_folder

    need_data_folder()
    list_runs_command(json_out)


@app.command(cls=Command)
def resume(
    run_id: str = typer.Argument(..., metavar="RUN_ID",
                                 help="The run to continue (an id from `teamtui runs`; a unique prefix works)."),
    headless: bool = typer.Option(False, "--headless", help="No TUI: print the run as it happens."),
    json_out: bool = typer.Option(False, "--json", help="Headless, one JSON event per line."),
) -> None:
    """Continue an interrupted run.

    Finished steps come from the journal, not the model."""
    from .launch import need_data_folder, resume_command

    need_data_folder()
    raise typer.Exit(resume_command(run_id, headless or json_out, json_out))


@app.command(cls=Command)
def replay(
    run_id: str = typer.Argument(..., metavar="RUN_ID", help="The run to play back (a unique prefix works)."),
    speed: float = typer.Option(1.0, "--speed", callback=_speed, metavar="SPEED",
                                help="Playback speed (2 = twice as fast, 0 = instant)."),
) -> None:
    """Play a journaled run in the TUI without calling any model."""
    from .launch import need_data_folder, replay_command

    need_data_folder()
    raise typer.Exit(replay_command(run_id, speed))


@app.command(cls=Command)
def export(
    run_id: str = typer.Argument(..., metavar="RUN_ID", help="The run to export (a unique prefix works)."),
    fmt: Optional[str] = typer.Option(
        None, "--format", "-f", metavar="FORMAT", help="md, json or html. Default: the output file's extension, else md."),
    # A str, not a Path: Path("out/") drops the slash that says "a folder".
    output: Optional[str] = typer.Option(
        None, "--output", "-o", metavar="PATH", help="File, or folder (an existing one, or ending in /). Default: the run folder."),
) -> None:
    """Write a run's transcript as Markdown, JSON or HTML.

    The HTML is one self-contained page."""
    from .launch import export_command, need_data_folder

    need_data_folder()
    export_command(run_id, fmt, output)


def main() -> None:
    from .startup import defer_collection

    defer_collection()  # until the run starts: see teamtui/startup.py
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`teamtui runs | head`): not a bug. Point stdout at /dev/null so the
        # interpreter's last flush does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # a bug: one line for the user, the traceback in a log file
        log = _log_crash()
        typer.echo(f"teamtui: internal error: {type(exc).__name__}: {exc} (details: {log})", err=True)
        sys.exit(EXIT_FAILED)


def _log_crash() -> str:
    import traceback

    from . import config
    from .core.redact import redact

    try:
        path = config.home() / "logs" / "crash.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(redact(traceback.format_exc()) + "\n")
        return str(path)
    except OSError:
        return "no log written"
