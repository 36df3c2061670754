"""YAML with positions: every value and key remembers its line and column.

PyYAML's node tree carries marks; we build Python values from it ourselves so
that (a) each path in the document maps to where it was written, (b) duplicate
keys are errors rather than silently overwritten, and (c) timestamps stay
strings, letting the model reject naive datetimes with a precise message.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import yaml

from ceasefire.errors import Problem

Path = tuple[str | int, ...]

# The C loader is several times faster on large inline GeoJSON.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Span:
    """Where a node was written: 1-based line and column, and raw offsets."""

    line: int
    column: int
    start: int
    end: int
    style: str | None = None


@dataclass
class SourceMap:
    """Positions of every value (``path``) and every mapping key (``path + ('<key>',)``)."""

    file: str
    text: str
    spans: dict[Path, Span] = field(default_factory=dict)
    scalars: dict[Path, Any] = field(default_factory=dict)
    """The value of every scalar, by path (predicate errors map back through it)."""
    _line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        self._line_starts = starts

    def find(self, path: Path, *, key: bool = False) -> Span | None:
        """The span of ``path``, or of its nearest written ancestor."""
        if key and (path + ("<key>",)) in self.spans:
            return self.spans[path + ("<key>",)]
        while True:
            if path in self.spans:
                return self.spans[path]
            if not path:
                return None
            path = path[:-1]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset in the file."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def scalar_offsets(self, path: Path, value: str) -> list[int] | None:
        """Map each character of a scalar's value to its offset in the file.

        Works for plain, quoted, literal and folded scalars: the value's
        non-blank characters appear in the raw text in the same order, with
        only indentation, line folding and quoting between them.
        """
        span = self.spans.get(path)
        if span is None:
            return None
        raw = self.text[span.start : span.end]
        offsets: list[int] = []
        cursor = 0
        for ch in value:
            if ch.isspace():
                offsets.append(span.start + min(cursor, len(raw)))
                continue
            found = raw.find(ch, cursor)
            if found < 0:
                return None
            offsets.append(span.start + found)
            cursor = found + 1
        offsets.append(span.start + cursor)  # one past the end, for "unexpected end"
        return offsets


class _Builder:
    """Turns a PyYAML node tree into plain values while recording spans."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path) -> Any:
        self._record(node, path)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(child, path + (i,)) for i, child in enumerate(node.value)
            ]
        value = self._scalar(node)
        self.source.scalars[path] = value
        return value

    def _record(self, node: yaml.Node, path: Path, key: bool = False) -> None:
        start, end = node.start_mark, node.end_mark
        style = getattr(node, "style", None)
        span = Span(start.line + 1, start.column + 1, start.index, end.index, style)
        self.source.spans[path + ("<key>",) if key else path] = span

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(self._scalar(key_node))
            if key in result:
                mark = key_node.start_mark
                self.problems.append(
                    Problem(
                        code="CF002",
                        message=f"duplicate key {key!r}: a key may appear once per mapping",
                        file=self.source.file,
                        line=mark.line + 1,
                        column=mark.column + 1,
                        value=key,
                        expected="each key once",
                    )
                )
                continue
            self._record(key_node, path + (key,), key=True)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep as text: the model checks for a UTC offset
        return self._constructor.construct_object(node)


def parse_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Problem]]:
    """Parse YAML text; return the value, its source map and any problems."""
    source = SourceMap(file=file, text=text)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        problem = Problem(
            code="CF001",
            message=f"YAML syntax error: {reason}",
            file=file,
            line=line,
            column=column,
            expected="valid YAML",
        )
        return None, source, [problem]
    if node is None:
        return None, source, []
    builder = _Builder(source)
    value = builder.build(node, ())
    return value, source, builder.problems
