"""GDELT 2.0 event export (``*.export.CSV.zip``): 61 tab-separated fields, no header.

Recognised by shape, not by name: the first line has exactly 61 tab-separated
fields, a numeric GLOBALEVENTID and an 8-digit SQLDATE (DOMAIN.md §4 b.3).
GDELT 1.0 daily files have fewer fields and are not recognised. The file may
be zipped (one member, as GDELT publishes it) or plain.

- **id**: ``GLOBALEVENTID``, ``stable_id("gdelt", …)``.
- **event type**: from the CAMEO ``EventCode`` through ``CODES``, longest
  prefix first. Only material conflict that monitors look for maps: 154
  mobilise armed forces → troop_presence; 1712 destroy property → other
  (damage is an effect; CAMEO does not code the act); 183 bombings →
  explosion; other 18x assaults → other (CAMEO does not say who was harmed);
  190 unspecified military force and 196 "violate ceasefire" → armed_clash
  (fighting, no weapon detail; the code stays in ``properties.event_code``);
  191 blockade → movement_restricted; 192 occupy territory → ground_assault;
  193 small arms → small_arms; 194 artillery and tanks → shelling; 195 aerial
  weapons → air_strike; 20x mass violence → one_sided_attack, but 204
  weapons of mass destruction → other. **Every other code (statements, appeals, consults,
  aid, protests, threats … — most of any GDELT file) is quarantined**, naming
  the code and its root, so read = imported + duplicates + quarantined stays
  true and nothing is silently dropped or lumped into ``other``.
- **where**: ``ActionGeo_Lat/Long``; ``ActionGeo_Type`` → radius:
  1 country → 700 km, 2 US state / 5 world state (ADM1) → 150 km, 3 US city /
  4 world city → 25 km (GDELT geocodes to the named place's centroid, like
  UCDP's "area around a location"). No ActionGeo (type 0 or empty) →
  quarantined.
- **when**: ``SQLDATE`` (day precision); reported at ``DATEADDED``.
- **source**: GDELT (machine-coded news, graded D4: not usually reliable,
  doubtful; one article's sentence coded by machine, no human check);
  ``SOURCEURL`` is ``derived_from``.
- **actors**: ``Actor1Name``/``Actor2Name`` with their CAMEO codes: Actor1
  is the source of the action (``perpetrator``), Actor2 its ``target``
  (CAMEO manual 1.1b3, "actors").
- **when**: GDELT dates by UTC publication time, so ``SQLDATE`` is a UTC day.
- **corroboration**: if the matching Mentions table sits beside the file
  (same timestamp, ``.mentions.CSV.zip``), ``properties.gdelt_mentions`` is
  the number of distinct ``MentionSourceName`` values for the event in it;
  the export's own ``NumSources``/``NumMentions``/``NumArticles`` are kept
  too. A Mentions file holds the mentions of its 15 minutes only.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Literal

from ceasefire.io.base import (
    Importer,
    Rejection,
    Row,
    RowError,
    csv_row_problem,
    parse_float,
    readable,
    stable_id,
)
from ceasefire.io.base import to_row as _to_row
from ceasefire.model.report import Report

FIELDS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode",
    "Actor1EthnicCode", "Actor1Religion1Code", "Actor1Religion2Code",
    "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode",
    "Actor2EthnicCode", "Actor2Religion1Code", "Actor2Religion2Code",
    "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code", "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long",
    "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL",
)  # fmt: skip
MENTION_EVENT, MENTION_SOURCE = 0, 4  # GLOBALEVENTID, MentionSourceName

# CAMEO event code prefix → our event type; the longest matching prefix wins.
CODES: dict[str, str] = {
    "154": "troop_presence",
    "1712": "other",  # destroy property: an effect; the act is not coded
    "18": "other",
    "183": "explosion",
    "190": "armed_clash",  # conventional military force, no weapon detail
    "191": "movement_restricted",
    "192": "ground_assault",
    "193": "small_arms",
    "194": "shelling",
    "195": "air_strike",
    "196": "armed_clash",  # violate ceasefire: fighting, no weapon detail
    "20": "one_sided_attack",  # mass violence against civilians
    "204": "other",
}
ROOTS = {
    "01": "Make public statement", "02": "Appeal", "03": "Express intent to cooperate",
    "04": "Consult", "05": "Engage in diplomatic cooperation",
    "06": "Engage in material cooperation", "07": "Provide aid", "08": "Yield",
    "09": "Investigate", "10": "Demand", "11": "Disapprove", "12": "Reject",
    "13": "Threaten", "14": "Protest", "15": "Exhibit force posture",
    "16": "Reduce relations", "17": "Coerce", "18": "Assault", "19": "Fight",
    "20": "Use unconventional mass violence",
}  # fmt: skip
# ActionGeo_Type → radius in metres (DOMAIN.md b.3; the radii are our reading,
# matching UCDP's: country 700 km, ADM1 150 km, around a place 25 km).
GEO_TYPE_M = {
    "1": 700_000.0,  # country
    "2": 150_000.0,  # US state
    "3": 25_000.0,  # US city
    "4": 25_000.0,  # world city
    "5": 150_000.0,  # world state (ADM1)
}


def event_type(code: str) -> str:
    """Our event type for a CAMEO event code, or a RowError naming the code."""
    for length in range(len(code), 1, -1):
        if code[:length] in CODES:
            return CODES[code[:length]]
    root = ROOTS.get(code[:2], "unknown root")
    raise RowError(
        "EventCode",
        code,
        f"CAMEO {code} (root {code[:2]} {root}) is not an event ceasefire maps;"
        " expected 154, 1712, 18x, 19x or 20x",
    )


def _stamp(column: str, value: str, pattern: str, expected: str) -> datetime:
    try:
        return datetime.strptime(value, pattern).replace(tzinfo=UTC)
    except ValueError:
        raise RowError(column, value, f"not a date; expected {expected}") from None


def cameo_actors(row: dict[str, str]) -> list[dict[str, str]]:
    """Actor1 did the act to Actor2 (CAMEO's source and target actors)."""
    found = []
    for number, role in (("1", "perpetrator"), ("2", "target")):
        name = row[f"Actor{number}Name"]
        if name:
            code = row[f"Actor{number}Code"]
            actor = {"scheme": "cameo", "name": name}
            found.append(
                {**actor, "code": code, "role": role}
                if code
                else {**actor, "role": role}
            )
    return found


def to_report(row: dict[str, str], mentions: dict[str, int] | None = None) -> Report:
    """One GDELT event (fields by name) as a report."""
    event_id = row["GLOBALEVENTID"]
    if not event_id.isdigit():
        raise RowError("GLOBALEVENTID", event_id, "not a number")
    kind = event_type(row["EventCode"])
    start = _stamp("SQLDATE", row["SQLDATE"], "%Y%m%d", "YYYYMMDD")
    geo_type = row["ActionGeo_Type"]
    if geo_type not in GEO_TYPE_M:
        raise RowError(
            "ActionGeo_Type", geo_type, "no action location; expected a type 1–5"
        )
    actors = " / ".join(a for a in (row["Actor1Name"], row["Actor2Name"]) if a)
    properties: dict[str, object] = {
        "gdelt_event_id": event_id,
        "event_code": row["EventCode"],
        "event_root_code": row["EventRootCode"],
        "quad_class": row["QuadClass"],
        "goldstein": row["GoldsteinScale"],
        "num_mentions": row["NumMentions"],
        "num_sources": row["NumSources"],
        "num_articles": row["NumArticles"],
        "avg_tone": row["AvgTone"],
        "actor1": row["Actor1Name"] or None,
        "actor1_code": row["Actor1Code"] or None,
        "actor2": row["Actor2Name"] or None,
        "actor2_code": row["Actor2Code"] or None,
        "action_geo_type": geo_type,
        "action_geo_country": row["ActionGeo_CountryCode"] or None,
        "action_geo_adm1": row["ActionGeo_ADM1Code"] or None,
        "action_geo_feature_id": row["ActionGeo_FeatureID"] or None,
        "source_url": row["SOURCEURL"] or None,
    }
    if mentions is not None:
        properties["gdelt_mentions"] = mentions.get(event_id, 0)
    return Report.model_validate(
        {
            "id": stable_id("gdelt", event_id, start),
            "source_report_id": f"gdelt-{event_id}",
            "source": {
                "type": "media",
                "id": "gdelt",
                "name": "GDELT 2.0",
                "reliability": "D",
                "credibility": 4,
                "derived_from": row["SOURCEURL"] or None,
            },
            "observed": {"start": start, "precision": "day"},
            "reported_at": _stamp(
                "DATEADDED", row["DATEADDED"], "%Y%m%d%H%M%S", "YYYYMMDDHHMMSS"
            ),
            "location": {
                "lon": parse_float("ActionGeo_Long", row["ActionGeo_Long"], -180, 180),
                "lat": parse_float("ActionGeo_Lat", row["ActionGeo_Lat"], -90, 90),
                "precision_m": GEO_TYPE_M[geo_type],
                "place": row["ActionGeo_FullName"] or None,
            },
            "event_type": kind,
            "actors": cameo_actors(row),
            "narrative": f"{actors + ': ' if actors else ''}CAMEO {row['EventCode']}",
            "properties": {k: v for k, v in properties.items() if v is not None},
        }
    )


@contextmanager
def _open(path: Path) -> Iterator[io.TextIOBase]:
    """The text of a GDELT file, zipped (its one member) or plain."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            member = archive.namelist()[0]
            with archive.open(member) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape")
    else:
        with path.open(encoding="utf-8", errors="surrogateescape") as text:
            yield text


def _records(path: Path) -> Iterator[list[str]]:
    with _open(path) as text:
        yield from csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE)


def mentions_beside(path: Path) -> Path | None:
    """The Mentions table of the same 15 minutes, if it sits beside ``path``."""
    for export, mention in ((".export.", ".mentions."), (".EXPORT.", ".MENTIONS.")):
        if export in path.name:
            candidate = path.with_name(path.name.replace(export, mention))
            return candidate if candidate.is_file() else None
    return None


def mention_counts(path: Path) -> dict[str, int]:
    """GLOBALEVENTID → number of distinct mention sources in a Mentions table."""
    sources: dict[str, set[str]] = {}
    for record in _records(path):
        if len(record) > MENTION_SOURCE:
            sources.setdefault(record[MENTION_EVENT], set()).add(record[MENTION_SOURCE])
    return {event: len(names) for event, names in sources.items()}


def looks_like_export(first: list[str]) -> bool:
    """True for a GDELT 2.0 event record: 61 fields, numeric id and SQLDATE."""
    return (
        len(first) == len(FIELDS)
        and first[0].isdigit()
        and len(first[1]) == 8
        and first[1].isdigit()
    )


@dataclass(frozen=True)
class GdeltImporter(Importer):
    """Recognises a GDELT 2.0 export by its shape; reads it zipped or not."""

    unit: ClassVar[Literal["line", "record"]] = "record"

    def detect(self, header: list[str]) -> bool:
        """A GDELT export has no header to match."""
        return False

    def detect_file(self, path: Path) -> bool:
        """True when the first record of a .zip/.csv/.tsv/.txt looks like a GDELT event."""
        if not path.name.lower().endswith((".zip", ".csv", ".tsv", ".txt")):
            return False
        try:
            return looks_like_export(next(_records(path), []))
        except (OSError, UnicodeError, zipfile.BadZipFile, csv.Error):
            return False

    def read(self, path: Path) -> Iterator[Row]:
        """Every record as a Report or a Rejection (row = 1-based line)."""
        beside = mentions_beside(path)
        mentions = mention_counts(beside) if beside else None
        for number, record in enumerate(_records(path), start=1):
            if len(record) != len(FIELDS):
                raw = readable({str(i): value for i, value in enumerate(record)})
                yield Rejection(
                    str(path),
                    number,
                    None,
                    len(record),
                    f"{len(record)} fields; expected 61 tab-separated fields",
                    raw,
                )
                continue
            row = dict(zip(FIELDS, record, strict=True))
            problem = csv_row_problem(row)  # bytes that are not UTF-8
            if problem is not None:
                yield Rejection(str(path), number, *problem, readable(row))
                continue
            yield _to_row(lambda r: to_report(r, mentions), row, str(path), number, row)


IMPORTER = GdeltImporter(
    "gdelt",
    "GDELT 2.0 event export (61 tab-separated fields, zipped; Mentions beside it)",
    frozenset(
        {"GLOBALEVENTID", "SQLDATE", "EventCode", "ActionGeo_Lat", "ActionGeo_Long"}
    ),
    to_report,
)
