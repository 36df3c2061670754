"""Response and request shapes of the API, separate from the domain model.

Reports are passed through as the logged JSON (their schema is
``ceasefire log schema``), so these models describe envelopes: pages,
features, incident summaries and the incident page.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Me(BaseModel):
    """Who the token says the caller is."""

    role: str
    party: str | None = None


class PartyOut(BaseModel):
    """A party to an agreement."""

    id: str
    name: str
    role: str


class AgreementItem(BaseModel):
    """One agreement in the list."""

    id: str
    title: str
    version: str
    parties: list[PartyOut]
    translations: dict[str, dict[str, Any]] = {}
    """Titles and labels by language (the agreement's ``translations:`` block)."""


class ClauseOut(BaseModel):
    """A clause as people read it."""

    id: str
    title: str
    text: str
    kind: str
    predicate: str
    parties_bound: list[str]
    penalties: list[str]


class CommitmentOut(BaseModel):
    """Who must do what by when, and where it stands."""

    agreement: str
    id: str
    party: str
    what: str
    category: str
    due: str | None
    status: Literal["open", "overdue", "unscheduled"]


class PenaltyRuleOut(BaseModel):
    """A pre-agreed penalty threshold."""

    id: str
    title: str
    measure: str
    threshold: float
    window_days: float
    per: str


class AgreementDetail(AgreementItem):
    """The agreement summary: clauses, commitments, penalty rules."""

    summary: str | None
    timeline: dict[str, str]
    clauses: list[ClauseOut]
    commitments: list[CommitmentOut]
    penalty_rules: list[PenaltyRuleOut]


class Page(BaseModel):
    """A page of items and the cursor of the next page (null at the end)."""

    items: list[dict[str, Any]]
    next: str | None


class Feature(BaseModel):
    """A GeoJSON Feature (RFC 7946)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["Feature"]
    id: str | None = None
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection; ``next`` is the cursor of the next page."""

    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    features: list[Feature]
    next: str | None = None


class Created(BaseModel):
    """Where a write landed in the log."""

    id: str
    seq: int


class TransitionIn(BaseModel):
    """A verification decision."""

    state: str = Field(description="The state to move to (see the state machine).")
    reason: str = Field(min_length=1, max_length=4000)


class TransitionOut(BaseModel):
    """The logged state change."""

    seq: int
    subject: str
    from_: str = Field(alias="from")
    to: str


class ReplyIn(BaseModel):
    """A party's reply to an incident (its right of reply)."""

    text: str = Field(min_length=1, max_length=20_000)


class TrailItem(BaseModel):
    """One log entry about an incident."""

    seq: int
    kind: str
    actor: str | None
    at: str
    reason: str | None = None
    state: str


class IncidentPage(BaseModel):
    """Everything about one incident the caller may see."""

    incident: dict[str, Any]
    reports: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    verdicts: list[dict[str, Any]]
    replies: list[dict[str, Any]]
    trail: list[TrailItem]


class BreachDay(BaseModel):
    """Breaches on one day by one party of one clause."""

    day: str
    party: str | None
    clause: str
    count: int
