"""The agreement document, format 1.0, as typed pydantic models.

These models are the single source of truth for the YAML format: the loader
validates against them, the JSON Schema in ``ceasefire/schema`` is generated
from them, and ``dump`` writes them back. Cross-references (a clause naming a
geometry, a penalty rule naming a party) are checked by the loader, which knows
the whole document; here each object checks only itself.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ceasefire.model.base import Identifier, Node, Time
from ceasefire.model.vocabulary import WEAPON_CLASSES, Grade, Method, Role, State

FORMAT_VERSION = "1.0"


class Source(Node):
    """Where the agreement text comes from."""

    title: str
    url: str | None = None
    pax_id: int | None = None
    """PA-X agreement id (PeaceRep), when the text is in PA-X."""


class LiaisonPoint(Node):
    """A hotline end point of a party: who receives notices and how."""

    id: Identifier
    name: str
    channel: Literal["webhook", "email", "phone", "radio", "in_person"]
    address: str | None = None
    languages: list[str] = Field(default_factory=list)
    acknowledge_within_hours: float | None = Field(default=None, gt=0)


class ActorRef(Node):
    """How a source names a party: an actor on the source's list, by name or id."""

    scheme: str = Field(min_length=1)
    """Whose actor list: "ucdp", "acled", "cir" … (a report's ``actors[].scheme``)."""
    name: str | None = None
    """The actor's name as the source spells it (compared without case)."""
    code: str | None = None
    """The source's actor id (UCDP side_a_new_id …); matched before the name."""

    @model_validator(mode="after")
    def _name_or_code(self) -> ActorRef:
        if self.name is None and self.code is None:
            raise ValueError("an actor needs a 'name' or a 'code'")
        return self


class Party(Node):
    """A signatory, guarantor, mediator or monitor."""

    id: Identifier
    name: str
    role: Role = "party"
    liaison: list[LiaisonPoint] = Field(default_factory=list)
    actors: list[ActorRef] = Field(default_factory=list)
    """The names and ids the sources use for this party, so a verdict can name
    the party a source holds responsible or the two sides it says fought."""


class Definition(Node):
    """A term the text relies on, with what it explicitly includes and excludes."""

    term: Identifier
    label: str | None = None
    """The words used in the text, e.g. "foreign troops"."""
    text: str
    applies_to: Literal["personnel", "weapon", "target", "event", "other"] = "other"
    """Which vocabulary the includes/excludes come from."""
    includes: list[str] = Field(default_factory=list)
    excludes: list[str] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    """Categories the drafters knowingly left undecided."""


class RelativeInstant(Node):
    """An instant given as an offset from another named instant."""

    after: Identifier
    days: float = Field(default=0, ge=-36_500, le=36_500)
    hours: float = Field(default=0, ge=-876_000, le=876_000)

    def offset(self) -> timedelta:
        """The offset as a timedelta."""
        return timedelta(days=self.days, hours=self.hours)


def _not_boolean(value: object) -> object:
    if isinstance(value, bool):  # False == 0 would otherwise pass as level 0
        raise ValueError("expected 0, 1 or 2, not a boolean")
    return value


Instant = Time | RelativeInstant | Identifier
"""An aware datetime, a named instant of the timeline, or an offset from one."""


class InForce(Node):
    """When a clause applies: the half-open interval [from, until)."""

    from_: Instant = Field(alias="from")
    until: Instant | None = None
    """The first instant the clause no longer applies (exclusive); None: no end."""
    review: Instant | None = None
    """When the parties agreed to review the clause (the linter wants an end or this)."""

    model_config = ConfigDict(**{**Node.model_config, "populate_by_name": True})


class Suspension(Node):
    """A period [from, until) in which no clause of the agreement applies."""

    from_: Instant = Field(alias="from")
    until: Instant | None = None
    """When the suspension was lifted (exclusive); None: still suspended."""
    reason: str | None = None
    source: str | None = None
    """Where the suspension is recorded (a URL or a document)."""

    model_config = ConfigDict(**{**Node.model_config, "populate_by_name": True})


