"""Read YAML into plain data while keeping the node tree, so errors can name a line.

PyYAML's ``safe_load`` forgets where things were, silently keeps the last of two equal keys, and
happily builds recursive or exponentially large structures out of aliases. Here the text is
composed into nodes first (with marks), checked, and only then constructed.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import yaml
from yaml.composer import ComposerError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from teamtui.loader.errors import TeamFileError

#: Upper bound on nodes after alias expansion; real team files have a few hundred.
MAX_NODES = 20_000

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (only true/false) and no timestamps.

    YAML 1.1 reads ``on``, ``yes``, ``no``, ``off`` as booleans, which would turn the event bus's
    ``on:`` key into ``True``; and nothing in a team file is a date, so dates stay text.
    Aliases to an anchor that is still open (``&a [*a]``) are refused while composing, which is
    the only way YAML can build a cycle.
    """

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._open_anchors: set[str] = set()

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                raise ComposerError(
                    None, None, f"alias *{event.anchor} is inside its own anchor &{event.anchor} (a recursive alias)",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            if anchor is not None:
                self._open_anchors.discard(anchor)


_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def compose(text: str, path: str) -> Node | None:
    """Parse ``text`` into a node tree (None for an empty document); syntax errors carry a line."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        # Composer errors (aliases, several documents) are about structure, not syntax.
        kind = "YAML error" if isinstance(exc, ComposerError) else "YAML syntax error"
        raise TeamFileError(path, line, f"{kind}: {_yaml_problem(exc)}") from None
    except yaml.YAMLError as exc:  # reader errors (control characters) have no mark
        raise TeamFileError(path, 1, f"YAML error: {exc}") from None
    except RecursionError:
        raise TeamFileError(path, 1, "YAML nesting is too deep") from None
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    if "'\\t'" in problem:
        return f"{problem} (YAML does not allow tabs for indentation; use spaces)"
    if exc.context and exc.context_mark is not None and exc.problem_mark is not None \
            and exc.context_mark.line != exc.problem_mark.line:
        return f"{problem} ({exc.context} on line {exc.context_mark.line + 1})"
    return problem


def check(root: Node, path: str) -> None:
    """Refuse duplicate keys and alias bombs (the composer already refused alias cycles)."""
    sizes: dict[int, int] = {}

    def size(node: Node, where: tuple[str | int, ...]) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, MappingNode):
            _no_duplicate_keys(node, where, path)
            for key, value in node.value:
                total += size(key, where) + size(value, where + (_key_text(key),))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                total += size(item, where + (i,))
        if total > MAX_NODES:
            raise TeamFileError(
                path, _line(node), f"{format_path(where) or 'the file'}: aliases expand to more than "
                f"{MAX_NODES} values; is an alias repeated by mistake?",
            )
        sizes[id(node)] = total
        return total

    size(root, ())


def _key_text(key: Node) -> str:
    return key.value if isinstance(key, ScalarNode) else "?"


def _no_duplicate_keys(node: MappingNode, where: tuple[str | int, ...], path: str) -> None:
    seen: dict[tuple[str, str], int] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.tag == _MERGE:
            continue  # merged keys (<<) may be overridden on purpose
        ident = (key.tag, key.value)
        if ident in seen:
            prefix = f"{format_path(where)}: " if where else ""
            raise TeamFileError(
                path, _line(key), f"{prefix}duplicate key {key.value!r} (first defined on line {seen[ident]})"
            )
        seen[ident] = _line(key)


def construct(root: Node, path: str) -> Any:
    """Turn a checked node tree into plain Python data."""
    loader = _Loader("")
    try:
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:  # unknown !tags, bad merges, unhashable keys
        mark = exc.problem_mark or exc.context_mark
        raise TeamFileError(path, mark.line + 1 if mark else 1, f"YAML error: {_yaml_problem(exc)}") from None
    finally:
        loader.dispose()


def locate(root: Node, loc: Iterable[str | int]) -> tuple[int, tuple[str | int, ...]]:
    """Follow ``loc`` down the node tree as far as it goes: (line of the deepest node, the part of
    ``loc`` that matched). Items that match nothing are skipped: the parallel list form has no
    ``branches`` key, and pydantic adds ``[key]`` for errors in a key. Inside a mapping the line
    is the key's, which is where people look."""
    node, line, matched = root, _line(root), []
    for item in loc:
        found = _child(node, item)
        if found is None:
            continue
        line, node = found
        matched.append(item)
    return line, tuple(matched)


def _child(node: Node, item: str | int) -> tuple[int, Node] | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == str(item):
                return _line(key), value
    elif isinstance(node, SequenceNode) and isinstance(item, int) and 0 <= item < len(node.value):
        child = node.value[item]
        return _line(child), child
    return None


_PLAIN_KEY = re.compile(r"[A-Za-z_][\w-]*")


def format_path(items: Iterable[str | int]) -> str:
    """``('flow', 'sequence', 1, 'loop')`` -> ``flow.sequence[1].loop``."""
    out = ""
    for item in items:
        if isinstance(item, int):
            out += f"[{item}]"
        elif _PLAIN_KEY.fullmatch(item):
            out += f".{item}" if out else item
        else:
            out += f"[{item!r}]"
    return out
