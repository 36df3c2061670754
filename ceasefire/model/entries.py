"""The log's vocabulary: every entry kind and the typed body of each.

A log entry is an envelope ``{"seq", "id", "kind", "recorded_at", "actor",
"subject", "body"}`` (see ``ceasefire.log.service``); this module says what
each ``kind`` is called and what its ``body`` holds. Writers build a body
model and append ``dump_body(body)``; readers call ``parse_body`` (or
``read_bodies``) and get the model back, never a bare dict.

Versions: the bytes of a logged entry are never rewritten, so a body keeps the
shape it was written in. Each model names its current ``VERSION``; an older
shape is recognised by its keys (``identify``) and migrated on read
(``migrate``), as pystac migrates old STAC documents. A future change of shape
adds a ``"v"`` key to the new bodies. Every shape ever written has a fixture
under ``tests/data/entries/<version>/<kind>.json``.

To add a kind: a member of ``Kind``, a ``Body`` subclass with ``KIND`` set,
an entry in ``BODIES``, and a fixture (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Protocol, TypeVar

import orjson
from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_serializer,
)

from ceasefire.errors import EntryBodyError as EntryBodyError  # re-exported
from ceasefire.model.control import ControlObservation
from ceasefire.model.report import Report
from ceasefire.model.tracker import (
    CommitmentEvidenceBody,
    CommitmentStatusBody,
    DeliveryBody,
    DisbursementBody,
    IndicatorObservationBody,
)


class Kind(StrEnum):
    """Every kind of log entry ceasefire writes."""

    REPORT = "report"
    STATE_CHANGE = "state_change"
    EVIDENCE = "evidence"
    INCIDENT_CLUSTERING = "incident_clustering"
    INCIDENT_MERGE = "incident_merge"
    INCIDENT_SPLIT = "incident_split"
    INCIDENT_ASSIGNMENT = "incident_assignment"
    REPLY = "reply"
    REPLY_PUBLISHED = "reply_published"
    INCIDENT_DECISION = "incident_decision"
    BULLETIN = "bulletin"
    PENALTY_STATE = "penalty_state"
    NOTICE = "notice"
    NOTICE_ACK = "notice_ack"
    NOTICE_REPLY = "notice_reply"
    NOTICE_UNANSWERED = "notice_unanswered"
    NOTICE_DELIVERED = "notice_delivered"
    NOTICE_DEAD_LETTER = "notice_dead_letter"
    DELIVERY = "delivery"
    DISBURSEMENT = "disbursement"
    COMMITMENT_EVIDENCE = "commitment_evidence"
    COMMITMENT_STATUS = "commitment_status"
    INDICATOR_OBSERVATION = "indicator_observation"
    CONTROL_OBSERVATION = "control_observation"
    REJECTED = "rejected"


FROM = AliasChoices("from", "from_")
"""``from`` in JSON (a Python keyword, so ``from_`` in code)."""

Moment = Annotated[
    AwareDatetime, PlainSerializer(lambda d: d.isoformat(), return_type=str)
]
"""A timezone-aware time, written as ``datetime.isoformat()`` writes it."""


class Body(BaseModel):
    """The body of one kind of log entry."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    KIND: ClassVar[Kind]
    VERSION: ClassVar[int] = 1
    STRICT: ClassVar[bool | None] = None
    """``strict`` for validation; ``None`` keeps the models' own setting."""

    @classmethod
    def identify(cls, data: dict[str, Any]) -> int:
        """The version of a logged body's shape (default: the current one)."""
        return int(data.get("v", cls.VERSION))

    @classmethod
    def migrate(cls, data: dict[str, Any], version: int) -> dict[str, Any]:
        """``data`` of an older ``version`` in the current shape."""
        return data


# ------------------------------------------------------------ reports and states


class Wrapped(Body):
    """A body that is a document model of its own, logged as that model's JSON.

    The model lives with its concept (``model/report.py``, ``model/tracker.py``,
    ``model/control.py``); this wrapper gives it a kind. ``FIELD`` names the
    wrapped model; ``EXCLUDE_NONE`` says whether its writer drops ``None``.
    """

    FIELD: ClassVar[str]
    EXCLUDE_NONE: ClassVar[bool] = False

    @classmethod
    def migrate(cls, data: dict[str, Any], version: int) -> dict[str, Any]:
        """The logged body is the wrapped model itself; wrap it for validation."""
        return {cls.FIELD: data}

    def inner(self) -> BaseModel:
        """The wrapped document model."""
        model: BaseModel = getattr(self, self.FIELD)
        return model


