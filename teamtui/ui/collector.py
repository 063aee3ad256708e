"""The garbage collector's policy while a run streams into the UI.

A run's history only grows: every event, every turn's words and their drawn lines stay until the
app exits. CPython's full collections scan all of it, so each pass is longer than the last: with
eight agents streaming, passes of 20-180 ms, the longest stalls in the lag probe
(bench/tui_probe.py lag).

So while a run streams, CPython starts no full pass: after every ``FREEZE_EVERY`` events the UI
collects the young generations (~1 ms) and freezes what survived (``gc.freeze``) out of every
later pass. The price: cycles that died in the old generation since the last freeze, and cycles
frozen alive and dropped later (a redrawn line, a removed widget), are never reclaimed: ~4k
objects, ~0.35 MB a freeze in the probe, under 1% of what the run itself holds (RSS after 200k
events: 334 MB with this policy, 332 MB without). Reclaiming them when the run ends would take a
full pass over everything (~0.4 s after 200k events), a stall just as the final answer shows.
"""

from __future__ import annotations

import gc

#: Events applied between two freezes (each freeze keeps ~0.35 MB of garbage for good).
FREEZE_EVERY = 20_000

#: A threshold no count reaches: CPython never starts a full pass by itself.
_NEVER = 1 << 30


class StreamCollector:
    """One per streaming run: ``start``, ``applied(n)`` per batch, ``stop`` when it ends."""

    def __init__(self, every: int = FREEZE_EVERY) -> None:
        self.every = every
        self._since = 0
        self._saved: tuple[int, int, int] | None = None  # thresholds to restore; None when stopped

    @property
    def running(self) -> bool:
        return self._saved is not None

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(self._saved[0], self._saved[1], _NEVER)

    def applied(self, events: int) -> None:
        if self._saved is None:
            return
        self._since += events
        if self._since >= self.every:
            self._since = 0
            gc.collect(1)  # the young generations: ~1 ms (a full pass over the unfrozen rest: ~15 ms)
            gc.freeze()

    def stop(self) -> None:
        """The run is over: full passes are CPython's again, over what is not frozen."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        self._saved = None
        gc.collect()  # what is not frozen: what arrived since the last freeze (~15 ms at most)
        gc.freeze()  # the run shown lives until exit
