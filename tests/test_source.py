"""The YAML source map: where every key and value was written.

Positions are computed here by locating tokens in the text, never copied from
what the parser reported.
"""

from __future__ import annotations

import pytest

from ceasefire.agreement.source import SourceMap, Span, parse_yaml

DOCUMENT = """\
# a comment first, so nothing starts at 1:1
name: ceasefire
parties:
  - id: ua
    tags: [east, 'west', "south"]
  - {id: ru, role: party}
timeline:
  start: 2025-09-01T00:00:00+03:00
  day: 2025-09-01
  spaced: 2025-09-01 12:00:00
  quoted: "2025-09-01T00:00:00+03:00"
numbers: {int: 3, float: 2.5, negative: -5, bool: true, none: null}
"""


def position(text: str, token: str, *, after: str = "") -> tuple[int, int]:
    """1-based (line, column) of the first ``token`` after ``after``."""
    i = text.index(token, text.index(after) + len(after) if after else 0)
    return text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)


def where(span: Span | None) -> tuple[int, int]:
    assert span is not None
    return span.line, span.column


@pytest.fixture(scope="module")
def parsed() -> tuple[object, SourceMap]:
    value, source, problems = parse_yaml(DOCUMENT, "doc.yaml")
    assert problems == []
    assert source.file == "doc.yaml"
    return value, source


# ---------------------------------------------------------------- values


def test_values_are_plain_python(parsed: tuple[object, SourceMap]) -> None:
    value, _ = parsed
    assert value == {
        "name": "ceasefire",
        "parties": [
            {"id": "ua", "tags": ["east", "west", "south"]},
            {"id": "ru", "role": "party"},
        ],
        "timeline": {
            "start": "2025-09-01T00:00:00+03:00",
            "day": "2025-09-01",
            "spaced": "2025-09-01 12:00:00",
            "quoted": "2025-09-01T00:00:00+03:00",
        },
        "numbers": {"int": 3, "float": 2.5, "negative": -5, "bool": True, "none": None},
    }


def test_timestamps_stay_strings(parsed: tuple[object, SourceMap]) -> None:
    value, _ = parsed
    assert isinstance(value, dict)
    for key in ("start", "day", "spaced", "quoted"):
        assert type(value["timeline"][key]) is str


def test_other_scalars_keep_their_yaml_types(parsed: tuple[object, SourceMap]) -> None:
    value, _ = parsed
    assert isinstance(value, dict)
    numbers = value["numbers"]
    assert type(numbers["int"]) is int
    assert type(numbers["float"]) is float
    assert numbers["bool"] is True
    assert numbers["none"] is None


def test_scalars_by_path(parsed: tuple[object, SourceMap]) -> None:
    _, source = parsed
    assert source.scalars[("name",)] == "ceasefire"
    assert source.scalars[("parties", 0, "tags", 1)] == "west"
    assert source.scalars[("timeline", "day")] == "2025-09-01"
    assert source.scalars[("numbers", "negative")] == -5


# ---------------------------------------------------------------- spans


@pytest.mark.parametrize(
    ("path", "token", "after"),
    [
        (("name",), "ceasefire", ""),
        (("parties", 0, "id"), "ua", "id: "),
        (("parties", 0, "tags"), "[east", ""),
        (("parties", 0, "tags", 0), "east", ""),
        (("parties", 0, "tags", 1), "'west'", ""),
        (("parties", 0, "tags", 2), '"south"', ""),
        (("parties", 1), "{id: ru", ""),
        (("parties", 1, "id"), "ru", "{id: "),
        (("parties", 1, "role"), "party", "role: "),
        (("timeline", "start"), "2025-09-01T00", "start: "),
        (("timeline", "day"), "2025-09-01", "day: "),
        (("numbers", "negative"), "-5", ""),
        (("numbers", "none"), "null", ""),
    ],
)
def test_value_spans(
    parsed: tuple[object, SourceMap],
    path: tuple[str | int, ...],
    token: str,
    after: str,
) -> None:
    _, source = parsed
    assert where(source.spans[path]) == position(DOCUMENT, token, after=after)


