"""The API's incidents on real data: CIR's and Bellingcat's 2022 events.

The API must serve fact-finding's incidents exactly (``incidents_of`` over the
same log, at the scale of the clustering run logged), and a multi-source
incident must reach the map with its source count and score. The pair checked
by hand (tests/test_factfinding_realdata.py, docs/factfinding.md): CIR's and
Bellingcat's records of the strike on Hotel Ingul, Mykolaiv, 20 April 2022.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from conftest import shared_data

from ceasefire.factfinding.corroboration import CREDIBILITY, RELIABILITY
from ceasefire.factfinding.incidents import (
    CLUSTERING,
    Incident,
    clustering_draft,
    incidents_of,
    read_log,
)
from ceasefire.io import bellingcat, cir
from ceasefire.log.service import Draft, Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore
from tests.api_support import client, serve
from tests.test_factfinding_realdata import BELLINGCAT, CIR, DAY_SCALE

pytestmark = pytest.mark.shared_data
INGUL = ("cir-UW6384", "bellingcat-02be7eee67a6cfe9")


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, store URL): CIR 2022 and Bellingcat 2022, clustered at a day."""
    db = tmp_path_factory.mktemp("cbapi") / "cb.db"
    log = Log(SQLiteStore(db))
    log.append_reports(
        r for r in cir.IMPORTER.read(shared_data(CIR)) if isinstance(r, Report)
    )
    log.append_reports(
        r
        for r in bellingcat.IMPORTER.read(shared_data(BELLINGCAT))
        if isinstance(r, Report) and r.observed.start.year == 2022
    )
    found = incidents_of(log.store, DAY_SCALE)
    body = clustering_draft(DAY_SCALE, found, "analyst:test")
    log.append([Draft(CLUSTERING, orjson.dumps(body), actor="analyst:test")])
    log.store.close()
    url = f"sqlite:///{db}"
    with serve(url) as base:
        yield base, url


def expected(url: str) -> tuple[list[Incident], dict[str, dict[str, Any]]]:
    with SQLiteStore(url.removeprefix("sqlite:///")) as store:
        return incidents_of(store), read_log(store).by_id


def test_the_map_serves_factfindings_incidents(mission: tuple[str, str]) -> None:
    base, url = mission
    incidents, bodies = expected(url)
    with client(base, "analyst") as http:
        columns = http.get("/api/map/incidents").json()
    assert columns["truncated"] is False
    by_id = {i.id: i for i in incidents}
    assert sorted(columns["ids"]) == sorted(by_id)
    assert columns["n_sources"] == [
        by_id[r].independent_sources for r in columns["ids"]
    ]
    several = sum(n > 1 for n in columns["n_sources"])
    assert 450 <= several <= 620  # as fact-finding measured (docs/factfinding.md)
    # the Hotel Ingul strike: CIR and Bellingcat, two independent sources
    source_ids = {b["source_report_id"]: ref for ref, b in bodies.items()}
    ingul = next(i for i in incidents if source_ids[INGUL[0]] in i.report_ids)
    assert source_ids[INGUL[1]] in ingul.report_ids
    at = columns["ids"].index(ingul.id)
    assert columns["n_sources"][at] == 2
    weights = [
        RELIABILITY[b["source"]["reliability"]]
        * CREDIBILITY[b["source"]["credibility"]]
        for b in (bodies[source_ids[s]] for s in INGUL)
    ]
    assert columns["score"][at] == pytest.approx(
        1 - (1 - weights[0]) * (1 - weights[1]), abs=1e-3
    )


def test_an_incident_page_by_either_report(mission: tuple[str, str]) -> None:
    base, url = mission
    incidents, bodies = expected(url)
    source_ids = {b["source_report_id"]: ref for ref, b in bodies.items()}
    pages = []
    with client(base, None) as http:
        for source in INGUL:
            response = http.get(f"/api/incidents/{source_ids[source]}")
            assert response.status_code == 200, response.text
            pages.append(response.json())
    assert pages[0] == pages[1]
    assert pages[0]["incident"]["n_sources"] == 2
    assert sorted(r["id"] for r in pages[0]["reports"]) == sorted(
        source_ids[s] for s in INGUL
    )
