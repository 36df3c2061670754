"""Bellingcat's Civilian Harm in Ukraine TimeMap export (2023-05): three JSON files.

``…_events.json`` is a list of events (``id`` CIV####, ``date`` M/D/YYYY,
``latitude``/``longitude`` as strings, ``description``, ``associations`` and
``sources`` as ids). The ids are resolved in the two files beside it, found by
name: ``…_sources.json`` (source id → ``paths``, ``title``, ``description``)
and ``…_associations.json`` (category id → ``filter_paths`` = [group, title]).

- **id** from the TimeMap ``id``. One id is used by two different events in
  the 2023 export (CIV1553: two strikes in Kyiv); the first keeps the plain
  id, a later event with the same id and different content gets
  ``<id>~<12 hex of its content hash>``, so neither is lost and re-importing
  gives the same ids. An exact repeat is a duplicate.
- **event type and weapon** from the "Weapon System" category through
  ``WEAPONS``; **target** from "Type of area affected" through ``AREAS``. A
  category missing from these tables (or an id missing from the associations
  file) is quarantined by name, not guessed. Where the category does not say
  how the harm was done (Unknown, a vehicle-mounted weapon) or only names the
  munition, not its launcher (cluster, incendiary, thermobaric), the act is
  ``other`` or ``explosion`` with no weapon class (harm to civilians is an
  effect, not an act: issue 11). The date is a calendar day in Kyiv. The
  categories are kept verbatim in ``properties["categories"]``.
- **sources**: each is kept in ``properties["sources"]`` (id, paths, title,
  description); the http(s) paths are ``properties["evidence_links"]``.
- **source**: an ``osint_item``, id ``bellingcat-civilian-harm/timemap-2023-05``
  (reliability B, credibility 2). Its organisation (the part before ``/``)
  is ``bellingcat-civilian-harm``, the ``bellingcat`` importer's source id,
  so corroboration counts reports from both Bellingcat exports once; and
  ``derived_from`` is the first http(s) source link, as the ``bellingcat``
  importer does, so the same video in both exports shares an origin even
  though the two exports cannot be joined row by row.
- **location**: the coordinates, 1 km radius (geolocated media).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ceasefire.io.base import (
    KYIV,
    UKRAINE,
    Row,
    RowError,
    id_moment,
    parse_float,
    stable_id,
    to_row,
)
from ceasefire.io.bellingcat import JsonImporter, geolocated_media
from ceasefire.model.report import Report

FIELDS = frozenset(
    {"id", "date", "latitude", "longitude", "associations", "sources", "description"}
)
SOURCE_ID = "bellingcat-civilian-harm/timemap-2023-05"
AREA = "Type of area affected"
WEAPON = "Weapon System"

AREAS: dict[str, str | None] = {
    "Residential": "residential",
    "Industrial": "industrial",
    "Administrative": "government",
    "Healthcare": "health",
    "School or childcare": "education",
    "Military": "military",
    "Undefined": None,
    "Commercial": "civilian",  # no commercial category: a civilian object
    "Religious": "religious",
    "Cultural": "cultural",
    "Roads/Highways/Transport": "transport",
    "Humanitarian": "civilian",  # aid points, convoys: civilian objects
    "Food/Food Infrastructure": "food",
}
"""'Type of area affected' title → target category (None: no target)."""

WEAPONS: dict[str, tuple[str, str | None]] = {
    "Unknown": ("other", None),
    "HE rocket artillery": ("shelling", "mlrs"),
    "HE artillery inc mortars": ("shelling", "artillery"),
    "Cluster munitions": ("explosion", None),  # by rocket, missile or aircraft
    "Incendiary munitions": ("explosion", None),
    "Thermobaric munition": ("explosion", None),
    "Cruise missile": ("missile_strike", "cruise_missile"),
    "Ballistic missile": ("missile_strike", "ballistic_missile"),
    "Anti-air missile": ("missile_strike", "air_defence"),
    "Vehicle mounted weapon": ("other", None),  # fire, but of what kind unsaid
    "Small arms": ("small_arms", "small_arms"),
    "Air strike": ("air_strike", "aircraft"),
    "Land mines": ("mines_uxo", "mine"),
    "Loitering munition": ("drone_strike", "loitering_munition"),
}
"""'Weapon System' title → (event type, weapon class)."""


def sibling(events: Path, part: str) -> Path:
    """The ``…_sources.json`` or ``…_associations.json`` beside ``…_events.json``."""
    stem = events.name.removesuffix(".json").removesuffix("events")
    return events.with_name(f"{stem}{part}.json")


def _load(path: Path, kind: type, what: str) -> Any:
    """A JSON file of the expected shape, or a ValueError naming it."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ValueError(
            f"{path}: not found; expected the TimeMap {what} beside the events file"
        ) from None
    if not isinstance(data, kind):
        raise ValueError(f"{path}: expected a JSON {kind.__name__} of {what}")
    return data


def _day(value: Any) -> datetime:
    """A calendar day in Kyiv, as Bellingcat dates the events."""
    try:
        return datetime.strptime(str(value).strip(), "%m/%d/%Y").replace(tzinfo=KYIV)
    except ValueError:
        raise RowError("date", value, "not a date; expected MM/DD/YYYY") from None