@pytest.mark.parametrize(
    ("path", "token", "after"),
    [
        (("name",), "name:", ""),
        (("parties",), "parties:", ""),
        (("parties", 0, "id"), "id:", ""),
        (("parties", 0, "tags"), "tags:", ""),
        (("parties", 1, "role"), "role:", ""),
        (("timeline", "spaced"), "spaced:", ""),
        (("numbers", "float"), "float:", ""),
    ],
)
def test_key_spans(
    parsed: tuple[object, SourceMap],
    path: tuple[str | int, ...],
    token: str,
    after: str,
) -> None:
    _, source = parsed
    expected = position(DOCUMENT, token, after=after)
    assert where(source.spans[(*path, "<key>")]) == expected
    assert where(source.find(path, key=True)) == expected


def test_span_offsets_cover_the_written_value(parsed: tuple[object, SourceMap]) -> None:
    _, source = parsed
    for path, token in (
        (("name",), "ceasefire"),
        (("parties", 0, "tags", 1), "'west'"),
        (("parties", 0, "tags", 2), '"south"'),
        (("parties", 0, "tags"), "[east, 'west', \"south\"]"),
        (("timeline", "start"), "2025-09-01T00:00:00+03:00"),
    ):
        span = source.spans[path]
        assert DOCUMENT[span.start : span.end] == token
        assert source.position(span.start) == (span.line, span.column)


def test_span_styles(parsed: tuple[object, SourceMap]) -> None:
    _, source = parsed
    assert source.spans[("parties", 0, "tags", 1)].style == "'"
    assert source.spans[("parties", 0, "tags", 2)].style == '"'
    assert source.spans[("parties", 0, "tags", 0)].style in (None, "")


def test_find_falls_back_to_the_nearest_written_ancestor(
    parsed: tuple[object, SourceMap],
) -> None:
    _, source = parsed
    assert source.find(("parties", 0, "missing", 3)) == source.spans[("parties", 0)]
    assert where(source.find(("parties", 0))) == position(DOCUMENT, "id: ua")
    # no key span for list items: the value's own span
    assert source.find(("parties", 0), key=True) == source.spans[("parties", 0)]
    assert where(source.find(())) == position(DOCUMENT, "name:")


def test_position_of_offsets() -> None:
    source = SourceMap(file="x", text="ab\ncd\n\nef")
    assert source.position(0) == (1, 1)
    assert source.position(1) == (1, 2)
    assert source.position(2) == (1, 3)  # the newline ends line 1
    assert source.position(3) == (2, 1)
    assert source.position(6) == (3, 1)
    assert source.position(8) == (4, 2)


# ---------------------------------------------------------------- scalar offsets


def offsets_of(text: str, path: tuple[str | int, ...]) -> tuple[str, list[int]]:
    value, source, problems = parse_yaml(text, "p.yaml")
    assert problems == []
    scalar = source.scalars[path]
    assert isinstance(scalar, str)
    offsets = source.scalar_offsets(path, scalar)
    assert offsets is not None
    assert len(offsets) == len(scalar) + 1
    return scalar, offsets


PREDICATE = 'event_type == "shelling" and weapon.calibre_mm >= 100'


@pytest.mark.parametrize(
    ("style", "text"),
    [
        ("plain", f"p: {PREDICATE}\nq: 1\n"),
        ("single-quoted", f"p: '{PREDICATE}'\nq: 1\n"),
        (
            "double-quoted",
            'p: "event_type == \\"shelling\\" and weapon.calibre_mm >= 100"\n',
        ),
        (
            "literal",
            'p: |\n  event_type == "shelling"\n  and weapon.calibre_mm >= 100\nq: 1\n',
        ),
        (
            "folded",
            'p: >\n  event_type == "shelling"\n  and weapon.calibre_mm >= 100\nq: 1\n',
        ),
        (
            "folded-strip",
            'p: >-\n    event_type ==\n    "shelling"\n\n    and weapon.calibre_mm\n'
            "    >= 100\nq: 1\n",
        ),
        (
            "plain-multi-line",
            'p: event_type == "shelling"\n   and weapon.calibre_mm\n   >= 100\nq: 1\n',
        ),
        (
            "double-quoted-multi-line",
            'p: "event_type == \\"shelling\\"\n  and weapon.calibre_mm >= 100"\n',
        ),
    ],
)
def test_scalar_offsets_map_each_character_to_the_file(style: str, text: str) -> None:
    scalar, offsets = offsets_of(text, ("p",))
    assert " ".join(scalar.split()) == PREDICATE
    # every visible character of the value is that character in the file
    for ch, offset in zip(scalar, offsets, strict=False):
        if not ch.isspace():
            assert text[offset] == ch, (style, ch, offset)
    # and specific tokens land where they were written
    for token in ("event_type", "shelling", "weapon.calibre_mm", "100"):
        in_value = scalar.index(token)
        assert offsets[in_value] == text.index(token), (style, token)
    # one past the end: just after the last character written
    assert offsets[-1] == text.index("100") + len("100")


