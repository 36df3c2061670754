"""OGC API – Features (issue 17): the mission as layers for QGIS and GDAL.

Expected counts and places come from the committed report files themselves
(tests/data/reports), never from the API. GDAL's OAPIF driver (Debian's
gdal-bin) reads the real server as an analyst's desktop would; those tests
are marked ``browser`` (a system tool, provisioned by
scripts/provision-browser.sh) and skip without ``ogrinfo`` unless
CEASEFIRE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ceasefire.model.redaction import PUBLIC_GRID_DEG
from tests.api_support import (
    BY_ROLE,
    all_pages,
    build_mission,
    client,
    serve,
    source_reports,
)

BOX = (37.525, 48.025, 38.275, 48.575)
"""A box whose edges lie a quarter cell inside public cells: every cell it
touches has its centre inside it, so GDAL's own check of the returned
points keeps every feature the server sends. The public's whole cells hold
89 reports, the exact box 80 (from the files)."""
OPEN_SOURCES = {"media", "osint_item"}


def verdict(
    report: dict[str, Any], clause: str, outcome: str, met: bool
) -> dict[str, Any]:
    return {
        "incident": report["id"], "source_id": report["source"]["id"],
        "clause": clause, "verdict": outcome, "standard_met": met,
        "party": report["attribution"]["party"], "reasons": [], "text": "t",
        "agreement_id": "minsk-ii", "agreement_version": "2015-02-12",
        "log_head": None, "observed_at": report["observed"]["start"],
        "lon": report["location"]["lon"], "lat": report["location"]["lat"],
    }  # fmt: skip


def patrols() -> list[dict[str, Any]]:
    return [r for r in source_reports() if r["source"]["type"] == "monitor_patrol"]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from ceasefire.store import open_store

    url = build_mission(tmp_path_factory.mktemp("ogc") / "mission.db")
    first, second, third = patrols()
    with open_store(url) as store:
        store.save_verdicts(
            [
                verdict(first, "ceasefire", "breach", True),  # established
                verdict(second, "ceasefire", "breach", False),  # not established
                verdict(third, "ceasefire", "undetermined", False),
            ]
        )
    with serve(url) as served:
        DB_URLS[served] = url
        yield served


DB_URLS: dict[str, str] = {}
"""The store behind each served base URL."""


def on_public_cell_centre(value: float) -> bool:
    """Whether ``value`` is the centre of a cell of the policy's public grid."""
    fraction = (value / PUBLIC_GRID_DEG) % 1
    return math.isclose(fraction, 0.5, abs_tol=1e-6)


def expected_in_box(box: tuple[float, float, float, float], public: bool) -> set[str]:
    """Report ids a bbox query must return, from the files: for the public, whole cells."""
    g = PUBLIC_GRID_DEG
    found = set()
    for report in source_reports():
        lon, lat = report["location"]["lon"], report["location"]["lat"]
        if public:  # the cell the point is in lies among the cells the box touches
            inside = math.floor(box[0] / g) <= math.floor(lon / g) <= math.floor(
                box[2] / g
            ) and math.floor(box[1] / g) <= math.floor(lat / g) <= math.floor(
                box[3] / g
            )
        else:
            inside = box[0] <= lon <= box[2] and box[1] <= lat <= box[3]
        if inside:
            found.add(report["id"])
    return found


def all_features(
    base_url: str, role: str | None, path: str, **params: Any
) -> list[dict[str, Any]]:
    """Every feature of an items query, following its 'next' links."""
    features: list[dict[str, Any]] = []
    with client(base_url, role) as http:
        response = http.get(path, params=params)
        while True:
            assert response.status_code == 200, response.text
            page = response.json()
            assert page["numberReturned"] == len(page["features"])
            features += page["features"]
            following = [
                link["href"] for link in page["links"] if link["rel"] == "next"
            ]
            if not following:
                return features
            response = http.get(following[0])


# ------------------------------------------------------------------ the API itself


def test_landing_conformance_and_collections(base_url: str) -> None:
    with client(base_url) as http:
        landing = http.get("/ogc").json()
        rels = {link["rel"] for link in landing["links"]}
        conformance = http.get("/ogc/conformance").json()["conformsTo"]
        listed = http.get("/ogc/collections").json()["collections"]
        unknown = http.get("/ogc/collections/nope")
    assert {"self", "conformance", "data", "service-desc"} <= rels
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    )
    assert [c["id"] for c in listed] == [
        "incidents",
        "reports",
        "verdicts-minsk-ii",
        "agreement-minsk-ii",
    ]
    assert unknown.status_code == 404


