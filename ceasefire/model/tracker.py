"""Typed log-entry bodies of the implementation tracker (issue 15).

Five kinds of entry, each with its body model (their kinds are
``ceasefire.model.entries.Kind``; ``entries.wrap`` gives a body its kind):

- ``delivery``: support a partner announced, allocated or delivered (Kiel
  tracker rows, the plain CSV template), in the source's currency and unit;
- ``disbursement``: money that moved (IATI transactions and planned
  disbursements);
- ``commitment_evidence``: something observed about a commitment or one of its
  milestones (a law published, a tranche delivered, a claim disputed);
- ``commitment_status``: a status change of a commitment, with the PAM score,
  the rule that produced it and the evidence it rests on;
- ``indicator_observation``: one value of an indicator for one period, for
  series that are reported rather than computed (HXL feeds, monitors).

These are the bodies only; the envelope (id, kind, subject, actor, time) is
the log's, and ``ceasefire/model/entries.py`` registers each model under its
kind (``LoggedDelivery`` …), as it does every other kind.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ceasefire.model.base import Node, Time

Category = Literal["military", "financial", "humanitarian", "other"]
Stage = Literal["pledged", "announced", "allocated", "delivered"]
CommitmentStatus = Literal[
    "not_started", "in_progress", "partly_met", "met", "lapsed", "disputed"
]
Claim = Literal["started", "partial", "done", "disputed", "refuted"]
"""What a piece of evidence says: work started, part done, all done, a party
disputes an earlier claim, or the mission found an earlier claim untrue."""


class SourceLine(Node):
    """Where a ledger row came from: the dataset, the file and the line."""

    dataset: str
    """e.g. ``kiel-ust-r29``, ``iati``, ``ledger-csv``."""
    file: str
    line: int = Field(ge=1)
    """1-based line (CSV) or element position (XML) in the file."""


class DeliveryBody(Node):
    """Support announced, allocated or delivered by a partner (kind ``delivery``)."""

    partner: str
    """Donor name as the source spells it (``United States``)."""
    partner_code: str | None = None
    """ISO 3166 alpha-3 or the source's own code (``EUI`` for EU institutions)."""
    category: Category
    item: str | None = None
    """What: a weapon system, an instrument, "total military aid"."""
    quantity: float | None = Field(default=None, ge=0)
    unit: str | None = None
    """Unit of ``quantity`` (``batteries``, ``howitzers``)."""
    value: float | None = None
    currency: str | None = None
    """ISO 4217 code of ``value``."""
    scale: float = Field(default=1.0, gt=0)
    """Multiplier of ``value``: Kiel publishes EUR billions (1e9)."""
    stage: Stage
    on: date | None = None
    """The date of ``stage`` when the source gives one."""
    period: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    """The month the source dates the row to (YYYY-MM), for monthly aggregates."""
    destination: str | None = None
    """City or oblast, when known."""
    evidence: str | None = None
    source: SourceLine


class DisbursementBody(Node):
    """Money that moved, or is planned to (kind ``disbursement``)."""

    partner: str
    """The provider organisation's name (or reporting org)."""
    partner_code: str | None = None
    activity: str
    """The IATI activity identifier."""
    transaction_type: str
    """IATI TransactionType code (``3`` = disbursement) or ``planned``."""
    transaction_name: str
    value: float
    currency: str
    value_date: date | None = None
    on: date
    """The transaction date, or the planned period's start."""
    period_end: date | None = None
    receiver: str | None = None
    recipient_countries: list[str] = Field(default_factory=list)
    category: Category = "other"
    humanitarian: bool = False
    description: str | None = None
    source: SourceLine


class CommitmentEvidenceBody(Node):
    """Something observed about a commitment or milestone (kind ``commitment_evidence``)."""

    agreement: str
    commitment: str
    milestone: str | None = None
    claim: Claim
    observed_at: Time
    """When it happened (not when it was logged)."""
    quantity: float | None = Field(default=None, ge=0)
    """Amount done so far, in the commitment's unit, for partial fulfilment."""
    by: str
    """Who says so: a party, the mission, a partner."""
    text: str
    source: str | None = None
    """A reference: a gazette number, an entry id, a URL."""


class CommitmentStatusBody(Node):
    """A commitment's status and score changed (kind ``commitment_status``)."""

    agreement: str
    commitment: str
    previous: CommitmentStatus | None = None
    status: CommitmentStatus
    score: int = Field(ge=0, le=3)
    rule: str
    """The rule that produced status and score, in words."""
    as_of: Time
    """The instant the decision was made for (never the machine's clock)."""
    evidence: list[str] = Field(default_factory=list)
    """Ids of the log entries it rests on."""


class IndicatorObservationBody(Node):
    """One reported value of an indicator (kind ``indicator_observation``)."""

    agreement: str
    indicator: str
    period_start: date
    value: float | None
    """None records a period the source says it has no value for."""
    unit: str
    series: str | None = None
    """Sub-series, e.g. an oblast."""
    source: str
