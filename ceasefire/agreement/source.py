"""YAML with positions: every value and key remembers its line and column.

PyYAML's node tree carries marks; we build Python values from it ourselves so
that (a) each path in the document maps to where it was written, (b) duplicate
keys are errors rather than silently overwritten, and (c) timestamps stay
strings, letting the model reject naive datetimes with a precise message.
"""

from __future__ import annotations

import bisect
import re
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
        cursor = _value_start(raw, span.style)
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
        merged: list[dict[str, Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor`
                value = self.build(value_node, path)
                merged.extend(value if isinstance(value, list) else [value])
                continue
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
        for extra in merged:  # keys written out in the mapping win over merged ones
            for key, value in extra.items() if isinstance(extra, dict) else ():
                result.setdefault(key, value)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep as text: the model checks for a UTC offset
        return self._constructor.construct_object(node)


_PROPERTIES = re.compile(r"(?:[&!][^\s]*\s+)*")  # anchors and tags before a value


def _value_start(raw: str, style: str | None) -> int:
    """Where a scalar's value begins in its raw text: past anchors, tags, the
    opening quote, or a block scalar's header line (with any comment on it)."""
    start = _PROPERTIES.match(raw).end()  # type: ignore[union-attr]
    if style in ("|", ">"):
        newline = raw.find("\n", start)
        return len(raw) if newline < 0 else newline + 1
    if style in ('"', "'"):
        return start + 1
    return start


def _syntax_problem(exc: yaml.YAMLError, source: SourceMap) -> Problem:
    """A CF001 problem where the parser stopped, saying where the construct began."""
    line, column, reason = 1, 1, str(exc)
    if isinstance(exc, yaml.reader.ReaderError):
        line, column = source.position(exc.position)
        reason = f"character {exc.character!r} is not allowed in YAML ({exc.reason})"
    elif isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark:
            began = exc.context_mark
            reason += (
                f" ({exc.context} at line {began.line + 1}, column {began.column + 1})"
            )
    return Problem(
        code="CF001",
        message=f"YAML syntax error: {reason}",
        file=source.file,
        line=line,
        column=column,
        expected="YAML: key: value pairs, '- ' list items, matching brackets and quotes",
    )


def parse_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Problem]]:
    """Parse YAML text; return the value, its source map and any problems."""
    source = SourceMap(file=file, text=text)
    builder = _Builder(source)
    try:
        node = yaml.compose(text, Loader=_Loader)
        value = None if node is None else builder.build(node, ())
    except yaml.YAMLError as exc:
        return None, source, [_syntax_problem(exc, source)]
    return value, source, builder.problems
