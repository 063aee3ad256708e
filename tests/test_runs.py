"""Listing journaled runs: order, statuses (including interrupted), totals, the summary fast path."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.journal import JournalWriter, RunMeta, read_meta
from teamtui.core.stream import EventStream
from teamtui.runs import list_runs


def journal_run(root: Path, run_id: str, created: float, status: str | None, *, close: bool = True,
                t0: float = 5000.0) -> JournalWriter:
    """Write a small run; ``status`` None leaves it unfinished (no RunFinished)."""
    meta = RunMeta(run_id=run_id, team="sh", team_text="name: sh", team_path=None,
                   input="first line of the request\nsecond line", created=created)
    writer = JournalWriter.open(root / run_id, meta)
    stream = EventStream()
    stream.add_sink(writer)
    seq = iter(range(1, 100))

    def emit(cls, ts, **fields):
        stream.emit(cls(run_id=run_id, seq=next(seq), ts=t0 + ts, **fields))

    emit(ev.RunStarted, 0, team="sh", input="first line of the request")
    emit(ev.AgentStarted, 1, agent="pm", step="1")
    emit(ev.TextDelta, 2, agent="pm", step="1", text="spec")
    emit(ev.ModelReplied, 3, agent="pm", step="1", key="k1", text="spec", input_tokens=10, output_tokens=4, cost=0.5)
    emit(ev.AgentFinished, 3, agent="pm", step="1", text="spec", input_tokens=10, output_tokens=4, cost=0.5)
    emit(ev.AgentStarted, 4, agent="qa", step="2")
    emit(ev.TextDelta, 6, agent="qa", step="2", text="ok")
    if status is not None:
        emit(ev.ModelReplied, 7, agent="qa", step="2", key="k2", text="ok", input_tokens=20, output_tokens=1,
             cost=0.25)
        emit(ev.AgentFinished, 7, agent="qa", step="2", text="ok", input_tokens=20, output_tokens=1, cost=0.25)
        emit(ev.RunFinished, 8, status=status, output="ok", input_tokens=30, output_tokens=5, cost=0.75)
    if close:
        writer.close()
    return writer


def test_newest_first_with_every_status(tmp_path: Path) -> None:
    journal_run(tmp_path, "a-done", 100.0, "done", t0=100.0)
    journal_run(tmp_path, "b-failed", 200.0, "failed", t0=200.0)
    journal_run(tmp_path, "c-stopped", 300.0, "stopped", t0=300.0)
    journal_run(tmp_path, "d-interrupted", 400.0, None, t0=400.0)
    live = journal_run(tmp_path, "e-running", 500.0, None, close=False, t0=500.0)
    (tmp_path / "not-a-run").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "meta.json").write_text("{not json")
    (tmp_path / "stray.txt").write_text("x")
    try:
        runs = list_runs(tmp_path)
        assert [(r.run_id, r.status) for r in runs] == [
            ("e-running", "running"), ("d-interrupted", "interrupted"), ("c-stopped", "stopped"),
            ("b-failed", "failed"), ("a-done", "done"),
        ]
    finally:
        live.close()
    assert list_runs(tmp_path)[0].status == "interrupted"  # its process (here: its writer) is gone


def test_totals_for_finished_and_interrupted_runs(tmp_path: Path) -> None:
    journal_run(tmp_path, "done", 1.0, "done", t0=5000.0)
    journal_run(tmp_path, "cut", 2.0, None, t0=6000.0)
    cut, done = list_runs(tmp_path)
    assert (done.input_tokens, done.output_tokens, done.cost, done.duration_s) == (30, 5, 0.75, 8.0)
    assert done.started == 5000.0 and cut.started == 6000.0
    assert done.team == "sh" and done.input == "first line of the request"
    # interrupted: the calls made add up, the duration runs to the last event written
    assert (cut.input_tokens, cut.output_tokens, cut.cost, cut.duration_s) == (10, 4, 0.5, 6.0)


def test_finished_runs_are_listed_from_their_summary_without_reading_events(tmp_path: Path) -> None:
    journal_run(tmp_path, "r", 1.0, "done")
    (tmp_path / "r" / "events.jsonl").write_text("garbage that would break a scan\n")
    assert list_runs(tmp_path)[0].output_tokens == 5
    # and with the summary lost, the scan of the journal still finds the ending
    journal_run(tmp_path, "s", 2.0, "failed")
    (tmp_path / "s" / "summary.json").unlink()
    s = list_runs(tmp_path)[0]
    assert (s.run_id, s.status, s.output_tokens, s.duration_s) == ("s", "failed", 5, 8.0)


def test_resuming_in_place_reopens_the_run_and_keeps_its_start(tmp_path: Path) -> None:
    journal_run(tmp_path, "r", 1.0, "failed", t0=5000.0)
    assert list_runs(tmp_path)[0].status == "failed"
    writer = JournalWriter.open(tmp_path / "r", RunMeta(run_id="r", team="sh", team_text="", team_path=None,
                                                        input="again", resumed_from="r"))
    run = list_runs(tmp_path)[0]
    assert run.status == "running" and run.resumed_from == "r"
    assert read_meta(tmp_path / "r").created == 1.0
    stream = EventStream()
    stream.add_sink(writer)
    stream.emit(ev.RunStarted(run_id="r", seq=20, ts=6000.0, team="sh", resumed_from="r"))
    stream.emit(ev.RunFinished(run_id="r", seq=21, ts=6010.0, status="done", input_tokens=1))
    writer.close()
    run = list_runs(tmp_path)[0]
    assert (run.status, run.started, run.duration_s, run.input_tokens) == ("done", 5000.0, 1010.0, 1)


def test_to_dict_is_json_ready(tmp_path: Path) -> None:
    journal_run(tmp_path, "r", time.time(), "done")
    data = json.loads(json.dumps(list_runs(tmp_path)[0].to_dict()))
    assert data["run_id"] == "r" and data["status"] == "done" and data["tokens"] == 35
    assert data["path"] == str(tmp_path / "r") and data["started_iso"].startswith("19")


def test_default_root_comes_from_teamtui_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMTUI_HOME", str(tmp_path))
    assert list_runs() == []
    journal_run(tmp_path / "runs", "r", 1.0, "done")
    assert [r.run_id for r in list_runs()] == ["r"]


def test_many_runs_list_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("teamtui.core.journal.os.fsync", lambda fd: None)  # writing them is not the point
    for i in range(300):
        journal_run(tmp_path, f"run-{i:03d}", float(i), "done" if i % 3 else None, t0=float(i))
    started = time.perf_counter()
    runs = list_runs(tmp_path)
    elapsed = time.perf_counter() - started
    assert len(runs) == 300 and runs[0].run_id == "run-299"
    assert elapsed < 2.0, f"listing 300 runs took {elapsed:.2f}s"
