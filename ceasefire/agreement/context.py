"""The types a predicate can see: incident fields, functions and their signatures.

A predicate is checked against these when the agreement loads, so a misspelt
field ("calibre" for "calibre_mm") or value ("shellng") is an error with a
suggestion, not a silent non-match months later.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceasefire.model import vocabulary as vocab


@dataclass(frozen=True)
class Type:
    """A predicate value type; ``values`` lists allowed members of an enum."""

    name: str
    values: tuple[str, ...] = ()
    element: Type | None = None
    """For sets: the type of the members."""

    @property
    def is_enum(self) -> bool:
        return bool(self.values)

    def __str__(self) -> str:
        if self.element is not None:
            return f"set of {self.element}"
        return self.name


NUMBER = Type("number")
TEXT = Type("text")
BOOL = Type("boolean")
DATETIME = Type("datetime")


def enum(name: str, values: tuple[str, ...]) -> Type:
    """An enumerated type, e.g. the event-type vocabulary."""
    return Type(name, values)


def set_of(element: Type) -> Type:
    """A set whose members are of type ``element``."""
    return Type("set", element=element)


NON_NEGATIVE = frozenset({*vocab.NUMERIC_FACTS, "distance_km"})
"""Quantities that cannot be negative: comparing them with a negative number is
an error, since the clause could never (or would always) apply."""

# Which definition vocabulary a field's values come from (for `x in term`).
VOCABULARY_OF_FIELD = {
    "weapon.class": "weapon",
    "target.category": "target",
    "personnel.category": "personnel",
    "event_type": "event",
}


def incident_fields(party_ids: tuple[str, ...]) -> dict[str, Type]:
    """The incident fields a predicate may name, with their types."""
    party = enum("party", party_ids)
    return {
        "event_type": enum("event type", vocab.EVENT_TYPES),
        "party": party,
        "weapon.class": enum("weapon class", vocab.WEAPON_CLASSES),
        "weapon.model": TEXT,
        "weapon.calibre_mm": NUMBER,
        "weapon.range_km": NUMBER,
        "weapon.count": NUMBER,
        "target.category": enum("target category", vocab.TARGET_CATEGORIES),
        "personnel.category": enum("personnel category", vocab.PERSONNEL_CATEGORIES),
        "personnel.nationality": TEXT,
        "casualties.killed": NUMBER,
        "casualties.injured": NUMBER,
        "casualties.civilians_killed": NUMBER,
        "casualties.civilians_injured": NUMBER,
        "source.type": enum("source type", vocab.SOURCE_TYPES),
        "state": enum("incident state", vocab.INCIDENT_STATES),
        "observed_at": DATETIME,
    }


@dataclass(frozen=True)
class Function:
    """A predicate function: what its one argument must name, and what it returns."""

    name: str
    argument: str
    """'line', 'area' (zone, corridor or site), 'geometry' or 'instant'."""
    returns: str
    """'number', 'boolean', 'datetime' or 'party'."""
    doc: str


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function(
            "distance_km", "geometry", "number", "geodesic distance to a geometry, km"
        ),
        Function("side", "line", "party", "the party on whose side of a line it is"),
        Function("inside", "area", "boolean", "inside a zone, corridor or site"),
        Function("after", "instant", "boolean", "observed at or after a named instant"),
        Function("before", "instant", "boolean", "observed before a named instant"),
        Function("days_since", "instant", "number", "days from a named instant"),
        Function("hours_since", "instant", "number", "hours from a named instant"),
    )
}
