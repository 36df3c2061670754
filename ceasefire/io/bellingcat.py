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
- **event type**, from the description, since there are no categories:
  ``civilian_harm`` by default and whenever people are mentioned as harmed
  (killed, dead, injured, wounded, casualties, bodies, victims …);
  ``infrastructure_damage`` when no harm to people is mentioned and the text
  names damage to buildings or infrastructure (building, house, apartment,
  hospital, school, bridge, power, substation …; see ``BUILDING_WORDS``).
  The words that decided are kept in ``properties["classified_by"]``.
- **target category**, first keyword match in ``TARGETS`` (hospital → health,
  school → education, church → religious …); otherwise ``civilian`` for
  civilian_harm and none for infrastructure_damage.
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
from pathlib import Path
from typing import Any

from ceasefire.io.base import (
    Importer,
    Row,
    RowError,
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


def classify(description: str) -> tuple[str, str | None, list[str]]:
    """Event type, target category and the deciding words for a description."""
    text = " " + re.sub(r"\s+", " ", description.lower()) + " "
    people = _found(text, PEOPLE_WORDS)
    buildings = _found(text, BUILDING_WORDS)
    target = next((cat for cat, words in TARGETS if _found(text, words)), None)
    if buildings and not people:
        return "infrastructure_damage", target, buildings
    return "civilian_harm", target or "civilian", people


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
    moment = parse_date("date", date)
    lat = _coordinate(record, "latitude", 90)
    lon = _coordinate(record, "longitude", 180)
    sources = record.get("sources") or []
    if not isinstance(sources, list):
        raise RowError("sources", sources, "not a list; expected a list of URLs")
    links = [str(url) for url in sources]
    description = str(record.get("description") or "")
    event_type, target, words = classify(description)
    key = record_key(record)
    return Report.model_validate(
        {
            "id": stable_id("bellingcat", key, moment),
            "source_report_id": f"bellingcat-{key[:16]}",
            "source": {
                "type": "osint_item",
                "id": "bellingcat-civilian-harm",
                "name": "Bellingcat Civilian Harm in Ukraine",
                "reliability": "B",
                "credibility": 2,
                "derived_from": links[0] if links else None,
            },
            "observed": {"start": moment, "precision": "day"},
            "reported_at": moment,
            "location": {
                "lon": lon,
                "lat": lat,
                "precision_m": 1_000.0,  # geolocated media
                "place": record.get("location") or None,
            },
            "event_type": event_type,
            "target": {"category": target} if target else None,
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


@dataclass(frozen=True)
class JsonImporter(Importer):
    """An importer for a JSON array of objects, recognised by suffix and keys.

    ``required_columns`` are the keys every object of the format has;
    ``detect`` (by CSV header) is always False, ``detect_file`` looks inside.
    """

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
            yield to_row(self._convert, record, str(path), number, _raw(record))

    def _convert(self, record: Any) -> Report:
        if not isinstance(record, dict):
            raise RowError("record", record, "not an object; expected {…}")
        return self.to_report(record)


IMPORTER = JsonImporter(
    "bellingcat",
    "Bellingcat civilian-harm incidents JSON (date, lat/lon, description, sources)",
    FIELDS,
    to_report,
)
