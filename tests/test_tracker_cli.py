"""The tracker's commands and API routes as a user runs them, on real data."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import EXAMPLES, SHARED_DATA, shared_data

from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.tracker import demo

ALASKA = str(EXAMPLES / "alaska-terms.yaml")


def ceasefire(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ceasefire", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    shared_data("kiel-ukraine-support-tracker/data_explorer.csv")
    path = tmp_path_factory.mktemp("tracker-cli") / "t.db"
    with SQLiteStore(path) as store:
        demo.build(Log(store), SHARED_DATA, EXAMPLES)
    return f"sqlite:///{path}"


def test_deliveries_summary_json_totals_by_partner_and_category(db: str) -> None:
    done = ceasefire("deliveries", "summary", "--db", db, "--format", "json")
    assert done.returncode == 0, done.stderr
    groups = json.loads(done.stdout)
    allocated = next(
        g
        for g in groups
        if g["basis"] == "kiel-ust:data_explorer.csv" and g["stage"] == "allocated"
    )
    by_donor: dict[str, float] = defaultdict(float)
    with shared_data("kiel-ukraine-support-tracker/data_explorer.csv").open(
        newline=""
    ) as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        by_donor[row["country"]] += float(row["total"])
    assert allocated["unit"] == "EUR billion"
    assert allocated["by_category"]["military"] == pytest.approx(
        sum(float(r["military"]) for r in rows), abs=1e-6
    )
    assert allocated["by_partner"] == pytest.approx(dict(by_donor), abs=1e-6)
    iati = next(
        g
        for g in groups
        if g["basis"].startswith("iati:") and g["stage"] == "Incoming Funds"
    )
    assert (iati["kind"], iati["total"], iati["unit"]) == (
        "disbursement",
        1000.0,
        "EUR",
    )


def test_indicators_json_has_series_with_gaps_as_null(db: str) -> None:
    done = ceasefire(
        "indicators",
        "--agreement",
        ALASKA,
        "--db",
        db,
        "--format",
        "json",
        "--as-of",
        "2026-05-01",
    )
    assert done.returncode == 0, done.stderr
    series = json.loads(done.stdout)
    assert all({"indicator", "unit", "points"} <= set(s) for s in series)
    assert all(set(p) == {"period_start", "value"} for s in series for p in s["points"])
    rate = next(s for s in series if s["indicator"] == "interception-rate")
    assert rate["unit"] == "%" and rate["points"][0]["period_start"] == "2025-09-01"
    values = [p["value"] for p in rate["points"]]
    assert values[-4:] == [None, None, None, None]  # after the file ends (2026-04-05)
    assert None not in values[:-4] and 0 not in values
    generators = next(s for s in series if s["indicator"] == "generator-capacity")
    assert {p["value"] for p in generators["points"]} == {
        None
    }  # nothing reported: gaps, not zeros


def test_commitment_status_is_the_same_for_the_same_as_of(db: str) -> None:
    args = (
        "commitments",
        "status",
        "--agreement",
        ALASKA,
        "--db",
        db,
        "--format",
        "json",
        "--as-of",
        "2025-11-20",
    )
    first, second = ceasefire(*args), ceasefire(*args)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)
    steps = {s["step"]: s for s in json.loads(first.stdout)["steps"]}
    assert (steps["freeze-verified"]["status"], steps["freeze-verified"]["score"]) == (
        "partly_met",
        2,
    )
    assert steps["ru-pullback-complete"]["status"] == "disputed"


def test_implementation_report_editions(db: str, tmp_path: Path) -> None:
    public, restricted, pdf = (
        tmp_path / "p.html",
        tmp_path / "r.html",
        tmp_path / "p.pdf",
    )
    for edition, out in (
        ("public", public),
        ("restricted", restricted),
        ("public", pdf),
    ):
        done = ceasefire(
            "report",
            "implementation",
            "--agreement",
            ALASKA,
            "--db",
            db,
            "--as-of",
            "2025-11-20",
            "--edition",
            edition,
            "-o",
            str(out),
        )
        assert done.returncode == 0, done.stderr
    text, secret = public.read_text(), restricted.read_text()
    for html in (text, secret):
        assert "Implementation report 2025-W47" in html and 'class="gantt"' in html
        assert "air-defence-delivery" in html and "slipped" in html
    assert (
        "hypothetical example" in secret and "hypothetical example" not in text
    )  # sources
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        assert (tmp_path / "page.png").stat().st_size > 10_000


def test_api_routes(db: str) -> None:
    import httpx
    from api_support import serve

    q = {"as_of": "2025-11-20T00:00:00+02:00"}
    trusted = {"Authorization": "Bearer m-token"}
    with serve(db, [EXAMPLES / "alaska-terms.yaml"], {"m-token": "monitor"}) as base:
        with httpx.Client(base_url=base, timeout=120) as http:
            series = http.get("/api/tracker/alaska-terms/indicators", params=q).json()
            rate = next(s for s in series if s["indicator"] == "interception-rate")
            assert rate["points"][0]["period_start"] == "2025-09-01"
            public = http.get("/api/tracker/alaska-terms/commitments", params=q).json()
            known = http.get(
                "/api/tracker/alaska-terms/commitments", params=q, headers=trusted
            ).json()
            step = next(s for s in public["steps"] if s["step"] == "freeze-verified")
            assert step["evidence"] == 1  # the public sees how many, not which entries
            step = next(s for s in known["steps"] if s["step"] == "freeze-verified")
            assert len(step["evidence"]) == 1
            coverage = http.get("/api/tracker/alaska-terms/coverage", params=q).json()
            cities = {f["properties"]["city"] for f in coverage["features"]}
            assert cities == {"Kyiv", "Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia"}
            restricted = {**q, "edition": "restricted"}
            assert (
                http.get(
                    "/api/tracker/alaska-terms/report", params=restricted
                ).status_code
                == 403
            )
            ok = http.get(
                "/api/tracker/alaska-terms/report", params=restricted, headers=trusted
            )
            assert ok.status_code == 200 and "Restricted edition" in ok.text
            assert http.get("/api/tracker/nope/indicators").status_code == 404


def test_amended_timeline_moves_deadlines_and_the_diff_shows_it(tmp_path: Path) -> None:
    (tmp_path / "geometry").symlink_to(EXAMPLES / "geometry")
    text = (EXAMPLES / "alaska-terms.yaml").read_text(encoding="utf-8")
    old_eif = "entry_into_force: 2025-09-01T00:00:00+03:00"
    assert old_eif in text
    amended = tmp_path / "alaska-amended.yaml"
    amended.write_text(
        text.replace(old_eif, "entry_into_force: 2025-09-11T00:00:00+03:00"),
        encoding="utf-8",
    )
    done = ceasefire("commitments", "diff", ALASKA, str(amended), "--format", "json")
    assert done.returncode == 0, done.stderr
    moved = {m["step"]: m["shift_days"] for m in json.loads(done.stdout)}
    assert (
        moved["air-defence-delivery/tranche-1"] == 10
        and moved["settle-foreign-troops"] == 10
    )
    assert "budget-support" in moved
