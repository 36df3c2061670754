"""Bellingcat "Civilian Harm in Ukraine" incidents: a JSON array, not a CSV.

The file (``bellingcat_civilian_harm_incidents_2022-2025.json``) is a list of
objects with exactly ``date`` (YYYY-MM-DD), ``location`` (often null),
``description``, ``sources`` (a list of URLs), ``latitude`` and ``longitude``
(numbers). It has **no incident id and no categories** (the dashboard export
dropped both; joining back to the 2023 TimeMap export matches only 9 rows).
So:

- **id**: the source id is the SHA-256 of the whole record (date, coordinates,
  description, sources, location, canonical JSON), fed to
  ``stable_id("bellingcat", …, date)``. An exact repeat of a record is the same
  report (one such repeat is in the file: counted as a duplicate); two videos
  of one strike with different sources stay two reports, as Bellingcat lists
  them. ``source_report_id`` is ``bellingcat-<first 16 hex of that hash>``.
- **act**, from the description, since there are no categories: the first
  act the text names through ``ACTS`` (shelling/artillery/Grad → shelling,
  missile → missile_strike, drone/Shahed → drone_strike, air strike/bomb →
  air_strike, mine/UXO/tripwire → mines_uxo, shot/gunfire → small_arms,
  explosion/strike/impact → explosion), else ``other``. The file records
  civilian HARM (an effect), not how it was done; no weapon class is set.
- **effects**: ``target`` civilian (the dataset's subject), or the first
  keyword match in ``TARGETS`` (hospital → health, school → education …);
  ``damage`` is that category when the text names damage to buildings or
  infrastructure (``BUILDING_WORDS``) and no harm to people. The words that
  decided are kept in ``properties["classified_by"]``.
- **time**: ``date`` is a calendar day in Kyiv: ``[date 00:00 Kyiv, +1 day)``.
- **location**: the coordinates, 1 km radius (geolocated media);
  ``location`` as the place name when present.
- **source**: an ``osint_item`` from Bellingcat (reliability B, credibility
  2); ``derived_from`` is the first source URL, all URLs are in
  ``properties["evidence_links"]``.
- **narrative**: the description (first 500 characters).

Rows lacking a date or coordinates are rejected naming the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from ceasefire.io.base import (
    KYIV,
    UKRAINE,
    Importer,
    Row,
    RowError,
    id_moment,
    parse_date,
    parse_float,
    stable_id,
    to_row,
)
from ceasefire.model.report import Report

FIELDS = frozenset({"date", "description", "sources", "latitude", "longitude"})

PEOPLE_WORDS = (
    "kill", "dead", "death", "died", "die ", "injur", "wound", "casualt", "body",
    "bodies", "corpse", "victim", "hurt", "fatalit", "murder", "execut", "shot",
    "tortur", "buried", "grave", "blood", "hospitalis", "hospitaliz", "people",
    "child", "woman", "women", " man ", " men ", "person", "residents",
)  # fmt: skip
BUILDING_WORDS = (
    "building", "house", "home", "apartment", "residential", "block", "hospital",
    "clinic", "school", "kindergarten", "university", "church", "cathedral",
    "museum", "theatre", "theater", "bridge", "railway", "station", "power",
    "electric", "substation", "infrastructure", "factory", "plant", "warehouse",
    "market", "shop", "store", "mall", "damage", "destroy", "destruction",
    "ruin", "fire", "burn", "crater", "facility", "office", "dormitory", "hotel",
)  # fmt: skip
ACTS: list[tuple[str, tuple[str, ...]]] = [
    ("mines_uxo", ("landmine", "land mine", " mine ", " mines ", "unexploded", "uxo", "tripwire")),
    ("missile_strike", ("missile",)),
    ("drone_strike", ("drone", "shahed", " uav", "loitering")),
    ("air_strike", ("air strike", "airstrike", "aerial bomb", "bombing", "glide bomb")),
    ("shelling", ("shelling", "shelled", "artillery", "mortar", " grad", "mlrs", "rocket", "cluster")),
    ("small_arms", (" shot ", "gunfire", "shooting", "sniper", "bullet")),
    ("explosion", ("explosion", "strike", "struck", "impact", "blast", "hit by")),
]  # fmt: skip
"""Act by the first matching group of words in the description."""
TARGETS: list[tuple[str, tuple[str, ...]]] = [
    ("health", ("hospital", "clinic", "maternity", "medical", "ambulance")),
    ("education", ("school", "kindergarten", "university", "college", "lyceum")),
    ("religious", ("church", "cathedral", "monastery", "mosque", "synagogue")),
    ("cultural", ("museum", "theatre", "theater", "library", "monument")),
    ("power", ("power", "electric", "substation", "energy", "thermal plant")),
    ("heating", ("heating", "boiler")),
    ("water", ("water supply", " dam ", "reservoir", "pumping")),
    ("transport", ("railway", "train", "bridge", "bus station", " road", "airport")),
    ("industrial", ("factory", "industrial", "warehouse", "plant")),
    ("residential", ("apartment", "residential", "house", "home", "dormitory")),
]


def _found(text: str, words: tuple[str, ...]) -> list[str]:
    return [word.strip() for word in words if word in text]


def classify(description: str) -> tuple[str, str, str | None, list[str]]:
    """(act, target category, damaged category or None, deciding words)."""
    text = " " + re.sub(r"\s+", " ", description.lower()) + " "
    act, act_words = next(
        ((name, _found(text, words)) for name, words in ACTS if _found(text, words)),
        ("other", []),
    )
    people = _found(text, PEOPLE_WORDS)
    buildings = _found(text, BUILDING_WORDS)
    target = next((cat for cat, words in TARGETS if _found(text, words)), None)
    damage = (target or "civilian") if buildings and not people else None
    return act, target or "civilian", damage, act_words + (people or buildings)


def record_key(record: dict[str, Any]) -> str:
    """The SHA-256 of the record's canonical JSON: its id, as it has none."""
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _coordinate(record: dict[str, Any], field: str, limit: float) -> float:
    value = record.get(field)
    if value is None or value == "":
        raise RowError(field, value, f"missing {field}; expected a number")
    return parse_float(field, str(value), -limit, limit)


