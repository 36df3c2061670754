"""Why a verdict came out as it did: structured reasons and one plain sentence.

The verdict rows are evaluated again with tracing on (no short-circuits), so
every atom of the predicate — each comparison and each ``inside``/``after``
call — reports the incident's measured value, what it was compared with and
whether it held.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from ceasefire.agreement.predicate import (
    Call,
    Compare,
    Expr,
    Literal,
    Name,
    SetLiteral,
    tokenize,
    walk,
)
from ceasefire.compliance import logic
from ceasefire.compliance.areas import area_name
from ceasefire.compliance.attribution import Attributed
from ceasefire.compliance.facts import Facts
from ceasefire.compliance.spatial import SpatialCache
from ceasefire.model.verdict import Holds, LogHead, Reason, Verdict

if TYPE_CHECKING:
    from ceasefire.compliance.evaluate import CompiledClause, Evaluator

HOLDS: dict[int, Holds] = {
    logic.TRUE: "true",
    logic.UNKNOWN: "unknown",
    logic.FALSE: "false",
}
PARTY_BOUND = "party bound"
"""The reason naming the attributed party; it never decides the verdict."""
ENDED_BY = {"end": "end", "terminated": "termination"}
UNITS = {"weapon.calibre_mm": "mm", "weapon.range_km": "km", "distance_km": "km"}


def iso(seconds: float) -> str:
    """Unix seconds as ISO 8601 UTC text."""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def iso_many(seconds: npt.NDArray[np.float64]) -> list[str]:
    """Unix seconds as ISO 8601 UTC text to the second, for many at once."""
    stamps = np.floor(seconds).astype("datetime64[s]")
    return [f"{text}Z" for text in np.datetime_as_string(stamps, unit="s").tolist()]


def local_day(seconds: float, zone: str) -> str:
    """The date of an instant in the agreement's time zone (for sentences)."""
    return _local_day(int(seconds // 60), zone)


@lru_cache(maxsize=100_000)
def _local_day(minute: int, zone: str) -> str:
    return datetime.fromtimestamp(minute * 60, ZoneInfo(zone)).date().isoformat()


# ------------------------------------------------------------ fragments


def _spans(text: str, tree: Expr) -> dict[int, tuple[int, int]]:
    """Character span of every node of ``tree`` in ``text``."""
    tokens = tokenize(text)
    at = {t.offset: i for i, t in enumerate(tokens)}
    spans: dict[int, tuple[int, int]] = {}

    def end_of_token(index: int) -> int:
        return tokens[index].offset + len(tokens[index].text)

    def span(node: Expr) -> tuple[int, int]:
        if isinstance(node, Compare):
            found = (span(node.left)[0], span(node.right)[1])
        elif isinstance(node, Call):
            index = at[node.argument_offset] + 1  # the closing ')'
            found = (node.offset, end_of_token(index))
        elif isinstance(node, SetLiteral):
            for item in node.items:
                span(item)
            depth, index = 0, at[node.offset]
            while True:
                depth += {"{": 1, "}": -1}.get(tokens[index].text, 0)
                if depth == 0:
                    break
                index += 1
            found = (node.offset, end_of_token(index))
        elif isinstance(node, Name):
            index = at[node.offset] + 2 * node.path.count(".")
            found = (node.offset, end_of_token(index))
        elif isinstance(node, Literal):
            found = (node.offset, end_of_token(at[node.offset]))
        else:
            children = [c for c in walk(node) if c is not node]
            parts = [span(c) for c in children]
            found = (min(p[0] for p in parts), max(p[1] for p in parts))
        spans[id(node)] = found
        return found

    span(tree)
    return spans


def atoms(tree: Expr) -> list[Expr]:
    """The predicate's comparisons and boolean calls, in reading order."""
    return [
        n
        for n in walk(tree)
        if isinstance(n, Compare)
        or (isinstance(n, Call) and n.function in ("inside", "after", "before"))
    ]


_FRAGMENTS: dict[int, tuple[Expr, list[tuple[Expr, str]]]] = {}


def _fragments(compiled: CompiledClause) -> list[tuple[Expr, str]]:
    """Each atom of a clause's predicate with its text, computed once per tree."""
    tree = compiled.predicate.tree
    known = _FRAGMENTS.get(id(tree))
    if known is not None and known[0] is tree:
        return known[1]
    text = compiled.predicate.text
    spans = _spans(text, tree)
    found = [(a, " ".join(text[slice(*spans[id(a)])].split())) for a in atoms(tree)]
    _FRAGMENTS[id(tree)] = (tree, found)  # the tree is kept, so its id stays its own
    return found


# ------------------------------------------------------------ one atom


def _number(value: float) -> float:
    return round(float(value), 3)


class _Explainer:
    def __init__(
        self,
        evaluator: Evaluator,
        compiled: CompiledClause,
        facts: Facts,
        cache: SpatialCache,
        rows: npt.NDArray[np.int64],
    ) -> None:
        self.evaluator = evaluator
        self.compiled = compiled
        self.facts = facts
        self.earliest = iso_many(facts.earliest[rows])
        self.latest = iso_many(facts.latest[rows])
        cache = cache.exact()  # reasons show exact distances, never a cell's
        self.cache = cache
        self.rows = rows.astype(np.intp)
        tree = compiled.predicate.tree
        self.trace: dict[int, dict[str, Any]] = {}
        logic.Reader(facts, cache, evaluator.scope, trace=self.trace).truth(
            tree, self.rows
        )
        self.atoms = _fragments(compiled)
        self.sides: dict[str, npt.NDArray[np.int8]] = {}
        for node in walk(tree):
            if (
                isinstance(node, Call)
                and node.function == "distance_km"
                and node.argument in evaluator.scope.sides
            ):
                self.sides[node.argument] = cache.side(node.argument, self.rows)

    def reason(self, atom: Expr, fragment: str, j: int) -> Reason:
        seen = self.trace.get(id(atom), {})
        holds = HOLDS[int(seen["truth"][j])] if "truth" in seen else "unknown"
        if isinstance(atom, Call):
            return self._call(atom, fragment, holds, seen, j)
        assert isinstance(atom, Compare)
        measured_node, other_node = atom.left, atom.right
        if isinstance(measured_node, Literal) and not isinstance(other_node, Literal):
            measured_node, other_node = other_node, measured_node
        measured, unit, detail = self._measured(measured_node, j)
        threshold = self._threshold(other_node)
        if isinstance(other_node, Name) and other_node.role == "term":
            term = self.evaluator.scope.terms[other_node.path]
            detail["term_includes"] = list(term.includes)
            if measured in term.open:
                detail["note"] = (
                    f"{measured!r} is an open question of the definition of"
                    f" {term.name!r}"
                )
        if measured is None:
            detail["note"] = "not reported"
        return Reason(fragment, holds, measured, threshold, unit, detail)

    def _call(
        self, atom: Call, fragment: str, holds: Holds, seen: dict[str, Any], j: int
    ) -> Reason:
        if atom.function == "inside":
            edge = float(seen["edge_km"][j])
            radius = float(seen["precision_km"][j])
            area = self.cache.areas().key_at(int(self.rows[j]))
            if area is not None:
                shown = {
                    "true": "inside",
                    "false": "outside",
                    "unknown": "partly inside",
                }
                return Reason(
                    fragment, holds, shown[holds], atom.argument, None,
                    {"geometry": atom.argument, "area": area},
                )  # fmt: skip
            return Reason(
                fragment,
                holds,
                "inside" if bool(seen["inside"][j]) else "outside",
                atom.argument,
                None,
                {
                    "geometry": atom.argument,
                    "edge_distance_km": _number(edge),
                    "precision_km": _number(radius),
                },
            )
        at = self.evaluator.scope.instants[atom.argument]
        return Reason(
            fragment,
            holds,
            self.earliest[j],
            iso(at),
            None,
            {"instant": atom.argument, "observed_until": self.latest[j]},
        )

    def _measured(
        self, node: Expr, j: int
    ) -> tuple[float | str | None, str | None, dict[str, Any]]:
        row = self.rows[j]
        facts = self.facts
        if isinstance(node, Call) and node.function == "distance_km":
            seen = self.trace[id(node)]
            distance = float(seen["distance_km"][j])
            radius = float(seen["precision_km"][j])
            detail: dict[str, Any] = {
                "geometry": node.argument,
                "precision_km": _number(radius),
            }
            area = self.cache.areas().key_at(int(row))
            if area is not None:  # placed by an area: every point of it
                detail.update(
                    area=area,
                    min_km=_number(seen["lo_km"][j]),
                    max_km=_number(seen["hi_km"][j]),
                )
                detail.pop("precision_km")
                return _number(seen["lo_km"][j]), "km", detail
            if self.cache.lower_bound(node.argument, distance, radius):
                detail["lower_bound"] = True  # only known to be farther
            if node.argument in self.sides:
                sign = int(self.sides[node.argument][j])
                detail["side"] = self.evaluator.scope.sides[node.argument].get(sign)
            return _number(distance), "km", detail
        if isinstance(node, Call) and node.function in ("days_since", "hours_since"):
            unit_s = 86_400.0 if node.function == "days_since" else 3_600.0
            at = self.evaluator.scope.instants[node.argument]
            lo = (facts.earliest[row] - at) / unit_s
            hi = (facts.latest[row] - at) / unit_s
            unit = "days" if node.function == "days_since" else "hours"
            return _number(lo), unit, {"up_to": _number(hi)}
        if isinstance(node, Call) and node.function == "side":
            sign = int(self.cache.side(node.argument, self.rows[j : j + 1])[0])
            return self.evaluator.scope.sides.get(node.argument, {}).get(sign), None, {}
        assert isinstance(node, Name)
        if node.path == "observed_at":
            return (
                iso(facts.earliest[row]),
                None,
                {"observed_until": iso(facts.latest[row])},
            )
        if node.path in facts.numeric:
            value = float(facts.numeric[node.path][row])
            return (None if np.isnan(value) else value), UNITS.get(node.path), {}
        return facts.categorical[node.path].value_at(int(row)), None, {}

    def _threshold(self, node: Expr) -> float | str | list[str] | None:
        if isinstance(node, Literal):
            value = node.value
            return value if not isinstance(value, bool) else str(value).lower()
        if isinstance(node, SetLiteral):
            return [str(item.value) for item in node.items]
        if isinstance(node, Name):
            if node.role == "instant":
                return iso(self.evaluator.scope.instants[node.path])
            return node.path
        assert isinstance(node, Call)
        return f"{node.function}({node.argument})"


# ------------------------------------------------------------ sentences


def _what(facts: Facts, row: int) -> str:
    calibre = facts.numeric["weapon.calibre_mm"][row]
    weapon = facts.categorical["weapon.class"].value_at(row)
    event = (facts.categorical["event_type"].value_at(row) or "event").replace("_", " ")
    if weapon:
        size = "" if np.isnan(calibre) else f"{calibre:g} mm "
        return f"{size}{weapon.replace('_', ' ')} ({event})"
    return event.capitalize()


def _where(reasons: list[Reason]) -> str:
    parts = []
    for reason in reasons:
        geometry = reason.detail.get("geometry")
        if geometry is None:
            continue
        if reason.unit == "km" and "area" in reason.detail:
            parts.append(
                f"{reason.detail['min_km']:.1f}–{reason.detail['max_km']:.1f} km"
                f" from {geometry} (somewhere in {area_name(reason.detail['area'])})"
            )
        elif reason.unit == "km":
            side = reason.detail.get("side")
            more = "more than " if reason.detail.get("lower_bound") else ""
            radius = reason.detail.get("precision_km") or 0
            shown = f"{more}{reason.measured:.1f} km from {geometry}"
            if radius:
                shown += f" (±{radius:g} km)"
            if side:
                shown += f" ({side} side)"
            parts.append(shown)
        elif "area" in reason.detail:
            shown = area_name(reason.detail["area"])
            parts.append(f"{reason.measured} {geometry} ({shown})")
        elif reason.measured in ("inside", "outside"):
            near = reason.detail["edge_distance_km"] < (
                reason.detail["precision_km"] or 0
            )
            parts.append(
                f"within {reason.detail['precision_km']:g} km of the edge of {geometry}"
                if near
                else f"{reason.measured} {geometry}"
            )
    return ", ".join(dict.fromkeys(parts))


def observed_days(earliest: float, latest: float, zone: str) -> str:
    """ "on D", or "from D1 to D2" when the observation spans more than one day."""
    first, last = local_day(earliest, zone), local_day(latest, zone)
    return f"on {first}" if first == last else f"from {first} to {last}"


def _who(actors: Attributed | None) -> str:
    if actors is None:
        return ""
    if actors.perpetrator is not None:
        return f" by {actors.perpetrator}"
    if actors.dyad_names:
        engaged = " vs ".join(actors.dyad_names)
        return f" ({engaged} engaged; perpetrator not established)"
    return ""


def _unsure(reason: Reason, zone: str) -> str:
    """An unknown part of the condition; a window edge says which instant."""
    if "observed_until" in reason.detail and isinstance(reason.threshold, str):
        at = datetime.fromisoformat(reason.threshold).astimezone(ZoneInfo(zone))
        return (
            f"{reason.predicate} (the observation straddles"
            f" {at.strftime('%Y-%m-%d %H:%M')} {zone})"
        )
    return reason.predicate


def sentence(
    compiled: CompiledClause,
    outcome: str,
    facts: Facts,
    row: int,
    reasons: list[Reason],
    actors: Attributed | None = None,
) -> str:
    """One sentence: what was seen where and when; the clause; its window."""
    where = _where(reasons)
    zone = compiled.timezone
    when = observed_days(facts.earliest[row], facts.latest[row], zone)
    seen = f"{_what(facts, row)} observed{' ' + where if where else ''} {when}"
    counted = next((r for r in reasons if r.predicate == COUNTED), None)
    if counted is not None:
        seen += (
            f" ({counted.measured} launched, {counted.detail['destroyed']} destroyed)"
        )
    seen += _who(actors)
    clause = compiled.clause
    if outcome == "breach":
        verdict = f"clause {clause.id} bars this ({clause.title})"
    elif outcome == "undetermined":
        unsure = [
            _unsure(r, zone)
            for r in reasons
            if r.holds == "unknown" and r.predicate != PARTY_BOUND
        ]
        verdict = (
            f"clause {clause.id} ({clause.title}) may be breached;"
            f" undetermined: {'; '.join(unsure) or 'see reasons'}"
        )
    else:
        failed = [
            r.predicate
            for r in reasons
            if r.holds == "false" and r.predicate != PARTY_BOUND
        ]
        verdict = (
            f"clause {clause.id} ({clause.title}) is not breached:"
            f" not {failed[0] if failed else 'applicable'}"
        )
    since = f"in force since {local_day(compiled.start, zone)}"
    if compiled.until is not None:
        # the window is half-open: the last day in force is the one before ``until``
        since = (
            f"in force from {local_day(compiled.start, zone)}"
            f" to {local_day(compiled.until - 1, zone)}"
        )
        if compiled.ended_by is not None:
            since += f" (the agreement's {ENDED_BY[compiled.ended_by]})"
    if compiled.deadline is not None and clause.kind == "obligation":
        since += f", deadline {local_day(compiled.deadline, zone)}"
    return f"{seen}; {verdict}; {since}."


def _windows(
    compiled: CompiledClause, facts: Facts, rows: npt.NDArray[np.intp]
) -> list[tuple[str, str, npt.NDArray[np.int8]]]:
    """(label, instant, truth per row) of each window check of the clause."""
    earliest, latest = facts.earliest[rows], facts.latest[rows]
    checks = [("after", compiled.start, "in force from")]
    if compiled.until is not None:
        label = "in force until"
        if compiled.ended_by is not None:
            label += f" (the agreement's {ENDED_BY[compiled.ended_by]})"
        checks.append(("before", compiled.until, label))
    if compiled.deadline is not None and compiled.clause.kind == "obligation":
        checks.append(("after", compiled.deadline, "at or after the deadline"))
    found = [
        (label, iso(at), logic.time_truth(function, earliest, latest, at))
        for function, at, label in checks
        if np.isfinite(at)
    ]
    for begins, lifted in compiled.suspensions:
        truth = logic.outside_truth(earliest, latest, begins, lifted)
        shown = "" if not np.isfinite(lifted) else f" to {iso(lifted)}"
        found.append((f"not suspended ({iso(begins)}{shown})", iso(begins), truth))
    return found


def _party(
    evaluator: Evaluator, compiled: CompiledClause, facts: Facts, row: int
) -> tuple[Attributed, str | None, Reason]:
    """Who the sources hold responsible, the bound party if any, and the reason."""
    actors = facts.extra.get("actors")
    found = evaluator.actors.attribute(
        facts.categorical["party"].value_at(row), actors[row] if actors else ()
    )
    attributed = found.party
    bound = list(compiled.clause.parties_bound)
    if attributed is None:
        note = "unattributed"
        if found.perpetrator is not None:
            note = f"attributed to {found.perpetrator}, which is no party"
        elif found.dyad:
            note = f"perpetrator not established; engaged: {' vs '.join(found.dyad)}"
        detail: dict[str, Any] = {"note": note}
        if found.dyad:
            detail["dyad"] = list(found.dyad)
        return found, None, Reason(PARTY_BOUND, "unknown", None, bound, None, detail)
    if attributed not in bound:
        return (
            found,
            None,
            Reason(
                PARTY_BOUND,
                "false",
                attributed,
                bound,
                None,
                {"note": f"attributed to {attributed}, which the clause does not bind"},
            ),
        )
    return found, attributed, Reason(PARTY_BOUND, "true", attributed, bound)


COUNTED = "launched and destroyed"
"""The reason carrying a source's weapon counts; it never decides the verdict."""


def counts_reason(counts: dict[str, int]) -> Reason:
    """The night's launched/destroyed counts as a reason (shown, not decisive)."""
    launched, destroyed = counts["launched"], counts["destroyed"]
    rate = round(100.0 * destroyed / launched, 1) if launched else None
    return Reason(
        COUNTED, "true", launched, None, "launched",
        {"destroyed": destroyed, "interception_rate_pct": rate},
    )  # fmt: skip


def explain(
    evaluator: Evaluator,
    compiled: CompiledClause,
    facts: Facts,
    cache: SpatialCache,
    rows: npt.NDArray[np.int64],
    truth: npt.NDArray[np.int8],
    standard_met: npt.NDArray[np.bool_],
    log_head: LogHead | None,
) -> Iterator[Verdict]:
    """Verdicts for ``rows`` of one clause, each with reasons and a sentence."""
    if not len(rows):
        return
    explainer = _Explainer(evaluator, compiled, facts, cache, rows)
    windows = _windows(compiled, facts, explainer.rows)
    admin1 = facts.extra.get("admin1")
    counts = facts.extra.get("counts")
    for j, row in enumerate(rows.tolist()):
        outcome = {logic.TRUE: "breach", logic.UNKNOWN: "undetermined"}.get(
            int(truth[j]), "no_breach"
        )
        reasons = [
            Reason(
                label,
                HOLDS[int(truths[j])],
                explainer.earliest[j],
                at,
                None,
                {"observed_until": explainer.latest[j]},
            )
            for label, at, truths in windows
        ]
        reasons += [explainer.reason(a, text, j) for a, text in explainer.atoms]
        actors, party, bound = _party(evaluator, compiled, facts, row)
        reasons.append(bound)
        counted = counts[row] if counts else None
        if counted:
            reasons.append(counts_reason(counted))
        yield Verdict(
            incident=facts.incident[row],
            source_id=facts.source_id[row],
            clause=compiled.id,
            verdict=outcome,  # type: ignore[arg-type]
            standard_met=bool(standard_met[j]),
            party=party,
            reasons=tuple(reasons),
            text=sentence(compiled, outcome, facts, row, reasons, actors),
            agreement_id=evaluator.id,
            agreement_version=evaluator.version,
            log_head=log_head,
            observed_at=explainer.earliest[j],
            lon=float(facts.lon[row]),
            lat=float(facts.lat[row]),
            admin1=None if admin1 is None else admin1[row],
            perpetrator_established=actors.established,
            dyad=actors.dyad,
            counts=counted or {},
        )