class ReportBody(Wrapped):
    """``report``: one source's account of one event (``ceasefire.model.report``)."""

    KIND = Kind.REPORT
    FIELD = "report"
    EXCLUDE_NONE = True
    report: Report


class StateChange(Body):
    """``state_change``: a report or incident moved between verification states."""

    KIND = Kind.STATE_CHANGE
    from_: str = Field(validation_alias=FROM, serialization_alias="from")
    to: str
    reason: str


class Custody(Body):
    """One custody record of a piece of evidence."""

    action: str
    by: str


class Evidence(Body):
    """``evidence``: content stored by its SHA-256, with its first custody record."""

    KIND = Kind.EVIDENCE
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    media_type: str
    filename: str | None
    captured_at: str | None
    """As the uploader gave it (not parsed: it is their claim)."""
    device: str | None
    custody: Custody


class Rejected(Body):
    """``rejected``: a row an importer could not accept, kept in the quarantine.

    ``ceasefire.io.intake`` writes it as a dict (a bad file can have a
    rejection per row; building a model for each would slow the quarantine);
    this model says what that dict holds.
    """

    KIND = Kind.REJECTED
    file: str
    row: int
    """The physical line (``unit`` absent) or the record number."""
    column: str | None
    value: str | int | float | bool | None
    """As read (anything else is written as its ``repr``)."""
    reason: str
    raw: dict[str, Any]
    unit: str | None = None
    """``record`` for a JSON or Parquet record number; absent for a line."""

    @model_serializer(mode="wrap")
    def _unit_only_when_not_a_line(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("unit") is None:
            data.pop("unit", None)
        return data


# ------------------------------------------------------------ fact-finding


class ClusterParams(Body):
    """The linking scale of a clustering pass."""

    distance_m: float
    time_s: float
    min_sources: int


class IncidentClustering(Body):
    """``incident_clustering``: the scale of a clustering pass and what it found."""

    KIND = Kind.INCIDENT_CLUSTERING
    params: ClusterParams
    reports: int
    incidents: int
    with_several_reports: int
    with_independent_sources: int
    by: str | None


class IncidentMerge(Body):
    """``incident_merge``: an analyst joined incidents; ``incident`` survives."""

    KIND = Kind.INCIDENT_MERGE
    incident: str
    incidents: list[str]
    reason: str


class IncidentSplit(Body):
    """``incident_split``: an analyst took ``reports`` out of ``incident``."""

    KIND = Kind.INCIDENT_SPLIT
    incident: str
    reports: list[str]
    reason: str


class Assignment(Body):
    """``incident_assignment``: a joint team, a review deadline, the reply window."""

    KIND = Kind.INCIDENT_ASSIGNMENT
    team: dict[str, list[str]]
    assigned_at: Moment
    review_deadline: Moment
    reply_window_hours: float
    reply_window_source: str
    reply_deadline: Moment


Position = Literal["accepts", "contests", "no_comment"]


class CounterEvidence(Body):
    """Counter-evidence named by the SHA-256 of its content."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    stored: bool
    """Whether the content was in the store when the reply was logged."""


class Reply(Body):
    """``reply``: a party's structured reply to an incident (its right of reply).

    Version 0 was ``{party, text}``, written by the API before issue 12 without
    the team and window checks; it reads as a reply that ``contests`` (as the
    snapback engine always read it), with no time or assignment of its own.
    """

    KIND = Kind.REPLY
    party: str
    position: Position
    statement: str
    counter_evidence: list[CounterEvidence] = Field(default_factory=list)
    submitted_at: Moment | None
    assignment: str | None
    """The id of the assignment whose window the reply was in."""

    @classmethod
    def identify(cls, data: dict[str, Any]) -> int:
        """Version 0 has ``text`` and no ``statement``."""
        return 0 if "text" in data and "statement" not in data else cls.VERSION

    @classmethod
    def migrate(cls, data: dict[str, Any], version: int) -> dict[str, Any]:
        """A version-0 ``{party, text}`` reply in the current shape."""
        if version == 0:
            return {
                "party": data["party"],
                "position": "contests",
                "statement": data["text"],
                "counter_evidence": [],
                "submitted_at": None,
                "assignment": None,
            }
        return data


class ReplyPublished(Body):
    """``reply_published``: an analyst made a party's reply public."""

    KIND = Kind.REPLY_PUBLISHED
    reply: str


Decision = Literal["verified", "disputed", "dismissed"]


class IncidentDecision(Body):
    """``incident_decision``: verified, disputed or dismissed, with what was weighed."""

    KIND = Kind.INCIDENT_DECISION
    decision: Decision
    reason: str
    considered_replies: list[str]
    not_considered: list[str]
    parties_without_reply: list[str]
    reply_window_open: bool
    team: dict[str, list[str]] | None
    decided_at: Moment


class Bulletin(Body):
    """``bulletin``: one version of a day's automatic or reviewed bulletin."""

    KIND = Kind.BULLETIN
    kind: Literal["automatic", "reviewed"]
    date: str
    version: int = Field(ge=1)
    sha256: str
    content: dict[str, Any]


# ------------------------------------------------------------ snapback and hotline


class PenaltyState(Body):
    """``penalty_state``: a penalty rule's state changed for a party."""

    KIND = Kind.PENALTY_STATE
    agreement: str
    agreement_version: str
    key: str
    rule: str
    group: str
    trigger: int
    from_: str | None = Field(validation_alias=FROM, serialization_alias="from")
    to: str
    at: Moment
    notify: list[str]
    action: str | None
    reasons: dict[str, Any]


class Notice(Body):
    """``notice``: one message to one liaison point."""

    KIND = Kind.NOTICE
    id: str
    cause: str
    """``penalty_step`` or ``breach``."""
    agreement: str
    recipient: str
    """The party whose liaison point receives it."""
    liaison: str
    channel: str
    address: str | None
    created_at: Moment
    ack_due: Moment | None
    title: str
    body: dict[str, Any]
    """The reasons: rule, step, window, breaches (incidents), action."""


class NoticeAck(Body):
    """``notice_ack``: the recipient party acknowledged a notice."""

    KIND = Kind.NOTICE_ACK
    party: str


class NoticeReply(Body):
    """``notice_reply``: the recipient party answered a notice."""

    KIND = Kind.NOTICE_REPLY
    party: str
    text: str


class NoticeUnanswered(Body):
    """``notice_unanswered``: a notice's acknowledgement deadline passed in silence."""

    KIND = Kind.NOTICE_UNANSWERED
    notice: str
    party: str
    liaison: str
    due: Moment
    cause: str
    title: str


class NoticeDelivered(Body):
    """``notice_delivered``: the outbox delivered a notice."""

    KIND = Kind.NOTICE_DELIVERED
    channel: str
    liaison: str
    address: str | None
    attempts: int


class NoticeDeadLetter(Body):
    """``notice_dead_letter``: the outbox gave up delivering a notice."""

    KIND = Kind.NOTICE_DEAD_LETTER
    channel: str
    liaison: str
    address: str | None
    attempts: int
    last_error: str


# ------------------------------------------------------------ tracker and control
# Their document models are strict (``model.base.Node``); logged as JSON text,
# dates and times come back as strings, so they validate with strict=False.


class LoggedDelivery(Wrapped):
    """``delivery``: support announced, allocated or delivered (``model.tracker``)."""

    KIND = Kind.DELIVERY
    FIELD = "delivery"
    STRICT = False
    delivery: DeliveryBody


class LoggedDisbursement(Wrapped):
    """``disbursement``: money that moved, or is planned to (``model.tracker``)."""

    KIND = Kind.DISBURSEMENT
    FIELD = "disbursement"
    STRICT = False
    disbursement: DisbursementBody


class LoggedCommitmentEvidence(Wrapped):
    """``commitment_evidence``: something observed about a commitment."""

    KIND = Kind.COMMITMENT_EVIDENCE
    FIELD = "evidence"
    STRICT = False
    EXCLUDE_NONE = True
    evidence: CommitmentEvidenceBody


class LoggedCommitmentStatus(Wrapped):
    """``commitment_status``: a commitment's status changed (``model.tracker``)."""

    KIND = Kind.COMMITMENT_STATUS
    FIELD = "status"
    STRICT = False
    EXCLUDE_NONE = True
    status: CommitmentStatusBody


class LoggedIndicatorObservation(Wrapped):
    """``indicator_observation``: one reported value of an indicator."""

    KIND = Kind.INDICATOR_OBSERVATION
    FIELD = "observation"
    STRICT = False
    observation: IndicatorObservationBody


class LoggedControlObservation(Wrapped):
    """``control_observation``: one source's map of one day (``model.control``)."""

    KIND = Kind.CONTROL_OBSERVATION
    FIELD = "observation"
    STRICT = False
    observation: ControlObservation


BODIES: dict[Kind, type[Body]] = {
    cls.KIND: cls
    for cls in (
        ReportBody, StateChange, Evidence, IncidentClustering, IncidentMerge,
        IncidentSplit, Assignment, Reply, ReplyPublished, IncidentDecision,
        Bulletin, PenaltyState, Notice, NoticeAck, NoticeReply, NoticeUnanswered,
        NoticeDelivered, NoticeDeadLetter, LoggedDelivery, LoggedDisbursement,
        LoggedCommitmentEvidence, LoggedCommitmentStatus, LoggedIndicatorObservation,
        LoggedControlObservation, Rejected,
    )
}  # fmt: skip
"""The body model of every kind."""

WRAPPERS: dict[type[BaseModel], type[Wrapped]] = {
    cls.model_fields[cls.FIELD].annotation: cls  # type: ignore[misc]
    for cls in BODIES.values()
    if issubclass(cls, Wrapped)
}
"""The kind's wrapper of each document model that is logged as itself."""


def wrap(model: BaseModel) -> Wrapped:
    """A document model (a ``DeliveryBody``, a ``ControlObservation`` …) as a body."""
    try:
        wrapper = WRAPPERS[type(model)]
    except KeyError:
        raise TypeError(
            f"{type(model).__name__} is not logged as an entry of its own"
        ) from None
    return wrapper.model_validate({wrapper.FIELD: model})


def kind_of(model: BaseModel) -> Kind:
    """The entry kind of a document model logged as itself."""
    return wrap(model).KIND


B = TypeVar("B", bound=Body)


# ------------------------------------------------------------ parse and dump


def body_model(kind: str) -> type[Body]:
    """The body model of ``kind``; a clear error for a kind no one defined."""
    try:
        return BODIES[Kind(kind)]
    except ValueError:
        raise EntryBodyError(
            f"unknown entry kind {kind!r}",
            value=kind,
            expected="one of " + ", ".join(k.value for k in Kind),
        ) from None


def body_from_dict(kind: str, data: dict[str, Any]) -> Body:
    """A body from its JSON object, migrated to the current shape."""
    model = body_model(kind)
    try:
        version = model.identify(data)
        if version != model.VERSION or issubclass(model, Wrapped):
            data = model.migrate(data, version)
        return model.model_validate(data, strict=model.STRICT)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise EntryBodyError(
            f"a {kind} body: {field}: {first['msg']}",
            value=first.get("input"),
            expected=f"a {model.__name__} body (ceasefire.model.entries)",
        ) from exc
    except (KeyError, TypeError) as exc:
        raise EntryBodyError(
            f"a {kind} body of an older shape lacks {exc}",
            value=data,
            expected=f"a {model.__name__} body (ceasefire.model.entries)",
        ) from exc


def parse_body(kind: str, body: bytes | dict[str, Any]) -> Body:
    """A body (JSON bytes or an object) as its typed model."""
    data = orjson.loads(body) if isinstance(body, bytes | bytearray) else body
    return body_from_dict(kind, data)


def body_to_dict(body: Body) -> dict[str, Any]:
    """The JSON object of a body, as it is logged."""
    if isinstance(body, Wrapped):
        return body.inner().model_dump(
            mode="json", by_alias=True, exclude_none=body.EXCLUDE_NONE
        )
    return body.model_dump(mode="json", by_alias=True)


def dump_body(body: Body) -> bytes:
    """The JSON bytes of a body, as they go into a log entry."""
    if isinstance(body, Wrapped):
        inner = body.inner()
        return inner.model_dump_json(
            by_alias=True, exclude_none=body.EXCLUDE_NONE
        ).encode()
    return orjson.dumps(body_to_dict(body))


# ------------------------------------------------------------ reading entries


class RowLike(Protocol):
    """What a stored entry row offers (``ceasefire.store.base.EntryRow``)."""

    @property
    def id(self) -> str: ...  # noqa: D102
    @property
    def seq(self) -> int: ...  # noqa: D102
    @property
    def kind(self) -> str: ...  # noqa: D102
    @property
    def subject(self) -> str | None: ...  # noqa: D102
    @property
    def payload(self) -> bytes: ...  # noqa: D102


class StoreLike(Protocol):
    """The read side of a store that ``read_bodies`` uses."""

    def entries(  # noqa: D102
        self, start: int = 0, stop: int | None = None
    ) -> Iterator[Any]: ...
    def entries_about(self, subject: str) -> list[Any]: ...  # noqa: D102


class LogLike(Protocol):
    """A ``ceasefire.log.service.Log`` as ``read_bodies`` sees it."""

    @property
    def store(self) -> StoreLike: ...  # noqa: D102


@dataclass(frozen=True)
class Entry:
    """One log entry with its typed body."""

    seq: int
    id: str
    kind: Kind
    recorded_at: datetime
    actor: str | None
    subject: str | None
    body: Body


def envelope_of(payload: bytes) -> dict[str, Any]:
    """An entry's envelope as JSON, body untyped.

    Only for bulk passes over report bodies that go straight on as dicts (the
    compliance facts, the clustering), where validating 100,000 reports would
    cost more than the pass itself; everything else uses ``parse_entry``.
    """
    envelope: dict[str, Any] = orjson.loads(payload)
    return envelope


def payload_body(payload: bytes) -> dict[str, Any]:
    """The body of an entry's logged bytes as JSON, untyped (see ``envelope_of``).

    For the store's projection and bulk report reads, which hold the bytes
    without a row around them.
    """
    body: dict[str, Any] = envelope_of(payload)["body"]
    return body


def raw_body(row: RowLike) -> dict[str, Any]:
    """A row's body as JSON, untyped (see ``envelope_of`` for when)."""
    return payload_body(row.payload)


def parse_entry(payload: bytes) -> Entry:
    """A whole entry (envelope and typed body) from its logged bytes."""
    data = envelope_of(payload)
    return Entry(
        data["seq"],
        data["id"],
        Kind(data["kind"]),
        datetime.fromisoformat(data["recorded_at"]),
        data.get("actor"),
        data.get("subject"),
        body_from_dict(data["kind"], data["body"]),
    )


def body_of(row: RowLike, model: type[B]) -> B:
    """The typed body of ``row``, which must be of ``model``'s kind."""
    if row.kind != model.KIND:
        raise EntryBodyError(
            f"entry {row.seq} is a {row.kind}, not a {model.KIND}",
            value=row.kind,
            expected=model.KIND.value,
        )
    body = body_from_dict(row.kind, raw_body(row))
    assert isinstance(body, model)
    return body


def entries_of(rows: Iterable[RowLike], *kinds: Kind) -> Iterator[Entry]:
    """The entries among ``rows`` of ``kinds`` (every kind when none is named)."""
    wanted = {k.value for k in kinds}
    for row in rows:
        if not wanted or row.kind in wanted:
            yield parse_entry(row.payload)


def read_bodies(
    log: LogLike, model: type[B], subject: str | None = None
) -> list[tuple[RowLike, B]]:
    """Every ``model`` entry in the log (about ``subject``), row and typed body."""
    rows: Iterable[RowLike] = (
        log.store.entries() if subject is None else log.store.entries_about(subject)
    )
    return [(row, body_of(row, model)) for row in rows if row.kind == model.KIND]
