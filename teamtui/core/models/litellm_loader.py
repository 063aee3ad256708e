"""Import litellm once, in the background, quietly.

``import litellm`` takes about 4 s and 170 MB, tries to download a price table when offline and
logs to the terminal, which the TUI owns. So nothing imports it at start-up: ``preload_litellm()``
starts the import in a thread as soon as a run knows it needs a litellm model, and
``load_litellm()`` lets a coroutine wait for it without blocking the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import warnings
from types import ModuleType
from typing import Any, TextIO

from ..redact import redact
from .base import ModelError

_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm")

_lock = threading.Lock()
_done = threading.Event()
_thread: threading.Thread | None = None
_module: ModuleType | None = None
_error: BaseException | None = None


def preload_litellm() -> None:
    """Start importing litellm in a background thread (idempotent, returns at once)."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_import, name="litellm-import", daemon=True)
            _thread.start()


async def load_litellm() -> ModuleType:
    """The litellm module, imported in the background if it is not yet."""
    preload_litellm()
    if not _done.is_set():
        await asyncio.to_thread(_done.wait)
    if _module is None:
        raise ModelError(redact(f"litellm could not be imported: {_error!r}"), retryable=False)
    return _module


class _MuteThread:
    """Stands in for sys.stdout/stderr and drops writes made by one thread (the importer).

    Swapping the streams for everyone would swallow the app's own output for seconds;
    filtering by thread silences only litellm's import.
    """

    def __init__(self, stream: TextIO, thread_id: int) -> None:
        self._stream = stream
        self._thread_id = thread_id

    def write(self, text: str) -> int:
        if threading.get_ident() == self._thread_id:
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _import() -> None:
    global _module, _error
    # Use the bundled price table: offline, fetching it stalls for seconds and prints warnings.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    me = threading.get_ident()
    muted_out, muted_err = _MuteThread(sys.stdout, me), _MuteThread(sys.stderr, me)
    saved_out, saved_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = muted_out, muted_err  # type: ignore[assignment]
    try:
        import litellm

        _quiet(litellm)
        _warm_up(litellm)
        _module = litellm
    except BaseException as exc:  # reported to the caller of load_litellm
        _error = exc
    finally:
        # Put the real streams back unless someone else swapped them meanwhile (then they restore theirs).
        if sys.stdout is muted_out:
            sys.stdout = saved_out
        if sys.stderr is muted_err:
            sys.stderr = saved_err
        _done.set()


def _warm_up(litellm: ModuleType) -> None:
    """Do here, off the event loop, what litellm would otherwise do lazily on the first call
    (about 1.5 s of imports and tokenizer loading that would freeze the UI)."""
    try:
        import openai.resources  # noqa: F401  (the OpenAI client's endpoints, used by most providers)

        litellm.token_counter(model="gpt-4o-mini", text="warm up")  # loads the default tokenizer
    except Exception:  # only an optimisation
        pass


def _quiet(litellm: ModuleType) -> None:
    """Keep litellm's logging, debug hints and callbacks away from the terminal and the network."""
    litellm.suppress_debug_info = True
    litellm.set_verbose = False
    litellm.telemetry = False
    litellm.success_callback = []
    litellm.failure_callback = []
    litellm.callbacks = []
    # Its deprecation warnings are for litellm's developers, not for the person at the keyboard.
    warnings.filterwarnings("ignore", module=r"litellm(\.|$)")
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
        logger.setLevel(logging.CRITICAL + 1)
