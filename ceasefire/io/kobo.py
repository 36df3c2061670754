"""KoboToolbox / ODK Central exports of our monitor report form.

The form is ``forms/monitor-report.xlsx`` (``ceasefire/io/monitor_form.py``,
docs/monitor-form.md). Accepted exports of its submissions:

- **KoboToolbox CSV** (``,`` or ``;`` separated; Kobo's default is ``;``),
  columns named by group path (``event/event_type``) or by question name
  alone, plus ``_uuid``, ``_submission_time`` (UTC), ``_id``,
  ``__version__`` …; the geopoint as "lat lon altitude accuracy";
- **KoboToolbox JSON** (``{"results": [...]}`` from the API, or the list);
- **ODK Central CSV**: groups joined by ``-`` (``event-event_type``),
  ``KEY``/``meta-instanceID`` ("uuid:…"), ``SubmissionDate``, and the
  geopoint split into ``place-location-Latitude`` … ``-Accuracy``.

Mapping: the report id derives from the submission's instance id (``_uuid``,
or ``meta/instanceID``/``KEY`` without "uuid:"), so the same submission from
any of the three exports is the same report and re-imports add nothing.
``observed_at``/``observed_until`` must carry a UTC offset (phones record
one); ``reported_at`` is the submission time. The location is the geopoint
with radius = GPS accuracy + ``distance_m`` (the monitor's distance to the
event, when the point is their own position). The source is a
``monitor_patrol`` whose id is the team call sign. Select answers are our
vocabulary's names and are validated as such. Photos are file names here
(``properties.photos``): exports carry no file content, so no hash.

Detection is by content: a CSV or JSON whose columns hold the instance id,
the submission time and this form's ``event_type`` and ``observed_at``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from ceasefire.errors import suggest
from ceasefire.io.base import Importer, Rejection, Row, RowError, stable_id, to_row
from ceasefire.io.monitor_form import FORM_ID, choices
from ceasefire.model.report import Report

NEEDED = frozenset({"event_type", "observed_at", "team_id"})
INSTANCE_KEYS = ("_uuid", "instanceID", "KEY")
SUBMITTED_KEYS = ("_submission_time", "SubmissionDate")
SPLIT_POINT = ("latitude", "longitude", "altitude", "accuracy")
COUNTS = ("killed", "injured", "civilians_killed", "civilians_injured")
CHOICES: dict[str, list[str]] = {}
for _list, _name, _label in choices():
    CHOICES.setdefault(_list, []).append(_name)


def canonical(column: str) -> str:
    """An export's column name → the question name.

    "event/event_type", "event-event_type" → "event_type";
    ODK Central's "place-location-Latitude" → "location_latitude".
    """
    parts = re.split(r"[/-]", column)
    if len(parts) >= 2 and parts[-1].lower() in SPLIT_POINT:
        return f"{parts[-2].lstrip('_')}_{parts[-1].lower()}"
    return parts[-1]


def _text(value: Any) -> str:
    if value is None or value == {} or value == []:
        return ""
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value) if isinstance(value, list | dict) else str(value)


def _time(column: str, value: str, *, naive_is_utc: bool = False) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(
            column, value, "not a date and time; expected ISO 8601 with an offset"
        ) from None
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise RowError(
                column, value, "no UTC offset; expected e.g. 2024-05-01T09:10:00+03:00"
            )
        moment = moment.replace(tzinfo=UTC)
    return moment


def _number(column: str, value: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # also false for NaN
        raise RowError(column, value, f"not a number from {low:g} to {high:g}")
    return number


def _geopoint(row: dict[str, str]) -> tuple[float, float, float, float | None]:
    """(lat, lon, accuracy m, altitude) from "lat lon alt acc" or split columns."""
    text = row.get("location", "")
    if not text and row.get("location_latitude"):
        text = " ".join(row.get(f"location_{part}", "") or "0" for part in SPLIT_POINT)
    parts = text.split()
    if len(parts) < 2:
        raise RowError(
            "location", text, "no geopoint; expected 'lat lon [altitude accuracy]'"
        )
    lat = _number("location", parts[0], -90, 90)
    lon = _number("location", parts[1], -180, 180)
    altitude = _number("location", parts[2], -1e4, 1e5) if len(parts) > 2 else None
    accuracy = _number("location", parts[3], 0, 1e7) if len(parts) > 3 else 0.0
    return lat, lon, accuracy, altitude


def _instance(row: dict[str, str]) -> str:
    for key in INSTANCE_KEYS:
        if row.get(key):
            return row[key].removeprefix("uuid:")
    raise RowError("_uuid", "", "no submission id; expected _uuid or meta/instanceID")


def _count(row: dict[str, str], name: str) -> int | None:
    if not row.get(name):
        return None
    return int(_number(name, row[name], 0, 1e7))


def _choice(row: dict[str, str], name: str) -> str | None:
    """A select_one answer, checked against the form's list of that name."""
    value = row.get(name) or None
    allowed = CHOICES[name]
    if value is not None and value not in allowed:
        near = suggest(value, allowed)
        raise RowError(
            name,
            value,
            f"not a choice of the form's {name} list"
            + (f" (did you mean {near!r}?)" if near else "")
            + f"; expected one of {', '.join(allowed)}",
        )
    return value


def _submitted(row: dict[str, str]) -> datetime:
    for key in SUBMITTED_KEYS:
        if row.get(key):
            return _time(key, row[key], naive_is_utc=True)  # Kobo writes UTC, no offset
    if row.get("end"):
        return _time("end", row["end"])
    raise RowError("_submission_time", "", "no submission time; expected a timestamp")


