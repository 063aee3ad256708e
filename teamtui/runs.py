"""The list of journaled runs, newest first, with a one-line summary each.

Finished runs answer from ``meta.json`` + ``summary.json`` (two small reads). Unfinished runs
have no summary yet, so their journal is scanned; text deltas, the bulk of any journal, are
recognised by their line prefix and never parsed.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from teamtui.core.events import SCHEMA_VERSION
from teamtui.core.journal import EVENTS, INTERRUPTED, META, JournalError, is_live, read_meta, read_summary

# The journal writes compact JSON with "v" and "kind" first: these prefixes name a line's kind.
_TEXT_PREFIX = b'{"v":%d,"kind":"text",' % SCHEMA_VERSION
_MODEL_REPLY = b'"kind":"model_reply"'
_RUN_STARTED = b'"kind":"run_started"'
_RUN_FINISHED = b'"kind":"run_finished"'


@dataclass(slots=True)
class RunSummary:
    run_id: str
    team: str
    status: str  # done | failed | stopped | running | interrupted
    started: float  # unix time
    duration_s: float
    input_tokens: int
    output_tokens: int
    cost: float
    input: str  # the request's first line, shortened for tables
    path: Path
    resumed_from: str | None = None

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["started_iso"] = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started))
        data["tokens"] = self.tokens
        return data


def list_runs(root: Path | None = None) -> list[RunSummary]:
    """Every run under ``root`` (default: ``config.runs_dir()``), newest first. Folders that are
    not runs, or whose meta cannot be read, are left out rather than failing the listing."""
    if root is None:
        from teamtui.config import runs_dir

        root = runs_dir()
    if not root.is_dir():
        return []
    runs = [summary for d in root.iterdir() if (summary := summarize(d)) is not None]
    runs.sort(key=lambda r: (r.started, r.run_id), reverse=True)
    return runs


def summarize(run_dir: Path) -> RunSummary | None:
    if not (run_dir / META).is_file():
        return None
    try:
        meta = read_meta(run_dir)
    except JournalError:
        return None
    summary = read_summary(run_dir) or _scan(run_dir, meta.created)
    return RunSummary(
        run_id=meta.run_id,
        team=meta.team,
        status=summary["status"],
        started=summary.get("started") or meta.created,
        duration_s=float(summary.get("duration_s") or 0.0),
        input_tokens=int(summary.get("input_tokens") or 0),
        output_tokens=int(summary.get("output_tokens") or 0),
        cost=float(summary.get("cost") or 0.0),
        input=_first_line(meta.input),
        path=run_dir,
        resumed_from=meta.resumed_from,
    )


def _scan(run_dir: Path, created: float) -> dict[str, Any]:
    """Totals of an unfinished run (or one whose summary is missing) from its journal. A live
    writer means running, even after an earlier RunFinished (a run being resumed in place)."""
    first_ts = None
    tokens_in = tokens_out = 0
    cost = 0.0
    finished: dict[str, Any] | None = None
    try:
        data = (run_dir / EVENTS).read_bytes()
    except OSError:
        data = b""
    lines = data.split(b"\n")
    for line in lines:
        if not line or line.startswith(_TEXT_PREFIX):
            continue
        head = line[:40]
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # a torn last line
        if first_ts is None:
            first_ts = obj.get("ts")
        if _MODEL_REPLY in head:  # one per call made: the run's total is their sum
            tokens_in += int(obj.get("input_tokens") or 0)
            tokens_out += int(obj.get("output_tokens") or 0)
            cost += float(obj.get("cost") or 0.0)
        elif _RUN_FINISHED in head:
            finished = obj
        elif _RUN_STARTED in head:
            finished = None  # resumed in place: an earlier ending no longer holds
    last_ts = _last_ts(lines)
    started = first_ts if first_ts is not None else created
    if finished is not None and not is_live(run_dir):  # finished, but summary.json was lost: the event has the totals
        return {
            "status": finished.get("status", "done"),
            "started": started,
            "duration_s": max(0.0, (finished.get("ts") or started) - started),
            "input_tokens": finished.get("input_tokens", 0),
            "output_tokens": finished.get("output_tokens", 0),
            "cost": finished.get("cost", 0.0),
        }
    return {
        "status": "running" if is_live(run_dir) else INTERRUPTED,
        "started": started,
        "duration_s": max(0.0, (last_ts or started) - started),
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "cost": cost,
    }


def _last_ts(lines: list[bytes]) -> float | None:
    for line in reversed(lines):
        try:
            return json.loads(line)["ts"]
        except (ValueError, KeyError, TypeError):
            continue
    return None


def _first_line(text: str, width: int = 80) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 1] + "…"