def test_scalar_offsets_single_quoted_with_doubled_quote() -> None:
    text = "p: 'weapon.model == ''T-72'' and x'\n"
    scalar, offsets = offsets_of(text, ("p",))
    assert scalar == "weapon.model == 'T-72' and x"
    assert offsets[scalar.index("T-72")] == text.index("T-72")
    assert offsets[scalar.index(" x") + 1] == text.index(" x'") + 1


def test_scalar_offsets_in_a_nested_flow_sequence() -> None:
    text = "a:\n  - b: [x, 'y z', \"w\"]\n"
    _, source, _ = parse_yaml(text, "n.yaml")
    path = ("a", 0, "b", 1)
    offsets = source.scalar_offsets(path, "y z")
    assert offsets is not None
    assert offsets[0] == text.index("y z")
    assert offsets[2] == text.index("y z") + 2


def test_scalar_offsets_of_an_unknown_path() -> None:
    _, source, _ = parse_yaml("a: 1\n", "n.yaml")
    assert source.scalar_offsets(("b",), "x") is None


def test_scalar_offsets_skip_a_comment_after_the_block_header() -> None:
    text = "p: > # when weapons are near\n  weapon.calibre_mm >= 100\nq: 1\n"
    scalar, offsets = offsets_of(text, ("p",))
    assert offsets[0] == text.index("weapon.calibre_mm")


def test_scalar_offsets_skip_the_opening_quote() -> None:
    text = 'p: "\\"shelling\\" == event_type"\n'
    scalar, offsets = offsets_of(text, ("p",))
    assert scalar[0] == '"'
    escape = text.index('\\"shelling')
    assert offsets[0] in (escape, escape + 1)


# ---------------------------------------------------------------- problems


def test_duplicate_keys_are_reported_and_the_first_kept() -> None:
    text = "a: 1\nb:\n  c: 2\n  d: 3\n  c: 4\na: 5\n"
    value, source, problems = parse_yaml(text, "dup.yaml")
    assert value == {"a": 1, "b": {"c": 2, "d": 3}}
    assert [(p.code, p.value, p.line, p.column) for p in problems] == [
        ("CF002", "c", *position(text, "c:", after="d: 3")),
        ("CF002", "a", *position(text, "a:", after="c: 4")),
    ]
    for problem in problems:
        assert problem.file == "dup.yaml"
        assert "duplicate key" in problem.message
        assert problem.expected
    # positions are those of the first occurrence
    assert where(source.spans[("b", "c")]) == position(text, "2")
    assert where(source.spans[("b", "c", "<key>")]) == position(text, "c:")


def test_syntax_error_is_a_problem() -> None:
    text = "a: 1\nb: [x, y\nc: 2\n"
    value, _, problems = parse_yaml(text, "bad.yaml")
    assert value is None
    [problem] = problems
    assert problem.code == "CF001"
    assert problem.file == "bad.yaml"
    assert problem.line >= 2
    assert "YAML syntax error" in problem.message


def test_tab_indentation_points_at_the_tab() -> None:
    text = "a:\n  b: 1\n\tc: 2\n"
    _, _, problems = parse_yaml(text, "tab.yaml")
    [problem] = problems
    assert problem.code == "CF001"
    assert (problem.line, problem.column) == position(text, "\t")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_document(text: str) -> None:
    value, _, problems = parse_yaml(text, "e.yaml")
    assert value is None
    assert problems == []


def test_aliases_are_resolved() -> None:
    text = "base: &b [x, y]\nother: *b\n"
    value, source, problems = parse_yaml(text, "a.yaml")
    assert problems == []
    assert value == {"base": ["x", "y"], "other": ["x", "y"]}
    assert source.spans[("other", "<key>")].line == 2


def test_merge_key_is_merged_or_reported_not_a_crash() -> None:
    text = "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n"
    value, _, problems = parse_yaml(text, "m.yaml")
    merged = value == {"base": {"x": 1}, "other": {"x": 1, "y": 2}}
    reported = [(p.line, p.column) for p in problems] == [position(text, "<<")]
    assert merged or reported