def test_report_extent_is_the_files_bounds_in_whole_public_cells(base_url: str) -> None:
    reports = source_reports()
    lons = [r["location"]["lon"] for r in reports]
    lats = [r["location"]["lat"] for r in reports]
    starts = [datetime.fromisoformat(r["observed"]["start"]) for r in reports]
    with client(base_url, "analyst") as http:
        staff = http.get("/ogc/collections/reports").json()["extent"]
    with client(base_url) as http:
        public = http.get("/ogc/collections/reports").json()["extent"]
    assert staff["spatial"]["bbox"] == [[min(lons), min(lats), max(lons), max(lats)]]
    interval = staff["temporal"]["interval"][0]
    assert [datetime.fromisoformat(t) for t in interval] == [min(starts), max(starts)]
    g = PUBLIC_GRID_DEG
    edges = [
        math.floor(min(lons) / g) * g, math.floor(min(lats) / g) * g,
        (math.floor(max(lons) / g) + 1) * g, (math.floor(max(lats) / g) + 1) * g,
    ]  # fmt: skip
    assert public["spatial"]["bbox"][0] == pytest.approx(edges, abs=1e-9)


@pytest.mark.parametrize(
    "window",
    [
        "2015-03-01T00:00:00Z/..",
        "../2015-02-01T00:00:00+02:00",
        "2015-02-15T00:00:00Z/2015-03-05T10:15:00Z",
        "2015-03-05T10:15:00Z",
    ],
)
def test_datetime_filter_matches_the_files(base_url: str, window: str) -> None:
    start, _, end = window.partition("/") if "/" in window else (window, "", window)
    low = None if start == ".." else datetime.fromisoformat(start)
    high = None if end == ".." else datetime.fromisoformat(end)
    expected = {
        r["id"]
        for r in source_reports()
        if (low is None or datetime.fromisoformat(r["observed"]["start"]) >= low)
        and (high is None or datetime.fromisoformat(r["observed"]["start"]) <= high)
    }
    got = all_features(
        base_url, "analyst", "/ogc/collections/reports/items", datetime=window, limit=7
    )
    assert expected, "the window should hold reports"
    assert [f["id"] for f in got] == sorted(
        expected, key=[r["id"] for r in source_reports()].index
    )


def test_bad_parameters_are_400_naming_them(base_url: str) -> None:
    with client(base_url) as http:
        naive = http.get(
            "/ogc/collections/reports/items", params={"datetime": "2015-03-05"}
        )
        box = http.get("/ogc/collections/reports/items", params={"bbox": "1,2,3"})
    assert naive.status_code == 400 and naive.json()["error"]["field"] == "datetime"
    assert box.status_code == 400 and box.json()["error"]["value"] == "1,2,3"


def test_public_items_and_item_are_redacted(base_url: str) -> None:
    patrol = patrols()[0]
    features = all_features(base_url, None, "/ogc/collections/reports/items", limit=50)
    with client(base_url) as http:
        one = http.get(f"/ogc/collections/reports/items/{patrol['id']}").json()
        missing = http.get("/ogc/collections/reports/items/NOPE")
    assert len(features) == len(source_reports())
    for feature in [*features, one]:
        lon, lat = feature["geometry"]["coordinates"]
        assert on_public_cell_centre(lon) and on_public_cell_centre(lat)
        assert feature["properties"]["narrative"] is None
        assert feature["properties"]["place"] is None
    assert one["properties"]["source_id"] == "withheld"  # a monitor patrol
    assert missing.status_code == 404


def test_verdicts_public_sees_established_breaches_in_cells(base_url: str) -> None:
    first = patrols()[0]
    path = "/ogc/collections/verdicts-minsk-ii/items"
    public = all_features(base_url, None, path)
    staff = all_features(base_url, "guarantor", path)
    assert [f["properties"]["incident"] for f in public] == [first["id"]]
    assert public[0]["properties"]["source_id"] is None
    assert all(on_public_cell_centre(c) for c in public[0]["geometry"]["coordinates"])
    assert len(staff) == 3
    exact = next(f for f in staff if f["properties"]["incident"] == first["id"])
    assert exact["geometry"]["coordinates"] == [
        first["location"]["lon"],
        first["location"]["lat"],
    ]


