"""DeepStateMap's daily occupied area (cyterat/deepstate-map-data) as observations.

Each feature is one day: the union of DeepState's "Occupied", ORDLO and Crimea
polygons, held by Russia. The day is the scrape date in ``date``; the source
file's path is kept as the observation's reference.
"""

from __future__ import annotations

from pathlib import Path

from ceasefire.control.observe import DayMap, Layer
from ceasefire.io.base import Rejection, RowError
from ceasefire.io.control_maps import (
    RUSSIA,
    Feature,
    control_importer,
    parse_day,
    polygons_of,
)

SOURCE = "deepstate"
LAYER = "occupied+ordlo+crimea"


def read_day(path: Path, group: list[Feature]) -> tuple[DayMap, list[Rejection]]:
    """The day's one feature as a map with a single held layer."""
    layers: list[Layer] = []
    rejected: list[Rejection] = []
    props: dict[str, str] = {}
    for number, feature in group:
        props = feature.get("properties") or {}
        try:
            day = parse_day(props, "date")
            layers.append(
                Layer("held", RUSSIA, LAYER, polygons_of(feature.get("geometry")))
            )
        except RowError as exc:
            raw = {k: str(v) for k, v in props.items()}
            rejected.append(
                Rejection(str(path), number, exc.column, exc.value, exc.reason, raw)
            )
    if not layers:
        return DayMap(
            SOURCE, parse_day({"date": "1970-01-01"}, "date"), path.name, None, []
        ), rejected
    return DayMap(SOURCE, day, path.name, props.get("source_file"), layers), rejected


IMPORTER = control_importer(
    "deepstate-daily",
    "DeepStateMap daily occupied area (one MultiPolygon per day, date + source_file)",
    ('"source_file":"data/deepstatemap_data_',),
    "date",
    read_day,
)
