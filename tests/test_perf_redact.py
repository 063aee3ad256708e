"""The journal reads the environment's secrets once per run, not once per string it writes
(reading os.environ cost ~30 us per string), and still masks them everywhere in an event."""

from __future__ import annotations

from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core import journal
from teamtui.core.journal import JournalWriter
from teamtui.core.redact import MASK, redact

SECRET = "acme-secret-value-123"


@pytest.fixture
def env_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    monkeypatch.setenv("ACME_API_KEY", SECRET)
    reads: list[int] = []
    real = journal.env_secrets
    monkeypatch.setattr(journal, "env_secrets", lambda: reads.append(1) or real())
    return reads


def test_journal_masks_env_secrets_read_once_per_run(tmp_path: Path, env_reads: list[int]) -> None:
    writer = JournalWriter(tmp_path / "run")
    for seq in range(1, 41):
        writer(ev.TextDelta(run_id="r", seq=seq, agent="a", step="1", text=f"the key is {SECRET} ({seq})"))
    writer(ev.ModelReplied(run_id="r", seq=41, agent="a", step="1", key="k", text="x" * 5000 + SECRET,
                           tool_calls=({"id": "c1", "name": "t", "arguments": f'{{"k": "{SECRET}"}}'},)))
    writer.close()
    text = (tmp_path / "run" / "events.jsonl").read_text(encoding="utf-8")
    assert SECRET not in text
    assert text.count(MASK) >= 42  # 40 deltas, the long reply, the tool call's arguments
    assert len(env_reads) == 1


def test_redact_without_env_masks_only_what_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_API_KEY", SECRET)
    assert redact(f"k={SECRET}!") == f"k={MASK}!"
    assert redact(f"{SECRET}!", env=False) == f"{SECRET}!"
    assert redact(f"{SECRET}!", [SECRET], env=False) == f"{MASK}!"
