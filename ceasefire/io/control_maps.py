"""Control maps (who holds which area on which day) as control observations.

Formats: the DeepState full-layer history archive (daily control polygons),
NZZ/Liveuamap weekly territory polygons and ISW control-of-terrain layers. Each
day of a file becomes one ``control_observation`` entry (see
``ceasefire.control.observe``); a feature that cannot be read is quarantined
with its file, feature number, property, value and reason, and the rest of
its day still lands.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

import orjson
import shapely

from ceasefire.control.observe import DayMap, Layer, append_maps
from ceasefire.io.base import Importer, Rejection, RowError
from ceasefire.io.intake import ImportSummary, rejection_draft
from ceasefire.log.service import Log
from ceasefire.model.control import ControlStatus
from ceasefire.model.report import Report

Feature = tuple[int, dict[str, Any]]
"""(1-based feature number, the GeoJSON feature)."""


def open_text(path: Path) -> Any:
    """A (gzipped or plain) file as UTF-8 text."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    return opener(path, "rt", encoding="utf-8")


def features(path: Path) -> Iterator[Feature]:
    """The features of a FeatureCollection, streamed one line at a time when
    the file has one feature per line (the large archives), else parsed whole."""
    with open_text(path) as handle:
        first = handle.readline()
        try:
            whole = orjson.loads(first)
        except orjson.JSONDecodeError:
            whole = None
        if isinstance(whole, dict):
            yield from enumerate(whole.get("features", []), start=1)
            return
        number = 0
        for line in handle:
            text = line.strip().rstrip(",")
            if text.startswith('{"type":"Feature"') or text.startswith(
                '{"type": "Feature"'
            ):
                number += 1
                yield number, orjson.loads(text)


def polygons_of(geometry: dict[str, Any] | None) -> list[shapely.Polygon]:
    """The polygons of a (Multi)Polygon or a collection of them, unaltered."""
    if geometry is None:
        raise RowError(
            "geometry", None, "no geometry; expected a Polygon or MultiPolygon"
        )
    try:
        shape = shapely.from_geojson(orjson.dumps(geometry))
    except shapely.errors.GEOSException as exc:
        raise RowError(
            "geometry", geometry.get("type"), f"unreadable geometry ({exc})"
        ) from None
    parts = shapely.get_parts(shape)
    polygons = [p for p in parts if isinstance(p, shapely.Polygon) and not p.is_empty]
    if len(polygons) != len(parts):
        raise RowError(
            "geometry.type",
            geometry.get("type"),
            "expected Polygon or MultiPolygon parts",
        )
    return polygons


def parse_day(props: dict[str, Any], key: str) -> date:
    """A property holding YYYY-MM-DD."""
    value = props.get(key)
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RowError(
            f"properties.{key}", value, "not a date; expected YYYY-MM-DD"
        ) from None


@dataclass(frozen=True)
class LayerRule:
    """How a source's layer name maps to a status and holder."""

    status: ControlStatus
    holder: str


ReadDay = Callable[[Path, list[Feature]], tuple[DayMap, list[Rejection]]]


def layered_day(
    source: str,
    day_key: str,
    layer_key: str,
    rules: dict[str, LayerRule],
    ref: Callable[[dict[str, Any]], str | None],
) -> ReadDay:
    """A reader of one day's features whose ``layer_key`` property names the layer."""

    def read(path: Path, group: list[Feature]) -> tuple[DayMap, list[Rejection]]:
        layers: dict[str, Layer] = {}
        rejected: list[Rejection] = []
        for number, feature in group:
            props = feature.get("properties") or {}
            name = str(props.get(layer_key))
            rule = rules.get(name)
            try:
                if rule is None:
                    raise RowError(
                        f"properties.{layer_key}",
                        name,
                        "unknown layer; expected one of " + ", ".join(sorted(rules)),
                    )
                polygons = polygons_of(feature.get("geometry"))
            except RowError as exc:
                raw = {k: str(v) for k, v in props.items()}
                rejected.append(
                    Rejection(str(path), number, exc.column, exc.value, exc.reason, raw)
                )
                continue
            layer = layers.setdefault(name, Layer(rule.status, rule.holder, name))
            layer.polygons.extend(polygons)
        first = group[0][1].get("properties") or {}
        day = parse_day(first, day_key)
        return DayMap(
            source, day, path.name, ref(first), list(layers.values())
        ), rejected

    return read


