"""Built-in tools agents can be given in a team file (``tools: [memory, files, publish]``).

Tool arguments come from model output, so they are untrusted: every file path is resolved
inside the run's workspace and refused if it would leave it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from . import events as ev
from .models.base import ToolSpec

if TYPE_CHECKING:
    from .context import RunContext

_STR = {"type": "string"}

MEMORY_TOOLS = [
    ToolSpec("memory_read", "Read a value from the team's shared memory.",
             {"type": "object", "properties": {"key": _STR}, "required": ["key"]}),
    ToolSpec("memory_write", "Store a value in the team's shared memory for the other agents.",
             {"type": "object", "properties": {"key": _STR, "value": _STR}, "required": ["key", "value"]}),
    ToolSpec("history_read", "Read the latest contributions of the other agents in this run.",
             {"type": "object", "properties": {"limit": {"type": "integer"}}}),
]
FILE_TOOLS = [
    ToolSpec("write_file", "Write a text file in the run's workspace.",
             {"type": "object", "properties": {"path": _STR, "content": _STR}, "required": ["path", "content"]}),
    ToolSpec("read_file", "Read a text file from the run's workspace.",
             {"type": "object", "properties": {"path": _STR}, "required": ["path"]}),
    ToolSpec("list_files", "List the files in the run's workspace.", {"type": "object", "properties": {}}),
]
PUBLISH_TOOLS = [
    ToolSpec("publish", "Publish a message on the team's event bus.",
             {"type": "object", "properties": {"topic": _STR, "message": _STR}, "required": ["topic", "message"]}),
]
TOOLSETS = {"memory": MEMORY_TOOLS, "files": FILE_TOOLS, "publish": PUBLISH_TOOLS}

TRANSFER_PREFIX = "transfer_to_"
MAX_FILE_BYTES = 1_000_000


def transfer_tool(target: str, description: str) -> ToolSpec:
    return ToolSpec(
        f"{TRANSFER_PREFIX}{target}",
        description,
        {"type": "object", "properties": {"reason": {"type": "string", "description": "Why you hand over."}}},
    )


class ToolFailure(Exception):
    """A tool call that cannot be done; the message goes back to the model as the result."""


def safe_path(root: Path, relative: str) -> Path:
    """``relative`` inside ``root``, or ToolFailure: absolute paths, '..' and symlinks out are refused."""
    if not relative or "\x00" in relative:
        raise ToolFailure("a file path is required")
    candidate = (root / relative).resolve()
    base = root.resolve()
    if candidate != base and base not in candidate.parents:
        raise ToolFailure(f"path {relative!r} is outside the run's workspace")
    return candidate


class ToolBox:
    """Runs built-in tools for one agent turn. ``publish`` calls go to ``on_publish``."""

    def __init__(self, ctx: "RunContext", agent: str, step: str,
                 on_publish: Callable[[str, str], None] | None = None) -> None:
        self.ctx = ctx
        self.agent = agent
        self.step = step
        self.on_publish = on_publish

    def run(self, name: str, arguments: str) -> str:
        try:
            args = json.loads(arguments or "{}")
            if not isinstance(args, dict):
                raise ToolFailure("arguments must be a JSON object")
            handler = getattr(self, f"_t_{name}", None)
            if handler is None:
                raise ToolFailure(f"unknown tool {name!r}")
            return handler(**{k: v for k, v in args.items() if isinstance(k, str)})
        except json.JSONDecodeError:
            raise ToolFailure("arguments are not valid JSON") from None
        except (TypeError, ValueError) as exc:
            raise ToolFailure(f"bad arguments for {name}: {exc}") from None
        except OSError as exc:  # a directory where a file should be, and the like; no host paths
            raise ToolFailure(f"{name} failed: {exc.strerror or type(exc).__name__}") from None

    # memory
    def _t_memory_read(self, key: str, **_: Any) -> str:
        value = self.ctx.memory.get(str(key))
        return value if value is not None else "(not set)"

    def _t_memory_write(self, key: str, value: Any, **_: Any) -> str:
        key, value = str(key)[:200], str(value)
        self.ctx.memory.set(key, value)
        self.ctx.emit(ev.MemoryWritten(agent=self.agent, key=key, value=value, step=self.step))
        return "stored"

    def _t_history_read(self, limit: int = 5, **_: Any) -> str:
        items = self.ctx.memory.recent(max(1, min(int(limit), 20)))
        return "\n\n".join(f"[{c.agent} @ {c.step}]\n{c.text}" for c in items) or "(no contributions yet)"

    # files
    def _root(self) -> Path:
        if self.ctx.workspace is None:
            raise ToolFailure("this run has no workspace for files")
        root = Path(self.ctx.workspace)
        root.mkdir(parents=True, exist_ok=True)
        return root

    def _t_write_file(self, path: str, content: Any, **_: Any) -> str:
        data = str(content)
        if len(data.encode()) > MAX_FILE_BYTES:
            raise ToolFailure("file too large (limit 1 MB)")
        target = safe_path(self._root(), str(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(data, encoding="utf-8")
        return f"wrote {target.relative_to(self._root().resolve())} ({len(data)} chars)"

    def _t_read_file(self, path: str, **_: Any) -> str:
        target = safe_path(self._root(), str(path))
        if not target.is_file():
            raise ToolFailure(f"no file {path!r}")
        return target.read_text(encoding="utf-8", errors="replace")[:MAX_FILE_BYTES]

    def _t_list_files(self, **_: Any) -> str:
        root = self._root().resolve()
        names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        return "\n".join(names) or "(empty)"

    # event bus
    def _t_publish(self, topic: str, message: Any, **_: Any) -> str:
        if self.on_publish is None:
            raise ToolFailure("publishing is only possible inside an event-bus flow")
        self.on_publish(str(topic), str(message))
        return f"published on {topic}"