class Lifecycle(Node):
    """How the agreement as a whole stops applying; each instant is exclusive.

    Give instants as names of the timeline, so the document says in one place
    when (and why, in ``reason``) each happened. Nothing at or after ``end``
    or ``terminated`` is judged against the agreement.
    """

    end: Instant | None = None
    """The agreement ceased to apply (expiry, a superseding act, its collapse)."""
    terminated: Instant | None = None
    """A party denounced or the parties terminated it."""
    review: Instant | None = None
    """A date the parties agreed to review the whole agreement."""
    suspensions: list[Suspension] = Field(default_factory=list)
    reason: str | None = None
    """Why it ended or was terminated, with the act that did it."""
    source: str | None = None
    """Where that act is recorded (a URL or a document)."""


_ESTABLISHED: tuple[State, ...] = ("corroborated", "verified")


class EvidenceStandard(Node):
    """What a breach needs before it counts as established."""

    min_sources: int = Field(default=1, ge=1)
    """Independent sources required."""
    min_reliability: Grade | None = None
    min_credibility: int | None = Field(default=None, ge=1, le=6)
    states: list[State] = Field(default_factory=lambda: list(_ESTABLISHED))
    joint_verification: bool = False


class TerritoryTerms(Node):
    """A clause about control of territory, judged on control maps.

    ``freeze``: no party gains more than ``cap_km2`` of ground across the
    freeze line in any of ``sectors`` (each source's map of a day against its
    own map of the control baseline). ``withdrawal``: ``party`` holds none of
    ``zone`` at the clause's deadline, with the share of the zone vacated per
    observed day. The clause's ``evidence.min_sources`` counts independent
    publishers of the maps (DeepState and NZZ are two).
    """

    kind: Literal["freeze", "withdrawal"]
    cap_km2: float = Field(default=0.0, ge=0)
    """freeze: ground a party may gain per sector before it is a breach, km²."""
    sectors: list[Identifier] = Field(default_factory=list)
    """freeze: the zones (default: every zone with ``regime: buffer``)."""
    zone: Identifier | None = None
    """withdrawal: the zone to be vacated (default: the one the predicate
    names with ``inside(…)``)."""
    party: Identifier | None = None
    """withdrawal: who must leave (default: the zone's ``party``)."""
    sources: list[str] = Field(default_factory=lambda: ["deepstate", "nzz"])
    """Control-map sources to judge on (``ceasefire import`` source ids)."""
    tolerance_km2: float = Field(default=0.05, ge=0)
    """withdrawal: area below which the party holds none of the zone (map slivers)."""


class Clause(Node):
    """One prohibition or obligation, as text and as a checkable predicate."""

    id: Identifier
    title: str
    text: str
    """The verbatim text of the agreement."""
    kind: Literal["prohibition", "obligation"]
    predicate: str
    """For a prohibition: what a breach looks like. For an obligation: what
    evidence of non-fulfilment after the deadline looks like."""
    in_force: InForce
    deadline: Instant | None = None
    parties_bound: list[Identifier] = Field(min_length=1)
    evidence: EvidenceStandard = Field(default_factory=EvidenceStandard)
    penalties: list[Identifier] = Field(default_factory=list)
    """Penalty rules this clause's confirmed breaches feed."""
    terms: list[Identifier] = Field(default_factory=list)
    """Definitions the clause relies on beyond those its predicate names."""
    severity: float = Field(default=1.0, gt=0)
    """Weight of one breach in severity-weighted penalty rules."""
    territory: TerritoryTerms | None = None
    """A clause over control of territory (freeze cap, withdrawal), judged on
    control maps by ``ceasefire territory``."""

    @model_validator(mode="after")
    def _obligations_have_deadlines(self) -> Clause:
        if self.kind == "obligation" and self.deadline is None:
            raise ValueError(
                "an obligation needs a deadline after which non-fulfilment is a breach;"
                " expected a 'deadline' key: a time, a timeline name or {after: …, days: …}"
            )
        if (
            self.territory is not None
            and self.territory.kind == "withdrawal"
            and self.deadline is None
        ):
            raise ValueError(
                "a withdrawal over territory is judged at its deadline;"
                " expected kind: obligation with a 'deadline'"
            )
        return self