def test_agreement_geometries_collection(base_url: str) -> None:
    import yaml

    from tests.api_support import MINSK

    document = yaml.safe_load(MINSK.read_text(encoding="utf-8"))
    features = all_features(
        base_url, None, "/ogc/collections/agreement-minsk-ii/items", limit=2
    )
    assert sorted(f["id"] for f in features) == sorted(
        g["id"] for g in document["geometries"]
    )
    kinds = {g["id"]: g["kind"] for g in document["geometries"]}
    assert all(f["properties"]["kind"] == kinds[f["id"]] for f in features)


# ------------------------------------------------------------------ GDAL


def require_gdal() -> None:
    """Skip without GDAL's command-line tools (fail under CEASEFIRE_REQUIRE_BROWSER=1)."""
    if shutil.which("ogrinfo") and shutil.which("ogr2ogr"):
        return
    reason = (
        "no ogrinfo/ogr2ogr (apt-get install gdal-bin; scripts/provision-browser.sh)"
    )
    if os.environ.get("CEASEFIRE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CEASEFIRE_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def gdal(*args: str, role: str | None = None) -> str:
    """Run a GDAL tool, as ``role`` (its bearer token in GDAL_HTTP_HEADERS); its stdout."""
    command = [args[0]]
    if role is not None:
        command += [
            "--config",
            "GDAL_HTTP_HEADERS",
            f"Authorization: Bearer {BY_ROLE[role]}",
        ]
    result = subprocess.run(
        [*command, *args[1:]], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.browser
def test_ogrinfo_lists_the_collections(base_url: str) -> None:
    require_gdal()
    listing = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{base_url}/ogc")
    assert "1: incidents (title: Incidents) (Point)" in listing
    assert "2: reports (title: Reports) (Point)" in listing
    assert "verdicts-minsk-ii" in listing and "agreement-minsk-ii" in listing


def copied(base_url: str, tmp_path: Path, role: str | None) -> list[dict[str, Any]]:
    """The reports in BOX, copied by ogr2ogr into a GeoPackage (5 a page), read back."""
    gpkg, out = tmp_path / "out.gpkg", tmp_path / "out.geojson"
    spat = [str(v) for v in BOX]
    gdal("ogr2ogr", "-f", "GPKG", str(gpkg), f"OAPIF:{base_url}/ogc", "reports",
         "-spat", *spat, "-oo", "PAGE_SIZE=5", role=role)  # fmt: skip
    gdal("ogr2ogr", "-f", "GeoJSON", str(out), str(gpkg))
    features: list[dict[str, Any]] = json.loads(out.read_text())["features"]
    return features


@pytest.mark.browser
@pytest.mark.parametrize("role", [None, "analyst"])
def test_ogr2ogr_copies_as_many_as_the_api_serves(
    base_url: str, tmp_path: Path, role: str | None
) -> None:
    require_gdal()
    features = copied(base_url, tmp_path, role)
    api = all_features(
        base_url, role, "/ogc/collections/reports/items", bbox=",".join(map(str, BOX))
    )
    expected = expected_in_box(BOX, public=role is None)
    assert len(expected) == (89 if role is None else 80)  # the widening is seen
    assert len(features) == len(api) == len(expected)
    assert {f["properties"]["id"] for f in features} == expected
    by_id = {r["id"]: r for r in source_reports()}
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        report = by_id[feature["properties"]["id"]]
        if role is None:  # the public's copy: public-grid cells only
            assert on_public_cell_centre(lon) and on_public_cell_centre(lat), (lon, lat)
            assert math.floor(lon / PUBLIC_GRID_DEG) == math.floor(
                report["location"]["lon"] / PUBLIC_GRID_DEG
            )
            if report["source"]["type"] not in OPEN_SOURCES:
                assert feature["properties"]["source_id"] == "withheld"
        else:  # the token reached the server: exact places
            assert (lon, lat) == (report["location"]["lon"], report["location"]["lat"])


@pytest.mark.browser
@pytest.mark.parametrize("role", [None, "analyst"])
def test_ogr2ogr_copies_factfindings_incidents(
    base_url: str, tmp_path: Path, role: str | None
) -> None:
    require_gdal()
    from ceasefire.factfinding.incidents import incidents_of
    from ceasefire.store import open_store

    gpkg, out = tmp_path / "incidents.gpkg", tmp_path / "incidents.geojson"
    gdal("ogr2ogr", "-f", "GPKG", str(gpkg), f"OAPIF:{base_url}/ogc", "incidents",
         "-oo", "PAGE_SIZE=25", role=role)  # fmt: skip
    gdal("ogr2ogr", "-f", "GeoJSON", str(out), str(gpkg))
    copied = json.loads(out.read_text())["features"]
    with client(base_url, role) as http:
        api = all_pages(http, "/api/incidents", limit=50)
    with open_store(DB_URLS[base_url]) as store:
        expected = {i.id: i for i in incidents_of(store)}
    # 123 reports, one pair joined by fact-finding (a patrol's shelling and UCDP)
    assert len(copied) == len(api) == len(expected) == len(source_reports()) - 1
    assert {f["properties"]["id"] for f in copied} == set(expected)
    located = {r["id"]: r["location"] for r in source_reports()}
    for feature in copied:
        incident = expected[feature["properties"]["id"]]
        assert feature["properties"]["n_sources"] == incident.independent_sources
        assert feature["properties"]["reports"] == ",".join(incident.report_ids)
        place = min(
            (located[r] for r in incident.report_ids), key=lambda p: p["precision_m"]
        )
        lon, lat = feature["geometry"]["coordinates"]
        if role is None:  # the public's copy: public-grid cells only
            assert on_public_cell_centre(lon) and on_public_cell_centre(lat), (lon, lat)
            assert math.floor(lon / PUBLIC_GRID_DEG) == math.floor(
                place["lon"] / PUBLIC_GRID_DEG
            )
        else:
            assert (lon, lat) == (place["lon"], place["lat"])
    joined = [f for f in copied if f["properties"]["n_sources"] == 2]
    assert [f["properties"]["score"] for f in joined] == [
        pytest.approx(1 - (1 - 0.9 * 0.8) * (1 - 0.75 * 0.8))
    ]


@pytest.mark.browser
def test_gdal_reads_the_demo_mission(tmp_path: Path) -> None:
    """`ceasefire demo` (its committed-slice fallback): every collection, verdict counts."""
    require_gdal()
    from ceasefire.demo import build_demo, demo_inputs

    inputs = demo_inputs(tmp_path / "no-shared-data")
    assert inputs.fallback
    built = build_demo(tmp_path / "demo", inputs, lambda *_: None)
    guarantor = next(t for t, role in built.tokens.items() if role == "guarantor")
    with serve(built.url, inputs.agreements, built.tokens) as base:
        listing = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{base}/ogc")
        names = [
            line.split(": ", 1)[1].split(" ")[0]
            for line in listing.splitlines()
            if re.match(r"\d+: ", line)
        ]
        counts = {}
        for who, header in (("public", None), ("guarantor", guarantor)):
            gpkg = tmp_path / f"{who}.gpkg"
            command = ["ogr2ogr"]
            if header:
                command += [
                    "--config",
                    "GDAL_HTTP_HEADERS",
                    f"Authorization: Bearer {header}",
                ]
            run = subprocess.run(
                [*command, "-f", "GPKG", str(gpkg), f"OAPIF:{base}/ogc", "verdicts-minsk-ii"],
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            assert run.returncode == 0, run.stderr
            info = gdal("ogrinfo", "-ro", "-so", "-al", str(gpkg))
            counts[who] = int(re.search(r"Feature Count: (\d+)", info)[1])  # type: ignore[index]
        api = {
            who: len(
                httpx.get(
                    f"{base}/api/verdicts",
                    params={"agreement": "minsk-ii", "limit": 10_000},
                    headers={"Authorization": f"Bearer {token}"} if token else {},
                ).json()["items"]
            )
            for who, token in (("public", None), ("guarantor", guarantor))
        }
    ids = sorted(yaml_id(p) for p in inputs.agreements)
    assert names == ["incidents", "reports"] + [
        f"{kind}-{i}" for i in ids for kind in ("verdicts", "agreement")
    ]
    assert counts == api
    assert counts["guarantor"] == built.counts["verdicts minsk-ii"] > 0


def yaml_id(path: Path) -> str:
    import yaml

    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["id"])