@dataclass(frozen=True)
class ControlImporter(Importer):
    """A control-map format: detected from the first properties of the file."""

    marks: tuple[str, ...] = ()
    """Text every file of the format shows in its first 4 KiB (spaces removed)."""
    day_key: str = "date"
    read_day: ReadDay | None = None

    def detect(self, header: list[str]) -> bool:
        """Never from a CSV header: control maps are GeoJSON."""
        return False

    def detect_file(self, path: Path) -> bool:
        """True when the start of the file shows every one of ``marks``."""
        try:
            with open_text(path) as handle:
                head = handle.read(4096)
        except (OSError, UnicodeDecodeError, EOFError):
            return False
        compact = head.replace(" ", "")
        return all(mark in compact for mark in self.marks)

    def day_maps(self, path: Path, rejected: list[Rejection]) -> Iterator[DayMap]:
        """One map per day of the file (features grouped by ``day_key``)."""
        assert self.read_day is not None
        keyed = groupby(features(path), key=lambda f: _day_text(f, self.day_key))
        for _, group in keyed:
            day_map, bad = self.read_day(path, list(group))
            rejected.extend(bad)
            if day_map.layers:
                yield day_map

    def import_observations(
        self,
        log: Log,
        path: Path,
        actor: str | None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportSummary:
        """Log the file's days as control observations; quarantine bad features."""
        summary = ImportSummary(str(path), self.name)
        rejected: list[Rejection] = []
        counts = append_maps(log, self.day_maps(path, rejected), actor, progress)
        for rejection in rejected:
            summary.reasons[f"{rejection.column}: {rejection.reason.split(';')[0]}"] = (
                summary.reasons.get(
                    f"{rejection.column}: {rejection.reason.split(';')[0]}", 0
                )
                + 1
            )
        drafts = [rejection_draft(r, actor) for r in rejected]
        present = log.store.existing_ids([d.id for d in drafts]) if drafts else set()
        if any(d.id not in present for d in drafts):
            log.append([d for d in drafts if d.id not in present])
        summary.first_rejections = rejected[:5]
        summary.read = counts.read + len(rejected)
        summary.imported, summary.duplicates = counts.imported, counts.duplicates
        summary.quarantined = len(rejected)
        return summary


def _day_text(feature: Feature, key: str) -> str:
    return str((feature[1].get("properties") or {}).get(key))


def _no_rows(row: dict[str, str]) -> Report:
    raise RowError(
        "", None, "a control map has no report rows; it is imported as observations"
    )


def control_importer(
    name: str, description: str, marks: tuple[str, ...], day_key: str, read_day: ReadDay
) -> ControlImporter:
    """A ControlImporter with the fields every Importer has filled in."""
    return ControlImporter(
        name,
        description,
        frozenset({f"<{name}>"}),
        _no_rows,
        marks,
        day_key,
        read_day,
        priority=1,  # a control map is GeoJSON too: asked before ``geojson``
    )


RUSSIA, UKRAINE = "russia", "ukraine"

DEEPSTATE_ARCHIVE = control_importer(
    "deepstate-archive",
    "DeepStateMap history archive: daily control polygons (status per feature)",
    ('"snapshot_id":', '"status":'),
    "date",
    layered_day(
        "deepstate-archive",
        "date",
        "status",
        {
            "occupied": LayerRule("held", RUSSIA),
            "ordlo_pre2022": LayerRule("held", RUSSIA),
            "crimea": LayerRule("held", RUSSIA),
            "unknown_or_contested": LayerRule("contested", RUSSIA),
        },
        lambda props: str(props.get("snapshot_id")),
    ),
)

NZZ = control_importer(
    "nzz-territory",
    "NZZ/Liveuamap territory polygons (type nochange/gains/losses per window)",
    ('"_datefrom":', '"file_date":'),
    "file_date",
    layered_day(
        "nzz",
        "file_date",
        "type",
        {
            "nochange": LayerRule("held", RUSSIA),
            "gains": LayerRule("gain", RUSSIA),
            "losses": LayerRule("loss", RUSSIA),
        },
        lambda props: props.get("source_path"),
    ),
)

ISW = control_importer(
    "isw-control",
    "ISW control-of-terrain layers (layer_en per feature)",
    ('"layer_en":',),
    "date",
    layered_day(
        "isw",
        "date",
        "layer_en",
        {
            "assessed_russian_control": LayerRule("held", RUSSIA),
            "assessed_russian_advance": LayerRule("advance", RUSSIA),
            "russian_advance_or_claimed_merged": LayerRule("advance", RUSSIA),
            "claimed_russian_control": LayerRule("claimed", RUSSIA),
            "claimed_ukrainian_counteroffensive": LayerRule("claimed", UKRAINE),
            "reported_ukrainian_partisan_warfare": LayerRule("contested", UKRAINE),
        },
        lambda props: props.get("source_path"),
    ),
)
