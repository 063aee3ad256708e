"""Start-up policy of the ``teamtui`` process: no garbage collection until the work begins.

Start-up builds objects that live as long as the process (modules, classes, the team schema,
the widget tree). Collecting while they are built frees nothing: it cost a headless run ~5 ms and
the TUI's first frame ~50 ms (bench/startup.py, bench/tui_probe.py). Only the CLI entry defers
collection; a program that embeds the core keeps its own policy.

``main`` is the console script, here rather than in cli.py so that collection is off before typer
and pydantic are imported: their imports alone ran ~12M instructions of collection (callgrind).
"""

from __future__ import annotations

import gc

_deferred = False


def defer_collection() -> None:
    """Called first thing by the CLI entry."""
    global _deferred
    if gc.isenabled():
        gc.disable()
        _deferred = True


def main() -> None:
    """The ``teamtui`` command."""
    defer_collection()
    from .cli import main as cli_main

    cli_main()


def settled() -> None:
    """Start-up is over: move what is alive now out of the collector's full passes (which would
    otherwise rescan all of it, and stalled the TUI ~200 ms at a time), then collect as usual."""
    global _deferred
    gc.freeze()
    if _deferred:
        _deferred = False
        gc.enable()