def content_key(record: dict[str, Any]) -> str:
    """The SHA-256 of the record's canonical JSON."""
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Lookup:
    """The dictionaries the events refer to."""

    sources: dict[str, Any]
    associations: dict[str, list[str]]
    sources_file: str
    associations_file: str


def _categories(record: dict[str, Any], lookup: Lookup) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in record.get("associations") or []:
        path = lookup.associations.get(key)
        if path is None:
            raise RowError(
                "associations",
                key,
                f"category id not in {lookup.associations_file}; expected one of its ids",
            )
        group, title = (path + ["", ""])[:2]
        tables: dict[str, dict[str, Any]] = {AREA: AREAS, WEAPON: WEAPONS}
        table = tables.get(group)
        if table is None or title not in table:
            known = ", ".join(table) if table else f"{AREA!r} or {WEAPON!r} groups"
            raise RowError(
                "associations",
                "/".join(path),
                f"unknown category; expected one of {known}",
            )
        found.setdefault(group, []).append(title)
    return found


def to_report(record: dict[str, Any], key: str, lookup: Lookup) -> Report:
    """One TimeMap event as a report; ``key`` is its (disambiguated) source id."""
    moment = _day(record.get("date"))
    lat = parse_float("latitude", str(record.get("latitude", "")), -90, 90)
    lon = parse_float("longitude", str(record.get("longitude", "")), -180, 180)
    categories = _categories(record, lookup)
    areas = categories.get(AREA, [])
    weapons = categories.get(WEAPON, [])
    event_type, weapon_class = WEAPONS[weapons[0]] if weapons else WEAPONS["Unknown"]
    target = next((AREAS[a] for a in areas if AREAS[a]), None)
    sources = []
    for source_id in record.get("sources") or []:
        source = lookup.sources.get(source_id)
        if not isinstance(source, dict):
            raise RowError(
                "sources",
                source_id,
                f"source id not in {lookup.sources_file}; expected one of its ids",
            )
        sources.append(source)
    links = [
        str(p)
        for s in sources
        for p in s.get("paths") or []
        if str(p).startswith(("http://", "https://"))
    ]
    description = str(record.get("description") or "")
    return Report.model_validate(
        {
            "id": stable_id("bellingcat-timemap", key, id_moment(moment)),
            "source_report_id": key,
            **geolocated_media(
                SOURCE_ID,
                "Bellingcat Civilian Harm in Ukraine (TimeMap export 2023-05)",
                links,
                moment,
                (lon, lat, record.get("location")),
            ),
            "event_type": event_type,
            "weapon": {"class": weapon_class} if weapon_class else None,
            "target": {"category": target} if target else None,
            "narrative": description[:1000],
            "properties": {
                "timemap_id": record.get("id"),
                "categories": categories,
                "evidence_links": links,
                "sources": sources,
                "graphic": record.get("graphic"),
                "time": record.get("time"),
            },
        }
    )


def _alone(record: dict[str, Any]) -> Report:
    """An event without its files: categories and sources cannot be resolved."""
    raise RowError(
        "record",
        record.get("id"),
        "a TimeMap event needs the sources and associations files beside it;"
        " expected to be read from the events file",
    )


def _raw(record: Any) -> dict[str, str]:
    if not isinstance(record, dict):
        return {"record": json.dumps(record, ensure_ascii=False)}
    return {
        str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        for k, v in record.items()
    }


@dataclass(frozen=True)
class TimeMapImporter(JsonImporter):
    """The events file, read with the sources and associations beside it.

    Detection is JsonImporter's (a ``.json`` array whose first object has every
    required key); only reading differs, since events need their sibling files.
    """

    def read(self, path: Path) -> Iterator[Row]:
        """Every event as a Report or a Rejection (row = 1-based)."""
        events = _load(path, list, "events")
        sources_path = sibling(path, "sources")
        associations_path = sibling(path, "associations")
        sources = _load(sources_path, dict, "sources keyed by id")
        associations = _load(associations_path, list, "associations")
        lookup = Lookup(
            sources,
            {
                str(a["id"]): [str(p) for p in a.get("filter_paths") or []]
                for a in associations
                if isinstance(a, dict) and "id" in a
            },
            str(sources_path),
            str(associations_path),
        )
        first_content: dict[str, str] = {}
        for number, record in enumerate(events, start=1):
            yield to_row(
                lambda r: self._convert_event(r, first_content, lookup),
                record,
                str(path),
                number,
                _raw(record),
                "record",
            )

    def _convert_event(
        self, record: Any, first_content: dict[str, str], lookup: Lookup
    ) -> Report:
        if not isinstance(record, dict):
            raise RowError("record", record, "not an object; expected {…}")
        event_id = str(record.get("id") or "").strip()
        if not event_id:
            raise RowError("id", record.get("id"), "missing id; expected CIV####")
        content = content_key(record)
        seen = first_content.setdefault(event_id, content)
        key = event_id if seen == content else f"{event_id}~{content[:12]}"
        return to_report(record, key, lookup)


IMPORTER = TimeMapImporter(
    "bellingcat-timemap",
    "Bellingcat Civilian Harm TimeMap export (…_events.json + sources + associations)",
    FIELDS,
    _alone,
    scope=UKRAINE,
    priority=1,  # its events have Bellingcat's keys too: asked first
)
