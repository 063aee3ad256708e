"""The run journal: one folder per run, an append-only event log, and what resume needs from it.

Layout of ``<runs_dir>/<run_id>/``:

- ``meta.json``     who/what/how: team file text, input, model settings (never keys), versions;
- ``events.jsonl``  one ``event.to_dict()`` per line, written as each event happens;
- ``summary.json``  written at RunFinished so listing many runs never rescans their events.

Durability: every event is handed to the OS at once (one ``write`` per event, no user-space
buffer), so a killed process leaves every event it emitted readable. ``os.fsync`` runs only at
step boundaries (a step reaching a terminal status, AgentFinished, RunFinished), which is what
survives a machine crash without paying a disk sync per streamed token.

While a writer is open it holds an exclusive ``flock`` on ``events.jsonl``: the kernel drops it
when the process dies, which is how a reader tells a running run from an interrupted one (no pid
guessing), and it keeps two processes from appending to the same journal.

Every string written passes through ``redact`` first: no API key reaches the disk. A streamed
reply is redacted as one text, not delta by delta, so a key the model splits across deltas is
masked too (``redact_stream``): text that may be the start of a key is held back until the next
delta of its stream, or the end of that model call, and journaled then under the delta it ended
in. So a delta whose text all moved on to a later one is not journaled (its seq is skipped), and
a killed process loses the text each stream held back: a few characters, a few hundred for a key
streamed that long (the run's AgentFinished and ModelReplied events never came either).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import msgspec

from .events import (
    SCHEMA_VERSION,
    AgentFinished,
    Event,
    ModelReplied,
    RunFinished,
    RunStarted,
    StepStatusChanged,
    TextDelta,
    is_terminal_step_status,
)
from .redact import env_secrets, redact
from .redact_stream import DeltaRedactor

try:  # POSIX only; without it every unfinished run reads as interrupted.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: Version of the folder layout and meta.json (event shapes carry their own SCHEMA_VERSION).
JOURNAL_VERSION = 1
META, EVENTS, SUMMARY = "meta.json", "events.jsonl", "summary.json"
INTERRUPTED = "interrupted"
_MEMO_MAX_LEN, _MEMO_SIZE = 64, 20_000


class JournalBusy(RuntimeError):
    """Another live process is writing this run's journal."""


class JournalError(ValueError):
    """A run folder whose meta.json is missing or unreadable. ``str(err)`` is one line."""


# --- meta.json -----------------------------------------------------------------------------------


