"""Three-valued (Kleene) evaluation of a checked predicate over fact columns.

Truth values are ``int8``: 0 false, 1 unknown, 2 true, so ``and`` is the
minimum, ``or`` the maximum and ``not`` is ``2 - x``.

Uncertainty is carried as intervals. A place known to ``r`` km lies
somewhere within ``r`` of the reported point, so a distance ``d`` is any value
in ``[d - r, d + r]``; a time is any instant from the observation's start to
its end plus one unit of its precision. A comparison is true when it holds for
every value of the interval, false when it holds for none, unknown otherwise:
``distance_km(line) < 25`` is true when ``d + r < 25``, false when
``d - r >= 25``. ``inside(zone)`` is unknown when the zone's edge is nearer
than ``r``.

A fact that was not reported (no weapon, no attribution) makes any
comparison with it false (except the facts in ``UNKNOWN_WHEN_MISSING``: an
unnamed target is unknown), ``!=`` and ``not in`` included: a clause about
calibre does not apply to a report that names no gun. That is a choice, not a
necessity; it keeps reports of "shelling" without further detail from
flooding every weapon clause with ``undetermined``. ``not (x == v)`` is true
for a missing ``x``, as Kleene logic says.

A defined term's ``includes`` are members, its ``excludes`` and anything else
are not, and its ``open_questions`` are unknown: an open question is exactly
where the agreement's text is undetermined.

``and`` evaluates cheap operands first and computes geometry only for rows
that are still possibly true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ceasefire.agreement.predicate import (
    BoolOp,
    Call,
    Compare,
    Expr,
    Literal,
    Name,
    Not,
    SetLiteral,
    walk,
)
from ceasefire.compliance.facts import Facts, FloatArray, IntArray

FALSE, UNKNOWN, TRUE = 0, 1, 2
UNKNOWN_WHEN_MISSING = frozenset({"target.category"})
"""Facts whose absence is unknown, not false: every strike has a target, so a
report that does not name it leaves "was it civilian?" open (an Air Force
report of 90 drones over "Ukraine" is undetermined, never "not breached")."""
Truth = npt.NDArray[np.int8]
Rows = npt.NDArray[np.intp] | None
"""Row positions to evaluate, or None for all rows."""
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Bounds:
    """A number per row known to lie in ``[lo, hi]``; NaN when not reported."""

    lo: FloatArray
    hi: FloatArray


@dataclass(frozen=True)
class Cats:
    """A categorical value per row; ``uncertain`` rows may be another category."""

    codes: IntArray
    categories: tuple[str, ...]
    uncertain: BoolArray | None = None


@dataclass(frozen=True)
class Const:
    """A literal, or a named instant as Unix seconds."""

    value: float | str | bool


@dataclass(frozen=True)
class Members:
    """A set literal."""

    values: tuple[float | str | bool, ...]


@dataclass(frozen=True)
class TermSet:
    """A defined term: what it includes, excludes and leaves open."""

    name: str
    includes: tuple[str, ...]
    excludes: tuple[str, ...]
    open: tuple[str, ...]


Value = Bounds | Cats | Const | Members | TermSet


class Spatial(Protocol):
    """Geometry answers for rows of one Facts (cached, see compliance.spatial)."""

    def distance_km(self, geometry: str, rows: Rows) -> FloatArray:
        """Geodesic distance from each row's point (exact up to the clause limits)."""
        ...

    def inside(self, geometry: str, rows: Rows) -> tuple[BoolArray, FloatArray]:
        """Inside the area, and the distance to its edge in km."""
        ...

    def side(self, geometry: str, rows: Rows) -> npt.NDArray[np.int8]:
        """+1 left of (or inside) the line's zone, -1 right of (or outside)."""
        ...

    def area_spans(self, geometry: str, rows: Rows) -> tuple[Any, list[Any]]:
        """(positions in ``rows`` of rows placed by an area, their ``areas.Span``)."""
        ...


@dataclass(frozen=True)
class Scope:
    """What a predicate's names mean in one agreement."""

    instants: dict[str, float]
    """Named instants as Unix seconds."""
    terms: dict[str, TermSet]
    sides: dict[str, dict[int, str]]
    """Line id → {+1: party, -1: party} from the line's ``sides``."""
    parties: tuple[str, ...]


_COSTS: dict[int, tuple[Expr, int]] = {}


def spatial_cost(node: Expr) -> int:
    """1 for subtrees that touch geometry, else 0 (evaluated last in ``and``)."""
    known = _COSTS.get(id(node))
    if known is not None and known[0] is node:
        return known[1]
    cost = int(
        any(
            isinstance(n, Call) and n.function in ("distance_km", "inside", "side")
            for n in walk(node)
        )
    )
    _COSTS[id(node)] = (node, cost)  # the node is kept, so its id stays its own
    return cost


