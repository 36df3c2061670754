"""Kiel Institute "Ukraine Support Tracker" CSVs as ledger rows (issue 15).

Two files of the tracker website's ``data/`` folder are read (Release 29,
data to 04/2026; see ``../shared/data/kiel-ukraine-support-tracker``):

- ``data_explorer.csv``, one row per donor and month: ``military``,
  ``financial`` and ``humanitarian`` allocations in **EUR billion** become
  one ``delivery`` each (stage ``allocated``, ``period`` = the month, scale
  1e9), zero cells none; ``to_be_allocated`` (committed, not yet allocated)
  becomes a ``pledged`` row of category ``other``. ``total`` is checked to be
  the sum of the three categories, and ``commitments`` to be ``total`` +
  ``to_be_allocated``; neither is imported itself, which would count the same
  euros twice.
- ``weapons.csv``, one row per donor and heavy-weapon category (cumulative,
  undated): ``number_of_weapons`` systems worth ``monetary_value_eur`` **EUR**
  (scale 1), stage ``allocated``. These euros are part of the military
  allocations above, so a summary must never add the two files together.

The monthly aggregate ``total_allocations.csv`` is what the published totals
are checked against; it is not imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from ceasefire.io.base import (
    Rejection,
    RowError,
    csv_header,
    csv_row_problem,
    csv_rows,
    readable,
)
from ceasefire.io.ledger import LedgerImporter, LedgerRow, checked, number
from ceasefire.model.tracker import DeliveryBody

DATASET = "kiel-ust"
EXPLORER = ("country", "iso", "year", "month", "total", "financial", "humanitarian",
            "military", "commitments", "to_be_allocated")  # fmt: skip
WEAPONS = ("donor", "category", "number_of_weapons", "monetary_value_eur")
CATEGORIES = ("military", "financial", "humanitarian")
TOLERANCE = 1e-5
"""EUR bn: the file rounds to 1e-6, so sums may differ by a few units of that."""


def month_of(raw: dict[str, str]) -> str:
    """The row's month as YYYY-MM, or a RowError naming year or month."""
    year, month = raw["year"].strip(), raw["month"].strip()
    if not (year.isdigit() and len(year) == 4):
        raise RowError("year", year, "not a year; expected YYYY")
    if not (month.isdigit() and 1 <= int(month) <= 12):
        raise RowError("month", month, "not a month; expected 1 to 12")
    return f"{year}-{int(month):02d}"


def explorer_bodies(raw: dict[str, str], file: str, line: int) -> list[DeliveryBody]:
    """One donor-month: a delivery per non-zero category, plus what is pledged."""
    period = month_of(raw)
    values = {c: number(c, raw[c]) for c in (*CATEGORIES, "total", "to_be_allocated")}
    total = sum(values[c] for c in CATEGORIES)
    if abs(total - values["total"]) > TOLERANCE:
        raise RowError(
            "total", raw["total"], f"not military+financial+humanitarian = {total:.6f}"
        )
    committed = number("commitments", raw["commitments"])
    if abs(values["total"] + values["to_be_allocated"] - committed) > TOLERANCE:
        raise RowError("commitments", raw["commitments"], "not total + to_be_allocated")
    parts = [(c, c, "allocated") for c in CATEGORIES]
    parts.append(("to_be_allocated", "other", "pledged"))
    return [
        _body(raw, period, category, stage, values[column], file, line)
        for column, category, stage in parts
        if values[column] != 0
    ]


def _body(
    raw: dict[str, str], period: str, category: str, stage: str, value: float,
    file: str, line: int,
) -> DeliveryBody:  # fmt: skip
    item = "to be allocated" if stage == "pledged" else f"{category} aid"
    return DeliveryBody.model_validate(
        {
            "partner": raw["country"], "partner_code": raw["iso"] or None,
            "category": category, "item": item, "value": value, "currency": "EUR",
            "scale": 1e9, "stage": stage, "period": period,
            "source": {"dataset": DATASET, "file": file, "line": line},
        }
    )  # fmt: skip


def weapons_body(raw: dict[str, str], file: str, line: int) -> DeliveryBody:
    """One donor's heavy weapons of one category."""
    count = number("number_of_weapons", raw["number_of_weapons"])
    value = raw["monetary_value_eur"].strip()
    return DeliveryBody.model_validate(
        {
            "partner": raw["donor"], "category": "military",
            "item": raw["category"], "quantity": count, "unit": "systems",
            "value": number("monetary_value_eur", value) if value else None,
            "currency": "EUR", "stage": "allocated",
            "evidence": raw.get("weapons_list") or None,
            "source": {"dataset": DATASET, "file": file, "line": line},
        }
    )  # fmt: skip


def read(path: Path) -> Iterator[LedgerRow]:
    """Every row of a Kiel CSV: its deliveries, or a Rejection naming the column."""
    header = csv_header(path)
    explorer = set(EXPLORER) <= set(header)
    file = str(path)
    for line, raw in enumerate(csv_rows(path), start=2):
        problem = csv_row_problem(raw)
        if problem is not None:
            yield Rejection(file, line, *problem, readable(raw))
        elif explorer:
            yield from _explorer_rows(raw, file, line)
        else:
            yield checked(
                partial(weapons_body, raw, file, line),
                file,
                line,
                readable(raw),
            )


def _explorer_rows(raw: dict[str, str], file: str, line: int) -> Iterator[LedgerRow]:
    try:
        yield from explorer_bodies(raw, file, line)
    except RowError as exc:
        yield Rejection(file, line, exc.column, exc.value, exc.reason, readable(raw))


def detect_file(path: Path) -> bool:
    """A Kiel data_explorer.csv or weapons.csv, by its header."""
    if path.suffix not in {".csv", ".gz"}:
        return False
    try:
        header = set(csv_header(path))
    except (OSError, UnicodeDecodeError):
        return False
    return set(EXPLORER) <= header or set(WEAPONS) <= header


IMPORTER = LedgerImporter(
    "kiel",
    "Kiel Institute Ukraine Support Tracker CSV (data_explorer.csv, weapons.csv)",
    detect_file,
    read,
)