class RunMeta(msgspec.Struct):
    run_id: str
    team: str
    team_text: str  # the team file as loaded, so resume runs the same team even if the file changed
    team_path: str | None
    input: str
    model: str | None = None  # the --model override, if any (None: the team's own models)
    models: dict[str, str] = msgspec.field(default_factory=dict)  # agent -> model string as resolved
    api_base: str | None = None
    resumed_from: str | None = None
    created: float = msgspec.field(default_factory=time.time)
    teamtui_version: str = ""
    journal_version: int = JOURNAL_VERSION
    event_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if not self.teamtui_version:
            from teamtui import __version__

            self.teamtui_version = __version__

    def to_dict(self) -> dict[str, Any]:
        return _redacted(msgspec.structs.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunMeta":
        names = set(cls.__struct_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


def write_meta(run_dir: Path, meta: RunMeta) -> None:
    _write_json_atomic(Path(run_dir) / META, meta.to_dict())


def read_meta(run_dir: Path) -> RunMeta:
    path = Path(run_dir) / META
    try:
        return RunMeta.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise JournalError(f"{path}: not a readable run (meta.json: {exc})") from None


def read_summary(run_dir: Path) -> dict[str, Any] | None:
    """The summary written at RunFinished, or None (unfinished run, or an unreadable file)."""
    try:
        return json.loads((Path(run_dir) / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- writing -------------------------------------------------------------------------------------


class EventRedactor:
    """A run's events as ``to_dict()`` data, every string redacted and each streamed reply
    redacted as one text (``redact_stream``): what the journal writes, for any other writer of
    a run's events (``teamtui run --json``). ``feed`` returns the data to write now, in order
    (nothing while a delta's text is held back); ``flush`` what is still held when events stop."""

    def __init__(self, secrets: Iterable[str] | None = None) -> None:
        # The secret-named environment variables as the run starts (the run's keys are in by then).
        self._secrets = env_secrets() if secrets is None else tuple(secrets)
        self._deltas = DeltaRedactor(self._secrets)
        self._memo: dict[str, str] = {}

    def feed(self, event: Event) -> list[dict[str, Any]]:
        if type(event) is TextDelta:  # the hot path: one per streamed token
            text = self._deltas.delta(event)
            return [] if text is None else [self._delta(event, text)]
        held = self._deltas.before(event)  # the rest of the streams this event ends, first
        out = [self._delta(delta, text) for delta, text in held] if held else []
        data = event.to_dict()
        for name, value in data.items():  # field names are ours; only values are run data
            if isinstance(value, str):
                data[name] = self._redact(value)
            elif isinstance(value, (list, dict)):
                data[name] = _redacted(value, self._redact)
        out.append(data)
        return out

    def flush(self) -> list[dict[str, Any]]:
        return [self._delta(delta, text) for delta, text in self._deltas.flush_all()]

    def _delta(self, event: TextDelta, text: str) -> dict[str, Any]:
        """A delta's data with ``text``, already redacted as part of its stream. Built by hand
        (the hot path): the keys of ``to_dict``, in its order, without its loop over the fields."""
        return {"v": SCHEMA_VERSION, "kind": event.kind, "run_id": self._redact(event.run_id), "seq": event.seq,
                "ts": event.ts, "agent": self._redact(event.agent), "step": self._redact(event.step), "text": text}

    def _redact(self, text: str) -> str:
        """``redact`` memoized for short strings: run ids, agent names and step ids repeat
        endlessly, and one ``redact`` call costs tens of microseconds."""
        if len(text) > _MEMO_MAX_LEN:
            return redact(text, self._secrets, env=False)
        done = self._memo.get(text)
        if done is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            done = self._memo[text] = redact(text, self._secrets, env=False)
        return done


class JournalWriter:
    """A stream sink that journals a run: ``stream.add_sink(JournalWriter.open(dir, meta))``.

    A write error (disk full, folder removed) never breaks the run: it is kept in ``error``,
    logged once, and journaling stops.
    """

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        path = self.run_dir / EVENTS
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            _lock(self._fd, path)
            _drop_torn_tail(self._fd)
        except BaseException:
            os.close(self._fd)
            raise
        # Appending to a journal (resume in place) reopens the run: its old summary is stale.
        (self.run_dir / SUMMARY).unlink(missing_ok=True)
        self.error: OSError | None = None  # set when a write failed: journaling stopped there
        self._first_ts = _first_ts(self._fd)  # a resumed run's duration counts from its first start
        self._closed = False
        self._unsynced = False  # written since the last fsync
        self._events = EventRedactor()

    @classmethod
    def open(cls, run_dir: Path, meta: RunMeta) -> "JournalWriter":
        """Create (or reopen for resume) a run folder, write its meta, start its journal."""
        writer = cls(run_dir)
        try:
            if (writer.run_dir / META).is_file():  # resuming in place: the run began back then
                meta = msgspec.structs.replace(meta, created=read_meta(writer.run_dir).created)
            write_meta(writer.run_dir, meta)
        except BaseException:
            writer.close()
            raise
        return writer

    def __call__(self, event: Event) -> None:
        if self._closed or self.error is not None:
            return
        if self._first_ts is None:
            self._first_ts = event.ts
        try:
            lines = self._events.feed(event)
            if lines:
                os.write(self._fd, _lines(lines))
                self._unsynced = True
            if type(event) is TextDelta:  # the hot path: never a boundary
                return
            if _is_boundary(event) and self._unsynced:
                os.fsync(self._fd)
                self._unsynced = False
            if isinstance(event, RunFinished):
                self._write_summary(event)
        except OSError as exc:
            self.error = exc
            log.warning("journal %s stopped: %s", self.run_dir, redact(str(exc)))

    def _write_summary(self, event: RunFinished) -> None:
        started = self._first_ts if self._first_ts is not None else event.ts
        _write_json_atomic(
            self.run_dir / SUMMARY,
            {
                "status": event.status,
                "started": started,
                "finished": event.ts,
                "duration_s": max(0.0, event.ts - started),
                "input_tokens": event.input_tokens,
                "output_tokens": event.output_tokens,
                "cost": event.cost,
                "error": event.error,
            },
        )

    def close(self) -> None:
        """Sync and release the journal (idempotent). The stream may keep the sink: it is a no-op now."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.error is None:
                held = self._events.flush()  # streams cut off without an end event
                if held:
                    os.write(self._fd, _lines(held))
                    self._unsynced = True
                if self._unsynced:  # a finished run was synced at RunFinished: a sync costs ~0.5 ms
                    os.fsync(self._fd)
        except OSError as exc:
            self.error = exc
        finally:
            os.close(self._fd)  # closing drops the flock

    def __enter__(self) -> "JournalWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _lines(data: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n" for d in data).encode("utf-8")


def _is_boundary(event: Event) -> bool:
    if isinstance(event, (AgentFinished, RunFinished)):
        return True
    return isinstance(event, StepStatusChanged) and is_terminal_step_status(event.status)


def _lock(fd: int, path: Path) -> None:
    if fcntl is None:  # pragma: no cover - Windows
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalBusy(f"{path} is being written by another running process") from None


def is_live(run_dir: Path) -> bool:
    """True while some process (this one included) holds the run's journal open for writing."""
    path = Path(run_dir) / EVENTS
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the shared lock if we got it
    return False


def _drop_torn_tail(fd: int) -> None:
    """Cut a half-written last line (the process was killed mid-write) before appending."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return
    keep = size
    chunk = 4096
    while keep > 0:
        start = max(0, keep - chunk)
        data = os.pread(fd, keep - start, start)
        if keep == size and data.endswith(b"\n"):
            return
        nl = data.rfind(b"\n")
        if nl >= 0:
            os.ftruncate(fd, start + nl + 1)
            return
        keep = start
    os.ftruncate(fd, 0)


def _first_ts(fd: int) -> float | None:
    head = os.pread(fd, 65536, 0).split(b"\n", 1)
    if len(head) < 2:  # empty, or no complete line yet
        return None
    try:
        ts = json.loads(head[0]).get("ts")
    except (ValueError, AttributeError):
        return None
    return float(ts) if isinstance(ts, (int, float)) else None


def _redacted(value: Any, one: Callable[[str], str] | None = None) -> Any:
    """``value`` with ``one`` applied to every string in it, keys included. By default ``redact``,
    with the environment's secrets read once for the whole value (not once a string)."""
    if one is None:
        secrets = env_secrets()
        one = lambda text: redact(text, secrets, env=False)  # noqa: E731
    if isinstance(value, str):
        return one(value)
    if isinstance(value, dict):
        return {_redacted(k, one): _redacted(v, one) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(v, one) for v in value]
    return value


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(_redacted(data), f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --- reading -------------------------------------------------------------------------------------


class JournalContents(msgspec.Struct):
    events: list[Event]
    torn: int = 0  # lines that are not valid JSON (a killed writer leaves at most one, at the end)
    unknown: int = 0  # events of kinds (or shapes) this version does not know


def read_journal(run_dir: Path) -> JournalContents:
    """Every readable event of a run, in order. Never raises on bad lines: it counts them."""
    out = JournalContents(events=[])
    try:
        data = (Path(run_dir) / EVENTS).read_bytes()
    except FileNotFoundError:
        return out  # a run that wrote no event yet
    # Split on b"\n" only: str.splitlines would also split inside text on U+2028 and friends.
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            out.torn += 1
            continue
        try:
            out.events.append(Event.from_dict(obj))
        except (KeyError, TypeError, ValueError):
            out.unknown += 1
    if out.torn or out.unknown:
        log.warning("journal %s: skipped %d torn and %d unknown lines", run_dir, out.torn, out.unknown)
    return out


def read_events(run_dir: Path) -> list[Event]:
    return read_journal(run_dir).events


# --- resume --------------------------------------------------------------------------------------


class ResumeData(msgspec.Struct):
    run_id: str
    team_text: str
    team_path: str | None
    input: str
    model: str | None
    models: dict[str, str]
    api_base: str | None
    replies: dict[str, ModelReplied]  # ModelReplied.key -> the reply to replay instead of calling
    spent: tuple[int, int, float]  # input tokens, output tokens, cost of every call the run has paid for
    last_seq: int
    status: str  # done | failed | stopped | interrupted | running
    events: list[Event]


def load_for_resume(run_dir: Path) -> ResumeData:
    meta = read_meta(run_dir)
    events = read_events(run_dir)
    replies: dict[str, ModelReplied] = {}
    spent = [0, 0, 0.0]
    for event in events:
        if isinstance(event, ModelReplied):
            replies[event.key] = event  # a later identical call (same key) wins
            spent[0] += event.input_tokens  # each one is a call that was made, and paid for, once
            spent[1] += event.output_tokens
            spent[2] += event.cost
    return ResumeData(
        run_id=meta.run_id,
        team_text=meta.team_text,
        team_path=meta.team_path,
        input=meta.input,
        model=meta.model,
        models=dict(meta.models),
        api_base=meta.api_base,
        replies=replies,
        spent=(spent[0], spent[1], spent[2]),
        last_seq=max((e.seq for e in events), default=0),
        status=run_status(run_dir, events),
        events=events,
    )


def run_status(run_dir: Path, events: list[Event]) -> str:
    """running while a live writer holds the journal; else done / failed / stopped from the
    last RunFinished since the last RunStarted; else interrupted."""
    if is_live(run_dir):
        return "running"
    for event in reversed(events):
        if isinstance(event, RunFinished):
            return event.status
        if isinstance(event, RunStarted):
            break
    return INTERRUPTED
