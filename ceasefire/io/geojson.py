"""GeoJSON FeatureCollections, mapped to reports by a property-mapping file.

``ceasefire import points.geojson --mapping map.yaml``: the mapping
(``ceasefire/io/mapping.py``; examples in examples/mappings/) says which
feature property feeds which report field. The geometry gives the location:
a Point is used as it is (``location.precision_m`` from the mapping, else
the schema's default 100 m); any other geometry is placed at its centroid (a
point on its surface if the centroid falls outside) with a radius covering
the whole shape, as ``ceasefire/io/areas.py`` does for named areas (the
mapping's radius, if larger, wins).

Feature ids: the mapping's ``id`` properties joined, else the SHA-256 of the
feature's canonical JSON, namespaced by the mapping's ``dataset``; so the
same file imported twice with the same mapping adds nothing. ``reported_at``
defaults to ``observed.start``. A feature without a geometry, with bad
coordinates, or whose properties no event-type rule matches is a Rejection
naming the feature (row = 1-based index) and the property. Gzipped files
(``.geojson.gz``) are read as they are.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import shapely

from ceasefire.errors import MappingRequired as MappingRequired  # re-exported
from ceasefire.io.alerts import moment
from ceasefire.io.areas import covering
from ceasefire.io.base import Importer, Rejection, Row, RowError, stable_id, to_row
from ceasefire.io.mapping import Mapping, load_mapping
from ceasefire.model.report import Report

SUFFIXES = (".geojson", ".geojson.gz", ".json", ".json.gz")


def _open(path: Path) -> Any:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return json.load(handle)


def _location(geometry: Any) -> dict[str, Any]:
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise RowError("geometry", geometry, "no geometry; expected a GeoJSON geometry")
    coords = geometry.get("coordinates")
    if geometry["type"] == "Point" and isinstance(coords, list) and len(coords) >= 2:
        # the common case, without a round trip through GEOS; the report
        # model checks the ranges
        lon, lat = coords[0], coords[1]
        numbers = [
            isinstance(c, int | float) and not isinstance(c, bool) for c in (lon, lat)
        ]
        if all(numbers):
            return {"lon": float(lon), "lat": float(lat)}
    try:
        shape = shapely.from_geojson(json.dumps(geometry))
    except shapely.errors.GEOSException as exc:
        raise RowError("geometry", geometry, f"not a valid geometry: {exc}") from None
    if shape.is_empty:
        raise RowError("geometry", geometry, "empty geometry; expected coordinates")
    if shape.geom_type == "Point":
        return {"lon": shape.x, "lat": shape.y}
    lon, lat, radius = covering(shape)
    return {"lon": lon, "lat": lat, "precision_m": radius}


def feature_key(feature: dict[str, Any], mapping: Mapping) -> str:
    """The feature's id: its ``id`` properties joined, else its content hash."""
    props = feature.get("properties") or {}
    if mapping.id:
        missing = [p for p in mapping.id if props.get(p) in (None, "")]
        if missing:
            raise RowError(
                missing[0], None, "missing id property; the mapping names it"
            )
        return "|".join(str(props[p]) for p in mapping.id)
    return hashlib.sha256(
        orjson.dumps(feature, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def converter(mapping: Mapping) -> Callable[[dict[str, Any]], Report]:
    """A feature → report function for one mapping."""

    def to_report(feature: dict[str, Any]) -> Report:
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise RowError("properties", props, "not an object; expected {…}")
        doc = mapping.values(props)
        if "event_type" not in doc:
            raise mapping.unmatched("event_type", props)
        start = (doc.get("observed") or {}).get("start")
        if not start:
            raise mapping.unmatched("observed.start", props)
        place = _location(feature.get("geometry"))
        if "precision_m" in place and "precision_m" in doc.get("location", {}):
            # a shape's covering radius is a floor: the mapping may only widen it
            place["precision_m"] = max(
                place["precision_m"], doc["location"]["precision_m"]
            )
        doc["location"] = {**doc.get("location", {}), **place}
        key = feature_key(feature, mapping)
        begin = moment(
            mapping.property_for("observed.start") or "observed.start", str(start)
        )
        doc.setdefault("reported_at", start)
        doc["id"] = stable_id(f"geojson:{mapping.dataset}", key, begin)
        doc.setdefault("source_report_id", f"{mapping.dataset}-{key[:64]}")
        kept = mapping.properties
        doc["properties"] = {
            **{k: v for k, v in props.items() if kept is None or k in kept},
            **doc.get("properties", {}),
        }
        return Report.model_validate(doc)

    return to_report


def _raw(feature: Any) -> dict[str, str]:
    if not isinstance(feature, dict):
        return {"feature": json.dumps(feature, ensure_ascii=False)}
    props = feature.get("properties") or {}
    raw = {
        str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        for k, v in (props.items() if isinstance(props, dict) else [])
    }
    raw["geometry"] = json.dumps(feature.get("geometry"), ensure_ascii=False)
    return raw


def _no_mapping(feature: Any) -> Report:
    raise MappingRequired(
        "a GeoJSON file needs a mapping file: ceasefire import FILE --mapping MAP.yaml",
        expected="--mapping with a YAML or JSON mapping (see examples/mappings/)",
    )


@dataclass(frozen=True)
class GeoJsonImporter(Importer):
    """FeatureCollections, with the mapping that says what each property means."""

    mapping: Mapping | None = None

    def with_mapping(self, mapping: Mapping) -> GeoJsonImporter:
        """This importer, reading features through ``mapping``."""
        return replace(self, mapping=mapping, to_report=converter(mapping))

    def detect(self, header: list[str]) -> bool:
        """Never from a CSV header: ``detect_file`` looks inside."""
        return False

    def detect_file(self, path: Path) -> bool:
        """True for a (gzipped) .geojson/.json whose top is a FeatureCollection."""
        if not path.is_file() or not path.name.lower().endswith(SUFFIXES):
            return False
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(path, "rt", encoding="utf-8") as handle:
                head = handle.read(4096)
        except (OSError, UnicodeDecodeError):
            return False
        compact = head.replace(" ", "").replace("\n", "")
        return '"type":"FeatureCollection"' in compact

    def read(self, path: Path) -> Iterator[Row]:
        """Every feature as a Report or a Rejection naming the property at fault."""
        if self.mapping is None:
            _no_mapping(None)
        data = _open(path)
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise ValueError(f"{path}: expected a GeoJSON FeatureCollection")
        for number, feature in enumerate(features, start=1):
            if not isinstance(feature, dict):
                raw = _raw(feature)
                yield Rejection(
                    str(path), number, "feature", feature, "not an object", raw
                )
                continue
            row = to_row(self.to_report, feature, str(path), number, {})
            if isinstance(row, Rejection):  # the raw row only when it is kept
                row = self._in_file_terms(replace(row, raw=_raw(feature)))
            yield row

    def _in_file_terms(self, row: Rejection) -> Rejection:
        """A rejection names the feature property (or geometry), not the field."""
        if row.column is None or self.mapping is None:
            return row
        if row.column.startswith(("location.lon", "location.lat")):
            return replace(row, column="geometry")
        prop = self.mapping.property_for(row.column)
        return replace(row, column=prop) if prop else row


IMPORTER = GeoJsonImporter(
    "geojson",
    "GeoJSON FeatureCollection with a property-mapping file (--mapping)",
    frozenset({"type", "features"}),
    _no_mapping,
)


def apply_mapping(importer: Importer, mapping: Path | None, path: Path) -> Importer:
    """The importer to use for ``path`` given ``--mapping``: GeoJSON needs one."""
    if isinstance(importer, GeoJsonImporter):
        if mapping is None:
            raise MappingRequired(
                f"{path}: a GeoJSON FeatureCollection needs a mapping file that says"
                " which property feeds which report field",
                expected="--mapping MAP.yaml (see examples/mappings/deepstate-points.yaml)",
            )
        return importer.with_mapping(load_mapping(mapping))
    if mapping is not None:
        raise MappingRequired(
            f"{path}: --mapping is for GeoJSON files; this file is {importer.name}",
            value=str(mapping),
            expected="a .geojson FeatureCollection, or no --mapping",
        )
    return importer
