"""The predicate language: parsing, precedence, type checking and error positions.

Most tests call ``check(text, scope)`` with a hand-built ``Scope``; the last ones
load whole documents, where an error must land on the exact file line and
column of the offending token whatever the YAML scalar style.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire.agreement.context import BOOL, DATETIME, NUMBER, incident_fields
from ceasefire.agreement.load import load_with_problems
from ceasefire.agreement.predicate import (
    BoolOp,
    Call,
    Compare,
    Literal,
    Name,
    Not,
    Predicate,
    PredicateError,
    Scope,
    SetLiteral,
    check,
    parse,
    walk,
)
from ceasefire.errors import Problem

PARTIES = ("ua", "ru")
SCOPE = Scope(
    fields=incident_fields(PARTIES),
    instants=frozenset({"entry_into_force", "withdrawal_end"}),
    terms={
        "heavy_weapons": ("weapon", ("artillery", "mlrs", "tactical_missile")),
        "civilian_objects": ("target", ("civilian", "residential", "power")),
        "misspelt_weapons": ("weapon", ("artilery",)),
    },
    geometries={
        "contact_line": "line",
        "security_zone": "zone",
        "humanitarian_corridor": "corridor",
        "power_plant": "site",
    },
    parties=PARTIES,
)

MINIMAL = (
    Path(__file__).parent / "data" / "agreements" / "1.0" / "minimal.yaml"
).read_text(encoding="utf-8")


def error_of(text: str) -> PredicateError:
    with pytest.raises(PredicateError) as caught:
        check(text, SCOPE)
    return caught.value


# ---------------------------------------------------------------- valid predicates


@pytest.mark.parametrize(
    ("text", "fields", "geometries", "instants", "terms"),
    [
        ("weapon.calibre_mm >= 100", {"weapon.calibre_mm"}, set(), set(), set()),
        ("weapon.calibre_mm > 100", {"weapon.calibre_mm"}, set(), set(), set()),
        ("weapon.range_km <= 30.5", {"weapon.range_km"}, set(), set(), set()),
        ("weapon.count < 3", {"weapon.count"}, set(), set(), set()),
        ("casualties.killed == 0", {"casualties.killed"}, set(), set(), set()),
        ("casualties.injured != 0", {"casualties.injured"}, set(), set(), set()),
        ('event_type == "shelling"', {"event_type"}, set(), set(), set()),
        ("event_type == 'shelling'", {"event_type"}, set(), set(), set()),
        ('"shelling" == event_type', {"event_type"}, set(), set(), set()),
        ('party != "ru"', {"party"}, set(), set(), set()),
        ('weapon.model == "T-72"', {"weapon.model"}, set(), set(), set()),
        ("weapon.calibre_mm in {122, 152}", {"weapon.calibre_mm"}, set(), set(), set()),
        (
            'event_type in {"shelling", "air_strike"}',
            {"event_type"},
            set(),
            set(),
            set(),
        ),
        ('weapon.class not in {"mortar"}', {"weapon.class"}, set(), set(), set()),
        (
            "weapon.class in heavy_weapons",
            {"weapon.class"},
            set(),
            set(),
            {"heavy_weapons"},
        ),
        (
            "target.category not in civilian_objects",
            {"target.category"},
            set(),
            set(),
            {"civilian_objects"},
        ),
        ("distance_km(contact_line) < 25", set(), {"contact_line"}, set(), set()),
        ("distance_km(security_zone) >= 0", set(), {"security_zone"}, set(), set()),
        ('side(contact_line) == "ua"', set(), {"contact_line"}, set(), set()),
        ("inside(security_zone)", set(), {"security_zone"}, set(), set()),
        (
            "inside(humanitarian_corridor) or inside(power_plant)",
            set(),
            {"humanitarian_corridor", "power_plant"},
            set(),
            set(),
        ),
        ("inside(security_zone) == true", set(), {"security_zone"}, set(), set()),
        (
            "after(entry_into_force) and before(withdrawal_end)",
            set(),
            set(),
            {"entry_into_force", "withdrawal_end"},
            set(),
        ),
        ("days_since(entry_into_force) > 3", set(), set(), {"entry_into_force"}, set()),
        ("hours_since(withdrawal_end) <= 48", set(), set(), {"withdrawal_end"}, set()),
        (
            "observed_at >= withdrawal_end",
            {"observed_at"},
            set(),
            {"withdrawal_end"},
            set(),
        ),
        ("not inside(security_zone)", set(), {"security_zone"}, set(), set()),
        (
            '(event_type == "shelling" or event_type == "air_strike")\n'
            "  and weapon.class in heavy_weapons and distance_km(contact_line) < 25\n"
            "  and after(withdrawal_end)",
            {"event_type", "weapon.class"},
            {"contact_line"},
            {"withdrawal_end"},
            {"heavy_weapons"},
        ),
    ],
)
def test_valid_predicate_records_what_it_names(
    text: str,
    fields: set[str],
    geometries: set[str],
    instants: set[str],
    terms: set[str],
) -> None:
    predicate = check(text, SCOPE)
    assert isinstance(predicate, Predicate)
    assert predicate.text == text
    assert predicate.tree.type == BOOL
    assert predicate.fields == fields
    assert predicate.geometries == geometries
    assert predicate.instants == instants
    assert predicate.terms == terms


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_every_comparison_operator(op: str) -> None:
    text = f"weapon.calibre_mm {op} 100"
    tree = check(text, SCOPE).tree
    assert isinstance(tree, Compare)
    assert tree.op == op
    assert tree.offset == text.index(op)
    assert isinstance(tree.left, Name) and tree.left.path == "weapon.calibre_mm"
    assert isinstance(tree.right, Literal) and tree.right.value == 100.0


def test_and_binds_tighter_than_or() -> None:
    text = (
        "inside(security_zone) or weapon.calibre_mm >= 100 and after(entry_into_force)"
    )
    tree = check(text, SCOPE).tree
    assert isinstance(tree, BoolOp) and tree.op == "or"
    left, right = tree.operands
    assert isinstance(left, Call) and left.function == "inside"
    assert isinstance(right, BoolOp) and right.op == "and"
    compare, call = right.operands
    assert isinstance(compare, Compare) and compare.op == ">="
    assert isinstance(call, Call) and call.function == "after"


def test_not_binds_tighter_than_and() -> None:
    tree = check("not inside(security_zone) and after(entry_into_force)", SCOPE).tree
    assert isinstance(tree, BoolOp) and tree.op == "and"
    negated, call = tree.operands
    assert isinstance(negated, Not)
    assert isinstance(negated.operand, Call) and negated.operand.function == "inside"
    assert isinstance(call, Call) and call.function == "after"


def test_not_applies_to_a_whole_comparison() -> None:
    tree = check("not weapon.calibre_mm >= 100", SCOPE).tree
    assert isinstance(tree, Not)
    assert isinstance(tree.operand, Compare) and tree.operand.op == ">="


def test_parentheses_override_precedence() -> None:
    text = (
        "(inside(security_zone) or weapon.calibre_mm >= 100) and after(withdrawal_end)"
    )
    tree = check(text, SCOPE).tree
    assert isinstance(tree, BoolOp) and tree.op == "and"
    grouped, call = tree.operands
    assert isinstance(grouped, BoolOp) and grouped.op == "or"
    assert isinstance(call, Call) and call.argument == "withdrawal_end"


def test_chains_of_one_operator_are_flat() -> None:
    text = (
        "inside(security_zone) and after(entry_into_force) and before(withdrawal_end)"
    )
    tree = check(text, SCOPE).tree
    assert isinstance(tree, BoolOp) and tree.op == "and"
    assert [c.function for c in tree.operands if isinstance(c, Call)] == [
        "inside",
        "after",
        "before",
    ]


def test_double_negation() -> None:
    tree = check("not not inside(security_zone)", SCOPE).tree
    assert isinstance(tree, Not) and isinstance(tree.operand, Not)
    assert isinstance(tree.operand.operand, Call)


def test_not_in_is_one_operator() -> None:
    text = 'weapon.class not in {"mortar", "tank"}'
    tree = check(text, SCOPE).tree
    assert isinstance(tree, Compare) and tree.op == "not in"
    assert tree.offset == text.index("not in")
    assert isinstance(tree.right, SetLiteral)
    assert [item.value for item in tree.right.items] == ["mortar", "tank"]


def test_nodes_keep_offsets_and_types() -> None:
    text = "distance_km(contact_line) < 25 and observed_at >= withdrawal_end"
    tree = check(text, SCOPE).tree
    nodes = list(walk(tree))
    call = next(n for n in nodes if isinstance(n, Call))
    assert call.offset == text.index("distance_km")
    assert call.argument_offset == text.index("contact_line")
    assert call.type == NUMBER
    names = {n.path: n for n in nodes if isinstance(n, Name)}
    assert names["observed_at"].offset == text.index("observed_at")
    assert names["observed_at"].role == "field"
    assert names["withdrawal_end"].role == "instant"
    assert names["withdrawal_end"].type == DATETIME
    assert all(n.type is not None for n in nodes)


def test_term_names_resolve_as_terms() -> None:
    tree = check("weapon.class in heavy_weapons", SCOPE).tree
    assert isinstance(tree, Compare) and isinstance(tree.right, Name)
    assert tree.right.role == "term"


def test_parse_alone_does_not_resolve_names() -> None:
    tree = parse("anything.at_all == 3 or whatever(x)")
    assert isinstance(tree, BoolOp) and tree.op == "or"
    assert all(node.type is None for node in walk(tree))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "token", "value", "message", "expected", "suggestion"),
    [
        (
            "weapon.calibre >= 100",
            "weapon.calibre",
            "weapon.calibre",
            "unknown name 'weapon.calibre'",
            "incident field",
            "weapon.calibre_mm",
        ),
        (
            'event_type == "shellng"',
            '"shellng"',
            "shellng",
            "not a known event type",
            "shelling",
            "shelling",
        ),
        (
            'weapon.class in {"mlrs", "artilery"}',
            '"artilery"',
            "artilery",
            "not a known weapon class",
            "artillery",
            "artillery",
        ),
        (
            "insde(security_zone)",
            "insde",
            "insde",
            "unknown function 'insde'",
            "distance_km",
            "inside",
        ),
        (
            "days_since(entry_into_forc) > 3",
            "entry_into_forc",
            "entry_into_forc",
            "needs a named instant",
            "entry_into_force",
            "entry_into_force",
        ),
        (
            "distance_km(contact_lin) < 5",
            "contact_lin",
            "contact_lin",
            "not a geometry of this agreement",
            "contact_line",
            "contact_line",
        ),
        (
            "weapon.class in misspelt_weapons",
            "misspelt_weapons",
            "artilery",
            "includes 'artilery'",
            "artillery",
            "artillery",
        ),
    ],
    ids=[
        "unknown-field",
        "unknown-enum-value",
        "unknown-value-in-set",
        "unknown-function",
        "unknown-instant",
        "unknown-geometry",
        "term-with-unknown-value",
    ],
)
def test_error_with_suggestion(
    text: str, token: str, value: str, message: str, expected: str, suggestion: str
) -> None:
    error = error_of(text)
    assert error.offset == text.index(token)
    assert error.value == value
    assert message in error.message
    assert error.expected and expected in error.expected
    assert error.suggestion == suggestion


def test_wrong_argument_kind_names_the_allowed_kinds() -> None:
    text = "weapon.calibre_mm >= 100 and inside(contact_line)"
    error = error_of(text)
    assert error.offset == text.index("contact_line")
    assert error.value == "contact_line"
    assert "inside()" in error.message
    for kind in ("zone", "corridor", "site"):
        assert kind in error.message
    assert "is a line" in error.message
    assert error.expected
    for candidate in ("security_zone", "humanitarian_corridor", "power_plant"):
        assert candidate in error.expected
    assert "contact_line" not in error.expected


def test_side_needs_a_line() -> None:
    text = 'side(security_zone) == "ua"'
    error = error_of(text)
    assert error.offset == text.index("security_zone")
    assert "needs a line" in error.message
    assert error.expected and "contact_line" in error.expected


def test_after_needs_an_instant_not_a_geometry() -> None:
    text = "after(contact_line)"
    error = error_of(text)
    assert error.offset == text.index("contact_line")
    assert error.expected
    assert "entry_into_force" in error.expected
    assert "withdrawal_end" in error.expected


def test_geometry_used_as_a_name_suggests_distance() -> None:
    error = error_of("contact_line < 5")
    assert error.offset == 0
    assert error.suggestion == "distance_km(contact_line)"


def test_term_of_the_wrong_vocabulary() -> None:
    text = "target.category in heavy_weapons"
    error = error_of(text)
    assert error.offset == text.index("heavy_weapons")
    assert "heavy_weapons" in error.message
    assert "weapon" in error.message
    assert error.expected and "target" in error.expected


@pytest.mark.parametrize(
    ("text", "token", "value"),
    [
        ("distance_km(contact_line) < -5", "-5", -5.0),
        ("weapon.calibre_mm >= -100", "-100", -100.0),
        ("casualties.killed == -1", "-1", -1.0),
    ],
)
def test_negative_value_for_a_non_negative_quantity(
    text: str, token: str, value: float
) -> None:
    error = error_of(text)
    assert error.offset == text.index(token)
    assert error.value == value
    assert "negative" in error.message
    assert error.expected and "0" in error.expected


def test_days_since_may_be_negative() -> None:
    check("days_since(withdrawal_end) > -3", SCOPE)


def test_ordering_two_strings() -> None:
    text = 'weapon.model < "T-72"'
    error = error_of(text)
    assert error.offset == text.index("<")
    assert "cannot order" in error.message
    assert error.expected and "numbers" in error.expected


def test_comparing_a_number_with_a_string() -> None:
    text = 'weapon.calibre_mm == "100"'
    error = error_of(text)
    assert error.offset == text.index("==")
    assert "cannot compare a number with a text" in error.message


def test_non_boolean_predicate() -> None:
    error = error_of("weapon.calibre_mm")
    assert error.offset == 0
    assert "must be a condition" in error.message
    assert "number" in error.message
    assert error.expected and "weapon.calibre_mm >= 100" in error.expected


def test_not_of_a_number() -> None:
    text = "not weapon.calibre_mm"
    error = error_of(text)
    assert error.offset == text.index("weapon.calibre_mm")
    assert "'not' needs a condition" in error.message


def test_and_of_a_number() -> None:
    text = "inside(security_zone) and days_since(entry_into_force)"
    error = error_of(text)
    assert error.offset == text.index("days_since")
    assert "'and' needs a condition" in error.message


def test_set_mixing_numbers_and_strings() -> None:
    text = 'weapon.class in {"mlrs", 5}'
    error = error_of(text)
    assert error.offset == text.index("5")  # the member that breaks the pattern
    assert "mixes a text with the number 5" in error.message
    assert error.value == 5


def test_in_needs_a_set_or_term() -> None:
    text = 'weapon.class in "mlrs"'
    error = error_of(text)
    assert error.offset == text.index('"mlrs"')
    assert "needs a set or a defined term" in error.message
    assert error.expected and "{" in error.expected


def test_set_of_names_is_rejected() -> None:
    text = "weapon.class in {mlrs}"
    error = error_of(text)
    assert error.offset == text.index("mlrs")
    assert "only literal values" in error.message


@pytest.mark.parametrize(
    ("text", "token", "value"),
    [
        ("weapon.calibre_mm >= 100 & inside(security_zone)", "&", "&"),
        ('event_type = "shelling"', "=", "="),
        ("weapon.calibre_mm >= 100; drop", ";", ";"),
    ],
)
def test_unexpected_character(text: str, token: str, value: str) -> None:
    error = error_of(text)
    assert error.offset == text.index(token)
    assert error.value == value
    assert f"unexpected character {value!r}" in error.message
    assert error.expected and "comparison" in error.expected


def test_unclosed_parenthesis() -> None:
    text = "(weapon.calibre_mm >= 100 or inside(security_zone)"
    error = error_of(text)
    assert error.offset == len(text)
    assert "end of predicate" in error.message
    assert error.expected and "')'" in error.expected


@pytest.mark.parametrize(
    ("text", "token", "expected"),
    [
        ("weapon.calibre_mm >= 100 and", None, "a value"),
        ("weapon.calibre_mm >= 100)", ")", "end of the predicate"),
        ("weapon.calibre_mm >= 100 inside(security_zone)", "inside", "'and', 'or'"),
        ("after()", ")", "named instant"),
        ("weapon. >= 3", ">=", "field name"),
        ('weapon.class in {"mlrs" "tank"}', '"tank"', "','"),
    ],
)
def test_syntax_errors(text: str, token: str | None, expected: str) -> None:
    error = error_of(text)
    assert error.offset == (len(text) if token is None else text.index(token))
    assert "unexpected" in error.message
    assert error.expected and expected in error.expected


@pytest.mark.parametrize("text", ["", "   ", "\n  \n"])
def test_empty_predicate(text: str) -> None:
    error = error_of(text)
    assert error.offset == 0
    assert "empty predicate" in error.message
    assert error.expected


@pytest.mark.parametrize(
    "text",
    [
        "weapon.calibre >= 100",
        'event_type == "shellng"',
        "insde(security_zone)",
        "inside(contact_line)",
        "target.category in heavy_weapons",
        "weapon.calibre_mm in heavy_weapons",
        "distance_km(contact_line) < -5",
        'weapon.model < "T-72"',
        'weapon.calibre_mm == "100"',
        "weapon.calibre_mm",
        "not weapon.calibre_mm",
        "weapon.calibre_mm >= 100 & x",
        "(weapon.calibre_mm >= 100",
        "",
        pytest.param(
            'weapon.class in {"mlrs", 5}',
            id="mixed-set",
        ),
        pytest.param(
            'weapon.calibre_mm in {"a"}',
            id="number-in-set-of-text",
        ),
    ],
)
def test_every_error_says_what_was_expected(text: str) -> None:
    assert error_of(text).expected


# ---------------------------------------------------------------- positions in files


def position(text: str, token: str, *, after: str = "") -> tuple[int, int]:
    i = text.index(token, text.index(after) + len(after) if after else 0)
    return text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)


def the_problem(tmp_path: Path, text: str) -> Problem:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    agreement, problems = load_with_problems(path)
    assert agreement is None
    assert len(problems) == 1, "\n".join(map(str, problems))
    [problem] = problems
    assert problem.code == "CF006"
    assert problem.file == str(path)
    return problem


def broken(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1
    return MINIMAL.replace(old, new)


WITHDRAW_PREDICATE = (
    "    predicate: 'event_type == \"heavy_weapon_present\" and inside(security_zone)'"
)


def test_minimal_predicates_are_folded_and_single_quoted() -> None:
    assert "    predicate: >\n      weapon.class in heavy_weapons" in MINIMAL
    assert WITHDRAW_PREDICATE in MINIMAL


@pytest.mark.parametrize(
    ("old", "new", "token", "suggestion"),
    [
        # folded (>), first line
        (
            "weapon.calibre_mm >= 100",
            "weapon.calibre >= 100",
            "weapon.calibre >=",
            "weapon.calibre_mm",
        ),
        # folded (>), second line
        ("distance_km(line) < 25", "distance_km(lines) < 25", "lines)", "line"),
        # single-quoted
        (
            '"heavy_weapon_present"',
            '"heavy_weapon_presnt"',
            '"heavy_weapon_presnt"',
            "heavy_weapon_present",
        ),
        # plain
        (
            WITHDRAW_PREDICATE,
            "    predicate: weapon.calibre_mm >= 100 and inside(security_zon)",
            "security_zon)",
            "security_zone",
        ),
        # double-quoted, with escaped quotes before the error
        (
            WITHDRAW_PREDICATE,
            '    predicate: "event_type == \\"heavy_weapon_present\\"'
            ' and inside(securty_zone)"',
            "securty_zone",
            "security_zone",
        ),
        # single-quoted, with doubled quotes before the error
        (
            WITHDRAW_PREDICATE,
            "    predicate: 'event_type == ''heavy_weapon_present''"
            " and inside(securty_zone)'",
            "securty_zone",
            "security_zone",
        ),
        # literal (|), over three lines
        (
            WITHDRAW_PREDICATE,
            '    predicate: |\n      event_type == "heavy_weapon_present"\n'
            "      and inside(security_zone)\n      and weapon.calibre_mm >= 10O",
            "O\n",
            None,
        ),
        # plain, continued over two lines
        (
            WITHDRAW_PREDICATE,
            '    predicate: event_type == "heavy_weapon_present"\n'
            "      and inside(securty_zone)",
            "securty_zone",
            "security_zone",
        ),
    ],
    ids=[
        "folded-line-1",
        "folded-line-2",
        "single-quoted",
        "plain",
        "double-quoted-escapes",
        "single-quoted-escapes",
        "literal",
        "plain-multi-line",
    ],
)
def test_error_lands_on_the_offending_token_in_the_file(
    tmp_path: Path, old: str, new: str, token: str, suggestion: str | None
) -> None:
    text = broken(old, new)
    problem = the_problem(tmp_path, text)
    assert (problem.line, problem.column) == position(text, token, after="clauses:")
    assert problem.suggestion == suggestion


def test_unexpected_end_lands_just_after_the_last_token(tmp_path: Path) -> None:
    text = broken("and distance_km(line) < 25", "and (distance_km(line) < 25")
    problem = the_problem(tmp_path, text)
    line, column = position(text, "< 25")
    assert (problem.line, problem.column) == (line, column + len("< 25"))
    assert "end of predicate" in problem.message


def test_error_position_with_a_comment_after_the_block_header(tmp_path: Path) -> None:
    text = broken(
        "    predicate: >\n      weapon.class in heavy_weapons and weapon.calibre_mm",
        "    predicate: > # what a breach looks like\n"
        "      weapon.class in heavy_weapons and weapon.calibre_mm",
    )
    text = text.replace(
        "weapon.class in heavy_weapons", "weapon.klass in heavy_weapons"
    )
    problem = the_problem(tmp_path, text)
    assert (problem.line, problem.column) == position(text, "weapon.klass")