def order(op: str, a: Bounds, b: Bounds) -> Truth:
    """Compare two interval values; a missing side makes the comparison false."""
    if op == "<":
        true, false = a.hi < b.lo, a.lo >= b.hi
    elif op == "<=":
        true, false = a.hi <= b.lo, a.lo > b.hi
    elif op == ">":
        true, false = a.lo > b.hi, a.hi <= b.lo
    elif op == ">=":
        true, false = a.lo >= b.hi, a.hi < b.lo
    else:
        exact = (a.lo == a.hi) & (b.lo == b.hi)
        true = exact & (a.lo == b.lo)
        false = (a.hi < b.lo) | (a.lo > b.hi)
        if op == "!=":
            true, false = false, true
    result = np.where(true, TRUE, np.where(false, FALSE, UNKNOWN)).astype(np.int8)
    result[np.isnan(a.lo) | np.isnan(b.lo)] = FALSE
    return result


def _flip(op: str) -> str:
    return {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)


class Reader:
    """Evaluates predicate trees over ``facts``; one per batch of facts."""

    def __init__(
        self,
        facts: Facts,
        spatial: Spatial,
        scope: Scope,
        *,
        trace: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        self.facts = facts
        self.spatial = spatial
        self.scope = scope
        self.trace = trace
        """When given: no short-circuits, and every atom's values are kept by id."""

    def size(self, rows: Rows) -> int:
        return len(self.facts) if rows is None else len(rows)

    # ------------------------------------------------------------ truth

    def truth(self, node: Expr, rows: Rows) -> Truth:
        """The truth of a boolean node for ``rows``."""
        if isinstance(node, BoolOp):
            return self._bool_op(node, rows)
        if isinstance(node, Not):
            return (TRUE - self.truth(node.operand, rows)).astype(np.int8)
        if isinstance(node, Compare):
            result = self._compare(node, rows)
        elif isinstance(node, Call):
            result = self._boolean_call(node, rows)
        elif isinstance(node, Literal) and isinstance(node.value, bool):
            result = np.full(self.size(rows), TRUE if node.value else FALSE, np.int8)
        else:
            raise TypeError(f"not a condition: {node!r}")
        if self.trace is not None:
            self.trace.setdefault(id(node), {})["truth"] = result
        return result

    def _bool_op(self, node: BoolOp, rows: Rows) -> Truth:
        conjunction = node.op == "and"
        stop = FALSE if conjunction else TRUE
        result = np.full(self.size(rows), TRUE if conjunction else FALSE, np.int8)
        positions: npt.NDArray[np.intp] | None = None  # None: every row still open
        for operand in sorted(node.operands, key=spatial_cost):
            subset = (
                rows
                if positions is None
                else (positions if rows is None else rows[positions])
            )
            found = self.truth(operand, subset)
            target = result if positions is None else result[positions]
            combined = (
                np.minimum(target, found) if conjunction else np.maximum(target, found)
            )
            if positions is None:
                result = combined
            else:
                result[positions] = combined
            if self.trace is None:
                open_now = np.flatnonzero(result != stop)
                if len(open_now) < len(result) or positions is not None:
                    positions = open_now
                if len(open_now) == 0:
                    break
        return result

    def _boolean_call(self, node: Call, rows: Rows) -> Truth:
        facts = self.facts
        if node.function in ("after", "before"):
            at = self.scope.instants[node.argument]
            earliest = facts.earliest if rows is None else facts.earliest[rows]
            latest = facts.latest if rows is None else facts.latest[rows]
            return time_truth(node.function, earliest, latest, at)
        assert node.function == "inside"
        inside, edge = self.spatial.inside(node.argument, rows)
        radius = self._column(facts.precision_km, rows)
        if self.trace is not None:
            self.trace.setdefault(id(node), {}).update(
                inside=inside, edge_km=edge, precision_km=radius
            )
        result = np.where(inside, TRUE, FALSE).astype(np.int8)
        result[edge < radius] = UNKNOWN
        at, spans = self.spatial.area_spans(node.argument, rows)
        if len(at):  # a place given as an area: inside only if all of it is
            state = np.asarray([s.inside for s in spans], np.int8)
            result[at] = np.choose(state + 1, [FALSE, UNKNOWN, TRUE])
        return result

    @staticmethod
    def _column(values: npt.NDArray[Any], rows: Rows) -> npt.NDArray[Any]:
        return values if rows is None else values[rows]

    # ------------------------------------------------------------ values

    def value(self, node: Expr, rows: Rows) -> Value:
        """The value of a non-boolean node for ``rows``."""
        if isinstance(node, Literal):
            return Const(node.value)
        if isinstance(node, SetLiteral):
            return Members(tuple(item.value for item in node.items))
        if isinstance(node, Name):
            return self._name(node, rows)
        assert isinstance(node, Call)
        return self._call_value(node, rows)

    def _name(self, node: Name, rows: Rows) -> Value:
        facts = self.facts
        if node.role == "instant":
            return Const(self.scope.instants[node.path])
        if node.role == "term":
            return self.scope.terms[node.path]
        if node.path == "observed_at":
            return Bounds(
                self._column(facts.earliest, rows), self._column(facts.latest, rows)
            )
        if node.path in facts.numeric:
            values = self._column(facts.numeric[node.path], rows)
            return Bounds(values, values)
        column = facts.categorical[node.path]
        return Cats(self._column(column.codes, rows), column.categories)

    def _call_value(self, node: Call, rows: Rows) -> Value:
        facts = self.facts
        if node.function in ("days_since", "hours_since"):
            at = self.scope.instants[node.argument]
            unit = 86_400.0 if node.function == "days_since" else 3_600.0
            return Bounds(
                (self._column(facts.earliest, rows) - at) / unit,
                (self._column(facts.latest, rows) - at) / unit,
            )
        distance = self.spatial.distance_km(node.argument, rows)
        radius = self._column(facts.precision_km, rows)
        if node.function == "distance_km":
            if self.trace is not None:
                self.trace.setdefault(id(node), {}).update(
                    distance_km=distance, precision_km=radius
                )
            return self._area_bounds(node, rows, distance, radius)
        assert node.function == "side"
        sides = self.scope.sides.get(node.argument, {})
        parties = self.scope.parties
        side = self.spatial.side(node.argument, rows)
        lookup = np.full(3, -1, np.int32)  # index side + 1
        for sign, party in sides.items():
            lookup[sign + 1] = parties.index(party)
        if self.trace is not None:
            self.trace.setdefault(id(node), {}).update(side=side, distance_km=distance)
        uncertain = distance <= radius
        at, spans = self.spatial.area_spans(node.argument, rows)
        if len(at):  # an area: its side is known when it lies wholly on one
            state = np.asarray([s.inside for s in spans], np.int8)
            lo = np.asarray([s.lo_km for s in spans])
            side = side.copy()
            side[at] = np.where(state != 0, state, side[at])
            uncertain[at] = (state == 0) & (lo <= 0)
        return Cats(lookup[side.astype(np.intp) + 1], parties, uncertain)

    def _area_bounds(
        self, node: Call, rows: Rows, distance: FloatArray, radius: FloatArray
    ) -> Bounds:
        """[d - r, d + r] for points; [min, max] over the area for area places."""
        lo, hi = np.maximum(distance - radius, 0.0), distance + radius
        at, spans = self.spatial.area_spans(node.argument, rows)
        if len(at):
            lo[at] = [s.lo_km for s in spans]
            hi[at] = [s.hi_km for s in spans]
        if self.trace is not None:
            self.trace[id(node)].update(lo_km=lo, hi_km=hi)
        return Bounds(lo, hi)

    # ------------------------------------------------------------ compare

    def _compare(self, node: Compare, rows: Rows) -> Truth:
        found = self._compare_values(node, rows)
        for side in (node.left, node.right):
            if isinstance(side, Name) and side.path in UNKNOWN_WHEN_MISSING:
                column = self.facts.categorical[side.path].codes
                found[self._column(column, rows) < 0] = UNKNOWN
        return found

    def _compare_values(self, node: Compare, rows: Rows) -> Truth:
        left = self.value(node.left, rows)
        right = self.value(node.right, rows)
        if self.trace is not None:
            self.trace.setdefault(id(node), {}).update(left=left, right=right)
        n = self.size(rows)
        if node.op in ("in", "not in"):
            found = membership(left, right, n)
            if node.op == "not in":
                found = negate_present(found, left)
            return found
        if isinstance(left, Const) and not isinstance(right, Const):
            left, right, op = right, left, _flip(node.op)
        else:
            op = node.op
        return compare(op, left, right, n)


def time_truth(
    function: str, earliest: FloatArray, latest: FloatArray, at: float
) -> Truth:
    """after(at) / before(at) for spans ``[earliest, latest]``."""
    if function == "after":
        true, false = earliest >= at, latest < at
    else:
        true, false = latest < at, earliest >= at
    return np.where(true, TRUE, np.where(false, FALSE, UNKNOWN)).astype(np.int8)


def outside_truth(
    earliest: FloatArray, latest: FloatArray, begins: float, lifted: float
) -> Truth:
    """Spans ``[earliest, latest]`` lie outside the half-open period [begins, lifted).

    False when wholly inside it, true when wholly before or after, unknown when
    they straddle either end.
    """
    true = (latest < begins) | (earliest >= lifted)
    false = (earliest >= begins) & (latest < lifted)
    return np.where(true, TRUE, np.where(false, FALSE, UNKNOWN)).astype(np.int8)


def _bounds(value: Value, n: int) -> Bounds:
    if isinstance(value, Bounds):
        return value
    assert isinstance(value, Const) and not isinstance(value.value, str)
    full = np.full(n, float(value.value))
    return Bounds(full, full)


def isin(codes: IntArray, wanted: npt.NDArray[np.int32]) -> BoolArray:
    """``np.isin`` for a few codes: a chain of ``==`` is faster at any size."""
    if len(wanted) > 8:
        return np.isin(codes, wanted)
    found = np.zeros(len(codes), np.bool_)
    for code in wanted.tolist():
        found |= codes == code
    return found


def _codes_of(cats: Cats, values: tuple[Any, ...]) -> npt.NDArray[np.int32]:
    return np.asarray(
        [cats.categories.index(v) for v in values if v in cats.categories], np.int32
    )


def compare(op: str, left: Value, right: Value, n: int) -> Truth:
    """``left op right`` for one comparison (ordered, ==, !=)."""
    if isinstance(left, Const) and isinstance(right, Const):
        outcome = {
            "==": left.value == right.value,
            "!=": left.value != right.value,
            "<": left.value < right.value,  # type: ignore[operator]
            "<=": left.value <= right.value,  # type: ignore[operator]
            ">": left.value > right.value,  # type: ignore[operator]
            ">=": left.value >= right.value,  # type: ignore[operator]
        }[op]
        return np.full(n, TRUE if outcome else FALSE, np.int8)
    if isinstance(left, Cats):
        return _compare_cats(op, left, right)
    return order(op, _bounds(left, n), _bounds(right, n))


def _compare_cats(op: str, left: Cats, right: Value) -> Truth:
    if isinstance(right, Cats):  # e.g. side(line) == party
        translate = np.asarray(
            [
                left.categories.index(c) if c in left.categories else -2
                for c in right.categories
            ]
            + [-1],
            np.int32,
        )
        other = translate[np.where(right.codes < 0, -1, right.codes)]
        equal = left.codes == other
        uncertain = _either(left.uncertain, right.uncertain, len(equal))
    else:
        assert isinstance(right, Const)
        equal = left.codes == (
            left.categories.index(right.value) if right.value in left.categories else -2
        )
        other = np.zeros_like(left.codes)
        uncertain = _either(left.uncertain, None, len(equal))
    holds = equal if op == "==" else ~equal
    result = np.where(holds, TRUE, FALSE).astype(np.int8)
    result[uncertain] = UNKNOWN
    result[(left.codes < 0) | (other < 0)] = FALSE
    return result


def _either(a: BoolArray | None, b: BoolArray | None, n: int) -> BoolArray:
    found = np.zeros(n, np.bool_)
    for mask in (a, b):
        if mask is not None:
            found |= mask
    return found


def membership(left: Value, right: Value, n: int) -> Truth:
    """``left in right`` for a set literal or a defined term."""
    if isinstance(right, TermSet):
        assert isinstance(left, Cats)
        result = np.full(n, FALSE, np.int8)
        result[isin(left.codes, _codes_of(left, right.open))] = UNKNOWN
        result[isin(left.codes, _codes_of(left, right.includes))] = TRUE
        return result
    assert isinstance(right, Members)
    if isinstance(left, Cats):
        result = np.where(
            isin(left.codes, _codes_of(left, right.values)), TRUE, FALSE
        ).astype(np.int8)
        if left.uncertain is not None:
            result[left.uncertain] = UNKNOWN
        result[left.codes < 0] = FALSE
        return result
    if isinstance(left, Const):
        return np.full(n, TRUE if left.value in right.values else FALSE, np.int8)
    assert isinstance(left, Bounds)
    numbers = np.asarray([float(v) for v in right.values], np.float64)
    exact = left.lo == left.hi
    result = np.where(exact & np.isin(left.lo, numbers), TRUE, FALSE).astype(np.int8)
    spans = np.zeros(n, np.bool_)
    for number in numbers:
        spans |= (left.lo <= number) & (number <= left.hi)
    result[~exact & spans] = UNKNOWN
    return result


def negate_present(found: Truth, left: Value) -> Truth:
    """``not in``: the negation, still false where the fact is missing."""
    result = (TRUE - found).astype(np.int8)
    if isinstance(left, Cats):
        result[left.codes < 0] = FALSE
    elif isinstance(left, Bounds):
        result[np.isnan(left.lo)] = FALSE
    return result
