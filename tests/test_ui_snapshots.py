"""Snapshots of the key screens (pytest-textual-snapshot). Update after a deliberate change with
``pytest tests/test_ui_snapshots.py --snapshot-update`` and look at the SVGs before committing."""

from __future__ import annotations

import time

import pytest

from ui_scenes import (
    picker_app,
    scene_app,
    settle,
    software_house_finished,
    software_house_mid_stream,
    supervisor_parallel,
    supervisor_planned,
)

WIDE = (120, 36)
SMALL = (80, 24)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    """Log timestamps are local time: pin the zone so the pictures match everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_picker(snap_compare) -> None:
    assert snap_compare(picker_app(), terminal_size=WIDE)


def test_software_house_mid_stream(snap_compare) -> None:
    assert snap_compare(scene_app(software_house_mid_stream()), terminal_size=WIDE, run_before=settle)


def test_software_house_mid_stream_small(snap_compare) -> None:
    assert snap_compare(scene_app(software_house_mid_stream()), terminal_size=SMALL, run_before=settle)


def test_supervisor_parallel_tasks(snap_compare) -> None:
    assert snap_compare(scene_app(supervisor_parallel()), terminal_size=WIDE, run_before=settle)


def test_supervisor_plan_review(snap_compare) -> None:
    assert snap_compare(scene_app(supervisor_planned(approved=False)), terminal_size=WIDE, run_before=settle)


def test_redirect_dialog(snap_compare) -> None:
    assert snap_compare(scene_app(software_house_mid_stream()), terminal_size=WIDE, run_before=settle, press=["r"])


def test_help(snap_compare) -> None:
    assert snap_compare(scene_app(software_house_mid_stream()), terminal_size=WIDE, run_before=settle,
                        press=["question_mark"])


def test_finished_run(snap_compare) -> None:
    assert snap_compare(scene_app(software_house_finished(), close=True), terminal_size=WIDE, run_before=settle)
