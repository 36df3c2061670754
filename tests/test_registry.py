"""The one importer registry: built-in formats and third-party plugins alike.

A third-party package adds a format by declaring an entry point in the group
``ceasefire.importers``; here a tiny installed distribution (a ``.dist-info``
folder and a module on ``sys.path``, what ``pip install`` leaves behind) is
found and used by ``ceasefire import``.
"""

from __future__ import annotations

import sqlite3
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ceasefire.cli import cli
from ceasefire.io import registry
from ceasefire.io.base import Importer
from ceasefire.io.registry import (
    BUILT_IN,
    UnknownFormat,
    detection_order,
    importer_for,
    importers,
    names,
)

DATA = Path(__file__).parent / "data"

PLUGIN = '''
"""A third party's format: pipe-separated sightings (test plugin)."""
from ceasefire.io.base import Importer, stable_id, parse_date, parse_float
from ceasefire.model.report import Report


def to_report(row):
    day = parse_date("day", row["day"])
    return Report.model_validate({
        "id": stable_id("sightings", row["sighting"], day),
        "source_report_id": row["sighting"],
        "source": {"type": "osint_item", "id": "sightings-club",
                   "reliability": "C", "credibility": 3},
        "observed": {"start": day.isoformat(), "precision": "day"},
        "reported_at": day.isoformat(),
        "location": {"lon": parse_float("lon", row["lon"], -180, 180),
                     "lat": parse_float("lat", row["lat"], -90, 90),
                     "precision_m": 1000.0},
        "event_type": "shelling",
        "narrative": row["note"],
    })


IMPORTER = Importer(
    "sightings",
    "Sightings club CSV (sighting, day, lon, lat, note)",
    frozenset({"sighting", "day", "lon", "lat", "note"}),
    to_report,
)
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An installed distribution ``sightings-plugin`` declaring one importer."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sightings_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = site / "sightings_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sightings-plugin\nVersion: 0.1\n",
        encoding="utf-8",
    )
    (info / "entry_points.txt").write_text(
        "[ceasefire.importers]\nsightings = sightings_plugin:IMPORTER\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    yield site
    sys.modules.pop("sightings_plugin", None)
    registry.refresh()


def test_a_third_party_importer_is_found_and_used_by_ceasefire_import(
    plugin: Path, tmp_path: Path
) -> None:
    sightings = tmp_path / "sightings.csv"
    sightings.write_text(
        textwrap.dedent("""\
            sighting,day,lon,lat,note
            s-1,2025-03-02,37.80,48.00,smoke over the ridge
            s-2,2025-03-03,37.81,48.01,two impacts
            s-3,2025-03-04,not-a-number,48.02,bad row
            """),
        encoding="utf-8",
    )
    assert "sightings" in names()  # listed without importing the plugin
    assert importer_for(sightings).name == "sightings"
    db = tmp_path / "m.db"
    result = CliRunner().invoke(
        cli, ["import", "--db", f"sqlite:///{db}", str(sightings)]
    )
    assert result.exit_code == 0, result.output
    assert "(sightings): read 3 = imported 2 + duplicates 0 + quarantined 1" in (
        result.output
    )
    with sqlite3.connect(db) as connection:
        points = connection.execute(
            "SELECT lon, lat, observed_start FROM reports ORDER BY lon"
        ).fetchall()
    assert [(lon, lat) for lon, lat, _ in points] == [(37.80, 48.00), (37.81, 48.01)]
    assert [start[:10] for _, _, start in points] == ["2025-03-02", "2025-03-03"]
    named = CliRunner().invoke(
        cli,
        ["import", "--db", f"sqlite:///{db}", "--format", "sightings", str(sightings)],
    )
    assert named.exit_code == 0, named.output
    assert "imported 0 + duplicates 2 + quarantined 1" in named.output


def test_a_plugin_cannot_take_a_built_in_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    info = site / "rogue-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rogue\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[ceasefire.importers]\nucdp = rogue:IMPORTER\n"
    )
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    try:
        with pytest.warns(UserWarning, match="'ucdp' .*rogue:IMPORTER.* ignored"):
            found = registry.importer("ucdp")
        assert found.description.startswith("UCDP GED")
    finally:
        registry.refresh()


def test_every_built_in_importer_is_registered_under_its_own_name() -> None:
    found = importers()
    assert sorted(found) == sorted(BUILT_IN) == names()
    for name, importer in found.items():
        assert isinstance(importer, Importer)
        assert importer.name == name


def test_an_unknown_format_name_suggests_the_nearest() -> None:
    with pytest.raises(UnknownFormat) as caught:
        registry.importer("ucpd")
    assert caught.value.suggestion is not None and "ucdp" in caught.value.suggestion


# Committed samples → the format each was written in (tests/data/intake/README.md,
# tests/data/kobo: the form's exports), not by asking the registry.
SAMPLES = {
    "intake/20220301001500.export.CSV": "gdelt",
    "intake/acled_ukraine_synthetic.csv": "acled",
    "intake/acled_ukraine_2019_layout_synthetic.csv": "acled",
    "intake/hxl_incidents_synthetic.csv": "hxl",
    "kobo/monitor-report_kobo.csv": "kobo",
    "kobo/monitor-report_kobo.json": "kobo",
    "kobo/monitor-report_odk.csv": "kobo",
}


@pytest.mark.parametrize(("sample", "expected"), sorted(SAMPLES.items()))
def test_committed_samples_are_detected_as_their_format(
    sample: str, expected: str
) -> None:
    assert importer_for(DATA / sample).name == expected


def test_detection_order_is_stated_not_import_order() -> None:
    order = [(i.priority, i.name) for i in detection_order()]
    assert order == sorted(order, key=lambda pair: (-pair[0], pair[1]))
    first = {i.name for i in detection_order() if i.priority > 0}
    # formats whose files a generic format also recognises are asked first
    assert {"bellingcat-timemap", "deepstate-daily", "deepstate-archive"} <= first
    assert {"geojson", "bellingcat"}.isdisjoint(first)


def test_the_more_specific_format_wins_where_two_recognise_a_file() -> None:
    daily = (
        Path(__file__).parent.parent / "examples/geometry/occupied-2025-08-15.geojson"
    )
    detecting = [i.name for i in detection_order() if i.detect_file(daily)]
    assert detecting == ["deepstate-daily", "geojson"]
    assert importer_for(daily).name == "deepstate-daily"
