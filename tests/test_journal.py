"""The run journal: round trip, torn lines, fsync at step boundaries, redaction, locking, resume data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core import journal
from teamtui.core.journal import (
    JournalBusy, JournalWriter, RunMeta, load_for_resume, read_events, read_journal, read_meta,
)
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.stream import EventStream

from teamkit import SOFTWARE_HOUSE, run, team

SECRET = "sk-test-SECRET123"


def meta(run_id: str = "r1", **kw) -> RunMeta:
    fields = dict(run_id=run_id, team="software-house", team_text=SOFTWARE_HOUSE, team_path="/teams/sh.yaml",
                  input="build a shortener", model="openai/gpt-4o-mini", models={"pm": "openai/gpt-4o-mini"},
                  api_base="http://127.0.0.1:9/v1")
    fields.update(kw)
    return RunMeta(**fields)


class Emitter:
    """Emits events the way the runtime does: run_id, seq and ts filled in."""

    def __init__(self, stream: EventStream, run_id: str = "r1") -> None:
        self.stream, self.run_id, self.seq = stream, run_id, 0

    def __call__(self, cls: type[ev.Event], **fields) -> ev.Event:
        self.seq += 1
        event = cls(run_id=self.run_id, seq=self.seq, ts=1000.0 + self.seq, **fields)
        self.stream.emit(event)
        return event


def small_run(emit: Emitter, status: str = "done") -> None:
    emit(ev.RunStarted, team="software-house", input="build", model="scripted",
         agents=({"name": "pm", "role": "PM", "model": "scripted"},))
    emit(ev.StepAdded, step="1", label="pm", step_kind="agent", agent="pm")
    emit(ev.StepStatusChanged, step="1", status="running")
    emit(ev.AgentStarted, agent="pm", step="1", model="scripted", prompt="build")
    for piece in ("The ", "spec\u2028with a line separator", " and ünïcode"):
        emit(ev.TextDelta, agent="pm", step="1", text=piece)
    emit(ev.ModelReplied, agent="pm", step="1", key="k1", text="The spec", input_tokens=5, output_tokens=3,
         tool_calls=({"id": "c1", "name": "memory_write", "arguments": "{}"},))
    emit(ev.AgentFinished, agent="pm", step="1", text="The spec", input_tokens=5, output_tokens=3, cost=0.01)
    emit(ev.StepStatusChanged, step="1", status="done", duration_s=0.5)
    emit(ev.RunFinished, status=status, output="The spec", input_tokens=5, output_tokens=3, cost=0.01)


def test_round_trip_through_a_real_stream(tmp_path: Path) -> None:
    stream = EventStream()
    with JournalWriter.open(tmp_path / "r1", meta()) as writer:
        stream.add_sink(writer)
        small_run(Emitter(stream))
    assert read_events(tmp_path / "r1") == stream.history
    assert read_meta(tmp_path / "r1") == meta(created=read_meta(tmp_path / "r1").created)
    # one JSON object per line, split on "\n" only (U+2028 inside text is not a line break)
    lines = (tmp_path / "r1" / "events.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == len(stream.history)


def test_meta_has_versions_and_settings_but_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "plain-value-123456")
    write = meta(input="use key plain-value-123456 please", api_base="http://127.0.0.1:9/v1?api_key=" + SECRET)
    JournalWriter.open(tmp_path / "r1", write).close()
    data = json.loads((tmp_path / "r1" / "meta.json").read_text())
    assert data["journal_version"] == journal.JOURNAL_VERSION and data["event_version"] == ev.SCHEMA_VERSION
    assert data["teamtui_version"] and data["team_text"] == SOFTWARE_HOUSE and data["model"] == "openai/gpt-4o-mini"
    text = (tmp_path / "r1" / "meta.json").read_text()
    assert SECRET not in text and "plain-value-123456" not in text


def test_torn_last_line_and_unknown_kinds_are_skipped_not_fatal(tmp_path: Path) -> None:
    stream = EventStream()
    with JournalWriter.open(tmp_path / "r1", meta()) as writer:
        stream.add_sink(writer)
        small_run(Emitter(stream))
    path = tmp_path / "r1" / "events.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"v":1,"kind":"from_the_future","run_id":"r1","seq":99}\n')
        f.write(b'{"v":1,"kind":"text","run_id":"r1"}\n')  # known kind, required fields missing
        f.write(b'{"v":1,"kind":"text","run_id":"r1","seq":100,"ag')  # killed mid-write
    contents = read_journal(tmp_path / "r1")
    assert contents.events == stream.history
    assert (contents.torn, contents.unknown) == (1, 2)


def test_reopening_cuts_a_torn_tail_before_appending(tmp_path: Path) -> None:
    stream = EventStream()
    with JournalWriter.open(tmp_path / "r1", meta()) as writer:
        stream.add_sink(writer)
        small_run(Emitter(stream), status="failed")
    path = tmp_path / "r1" / "events.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"v":1,"kind":"text","run_id":"r1","seq":100,"agent":"pm","st')
    resumed = EventStream()
    with JournalWriter.open(tmp_path / "r1", meta(resumed_from="r1")) as writer:
        resumed.add_sink(writer)
        emit = Emitter(resumed)
        emit.seq = 50
        small_run(emit)
    contents = read_journal(tmp_path / "r1")
    assert contents.torn == 0
    assert contents.events == stream.history + resumed.history


def test_fsync_happens_at_step_boundaries_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = EventStream()
    writer = JournalWriter.open(tmp_path / "r1", meta())
    stream.add_sink(writer)
    synced: list[ev.Event] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        if fd == writer._fd:  # the journal itself, not summary.json being written
            synced.append(stream.history[-1])  # the stream records an event before its sinks run
        real_fsync(fd)

    monkeypatch.setattr(journal.os, "fsync", counting_fsync)
    small_run(Emitter(stream))
    assert [e.kind for e in synced] == ["agent_finished", "step_status", "run_finished"]
    assert synced[1].status == "done"
    assert (tmp_path / "r1" / "summary.json").is_file()


def test_close_syncs_only_what_came_after_the_last_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(journal.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))

    finished = EventStream()
    with JournalWriter.open(tmp_path / "done", meta()) as writer:
        finished.add_sink(writer)
        small_run(Emitter(finished))
        at_run_finished = synced.count(writer._fd)
    assert at_run_finished == 3 and synced.count(writer._fd) == 3  # RunFinished was the last sync

    cut_off = EventStream()
    with JournalWriter.open(tmp_path / "cut", meta(run_id="cut")) as writer:
        cut_off.add_sink(writer)
        emit = Emitter(cut_off)
        emit(ev.RunStarted, team="t", input="go")
        emit(ev.TextDelta, agent="pm", step="1", text="the key is sk-")  # may be a key: held back
        before = synced.count(writer._fd)
    assert synced.count(writer._fd) == before + 1  # the held text was written at close, then synced
    assert "the key is" in (tmp_path / "cut" / "events.jsonl").read_text(encoding="utf-8")


def test_no_key_reaches_any_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_API_KEY", "acme-very-secret-value")
    stream = EventStream()
    with JournalWriter.open(tmp_path / "r1", meta(input=f"here is my key {SECRET}")) as writer:
        stream.add_sink(writer)
        emit = Emitter(stream)
        small_run(emit)
        emit(ev.ErrorRaised, message=f"401: Incorrect API key provided: {SECRET}; Authorization: Bearer abcdef123456")
        emit(ev.TextDelta, agent="pm", step="1", text=f"echo {SECRET} and acme-very-secret-value")
        emit(ev.ToolCalled, agent="pm", step="1", call_id="c", tool="files", arguments=json.dumps({"key": SECRET}))
        emit(ev.RunFinished, status="failed", error=f"bad key {SECRET}")
    for path in (tmp_path / "r1").iterdir():
        data = path.read_text(encoding="utf-8")
        for secret in (SECRET, "SECRET123", "acme-very-secret-value", "abcdef123456"):
            assert secret not in data, f"{secret} leaked into {path.name}"
    assert any(isinstance(e, ev.ErrorRaised) for e in read_events(tmp_path / "r1"))


def test_second_writer_on_a_live_journal_is_refused(tmp_path: Path) -> None:
    with JournalWriter.open(tmp_path / "r1", meta()):
        assert journal.is_live(tmp_path / "r1")
        with pytest.raises(JournalBusy):
            JournalWriter(tmp_path / "r1")
    assert not journal.is_live(tmp_path / "r1")


def test_a_write_error_stops_journaling_without_breaking_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = EventStream()
    writer = JournalWriter.open(tmp_path / "r1", meta())
    stream.add_sink(writer)

    def disk_full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal.os, "write", disk_full)
    small_run(Emitter(stream))  # must not raise
    writer.close()
    assert writer.error is not None and writer.error.errno == 28
    assert stream.history[-1].kind == "run_finished"  # the run went on to its end


def test_resume_data_collects_replies_by_key(tmp_path: Path) -> None:
    stream = EventStream()
    with JournalWriter.open(tmp_path / "r1", meta()) as writer:
        stream.add_sink(writer)
        emit = Emitter(stream)
        small_run(emit, status="failed")
        emit(ev.ModelReplied, agent="qa", step="2", key="k2", text="first")
        emit(ev.ModelReplied, agent="qa", step="2", key="k2", text="again")
    data = load_for_resume(tmp_path / "r1")
    assert set(data.replies) == {"k1", "k2"}
    assert data.replies["k1"].tool_calls == ({"id": "c1", "name": "memory_write", "arguments": "{}"},)
    assert data.replies["k2"].text == "again"
    assert data.last_seq == emit.seq
    assert (data.run_id, data.input, data.team_text, data.team_path) == ("r1", "build a shortener", SOFTWARE_HOUSE,
                                                                         "/teams/sh.yaml")
    assert (data.model, data.models, data.api_base) == ("openai/gpt-4o-mini", {"pm": "openai/gpt-4o-mini"},
                                                        "http://127.0.0.1:9/v1")
    assert data.status == "failed"


async def test_a_real_run_resumes_from_its_journal_without_calling_the_model(tmp_path: Path) -> None:
    """Run a team with the journal as a sink, then run it again from the resume data: the second
    run must take every reply from the journal and pay for none."""
    first_model = ScriptedModel({"pm": ["SPEC"], "developer": ["CODE"], "qa": ["APPROVED"]})
    writer = JournalWriter.open(tmp_path / "r1", meta())
    first = await run(team(SOFTWARE_HOUSE), first_model, "build a shortener", run_id="r1", sinks=[writer])
    writer.close()
    assert first.status == "done"
    data = load_for_resume(tmp_path / "r1")
    assert len(data.replies) == 3 and data.status == "done"

    again = ScriptedModel({})  # any call would raise: nothing is scripted
    second = await run(team(data.team_text), again, data.input, replies=data.replies, seq_start=data.last_seq,
                       resumed_from=data.run_id)
    assert second.status == "done" and second.output == "APPROVED"
    assert again.calls == []
    assert all(e.reused for e in second.events if isinstance(e, ev.AgentFinished))
    assert min(e.seq for e in second.events) > data.last_seq


def test_an_unreadable_run_folder_gives_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "r1").mkdir()
    with pytest.raises(journal.JournalError, match="meta.json"):
        load_for_resume(tmp_path / "r1")
    (tmp_path / "r1" / "meta.json").write_text("[1, 2]")
    with pytest.raises(journal.JournalError, match="not a readable run"):
        read_meta(tmp_path / "r1")
    assert read_events(tmp_path / "r1") == []  # no journal yet: no events, no crash