def to_report(record: dict[str, Any]) -> Report:
    """One incident as a report."""
    date = record.get("date")
    if not date or not isinstance(date, str):
        raise RowError("date", date, "missing date; expected YYYY-MM-DD")
    moment = parse_date("date", date, KYIV)
    lat = _coordinate(record, "latitude", 90)
    lon = _coordinate(record, "longitude", 180)
    sources = record.get("sources") or []
    if not isinstance(sources, list):
        raise RowError("sources", sources, "not a list; expected a list of URLs")
    links = [str(url) for url in sources]
    description = str(record.get("description") or "")
    act, target, damage, words = classify(description)
    key = record_key(record)
    return Report.model_validate(
        {
            "id": stable_id("bellingcat", key, id_moment(moment)),
            "source_report_id": f"bellingcat-{key[:16]}",
            **geolocated_media(
                "bellingcat-civilian-harm",
                "Bellingcat Civilian Harm in Ukraine",
                links,
                moment,
                (lon, lat, record.get("location")),
            ),
            "event_type": act,
            "target": {"category": target},
            "damage": [damage] if damage else [],
            "narrative": description[:500],
            "properties": {
                "bellingcat_key": key,
                "evidence_links": links,
                "classified_by": words,
            },
        }
    )


def _raw(record: Any) -> dict[str, str]:
    if not isinstance(record, dict):
        return {"record": json.dumps(record, ensure_ascii=False)}
    return {
        str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        for k, v in record.items()
    }


def geolocated_media(
    source_id: str,
    name: str,
    links: list[str],
    day: datetime,
    where: tuple[float, float, Any],
) -> dict[str, Any]:
    """Source, time and place of a Bellingcat record (both its exports): open
    sources graded B2, first link as origin, a day, a geolocated point (1 km)."""
    lon, lat, place = where
    return {
        "source": {
            "type": "osint_item",
            "id": source_id,
            "name": name,
            "reliability": "B",
            "credibility": 2,
            "derived_from": links[0] if links else None,
        },
        "observed": {"start": day, "precision": "day"},
        "reported_at": day,
        "location": {
            "lon": lon,
            "lat": lat,
            "precision_m": 1_000.0,  # geolocated media
            "place": place or None,
        },
    }


@dataclass(frozen=True)
class JsonImporter(Importer):
    """An importer for a JSON array of objects, recognised by suffix and keys.

    ``required_columns`` are the keys every object of the format has;
    ``detect`` (by CSV header) is always False, ``detect_file`` looks inside.
    """

    unit: ClassVar[Literal["line", "record"]] = "record"

    to_report: Callable[[dict[str, Any]], Report]

    def detect(self, header: list[str]) -> bool:
        """A CSV header never matches a JSON format."""
        return False

    def detect_file(self, path: Path) -> bool:
        """True for a ``.json`` array whose first object has every required key."""
        if path.suffix.lower() != ".json" or not path.is_file():
            return False
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return False
        return (
            isinstance(data, list)
            and bool(data)
            and isinstance(data[0], dict)
            and self.required_columns <= set(data[0])
        )

    def read(self, path: Path) -> Iterator[Row]:
        """Every object of the array as a Report or a Rejection (row = 1-based)."""
        data = json.loads(path.read_bytes())
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON array of objects")
        for number, record in enumerate(data, start=1):
            yield to_row(
                self._convert, record, str(path), number, _raw(record), "record"
            )

    def _convert(self, record: Any) -> Report:
        if not isinstance(record, dict):
            raise RowError("record", record, "not an object; expected {…}")
        return self.to_report(record)


IMPORTER = JsonImporter(
    "bellingcat",
    "Bellingcat civilian-harm incidents JSON (date, lat/lon, description, sources)",
    FIELDS,
    to_report,
    scope=UKRAINE,  # not country: strikes inside Russia are recorded too
)