class Scoring(Node):
    """The 0–3 implementation scale (Kroc PAM): what each score means here."""

    not_initiated: str = "not initiated"
    minimal: str = "minimal"
    intermediate: str = "intermediate"
    full: str = "full implementation"


class Quantity(Node):
    """An amount a commitment promises."""

    amount: float = Field(gt=0)
    unit: str


StepRef = Annotated[
    str,
    StringConstraints(
        pattern=r"^[a-z][a-z0-9_-]*(/[a-z][a-z0-9_-]*)?$", max_length=129
    ),
]
"""A step another depends on: ``milestone`` (same commitment), ``commitment``
or ``commitment/milestone``."""


class Milestone(Node):
    """A step of a commitment: done when its evidence says so, due by its deadline."""

    id: Identifier
    what: str
    due: Instant | None = None
    """Relative to the agreement's timeline, so it moves when the timeline is amended."""
    after: list[StepRef] = Field(default_factory=list)
    """Steps that must be met before this one can start (e.g. tranche 2 after 1)."""
    quantity: Quantity | None = None
    evidence_required: str | None = None


class LedgerLink(Node):
    """Where a commitment's deliveries or disbursements are found in the ledger."""

    partner: str
    """The partner as the ledger's source spells it (``United States``)."""
    category: Literal["military", "financial", "humanitarian", "other"] | None = None
    item: str | None = None
    """Match this item (``Air Defense``); any when absent."""
    stage: Literal["pledged", "announced", "allocated", "delivered"] = "allocated"
    since: Instant | None = None
    """Count only rows dated at or after this (default: entry into force)."""
    measure: Literal["value", "quantity"] = "value"
    """Add up the rows' values (value × scale, in their currency) or quantities."""


class Commitment(Node):
    """Who must do what by when, and what shows it was done."""

    id: Identifier
    party: Identifier
    what: str
    category: Literal[
        "withdrawal", "delivery", "disbursement", "legal", "deployment", "other"
    ] = "other"
    due: Instant | None = None
    evidence_required: str | None = None
    quantity: Quantity | None = None
    scoring: Scoring = Field(default_factory=Scoring)
    after: list[StepRef] = Field(default_factory=list)
    """Commitments or milestones that must be met before this one starts."""
    milestones: list[Milestone] = Field(default_factory=list)
    ledger: LedgerLink | None = None
    """Deliveries counted towards ``quantity`` (its unit must be the ledger's)."""
    grace_days: float = Field(default=0, ge=0)
    """Days after ``due`` before an unmet commitment counts as lapsed."""


class Verification(Node):
    """How a clause is verified, and by whom."""

    clause: Identifier
    methods: list[Method] = Field(min_length=1)
    by: list[Identifier] = Field(default_factory=list)
    notes: str | None = None


class EscalationStep(Node):
    """One rung of a penalty rule's ladder."""

    step: Literal["warning", "notice_to_guarantors", "penalty"]
    after_hours: float = Field(default=0, ge=0)
    """Delay after the previous step (or the trigger, for the first)."""
    notify: list[Identifier] = Field(default_factory=list)
    """Parties or liaison points to notify."""
    action: str | None = None


class PenaltyRule(Node):
    """A pre-agreed threshold that fires without a new political decision."""

    id: Identifier
    title: str
    measure: Literal["count", "severity"] = "count"
    threshold: float = Field(gt=0)
    window_days: float = Field(gt=0)
    per: Literal["party", "agreement"] = "party"
    appeal_window_hours: float = Field(default=0, ge=0)
    escalation: list[EscalationStep] = Field(min_length=1)
    expires_after_days: float | None = Field(default=None, gt=0)


AlertLevel = Literal["oblast", "raion", "hromada"]
ALERT_LEVELS: tuple[AlertLevel, ...] = ("oblast", "raion", "hromada")


