"""The deliveries ledger on real data: Kiel reconciles, IATI imports and round-trips."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

from ceasefire.io import iati, kiel
from ceasefire.io.base import Rejection
from ceasefire.log.service import Log
from ceasefire.model.tracker import DisbursementBody
from ceasefire.store.base import Store
from ceasefire.tracker import ledger
from tests.conftest import shared_data

KIEL = "kiel-ukraine-support-tracker"
IATI = "iati-standard-examples"
PUBLISHED = {
    "total": 358.4,
    "military": 173.0,
    "financial": 159.7,
    "humanitarian": 25.7,
}
"""Kiel Release 29 headline totals, EUR bn (the issue; SOURCE.md: 358.40 / 172.99 / 159.68 / 25.72)."""


def _plain_sums(path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """By category and by donor, with csv + sum only (not the importer)."""
    by_category: dict[str, float] = defaultdict(float)
    by_donor: dict[str, float] = defaultdict(float)
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            for column in ("total", "military", "financial", "humanitarian"):
                by_category[column] += float(row[column])
            by_donor[row["country"]] += float(row["total"])
    return by_category, by_donor


def test_kiel_file_sums_are_the_published_totals() -> None:
    by_category, _ = _plain_sums(shared_data(f"{KIEL}/data_explorer.csv"))
    monthly: dict[str, float] = defaultdict(float)
    with shared_data(f"{KIEL}/total_allocations.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            for column in (
                "total_allocations",
                "military",
                "financial",
                "humanitarian",
            ):
                monthly[column.replace("_allocations", "")] += float(row[column])
    for column, published in PUBLISHED.items():
        assert round(by_category[column], 1) == published
        assert by_category[column] == pytest.approx(monthly[column], abs=1e-6)


def test_kiel_import_reconciles_by_donor_and_category(store: Store) -> None:
    path = shared_data(f"{KIEL}/data_explorer.csv")
    by_category, by_donor = _plain_sums(path)
    read, appended, rejected = ledger.import_ledger(Log(store), kiel.IMPORTER, path)
    assert (read, rejected) == (appended, [])
    rows = ledger.summary(store)
    allocated = next(g for g in rows if g["stage"] == "allocated")
    assert allocated["unit"] == "EUR billion"
    assert allocated["total"] == pytest.approx(by_category["total"], abs=1e-6)
    assert round(allocated["total"], 1) == PUBLISHED["total"]
    for category in ("military", "financial", "humanitarian"):
        assert allocated["by_category"][category] == pytest.approx(
            by_category[category], abs=1e-6
        )
        assert round(allocated["by_category"][category], 1) == PUBLISHED[category]
    assert len(by_donor) == 42 == len(allocated["by_partner"])
    for donor, total in by_donor.items():
        assert allocated["by_partner"][donor] == pytest.approx(total, abs=1e-6)
    assert allocated["by_partner"]["United States"] == pytest.approx(115.38, abs=0.005)
    # pledges (commitments - allocations) are kept apart: 547.98 - 358.40
    pledged = next(g for g in rows if g["stage"] == "pledged")
    assert pledged["total"] == pytest.approx(547.98 - 358.40, abs=0.01)


def test_kiel_import_twice_adds_nothing(store: Store) -> None:
    path = shared_data(f"{KIEL}/weapons.csv")
    log = Log(store)
    first = ledger.import_ledger(log, kiel.IMPORTER, path)[1]
    assert first == 61
    assert ledger.import_ledger(log, kiel.IMPORTER, path)[1] == 0
    with path.open(newline="") as handle:
        systems = sum(float(r["number_of_weapons"]) for r in csv.DictReader(handle))
    weapons = next(
        g for g in ledger.summary(store) if g["basis"].endswith("weapons.csv")
    )
    assert weapons["quantity_by_category"]["military"] == systems
    assert weapons["unit"] == "EUR"  # never added to the EUR-billion allocations


def test_kiel_bad_row_is_rejected_naming_the_column(tmp_path: Path) -> None:
    bad = tmp_path / "data_explorer.csv"
    source = shared_data(f"{KIEL}/data_explorer.csv").read_text().splitlines()
    bad.write_text(
        "\n".join([source[0], source[1].replace(",0.002645,0,", ",0.5,0,", 1)]) + "\n"
    )
    (row,) = list(kiel.read(bad))
    assert isinstance(row, Rejection)
    assert (row.row, row.column) == (2, "total")
    assert "military+financial+humanitarian" in row.reason


def test_iati_examples_validate_against_the_shipped_xsd() -> None:
    folder = Path(iati.__file__).parent.parent / "schema" / "iati"
    for name, xsd in (
        ("activity-standard-example-annotated.xml", "iati-activities-schema.xsd"),
        (
            "organisation-standard-example-annotated.xml",
            "iati-organisations-schema.xsd",
        ),
    ):
        schema = etree.XMLSchema(etree.parse(str(folder / xsd)))
        assert schema.validate(etree.parse(str(shared_data(f"{IATI}/{name}"))))


def test_iati_transaction_appears_as_a_disbursement(store: Store) -> None:
    path = shared_data(f"{IATI}/activity-standard-example-annotated.xml")
    read, appended, rejected = ledger.import_ledger(Log(store), iati.IMPORTER, path)
    assert (read, appended, rejected) == (3, 3, [])
    found = ledger.disbursements(store)
    # the example's one <transaction> (line 265): type 1, EUR 1000 on 2012-01-01
    (tx,) = [b for b in found if b.transaction_type != "planned"]
    assert (tx.activity, tx.transaction_name, tx.value, tx.currency) == (
        "AA-AAA-123456789-ABC123", "Incoming Funds", 1000.0, "EUR")  # fmt: skip
    assert (tx.on.isoformat(), tx.partner, tx.receiver) == (
        "2012-01-01",
        "Agency B",
        "Agency A",
    )
    assert tx.recipient_countries == ["TM"] and tx.humanitarian
    planned = [b for b in found if b.transaction_type == "planned"]
    assert [p.value for p in planned] == [3000.0, 3000.0]


def _comparable(body: DisbursementBody) -> dict[str, object]:
    return body.model_dump(exclude={"source"})


def test_iati_activity_round_trips(tmp_path: Path, store: Store) -> None:
    path = shared_data(f"{IATI}/activity-standard-example-annotated.xml")
    ledger.import_ledger(Log(store), iati.IMPORTER, path)
    logged = ledger.disbursements(store)
    written = tmp_path / "export.xml"
    written.write_bytes(iati.to_xml(logged, "2026-01-01T00:00:00Z"))
    again = [
        r for r in iati.read(written) if isinstance(r, DisbursementBody)
    ]  # validates
    assert [_comparable(b) for b in again] == [_comparable(b) for b in logged]


def test_iati_organisation_file_imports_and_round_trips_through_the_log(
    store: Store,
) -> None:
    path = shared_data(f"{IATI}/organisation-standard-example-annotated.xml")
    rows = [r for r in iati.read(path) if isinstance(r, DisbursementBody)]
    assert [(r.transaction_type, r.value, r.currency) for r in rows] == [
        ("total-budget", 250_000_000.0, "USD"),
        ("recipient-org-budget", 2_500_000.0, "USD"),
        ("recipient-region-budget", 25_000_000.0, "USD"),
        ("recipient-country-budget", 25_000_000.0, "USD"),
        ("total-expenditure", 250_000_000.0, "USD"),
    ]
    ledger.import_ledger(Log(store), iati.IMPORTER, path)
    assert ledger.disbursements(store) == rows


def test_iati_invalid_file_is_refused_with_its_line(tmp_path: Path) -> None:
    text = shared_data(f"{IATI}/activity-standard-example-annotated.xml").read_text()
    broken = tmp_path / "broken.xml"
    broken.write_text(
        text.replace('<transaction-type code="1" />', "<transaction-kind/>")
    )
    with pytest.raises(iati.InvalidIati, match=r"line \d+"):
        list(iati.read(broken))