def _casualties(row: dict[str, str]) -> dict[str, int] | None:
    counts = {name: _count(row, name) for name in COUNTS}
    given = {name: n for name, n in counts.items() if n is not None}
    return given or None


def to_report(row: dict[str, str]) -> Report:
    """One submission (columns already reduced to question names) as a report."""
    instance = _instance(row)
    if not row.get("team_id"):
        raise RowError("team_id", "", "missing team call sign; expected e.g. DON-07")
    if not row.get("observed_at"):
        raise RowError("observed_at", "", "missing; expected when it happened")
    start = _time("observed_at", row["observed_at"])
    end = (
        _time("observed_until", row["observed_until"])
        if row.get("observed_until")
        else None
    )
    event_type = _choice(row, "event_type")
    if event_type is None:
        raise RowError("event_type", "", "missing; expected what happened")
    lat, lon, accuracy, altitude = _geopoint(row)
    distance = _count(row, "distance_m") or 0
    weapon = None
    weapon_class = _choice(row, "weapon_class")
    if weapon_class:
        count = _count(row, "weapon_count")
        weapon = {"class": weapon_class, "count": count or 1}
    direction = row.get("direction_deg")
    data = {
        "id": stable_id("kobo-monitor", instance, start),
        "source_report_id": f"uuid:{instance}",
        "source": {
            "type": "monitor_patrol",
            "id": row["team_id"],
            "name": row.get("monitor") or None,
        },
        "observed": {
            "start": start,
            "end": end,
            "precision": _choice(row, "time_precision") or "minute",
        },
        "reported_at": _submitted(row),
        "location": {
            "lon": lon,
            "lat": lat,
            "precision_m": accuracy + distance,
            "place": row.get("place_name") or None,
        },
        "event_type": event_type,
        "weapon": weapon,
        "direction_of_fire_deg": _number("direction_deg", direction, 0, 359.999)
        if direction
        else None,
        "target": {"category": target}
        if (target := _choice(row, "target_category"))
        else None,
        "casualties": _casualties(row),
        "narrative": row.get("narrative", ""),
        "properties": {
            "form_id": FORM_ID,
            "form_version": row.get("__version__") or row.get("FormVersion") or None,
            "instance_id": instance,
            "submission_id": row.get("_id") or None,
            "gps_accuracy_m": accuracy,
            "altitude_m": altitude,
            "distance_m": distance or None,
            "photos": [row["photo"]] if row.get("photo") else [],
            "validation_status": row.get("_validation_status") or None,
            "form_started": row.get("start") or None,
            "form_ended": row.get("end") or None,
        },
    }
    return Report.model_validate(data)


def _records(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names and records of a CSV (``,``/``;``) or JSON export."""
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith(("[", "{")):
        data = json.loads(text)
        records = data.get("results", []) if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise ValueError(
                f"{path}: expected a list of submissions or {{results: [...]}}"
            )
        columns = sorted({k for r in records if isinstance(r, dict) for k in r})
        return columns, records
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return list(reader.fieldnames or []), list(reader)


@dataclass(frozen=True)
class KoboImporter(Importer):
    """Submissions of the monitor form from KoboToolbox or ODK Central."""

    unit: ClassVar[Literal["line", "record"]] = "record"

    def detect(self, header: list[str]) -> bool:
        """Looks at the whole file instead (``detect_file``): ``;`` CSVs and JSON."""
        return False

    def detect_file(self, path: Path) -> bool:
        """True for a CSV or JSON export with this form's questions and ids.

        Reads only the start of the file: the CSV header, or the first 64 kB
        of JSON (enough for the first submission's keys).
        """
        if not path.is_file() or path.suffix.lower() not in (".csv", ".json"):
            return False
        try:
            with path.open(encoding="utf-8-sig") as handle:
                head = handle.read(65536)
        except (OSError, UnicodeDecodeError):
            return False
        if path.suffix.lower() == ".json":
            names = {canonical(k) for k in re.findall(r'"([^"\\]+)"\s*:', head)}
        else:
            first = head.split("\n", 1)[0]
            delimiter = ";" if first.count(";") > first.count(",") else ","
            names = {
                canonical(c) for c in next(csv.reader([first], delimiter=delimiter))
            }
        return (
            self.required_columns <= names
            and bool({"location", "location_latitude"} & names)
            and any(k in names for k in INSTANCE_KEYS)
            and any(k in names for k in SUBMITTED_KEYS)
        )

    def read(self, path: Path) -> Iterator[Row]:
        """Every submission as a Report or a Rejection (row = 1-based)."""
        _, records = _records(path)
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raw = {"record": _text(record)}
                yield to_row(_not_object, record, str(path), number, raw)
                continue
            raw = {str(k): _text(v) for k, v in record.items()}
            named = {canonical(k): v for k, v in raw.items()}
            row = to_row(self.to_report, named, str(path), number, raw)
            yield _in_file_terms(row, raw)


def _in_file_terms(row: Row, raw: dict[str, str]) -> Row:
    """A rejection names the file's column ("event/event_type"), not the question."""
    if not isinstance(row, Rejection) or row.column is None:
        return row
    question = {"source.id": "team_id"}.get(row.column, row.column.split(".")[0])
    column = next((k for k in raw if canonical(k) == question), row.column)
    return replace(row, column=column)


def _not_object(record: Any) -> Report:
    raise RowError("record", record, "not an object; expected a submission {…}")


IMPORTER = KoboImporter(
    "kobo",
    "KoboToolbox / ODK Central export (CSV or JSON) of forms/monitor-report.xlsx",
    NEEDED,
    to_report,
)