class IndicatorFormula(Node):
    """How the engine computes an indicator's series from the log."""

    kind: Literal["interception_rate", "alert_hours", "report_count", "observations"]
    """interception_rate: Σ destroyed / Σ launched × 100 of the Air Force's
    statements; alert_hours: hours under air-raid alert per oblast (union of
    overlapping alerts); report_count: reports matching the filters;
    observations: the ``indicator_observation`` entries logged for it."""
    oblasts: list[str] = Field(default_factory=list)
    """alert_hours: oblasts as the alert files name them (one series each)."""
    levels: list[AlertLevel] = Field(default_factory=lambda: list(ALERT_LEVELS))
    """alert_hours: which alerts count (default all: any part of the oblast)."""
    accounts: list[str] = Field(default_factory=list)
    """interception_rate: only statements of these accounts (``kpszsu``); any when empty."""
    event_types: list[str] = Field(default_factory=list)
    target_categories: list[str] = Field(default_factory=list)
    """report_count: reports whose target category is one of these."""
    since: Instant | None = None
    """First period (default: entry into force)."""
    until: Instant | None = None
    """End of the last period (default: the ``as_of`` the engine is given)."""


class Indicator(Node):
    """A humanitarian or capability series tracked against a target."""

    id: Identifier
    name: str
    unit: str
    target: float
    direction: Literal["at_least", "at_most"] = "at_least"
    cadence: Literal["daily", "weekly", "monthly", "quarterly"]
    baseline: float | None = None
    source: str | None = None
    formula: IndicatorFormula | None = None
    """How it is computed; without one the indicator is declared only."""


# ----------------------------------------------------------------- geometry


class AdminRef(Node):
    """Administrative units from the bundled geoBoundaries layers."""

    level: Annotated[Literal[0, 1, 2], BeforeValidator(_not_boolean)]
    iso: str | list[str] | None = None
    """ISO 3166-2 codes of oblasts (level 1), e.g. UA-14."""
    name: str | list[str] | None = None
    """Unit names, e.g. "Donetsk Oblast" or a raion name (level 2)."""
    oblast: str | None = None
    """Restricts level-2 names to one oblast (ISO code)."""
    land: bool = False
    """Clip to land: geoBoundaries units reach 12 nautical miles into the sea."""


class Buffer(Node):
    """Everything within ``km`` of another geometry."""

    of: Identifier
    km: float = Field(gt=0)
    within: Identifier | None = None
    """Clip the result to this zone (e.g. the country, so a belt stops at the border)."""


class SideOf(Node):
    """The strip of ``km`` on one party's side of a line."""

    of: Identifier
    party: Identifier
    km: float = Field(gt=0)
    within: Identifier | None = None
    """Clip the result to this zone."""


class BoundaryOf(Node):
    """The edge of a zone inside another zone (a front line, not the border)."""

    of: Identifier
    within: Identifier
    margin_km: float = Field(default=1.0, ge=0)
    """Edges closer than this to the edge of ``within`` are not part of the line."""


class InventoryItem(Node):
    """Weapons a storage site is to hold: the baseline a "missing" report is read against."""

    model_config = ConfigDict(**{**Node.model_config, "populate_by_name": True})

    class_: str = Field(alias="class")
    """A weapon class of the report vocabulary (artillery, mlrs, tank …)."""
    model: str | None = None
    calibre_mm: float | None = Field(default=None, ge=0)
    count: int = Field(ge=0)
    as_of: Time | None = None
    """When the inventory was taken (the last verified count)."""

    @model_validator(mode="after")
    def _known_class(self) -> InventoryItem:
        if self.class_ not in WEAPON_CLASSES:
            raise ValueError(
                f"unknown weapon class {self.class_!r};"
                f" expected one of {', '.join(WEAPON_CLASSES)}"
            )
        return self


GEOMETRY_SOURCES = (
    "geojson",
    "file",
    "admin",
    "buffer",
    "side",
    "boundary",
    "union",
    "intersection",
    "difference",
)


