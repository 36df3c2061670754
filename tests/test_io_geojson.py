"""GeoJSON FeatureCollections imported through a property-mapping file."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, shared_data

from ceasefire.cli import cli
from ceasefire.io import geojson
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.mapping import MappingError, load_mapping
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore

POINTS = "deepstate-history/deepstate_points_weekly.geojson.gz"
MAPPING = EXAMPLES / "mappings" / "deepstate-points.yaml"


def features(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        found: list[dict[str, Any]] = json.load(handle)["features"]
    return found


def expected_type(props: dict[str, str]) -> str | None:
    """The example mapping's rules, restated from its comments."""
    code, icon = props["code"], props["description"]
    if code.startswith("units."):
        return "troop_presence"
    if code == "status.attack_direction":
        return "ground_assault"
    if icon.startswith(("{icon=enemy}", "{icon=headquarter}")):
        return "troop_presence"
    if icon.startswith("{icon=arrow_") and icon.index("}") > 0:
        return "ground_assault"
    return None


def write_collection(path: Path, items: list[Any]) -> None:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": items}), encoding="utf-8"
    )


@pytest.mark.shared_data
def test_deepstate_points_import_with_honest_counts_and_reimport_nothing(
    tmp_path: Path,
) -> None:
    path = shared_data(POINTS)
    assert importer_for(path).name == "geojson"  # detected from the content
    source = features(path)
    wanted = [expected_type(f["properties"]) for f in source]
    events = Counter(t for t in wanted if t)
    not_events = sum(1 for t in wanted if t is None)
    importer = geojson.IMPORTER.with_mapping(load_mapping(MAPPING))
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        first = import_file(log, path, importer)
        assert first.read == len(source)
        assert first.imported == sum(events.values())
        assert (first.duplicates, first.quarantined) == (0, not_events)
        assert first.reconciles
        # map furniture (airfields, capitals, labels) is refused, not guessed
        assert all(r["column"] == "code" for r in quarantined(log)[:50])
        size = store.size()
        second = import_file(log, path, importer)
        assert second.imported == 0 and second.reconciles
        assert store.size() == size


@pytest.mark.shared_data
def test_deepstate_mapping_follows_the_features() -> None:
    path = shared_data(POINTS)
    source = features(path)
    importer = geojson.IMPORTER.with_mapping(load_mapping(MAPPING))
    rows = list(importer.read(path))
    assert len(rows) == len(source)
    for feature, row in zip(source[::211], rows[::211], strict=True):
        props = feature["properties"]
        kind = expected_type(props)
        if kind is None:
            assert isinstance(row, Rejection)
            continue
        assert isinstance(row, Report)
        assert row.event_type == kind
        lon, lat = feature["geometry"]["coordinates"][:2]
        assert (row.location.lon, row.location.lat) == (lon, lat)
        assert (
            row.observed.start.isoformat().replace("+00:00", "Z")
            == (props["snapshot_utc"])
        )
        assert row.narrative == props["name"]
        assert row.properties["code"] == props["code"]
        assert row.source.id == "deepstatemap"
        assert row.attribution is not None
        assert row.attribution.party == (
            "by" if props["code"] == "units.belarus" else "ru"
        )
        arrow = kind == "ground_assault"
        assert row.location.precision_m == (15_000 if arrow else 10_000)


def test_broken_features_are_quarantined_naming_the_property(tmp_path: Path) -> None:
    def point(lon: Any, lat: Any, **props: Any) -> dict[str, Any]:
        base = {
            "snapshot_utc": "2024-02-18T10:00:00Z",
            "name": "unit",
            "code": "units.brigade",
            "description": "",
        }
        return {
            "type": "Feature",
            "properties": {**base, **props},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }

    polygon = point(0, 0)
    polygon["geometry"] = {
        "type": "Polygon",
        "coordinates": [
            [[37.0, 48.0], [37.2, 48.0], [37.2, 48.2], [37.0, 48.2], [37.0, 48.0]]
        ],
    }
    items: list[Any] = [
        point(37.6, 48.1),
        point(37.6, 48.1, code="airfield.saki"),
        point(37.6, 148.1),
        point(37.6, 48.1, snapshot_utc="18.02.2024"),
        {
            "type": "Feature",
            "properties": {"code": "units.x", "snapshot_utc": "2024-02-18T10:00:00Z"},
            "geometry": None,
        },
        polygon,
    ]
    path = tmp_path / "points.geojson"
    write_collection(path, items)
    importer = geojson.IMPORTER.with_mapping(load_mapping(MAPPING))
    rows = list(importer.read(path))
    assert [(r.row, r.column, r.value) for r in rows if isinstance(r, Rejection)] == [
        (2, "code", {"code": "airfield.saki", "description": ""}),
        (3, "geometry", 148.1),
        (4, "snapshot_utc", "18.02.2024"),
        (5, "geometry", None),
    ]
    area = rows[5]
    assert isinstance(area, Report)  # a polygon: its centre, a radius covering it
    assert 37.0 < area.location.lon < 37.2 and 48.0 < area.location.lat < 48.2
    # half the diagonal of 0.2° × 0.2° at 48° N: √(7.45² + 11.1²) ≈ 13.4 km
    assert 13_000 < area.location.precision_m < 13_800


def test_mapping_files_are_checked_when_loaded(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("dataset: x\nfields:\n  evnt_type: kind\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(bad)
    assert "evnt_type" in str(caught.value) and caught.value.suggestion == "event_type"
    bad.write_text("dataset: x\nfields:\n  location.radius: r\n", encoding="utf-8")
    with pytest.raises(MappingError, match="location has no field 'radius'"):
        load_mapping(bad)
    bad.write_text("dataset: x\nfeilds: {}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="unknown key 'feilds'"):
        load_mapping(bad)
    as_json = tmp_path / "map.json"
    as_json.write_text(
        json.dumps({"dataset": "x", "fields": {"event_type": {"value": "other"}}}),
        encoding="utf-8",
    )
    assert load_mapping(as_json).fields["event_type"][0].value == "other"


def test_cli_needs_a_mapping_for_geojson(tmp_path: Path) -> None:
    path = tmp_path / "points.geojson"
    write_collection(
        path,
        [
            {
                "type": "Feature",
                "properties": {
                    "snapshot_utc": "2024-02-18T10:00:00Z",
                    "name": "x",
                    "code": "units.army",
                    "description": "",
                },
                "geometry": {"type": "Point", "coordinates": [37.6, 48.1]},
            }
        ],
    )
    db = f"sqlite:///{tmp_path / 'log.db'}"
    runner = CliRunner()
    refused = runner.invoke(cli, ["import", "--db", db, str(path)])
    assert refused.exit_code != 0 and "--mapping" in refused.output
    done = runner.invoke(
        cli, ["import", "--db", db, str(path), "--mapping", str(MAPPING)]
    )
    assert done.exit_code == 0, done.output
    assert "read 1 = imported 1 + duplicates 0 + quarantined 0" in done.output
