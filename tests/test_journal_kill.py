"""A process killed with SIGKILL mid-run leaves a readable journal, listed as interrupted, that
a resumed run finishes without paying again for the calls already made."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.journal import JournalWriter, load_for_resume, read_journal, read_meta
from teamtui.core.models.scripted import ScriptedModel
from teamtui.export import markdown
from teamtui.runs import list_runs

from teamkit import run, team

TESTS = Path(__file__).parent
ROOT = TESTS.parent

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from teamtui.core.journal import JournalWriter, RunMeta
    from teamtui.core.models.scripted import ScriptedModel
    from teamkit import run, team
    from teamkit import SOFTWARE_HOUSE

    def tell_parent(event):
        if event.kind == "agent_finished" and event.agent == "pm":
            print("pm-done", flush=True)

    async def main():
        folder = Path(sys.argv[1])
        meta = RunMeta(run_id="crash", team="software-house", team_text=SOFTWARE_HOUSE, team_path=None,
                       input="build a shortener")
        writer = JournalWriter.open(folder, meta)
        # The developer streams slowly, so the kill lands in the middle of its turn.
        model = ScriptedModel({"pm": ["THE SPEC"], "developer": ["CODE " * 400]}, chunks=400)
        slow = model.stream
        async def stream(request):
            async for chunk in slow(request):
                await asyncio.sleep(0.01 if request.agent == "developer" else 0)
                yield chunk
        model.stream = stream
        await run(team(SOFTWARE_HOUSE), model, meta.input, run_id="crash", sinks=[writer, tell_parent])

    asyncio.run(main())
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")
async def test_killed_run_is_readable_interrupted_and_resumable(tmp_path: Path) -> None:
    folder = tmp_path / "runs" / "crash"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=TESTS,
        env={"PYTHONPATH": f"{ROOT}:{TESTS}", "PATH": "/usr/bin:/bin"},
    )
    try:
        line = child.stdout.readline()
        assert line == b"pm-done\n", child.stderr.read().decode()
        # let some developer text stream into the journal, then pull the plug
        for _ in range(200):
            if b'"agent":"developer"' in (folder / "events.jsonl").read_bytes():
                break
            await asyncio.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(10)
    assert child.returncode == -signal.SIGKILL

    contents = read_journal(folder)
    kinds = [e.kind for e in contents.events]
    assert contents.unknown == 0 and contents.torn <= 1
    assert "run_finished" not in kinds and "text" in kinds
    assert [e.seq for e in contents.events] == sorted(e.seq for e in contents.events)
    assert [r.status for r in list_runs(tmp_path / "runs")] == ["interrupted"]

    data = load_for_resume(folder)
    assert data.status == "interrupted" and [r.agent for r in data.replies.values()] == ["pm"]

    # Resume in place: the same folder, the journal continues; the pm's call is not paid again.
    model = ScriptedModel({"developer": ["CODE"], "qa": ["APPROVED"]})
    meta = read_meta(folder)
    meta.resumed_from = data.run_id
    writer = JournalWriter.open(folder, meta)
    result = await run(team(data.team_text), model, data.input, run_id=data.run_id, replies=data.replies,
                       seq_start=data.last_seq, resumed_from=data.run_id, sinks=[writer])
    writer.close()
    assert result.status == "done" and [c.agent for c in model.calls] == ["developer", "qa"]
    assert [r.status for r in list_runs(tmp_path / "runs")] == ["done"]
    replayed = [e for e in read_journal(folder).events if isinstance(e, ev.AgentFinished) and e.reused]
    assert [e.agent for e in replayed] == ["pm"]

    # The transcript of the whole journal reads as one run: each step once, the cut turn gone.
    md = markdown.render(read_journal(folder).events)
    assert md.count("THE SPEC") == 1 and "CODE CODE" not in md
    assert [line for line in md.splitlines() if line.startswith("### ")] == [
        "### pm · step 1", "### developer · step 2.r1.1", "### qa · step 2.r1.2"]
    assert "replayed from the journal" not in md  # the pm's original turn is shown, not its replay
