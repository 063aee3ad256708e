"""While a run streams, CPython starts no full collection: every N events the UI collects the young
generations and freezes what survived; when the run ends, CPython's thresholds are back."""

from __future__ import annotations

import gc
import weakref

import pytest

from teamtui.ui.collector import StreamCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture(autouse=True)
def gc_state():
    saved, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.set_threshold(*saved)
    gc.unfreeze()
    gc.enable() if enabled else gc.disable()


def test_full_passes_are_ours_while_streaming_and_cpythons_after() -> None:
    threshold = gc.get_threshold()
    collector = StreamCollector(every=100)
    collector.start()
    assert gc.get_threshold()[:2] == threshold[:2] and gc.get_threshold()[2] > 10**6
    collector.stop()
    assert gc.get_threshold() == threshold and not collector.running


def test_freezes_survivors_every_n_events() -> None:
    collector = StreamCollector(every=100)
    collector.start()
    kept = Node()
    alive = weakref.ref(kept)
    frozen = gc.get_freeze_count()
    collector.applied(60)
    assert gc.get_freeze_count() == frozen  # not yet
    collector.applied(60)
    assert gc.get_freeze_count() > frozen  # the survivors are out of later passes
    del kept
    gc.collect()
    assert alive() is not None  # frozen: no pass sees it again (the price, see teamtui/ui/collector.py)
    collector.stop()


def test_garbage_made_between_freezes_is_collected_before_freezing() -> None:
    collector = StreamCollector(every=10)
    collector.start()
    dropped = Node()
    gone = weakref.ref(dropped)
    del dropped
    collector.applied(10)
    assert gone() is None
    collector.stop()
