"""Control maps are recognised from their content and bad features are quarantined."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire.control.observe import observations
from ceasefire.io.intake import import_file
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[37, 48], [37.1, 48], [37.1, 48.1], [37, 48.1], [37, 48]]],
}


def _write(path: Path, features: list[dict[str, object]], one_per_line: bool) -> Path:
    if one_per_line:
        body = ",\n".join(json.dumps(f, separators=(",", ":")) for f in features)
        path.write_text('{"type":"FeatureCollection","features":[\n' + body + "\n]}\n")
    else:
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(props: dict[str, object], geometry: object = SQUARE) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


@pytest.mark.parametrize(
    ("name", "props", "bad", "one_per_line", "source"),
    [
        ("deepstate-archive", {"snapshot_id": 1, "snapshot_utc": "x", "date": "2025-01-02",
                               "status": "occupied", "name": "Occupied"},
         {"status": "liberated"}, True, "deepstate-archive"),
        ("isw-control", {"date": "2023-08-24", "layer": "L", "source_path": "p",
                         "layer_en": "assessed_russian_control"},
         {"layer_en": "something_else"}, False, "isw"),
        ("nzz-territory", {"type": "nochange", "date": "2025-01-05", "_datefrom": "2025-01-01",
                           "_dateto": "2025-01-05", "view": "daily", "file_date": "2025-01-05",
                           "source_path": "p"},
         {"type": "unknown"}, True, "nzz"),
    ],
)  # fmt: skip
def test_detected_imported_and_bad_layer_quarantined(
    tmp_path: Path,
    name: str,
    props: dict[str, object],
    bad: dict[str, object],
    one_per_line: bool,
    source: str,
) -> None:
    path = _write(
        tmp_path / "map.geojson",
        [_feature(props), _feature(props | bad), _feature(props, None)],
        one_per_line,
    )
    importer = importer_for(path)
    assert importer.name == name
    with SQLiteStore(tmp_path / "m.db") as store:
        summary = import_file(Log(store), path, importer)
        assert (summary.read, summary.imported, summary.quarantined) == (3, 1, 2)
        assert summary.reconciles
        reasons = {r.column for r in summary.first_rejections}
        assert reasons == {next(f"properties.{k}" for k in bad), "geometry"}
        (observation,) = observations(store, source)
        assert str(observation.observed_on) == props.get("file_date", props["date"])
        assert len(observation.layers[0].polygons) == 1
        again = import_file(Log(store), path, importer)
        assert (again.imported, again.duplicates) == (0, 1)
