"""The redaction policy (issue 14): one table of fields × roles that every output obeys.

API lists and pages, GeoJSON, map columns, verdicts, incident trails,
notices, feeds, exports and reports all ask this module what a reader may
see, so a role boundary is changed in one row here and nowhere else. It is
pure (no I/O, no web types) so that every layer above the model can import it.

Rules, per field and role:

* ``show``: the value as logged;
* ``hide``: left out (or replaced by ``withheld``);
* ``cell``: a place, moved to the centre of its cell of the public grid;
* ``open``: shown only when the report's source is published material
  (media, open-source items) and not flagged ``protected_source``;
* ``own``: shown only to the party it belongs to.

Free text written by the mission (analysts' reasons, narratives, target and
place names) is ``hide`` for the public: it is public only where a person
published it (a reply an analyst has published).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Rule = Literal["show", "hide", "cell", "open", "own"]
ROLES = ("monitor", "analyst", "guarantor", "party", "public")
"""The columns of the table (``party`` stands for each party's liaison officer)."""
TRUSTED = frozenset({"monitor", "analyst", "guarantor"})
PUBLIC_GRID_DEG = 0.1
"""The public grid, in degrees, unless a deployment sets another."""
WITHHELD = "withheld"
OPEN_SOURCE_TYPES = frozenset({"media", "osint_item"})
"""Source types that are published material: naming them exposes no one."""

_STAFF: dict[str, Rule] = {"monitor": "show", "analyst": "show", "guarantor": "show"}


def _row(party: Rule, public: Rule) -> dict[str, Rule]:
    return {**_STAFF, "party": party, "public": public}


POLICY: dict[str, dict[str, Rule]] = {
    # a report's source: who reported (could identify a monitor or a sensor)
    "report.source.id": _row("open", "hide"),
    "report.source.name": _row("open", "hide"),
    "report.source.derived_from": _row("open", "hide"),
    "report.source_report_id": _row("open", "hide"),
    "report.properties": _row("open", "hide"),
    "report.evidence.description": _row("open", "hide"),
    # free text the mission wrote or kept
    "report.narrative": _row("show", "hide"),
    "report.target.name": _row("show", "hide"),
    "report.location.place": _row("show", "hide"),
    "report.weapon.model": _row("show", "hide"),
    # every exact place, wherever it appears (reports, incidents, verdicts, maps)
    "place": _row("show", "cell"),
    # logged evidence: hashes for all, custody for the mission
    "evidence.filename": _row("open", "hide"),
    "evidence.captured_at": _row("open", "hide"),
    "evidence.custody": _row("hide", "hide"),
    # verdicts
    "verdict.source_id": _row("hide", "hide"),
    "verdict.log_root": _row("show", "show"),
    # the audit trail: analysts' reasons and who wrote each entry by name
    "trail.reason": _row("hide", "hide"),
    "trail.actor": _row("hide", "hide"),
    # a party's reply to an incident (until an analyst publishes it)
    "reply.text": _row("own", "hide"),
    # hotline traffic to one party
    "notice.address": _row("own", "hide"),
    "notice.liaison": _row("own", "hide"),
    "notice.replies": _row("own", "hide"),
    "notice.acks": _row("own", "hide"),
    # the bytes of a log entry (they name the actor and the whole body)
    "proof.payload": _row("hide", "hide"),
}


class Reader(Protocol):
    """Whoever reads: a role, and the party for a liaison officer."""

    @property
    def role(self) -> str: ...

    @property
    def party(self) -> str | None: ...


@dataclass(frozen=True)
class Audience:
    """A reader outside any request: an edition of a report or an export."""

    role: str
    party: str | None = None


PUBLIC = Audience("public")
"""The public edition's reader."""


def rule(field: str, reader: Reader) -> Rule:
    """The rule of ``field`` for ``reader``; an unknown field or role is hidden."""
    return POLICY.get(field, {}).get(reader.role, "hide")


def visible(
    field: str,
    reader: Reader,
    *,
    open_source: bool = False,
    owner: str | None = None,
    published: bool = False,
) -> bool:
    """Whether ``reader`` may see ``field`` of this record as logged.

    ``open_source``: the record's source is published material; ``owner``: the
    party the record belongs to; ``published``: a person made it public.
    """
    found = rule(field, reader)
    if found == "show" or (published and found != "cell"):
        return True
    if found == "open":
        return open_source
    if found == "own":
        return owner is not None and reader.party == owner
    return False


def protected(body: Mapping[str, Any]) -> bool:
    """Whether a report's source must stay anonymous outside the mission."""
    flagged = bool((body.get("properties") or {}).get("protected_source"))
    return flagged or body["source"]["type"] not in OPEN_SOURCE_TYPES


# ------------------------------------------------------------------ places


def cell(value: float, grid: float) -> int:
    """The index of the grid cell ``value`` falls in."""
    return math.floor(value / grid)


def centre(index: int, grid: float) -> float:
    """The centre of grid cell ``index``."""
    return round((index + 0.5) * grid, 6)


def coarsen(value: float, grid: float) -> float:
    """The centre of the grid cell ``value`` falls in."""
    return centre(cell(value, grid), grid)


def cell_radius_m(lat: float, grid: float) -> float:
    """Half the diagonal of a grid cell at ``lat``, in metres (an upper bound)."""
    dy = grid * 111_320.0
    dx = grid * 111_320.0 * math.cos(math.radians(lat))
    return math.hypot(dx, dy) / 2


def place(
    lon: float, lat: float, precision: float | None, reader: Reader, grid: float
) -> tuple[float, float, float | None]:
    """(lon, lat, precision_m) as ``reader`` may see them."""
    if rule("place", reader) != "cell":
        return lon, lat, precision
    lat = coarsen(lat, grid)
    return coarsen(lon, grid), lat, max(float(precision or 0), cell_radius_m(lat, grid))


def coarse_columns(values: list[float], grid: float) -> list[float]:
    """Cell centres of many values (each cell's centre computed once)."""
    cells = [cell(value, grid) for value in values]
    centres = {index: centre(index, grid) for index in set(cells)}
    return list(map(centres.__getitem__, cells))


def bbox_for(
    bbox: tuple[float, float, float, float] | None, reader: Reader, grid: float
) -> tuple[float, float, float, float] | None:
    """A bbox filter as ``reader`` may use it: whole public cells for the public.

    Snapping outwards to cell edges makes the answer a function of the cells
    the box touches, so moving an edge cannot locate a point inside a cell.
    """
    if bbox is None or rule("place", reader) != "cell":
        return bbox
    min_lon, min_lat, max_lon, max_lat = bbox
    return (
        max(-180.0, math.floor(min_lon / grid) * grid),
        max(-90.0, math.floor(min_lat / grid) * grid),
        min(180.0, (math.floor(max_lon / grid) + 1) * grid),
        min(90.0, (math.floor(max_lat / grid) + 1) * grid),
    )


def cell_size_for(cell_deg: float, reader: Reader, grid: float) -> float:
    """A coverage cell size ``reader`` may ask for: whole public cells for the public."""
    if rule("place", reader) != "cell":
        return cell_deg
    return round(max(1, math.ceil(cell_deg / grid - 1e-9)) * grid, 9)


# ------------------------------------------------------------------ reports


def _source(
    body: Mapping[str, Any], reader: Reader, open_source: bool
) -> dict[str, Any]:
    source = dict(body["source"])
    for key in ("id", "name", "derived_from"):
        if key in source and not visible(
            f"report.source.{key}", reader, open_source=open_source
        ):
            if key == "id":
                source[key] = WITHHELD
            else:
                source.pop(key)
    return source


def _evidence(
    items: list[dict[str, Any]], reader: Reader, open_source: bool
) -> list[dict[str, Any]]:
    if visible("report.evidence.description", reader, open_source=open_source):
        return items
    return [{k: e[k] for k in ("sha256", "media_type") if k in e} for e in items]


def _free_text(view: dict[str, Any], reader: Reader) -> None:
    if not visible("report.narrative", reader):
        view.pop("narrative", None)
    for part, key in (("target", "name"), ("weapon", "model")):
        if isinstance(view.get(part), dict) and not visible(
            f"report.{part}.{key}", reader
        ):
            view[part] = {k: v for k, v in view[part].items() if k != key}


def _location(
    location: Mapping[str, Any], reader: Reader, grid: float
) -> dict[str, Any]:
    lon, lat, precision = place(
        location["lon"], location["lat"], location.get("precision_m"), reader, grid
    )
    shown = {**location, "lon": lon, "lat": lat}
    if precision is not None:
        shown["precision_m"] = precision
    if not visible("report.location.place", reader):
        shown.pop("place", None)
    return shown


def report_view(
    body: dict[str, Any], reader: Reader, grid: float = PUBLIC_GRID_DEG
) -> dict[str, Any]:
    """The report as ``reader`` may see it (a new dict; ``body`` is untouched)."""
    if reader.role in TRUSTED:
        return body
    open_source = not protected(body)
    view = dict(body)
    view["source"] = _source(body, reader, open_source)
    view["evidence"] = _evidence(body.get("evidence") or [], reader, open_source)
    for key, field in (
        ("properties", "report.properties"),
        ("source_report_id", "report.source_report_id"),
    ):
        if key in view and not visible(field, reader, open_source=open_source):
            view.pop(key)
    _free_text(view, reader)
    view["location"] = _location(body["location"], reader, grid)
    return view


# ------------------------------------------------------------------ other records


def evidence_view(
    body: dict[str, Any], reader: Reader, open_source: bool
) -> dict[str, Any]:
    """A logged evidence entry as ``reader`` may see it: hashes always."""
    if reader.role in TRUSTED:
        return body
    kept: dict[str, Any] = {
        k: body[k] for k in ("sha256", "size", "media_type") if k in body
    }
    for key in ("filename", "captured_at"):
        if key in body and visible(f"evidence.{key}", reader, open_source=open_source):
            kept[key] = body[key]
    return kept


def verdict_view(
    row: dict[str, Any], reader: Reader, grid: float = PUBLIC_GRID_DEG
) -> dict[str, Any]:
    """A stored verdict as ``reader`` may see it: no source id, places in cells."""
    if reader.role in TRUSTED:
        return row
    view = dict(row)
    if not visible("verdict.source_id", reader):
        view["source_id"] = None
    if isinstance(row.get("lon"), int | float) and isinstance(
        row.get("lat"), int | float
    ):
        view["lon"], view["lat"], _ = place(row["lon"], row["lat"], None, reader, grid)
    return view


def actor_view(actor: str | None, reader: Reader) -> str | None:
    """Who wrote an entry: by name for the mission, by role for everyone else."""
    if actor is None or visible("trail.actor", reader):
        return actor
    role = actor.split("/", 1)[0]
    if role in ("monitor", "analyst", "guarantor") or role.startswith("party:"):
        return role
    return "mission"


def notice_view(notice: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """A notice (``NoticeStatus.to_dict``) as ``reader`` may see it."""
    owner = notice.get("recipient")
    view = dict(notice)
    for key, field in (("address", "notice.address"), ("liaison", "notice.liaison")):
        if not visible(field, reader, owner=owner):
            view[key] = None
    if not visible("notice.replies", reader, owner=owner):
        view["replies"] = []
    if not visible("notice.acks", reader, owner=owner):
        for key in ("acked_at", "unanswered_at"):
            view[key] = None
        view["state"] = None
        view["delivery"] = None
    return view
