"""Files a run writes stay inside its workspace, whatever paths the model asks for.

Tool arguments are model output, so they are hostile here: parent directories, absolute paths,
symlinks out of the workspace, directories where a file should be, and tools the agent was never
given. Each gets a tool error the model can read; nothing is written outside; the run goes on.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.handle import RunResult
from teamtui.core.models.scripted import Reply, ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.loader import team_from_text

WRITER = """
    name: files
    agents: {a: {role: Writer, tools: [files, memory]}}
    flow: {agent: a}
"""


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """``run/workspace`` inside ``tmp_path``, a folder outside it, and symlinks pointing out."""
    run = tmp_path / "runs" / "r1"
    workspace = run / "workspace"
    outside = tmp_path / "outside"
    workspace.mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("do not read")
    (workspace / "out-dir").symlink_to(outside, target_is_directory=True)
    (workspace / "out-file").symlink_to(outside / "secret.txt")
    (workspace / "sub").mkdir()
    return {"root": tmp_path, "run": run, "workspace": workspace, "outside": outside}


def snapshot(root: Path, skip: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` except those inside ``skip``, with its content."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and skip not in p.parents
    }


async def run_calls(workspace: Path, calls: list[tuple[str, dict]], yaml: str = WRITER) -> RunResult:
    """One agent turn whose model makes ``calls`` (all in one reply), then answers "done"."""
    model = ScriptedModel({"a": [Reply(tool_calls=calls), "done"]})
    team = team_from_text(textwrap.dedent(yaml), "files.yaml")
    runner = Runner(team, RunOptions(models={"*": model}, workspace=workspace))
    result = await asyncio.wait_for(runner.run("write files"), 10)
    model.assert_done()
    return result


def returned(result: RunResult) -> list[ev.ToolReturned]:
    return [e for e in result.events if isinstance(e, ev.ToolReturned)]


ESCAPES = [
    ("write_file", {"path": "../../etc/x", "content": "pwned"}),
    ("write_file", {"path": "../x", "content": "pwned"}),
    ("write_file", {"path": "sub/../../x", "content": "pwned"}),
    ("write_file", {"path": "OUTSIDE/abs.txt", "content": "pwned"}),  # absolute: filled in below
    ("write_file", {"path": "out-dir/through-symlink.txt", "content": "pwned"}),
    ("write_file", {"path": "out-file", "content": "pwned"}),
    ("write_file", {"path": "", "content": "pwned"}),
    ("write_file", {"path": "a\x00b", "content": "pwned"}),
    ("read_file", {"path": "../../outside/secret.txt"}),
    ("read_file", {"path": "out-file"}),
    ("read_file", {"path": "out-dir/secret.txt"}),
]


async def test_paths_out_of_the_workspace_get_tool_errors_and_nothing_is_written(layout) -> None:
    root, workspace = layout["root"], layout["workspace"]
    calls = [
        (name, {**args, "path": str(layout["outside"] / "abs.txt")} if args.get("path", "").startswith("OUTSIDE")
         else args)
        for name, args in ESCAPES
    ]
    before = snapshot(root, workspace)
    result = await run_calls(workspace, calls)

    assert result.status == "done" and result.output == "done"
    results = returned(result)
    assert len(results) == len(calls)
    for call, r in zip(calls, results):
        assert r.error, (call, r.result)
        assert "do not read" not in r.result
    assert "outside the run's workspace" in results[0].result
    assert snapshot(root, workspace) == before  # not one byte outside the workspace
    assert not (root / "etc").exists() and not (layout["run"].parent / "x").exists()
    assert (layout["outside"] / "secret.txt").read_text() == "do not read"


async def test_ordinary_files_work_inside_the_workspace(layout) -> None:
    workspace = layout["workspace"]
    result = await run_calls(workspace, [
        ("write_file", {"path": "src/app.py", "content": "print('hi')\n"}),
        ("write_file", {"path": "./notes/../README.md", "content": "# readme"}),
        ("read_file", {"path": "src/app.py"}),
        ("list_files", {}),
    ])
    results = returned(result)
    assert [r.error for r in results] == [False] * 4
    assert (workspace / "src" / "app.py").read_text() == "print('hi')\n"
    assert (workspace / "README.md").read_text() == "# readme"
    assert results[2].result == "print('hi')\n"
    assert "src/app.py" in results[3].result and "README.md" in results[3].result
    assert "secret.txt" not in results[3].result  # the listing does not walk through a symlink out


async def test_awkward_targets_are_tool_errors_not_crashes(layout) -> None:
    workspace = layout["workspace"]
    (workspace / "plain.txt").write_text("a file")
    result = await run_calls(workspace, [
        ("write_file", {"path": ".", "content": "x"}),  # the workspace itself
        ("write_file", {"path": "sub", "content": "x"}),  # a directory
        ("write_file", {"path": "plain.txt/inner.txt", "content": "x"}),  # under a file
        ("read_file", {"path": "sub"}),
        ("history_read", {"limit": "lots"}),
        ("write_file", {"path": "big.txt", "content": "x" * 1_000_001}),
    ])
    assert result.status == "done", result.error
    results = returned(result)
    assert [r.error for r in results] == [True] * 6, [r.result for r in results]
    assert (workspace / "plain.txt").read_text() == "a file"
    assert not (workspace / "big.txt").exists()
    assert all(str(layout["root"]) not in r.result for r in results)  # no host paths told to the model


async def test_an_agent_without_the_files_tool_cannot_write(layout) -> None:
    workspace = layout["workspace"]
    yaml = """
        name: nofiles
        agents: {a: {role: Talker}}
        flow: {agent: a}
    """
    result = await run_calls(workspace, [("write_file", {"path": "sneaky.txt", "content": "x"})], yaml)
    [r] = returned(result)
    assert r.error and "not available" in r.result
    assert not (workspace / "sneaky.txt").exists()


async def test_a_run_without_a_workspace_refuses_file_tools(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = await run_calls(None, [("write_file", {"path": "x.txt", "content": "x"})])  # type: ignore[arg-type]
    [r] = returned(result)
    assert r.error and "no workspace" in r.result
    assert list(tmp_path.iterdir()) == []
