"""ACLED event CSV (31 columns), both ways: ``IMPORTER`` reads, ``to_acled`` writes.

Columns (DOMAIN.md §4 b.1): ``event_id_cnty, event_date, year, time_precision,
disorder_type, event_type, sub_event_type, actor1, assoc_actor_1, inter1,
actor2, assoc_actor_2, inter2, interaction, civilian_targeting, iso, region,
country, admin1, admin2, admin3, location, latitude, longitude,
geo_precision, source, source_scale, notes, fatalities, tags, timestamp``.

Reading:

- **id**: ``event_id_cnty`` (e.g. UKR1234), ``stable_id("acled", …)``; an
  ``event_id_cnty`` that is one of our report ids (our own ACLED-shaped
  exports of non-ACLED reports) is kept as the id, so re-importing an export
  adds nothing.
- **act** (``event_type``): the (event_type, sub_event_type) pair through
  ``EVENTS``, an explicit table of ACLED's 25 sub-event types (codebook 2023,
  "Event Types and Sub-Event Types"). A pair not in the table is quarantined
  naming it, never guessed. Battles: Armed clash → armed_clash (no weapon
  detail); Violence against civilians → one_sided_attack; Remote
  explosive/landmine/IED → mines_uxo (never fire); ACLED lumps some acts
  together (Air/drone strike → air_strike; Shelling/artillery/missile attack →
  shelling), and protests, riots and most strategic developments are
  ``other``. No weapon is set: ACLED has no weapon column.
- **where**: latitude/longitude; ``geo_precision`` 1–3 → 2 / 15 / 50 km
  (``ACLED_GEO_PRECISION_M``); without the column, 50 km (the coarsest).
- **when**: ``event_date``, a calendar day in Kyiv (ACLED codes the local
  date), as YYYY-MM-DD or "24 February 2022" (the website's
  older downloads); ``time_precision`` 1/2/3 → day/week/month; reported at
  ``timestamp`` (Unix seconds, when ACLED last changed the row) if present.
- **source**: ACLED (media compilation, B3: coded weekly from single media
  reports, no clarity threshold); the row's ``source`` names the outlets and
  becomes ``derived_from``, so corroboration counts them once.
- **casualties**: ``fatalities`` → killed; ``civilian_targeting`` set →
  target category civilian.
- **actors**: actor1/actor2 as ACLED names them (scheme ``acled``). In
  Violence against civilians, Excessive force against protesters and
  Explosions/Remote violence actor1 is the ``perpetrator`` and actor2 the
  ``target``; otherwise the two are a dyad (``side_a``/``side_b``). They stay
  in properties too; attribution to an agreement's party is the agreement's
  actor map (issue 11).
- **inter1/inter2**: numeric codes 1–8 (older exports) or the text labels
  (newer API) are both kept as the label in properties; 0 or empty means
  no actor.
- **old column names**: headers are matched case-insensitively (older
  exports are upper-case), ``geo_precis`` (shapefile-truncated) reads as
  ``geo_precision`` and ``ally_actor_1/2`` as ``assoc_actor_1/2``; the
  removed ``data_id``, ``event_id_no_cnty`` and ``iso3`` are kept in
  properties when present.
- **HXL row**: ACLED's copies on HDX carry a row of hashtags under the
  header; it is skipped (not counted as data), and such a file is read here,
  by its column names, rather than by the HXL importer.

Writing (``to_acled``) gives ACLED's own ``event_id_cnty`` for reports that
came from ACLED and our report id for the rest; it maps our event type through ``EVENT_TYPE_MAPPINGS``
(``other`` and ``drone_flight`` → Strategic developments: Other), the radius
back to the smallest geo_precision that covers it, the time precision to
1/2/3, the oblast code to its name, killed → fatalities, the narrative to
notes, the named actors to actor1/actor2 (else the attribution to actor1). What ACLED cannot carry is lost on a
round trip (see docs/intake.md): our ids, finer event types, exact radius,
injuries, weapon, target, evidence and properties.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from ceasefire.geo.boundaries import admin_units
from ceasefire.io.base import (
    KYIV,
    Importer,
    Rejection,
    Row,
    RowError,
    id_moment,
    parse_date,
    parse_float,
    stable_id,
)
from ceasefire.io.flat import as_report
from ceasefire.model.report import Report
from ceasefire.model.vocabulary import ACLED_GEO_PRECISION_M, EVENT_TYPE_MAPPINGS
from ceasefire.model.vocabulary import ACLED_TIME_PRECISION as TIME_PRECISION

COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
    "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)  # fmt: skip
REQUIRED = frozenset(
    {"event_id_cnty", "event_date", "event_type", "sub_event_type"}
    | {"latitude", "longitude", "fatalities"}
)
RENAMED = {"geo_precis": "geo_precision", "ally_actor_1": "assoc_actor_1"} | {
    "ally_actor_2": "assoc_actor_2"
}

# (ACLED event_type, sub_event_type) → our event type. ACLED's 25 sub-types.
EVENTS: dict[tuple[str, str], str] = {
    ("Battles", "Armed clash"): "armed_clash",
    ("Battles", "Government regains territory"): "ground_assault",
    ("Battles", "Non-state actor overtakes territory"): "ground_assault",
    ("Explosions/Remote violence", "Air/drone strike"): "air_strike",
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"): "shelling",
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"): "mines_uxo",
    ("Explosions/Remote violence", "Grenade"): "explosion",
    ("Explosions/Remote violence", "Suicide bomb"): "explosion",
    ("Explosions/Remote violence", "Chemical weapon"): "other",
    ("Violence against civilians", "Attack"): "one_sided_attack",
    (
        "Violence against civilians",
        "Abduction/forced disappearance",
    ): "one_sided_attack",
    ("Violence against civilians", "Sexual violence"): "one_sided_attack",
    ("Protests", "Peaceful protest"): "other",
    ("Protests", "Protest with intervention"): "other",
    ("Protests", "Excessive force against protesters"): "one_sided_attack",
    ("Riots", "Violent demonstration"): "other",
    ("Riots", "Mob violence"): "other",
    ("Strategic developments", "Agreement"): "other",
    ("Strategic developments", "Arrests"): "other",
    ("Strategic developments", "Change to group/activity"): "other",
    ("Strategic developments", "Disrupted weapons use"): "other",
    ("Strategic developments", "Headquarters or base established"): "troop_presence",
    ("Strategic developments", "Looting/property destruction"): "other",
    ("Strategic developments", "Non-violent transfer of territory"): "other",
    ("Strategic developments", "Other"): "other",
}
ATTRIBUTING = frozenset(
    {"Violence against civilians", "Explosions/Remote violence"}
    | {"Excessive force against protesters"}
)
"""Event (or sub-event) types whose actor1 did it to actor2 (ACLED codebook 2023,
"Violence against civilians": the victims are actor2; "Explosions/Remote
violence": actor1 carried out the attack). In Battles and the rest the two
actors are a dyad: the order names no aggressor."""
INTER = {
    "1": "State forces",
    "2": "Rebel groups",
    "3": "Political militias",
    "4": "Identity militias",
    "5": "Rioters",
    "6": "Protesters",
    "7": "Civilians",
    "8": "External/Other forces",
}
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
MAPPED = frozenset(
    {"event_id_cnty", "event_date", "time_precision", "latitude", "longitude"}
    | {"geo_precision", "fatalities", "notes", "timestamp", "location"}
)


@lru_cache(maxsize=16)
def _names(keys: tuple[str, ...]) -> tuple[str, ...]:
    names = ((key or "").strip().lower() for key in keys)
    return tuple(RENAMED.get(name, name) for name in names)


def normalise(row: dict[str, str]) -> dict[str, str]:
    """Lower-case column names, older names renamed; values but notes stripped."""
    return {
        name: (value or "") if name == "notes" else (value or "").strip()
        for name, value in zip(_names(tuple(row)), row.values(), strict=True)
    }


def _date(value: str) -> datetime:
    """The event's calendar day, midnight Kyiv (ACLED codes the local date)."""
    try:
        return parse_date("event_date", value, KYIV)
    except RowError:
        pass
    try:
        return datetime.strptime(value, "%d %B %Y").replace(tzinfo=KYIV)
    except ValueError:
        raise RowError(
            "event_date", value, "not a date; expected YYYY-MM-DD or '24 February 2022'"
        ) from None


def _inter(row: dict[str, str], column: str) -> str | None:
    value = row.get(column, "")
    if value in ("", "0"):
        return None
    if value.isdigit():
        if value not in INTER:
            raise RowError(column, value, "unknown actor code; expected 0 to 8")
        return INTER[value]
    return value  # the newer text form, kept as ACLED wrote it


def _precision(row: dict[str, str]) -> float:
    value = row.get("geo_precision", "")
    if not value:
        return float(ACLED_GEO_PRECISION_M[3])
    if value not in ("1", "2", "3"):
        raise RowError("geo_precision", value, "expected an ACLED geo_precision 1–3")
    return float(ACLED_GEO_PRECISION_M[int(value)])


def _fatalities(row: dict[str, str]) -> int:
    value = row.get("fatalities", "") or "0"
    if not value.isdigit():
        raise RowError("fatalities", value, "not a whole number; expected 0 or more")
    return int(value)


def actors(row: dict[str, str]) -> list[dict[str, str]]:
    """actor1/actor2 as ACLED names them, with roles the event type justifies."""
    attributes = bool(
        {row.get("event_type", ""), row.get("sub_event_type", "")} & ATTRIBUTING
    )
    roles = ("perpetrator", "target") if attributes else ("side_a", "side_b")
    return [
        {"scheme": "acled", "name": name, "role": role}
        for name, role in (
            (row.get("actor1", ""), roles[0]),
            (row.get("actor2", ""), roles[1]),
        )
        if name
    ]


def report_id(event_id: str, start: datetime) -> str:
    """Our own report id if ``event_id`` is one (our exports), else derived."""
    return event_id if ULID.match(event_id) else stable_id("acled", event_id, start)


def to_report(raw: dict[str, str]) -> Report:
    """One ACLED row (any column-name vintage) as a report."""
    row = normalise(raw)
    pair = (row["event_type"], row["sub_event_type"])
    if pair not in EVENTS:
        raise RowError(
            "sub_event_type",
            f"{pair[0]}: {pair[1]}",
            "unknown ACLED event type; expected one of the 25 pairs in "
            "ceasefire/io/acled.py EVENTS",
        )
    start = _date(row["event_date"])
    precision = row.get("time_precision", "") or "1"
    if precision not in TIME_PRECISION:
        raise RowError("time_precision", precision, "expected 1, 2 or 3")
    stamp = row.get("timestamp", "")
    if stamp and not stamp.isdigit():
        raise RowError("timestamp", stamp, "not Unix seconds")
    reported = datetime.fromtimestamp(int(stamp), UTC) if stamp else start
    unit = TIME_PRECISION[precision]
    properties: dict[str, Any] = {k: v for k, v in row.items() if v and k not in MAPPED}
    for column in ("inter1", "inter2"):
        properties.pop(column, None)
        if label := _inter(row, column):
            properties[column] = label
    data: dict[str, Any] = {
        "id": report_id(row["event_id_cnty"], id_moment(start)),
        "source_report_id": row["event_id_cnty"],
        "source": {
            "type": "media",
            "id": "acled",
            "name": "ACLED",
            "reliability": "B",
            "credibility": 3,
            "derived_from": row.get("source") or None,
        },
        "observed": {"start": start, "precision": unit},
        "reported_at": reported,
        "location": {
            "lon": parse_float("longitude", row["longitude"], -180, 180),
            "lat": parse_float("latitude", row["latitude"], -90, 90),
            "precision_m": _precision(row),
            "place": row.get("location") or None,
        },
        "event_type": EVENTS[pair],
        "actors": actors(row),
        "casualties": {"killed": _fatalities(row)},
        "narrative": row.get("notes", ""),
        "properties": properties,
    }
    if row.get("civilian_targeting"):
        data["target"] = {"category": "civilian"}
    return Report.model_validate(data)


@dataclass(frozen=True)
class AcledImporter(Importer):
    """Detects ACLED by its columns, whatever their case."""

    def detect(self, header: list[str]) -> bool:
        """True when the header, lower-cased and renamed, has the needed columns."""
        return self.required_columns <= set(normalise(dict.fromkeys(header, "")))

    def read_numbered(self, path: Path) -> Iterator[tuple[int, Row]]:
        """Every data row and its line; an HXL tag row under the header (HDX
        copies) is skipped (not data), the lines staying physical."""
        rows = super().read_numbered(path)
        first = next(rows, None)
        if first is not None and not (
            isinstance(first[1], Rejection) and is_tag_row(first[1].raw)
        ):
            yield first
        yield from rows


def is_tag_row(raw: dict[str, Any]) -> bool:
    """True when every non-empty cell is an HXL hashtag (``#event+code`` …)."""
    cells = [str(v).strip() for v in raw.values() if v]
    return bool(cells) and all(cell.startswith("#") for cell in cells)


IMPORTER = AcledImporter(
    "acled",
    "ACLED events CSV (31 columns, current or older names)",
    REQUIRED,
    to_report,
)


# ------------------------------------------------------------------ writing


@lru_cache(maxsize=1)
def _oblast_names() -> dict[str, str]:
    return {
        unit.iso: unit.name.removesuffix(" Oblast")
        for unit in admin_units(1)
        if unit.iso
    }


def geo_precision(radius_m: float) -> int:
    """The finest ACLED geo_precision whose radius covers ``radius_m``."""
    for code in (1, 2):
        if radius_m <= ACLED_GEO_PRECISION_M[code]:
            return code
    return 3


def _actor(report: Report, index: int) -> str:
    """The name of the report's first (0) or second (1) named actor, or ""."""
    return report.actors[index].name if len(report.actors) > index else ""


def acled_row(report: Report) -> dict[str, str]:
    """One report as an ACLED row."""
    acled = EVENT_TYPE_MAPPINGS.get(report.event_type, {}).get("acled")
    event_type, _, sub_type = str(acled or "Strategic developments: Other").partition(
        ": "
    )
    start = report.observed.start.astimezone(KYIV)  # ACLED's day is the local one
    admin1 = report.location.admin1 or ""
    time_precision = {"week": "2", "month": "3", "year": "3"}.get(
        report.observed.precision, "1"
    )
    return {
        "event_id_cnty": report.source_report_id
        if report.source.id == "acled" and report.source_report_id
        else report.id,
        "event_date": start.date().isoformat(),
        "year": str(start.year),
        "time_precision": time_precision,
        "disorder_type": DISORDER[event_type],
        "event_type": event_type,
        "sub_event_type": sub_type,
        "actor1": _actor(report, 0)
        or (report.attribution.party if report.attribution else ""),
        "actor2": _actor(report, 1),
        "civilian_targeting": "Civilian targeting"
        if report.target and report.target.category == "civilian"
        else "",
        "iso": "804" if admin1.startswith("UA-") else "",
        "country": "Ukraine" if admin1.startswith("UA-") else "",
        "admin1": _oblast_names().get(admin1, ""),
        "admin2": report.location.admin2 or "",
        "location": report.location.place or "",
        "latitude": str(report.location.lat),
        "longitude": str(report.location.lon),
        "geo_precision": str(geo_precision(report.location.precision_m)),
        "source": report.source.name or report.source.id,
        "notes": report.narrative,
        "fatalities": str(report.casualties.killed if report.casualties else 0),
        "timestamp": str(int(report.reported_at.timestamp())),
    }


def to_acled(reports: Iterable[Report | dict[str, Any]], out: IO[bytes]) -> int:
    """Write the reports as ACLED-shaped CSV (the 31 columns); return how many."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.DictWriter(text, COLUMNS, restval="")
    writer.writeheader()
    count = 0
    for report in reports:
        writer.writerow(acled_row(as_report(report)))
        count += 1
    text.flush()
    text.detach()
    return count


def from_acled(path: Path) -> Iterator[Row]:
    """Reports (or rejections) from an ACLED CSV."""
    yield from IMPORTER.read(path)