class Geometry(Node):
    """A line, zone, corridor or site, given by exactly one source."""

    id: Identifier
    kind: Literal["line", "zone", "corridor", "site"]
    label: str | None = None
    regime: (
        Literal[
            "withdrawal", "demilitarized", "controlled", "corridor", "buffer", "other"
        ]
        | None
    ) = None
    """What the zone is for; the linter checks regimes against each other."""
    party: Identifier | None = None
    """The party a 'withdrawal' or 'controlled' regime concerns."""
    sides: dict[str, Identifier] | None = None
    """For lines: which party is on which side ('left'/'right', or
    'inside'/'outside' for a boundary line)."""
    attribution: str | None = None
    inventory: list[InventoryItem] | None = None
    """For a storage site (kind 'site'): the weapons it is to hold."""

    geojson: dict[str, Any] | None = None
    file: str | None = None
    admin: AdminRef | None = None
    buffer: Buffer | None = None
    side: SideOf | None = None
    boundary: BoundaryOf | None = None
    union: list[Identifier] | None = Field(default=None, min_length=2)
    intersection: list[Identifier] | None = Field(default=None, min_length=2)
    difference: list[Identifier] | None = Field(default=None, min_length=2)

    def source_key(self) -> str:
        """The one key that says where the geometry comes from."""
        given = [key for key in GEOMETRY_SOURCES if getattr(self, key) is not None]
        return given[0]

    @model_validator(mode="after")
    def _exactly_one_source(self) -> Geometry:
        given = [key for key in GEOMETRY_SOURCES if getattr(self, key) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(
                f"a geometry needs exactly one source, found {found};"
                f" expected one of {', '.join(GEOMETRY_SOURCES)}"
            )
        if self.inventory is not None and self.kind != "site":
            raise ValueError(
                f"an inventory belongs to a storage site, not a {self.kind};"
                " expected kind: site"
            )
        if self.sides is not None:
            allowed = {"left", "right", "inside", "outside"}
            bad = sorted(set(self.sides) - allowed)
            if bad:
                raise ValueError(
                    f"unknown side {bad[0]!r}; expected left/right,"
                    " or inside/outside for a boundary line"
                )
        return self


Language = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
]
"""A BCP 47 language tag: ``uk``, ``ru``, ``en``, ``pt-BR``."""


class Translation(Node):
    """The titles and labels people read, in one more language.

    Only what is shown as a name is translated: the agreement's title and
    summary, party names, definition labels, geometry labels, clause,
    commitment, penalty rule and indicator titles. Each map is keyed by the
    object's id (a definition's ``term``); the loader checks every key names
    an object of the document. The clause ``text`` stays verbatim in the
    language it was signed in; anything left out shows as written.
    """

    title: str | None = None
    summary: str | None = None
    parties: dict[Identifier, str] = Field(default_factory=dict)
    definitions: dict[Identifier, str] = Field(default_factory=dict)
    geometries: dict[Identifier, str] = Field(default_factory=dict)
    clauses: dict[Identifier, str] = Field(default_factory=dict)
    commitments: dict[Identifier, str] = Field(default_factory=dict)
    """A commitment's ``what``."""
    penalty_rules: dict[Identifier, str] = Field(default_factory=dict)
    indicators: dict[Identifier, str] = Field(default_factory=dict)
    """An indicator's ``name``."""


class AgreementDocument(Node):
    """A cease-fire or peace agreement as a checkable document (format 1.0)."""

    format_version: Literal["1.0"]
    id: Identifier
    title: str
    version: str
    """The agreement's own version; amendments are new versions."""
    signed: Time | None = None
    timezone: str = "UTC"
    """IANA zone used when showing times to people; stored times are aware."""
    summary: str | None = None
    sources: list[Source] = Field(default_factory=list)
    parties: list[Party] = Field(min_length=2)
    definitions: list[Definition] = Field(default_factory=list)
    timeline: dict[Identifier, Instant] = Field(default_factory=dict)
    """Named instants: entry_into_force, deadlines."""
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    """End, termination, review and suspensions of the whole agreement."""
    territory: Identifier | None = None
    """The geometry (usually a zone) that all others should lie in."""
    geometries: list[Geometry] = Field(default_factory=list)
    clauses: list[Clause] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    verification: list[Verification] = Field(default_factory=list)
    penalty_rules: list[PenaltyRule] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    translations: dict[Language, Translation] = Field(default_factory=dict)
    """Titles and labels in other languages, by language tag (``uk``, ``ru``):
    the web map and the daily report use them."""
