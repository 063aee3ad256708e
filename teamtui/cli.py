"""The ``teamtui`` command. Arguments are parsed with the standard library's argparse and heavy
imports (the TUI, the runtime, litellm) happen inside commands, so ``teamtui --help`` answers at
once and a headless run pays only for what it uses (an argument framework built on pydantic and
click cost a headless run ~60 ms before it started)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__

EXIT_USAGE = 2  # bad input: a team file, an argument
EXIT_FAILED = 1  # the run failed or a model could not be used


def fail(message: str, code: int = EXIT_USAGE) -> None:
    """One line on stderr and a non-zero exit: never a traceback for bad input."""
    from .textsafe import one_line

    print(f"teamtui: {one_line(message, 2000)}", file=sys.stderr)
    raise SystemExit(code)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="teamtui", description="Run and watch teams of LLM agents from the terminal. "
        "With no command, opens the team picker.")
    parser.add_argument("--version", action="version", version=f"teamtui {__version__}", help="Show the version.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="Run a team.", description="Run a team.")
    run.add_argument("team", help="A built-in or user team name, or a path to a team YAML file.")
    run.add_argument("prompt", nargs="?", help="The request. Default: the team's example (the TUI asks).")
    run.add_argument("--model", "-m", help="Model for every agent: a litellm model string, 'demo' or 'local'.")
    run.add_argument("--api-base", help="Base URL of an OpenAI-compatible endpoint.")
    run.add_argument("--headless", action="store_true", help="No TUI: print the run as it happens.")
    run.add_argument("--json", dest="json_out", action="store_true", help="Headless, one JSON event per line.")
    run.add_argument("--approve-plan", action="store_true", help="Review supervisor plans before they run (TUI).")
    run.add_argument("--speed", type=float, help="Demo model speed (1 = realistic, 0 = instant).")

    teams = commands.add_parser("teams", help="List built-in and user teams.", description="List built-in and user teams.")
    teams.add_argument("--json", dest="json_out", action="store_true", help="Print JSON.")

    validate = commands.add_parser("validate", help="Check team files; print file:line: problem for each bad one.",
                                   description="Check team files; print file:line: problem for each bad one.")
    validate.add_argument("files", nargs="+", type=Path, help="Team YAML files to check.")

    runs = commands.add_parser("runs", help="List journaled runs, newest first.",
                               description="List journaled runs, newest first.")
    runs.add_argument("--json", dest="json_out", action="store_true", help="Print JSON.")

    about = "Continue an interrupted run: finished steps come from the journal, not the model."
    resume = commands.add_parser("resume", help=about, description=about)
    resume.add_argument("run_id", help="The run to continue (an id from `teamtui runs`; a unique prefix works).")
    resume.add_argument("--headless", action="store_true", help="No TUI: print the run as it happens.")
    resume.add_argument("--json", dest="json_out", action="store_true", help="Headless, one JSON event per line.")

    about = "Play a journaled run in the TUI without calling any model."
    replay = commands.add_parser("replay", help=about, description=about)
    replay.add_argument("run_id", help="The run to play back.")
    replay.add_argument("--speed", type=float, default=1.0, help="Playback speed (2 = twice as fast, 0 = instant).")

    about = "Write a run's transcript as Markdown, JSON or a self-contained HTML page."
    export = commands.add_parser("export", help=about, description=about)
    export.add_argument("run_id", help="The run to export.")
    export.add_argument("--format", "-f", dest="fmt", default="md", help="md, json or html.")
    export.add_argument("--output", "-o", type=Path, help="File or folder (default: the run folder).")
    return parser


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed command; returns the exit code."""
    if args.command is None:
        from .launch import open_picker

        return open_picker()
    if args.command == "run":
        from .launch import RunRequest, run_command

        return run_command(RunRequest(team=args.team, prompt=args.prompt, model=args.model, api_base=args.api_base,
                                      headless=args.headless or args.json_out, json=args.json_out,
                                      approve_plan=args.approve_plan, speed=args.speed))
    if args.command == "teams":
        from .launch import list_teams_command

        list_teams_command(args.json_out)
    elif args.command == "validate":
        return validate_command(args.files)
    elif args.command == "runs":
        from .launch import list_runs_command

        list_runs_command(args.json_out)
    elif args.command == "resume":
        from .launch import resume_command

        return resume_command(args.run_id, args.headless or args.json_out, args.json_out)
    elif args.command == "replay":
        from .launch import replay_command

        return replay_command(args.run_id, args.speed)
    elif args.command == "export":
        from .launch import export_command

        export_command(args.run_id, args.fmt, args.output)
    return 0


def validate_command(files: list[Path]) -> int:
    from .loader import TeamFileError, validate_file

    bad = 0
    for path in files:
        try:
            team = validate_file(path)
        except TeamFileError as exc:
            print(str(exc), file=sys.stderr)
            bad += 1
        else:
            print(f"{path}: ok ({team.name}, {len(team.agents)} agents)")
    return EXIT_USAGE if bad else 0


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = dispatch(args)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`teamtui runs | head`): not a bug. Point stdout at /dev/null so the
        # interpreter's last flush does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # a bug: one line for the user, the traceback in a log file
        log = _log_crash()
        print(f"teamtui: internal error: {type(exc).__name__}: {exc} (details: {log})", file=sys.stderr)
        sys.exit(EXIT_FAILED)
    sys.exit(code)


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
