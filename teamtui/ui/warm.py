"""What the first frame does not need (Markdown: markdown-it, pygments), imported in a thread once
it is drawn (app.py). Imported on the loop, it stalled the screen ~30-110 ms when the first
streamed block froze into Markdown.
"""

from __future__ import annotations

import threading

_started = False
_done = threading.Event()


def start() -> None:
    """Import them in a thread (once per process)."""
    global _started
    if not _started:
        _started = True
        threading.Thread(target=_run, name="teamtui-warm-imports", daemon=True).start()


def _run() -> None:
    try:
        import rich.markdown  # noqa: F401  (frozen blocks of a streaming turn)
        import textual.widgets._markdown  # noqa: F401  (a finished turn, the final answer)
    finally:
        _done.set()


def pending() -> bool:
    """True while the thread imports: an import on the loop would wait for it (50-60 ms as a
    run starts, with agents streaming and the thread getting little of the interpreter)."""
    return _started and not _done.is_set()
