"""The background import silences only its own thread's prints, never the app's."""

from __future__ import annotations

import io
import threading

from teamtui.core.models.litellm_loader import _MuteThread


def test_only_the_importing_thread_is_muted() -> None:
    real = io.StringIO()
    importer_wrote: list[int] = []

    def importer() -> None:
        muted = _MuteThread(real, threading.get_ident())
        importer_wrote.append(muted.write("litellm noise\n"))
        ready.set()
        done.wait(5)

    ready, done = threading.Event(), threading.Event()
    thread = threading.Thread(target=importer)
    thread.start()
    ready.wait(5)
    muted_for_app = _MuteThread(real, thread.ident or 0)
    muted_for_app.write("the app's own line\n")
    done.set()
    thread.join(5)

    assert importer_wrote == [len("litellm noise\n")]  # reported as written, so callers are happy
    assert real.getvalue() == "the app's own line\n"
    assert muted_for_app.getvalue() == real.getvalue()  # everything else passes through
