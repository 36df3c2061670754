"""Ledger importers: files of deliveries and disbursements, not incident reports.

A ledger importer turns every row of a file into a typed ledger body
(``DeliveryBody`` or ``DisbursementBody``, see ``ceasefire/model/tracker.py``)
or a ``Rejection`` naming file, row, column, value and what was expected —
the same contract as the report importers, so nothing is dropped silently.

``ledger-csv`` is the plain template for partners who publish nothing else:
one delivery per row, columns with HXL tags in row 2 (``#org``, ``#sector``,
``#item``, ``#value``, ``#currency``, ``#date``, ``#loc+name``) as in
``docs/tracker.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ceasefire.io.base import Rejection, RowError, csv_row_problem, csv_rows, readable
from ceasefire.model.tracker import DeliveryBody, DisbursementBody

LedgerBody = DeliveryBody | DisbursementBody
LedgerRow = LedgerBody | Rejection


@dataclass(frozen=True)
class LedgerImporter:
    """A named ledger format: how to recognise a file and read it."""

    name: str
    description: str
    detect_file: Callable[[Path], bool]
    read: Callable[[Path], Iterator[LedgerRow]]


def checked(
    convert: Callable[[], LedgerBody], file: str, line: int, raw: dict[str, Any]
) -> LedgerRow:
    """``convert()``, or a Rejection naming the column at fault."""
    try:
        return convert()
    except RowError as exc:
        return Rejection(file, line, exc.column, exc.value, exc.reason, raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        column = ".".join(str(part) for part in first["loc"])
        return Rejection(file, line, column, first.get("input"), first["msg"], raw)


def number(column: str, value: str) -> float:
    """A decimal number, or a RowError naming the column."""
    try:
        return float(value)
    except ValueError:
        raise RowError(column, value, "not a number; expected e.g. 12.5") from None


def day(column: str, value: str) -> date:
    """A YYYY-MM-DD date, or a RowError naming the column."""
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise RowError(column, value, "not a date; expected YYYY-MM-DD") from None


TEMPLATE_COLUMNS = (
    "partner", "category", "item", "quantity", "unit", "value", "currency",
    "stage", "date", "destination", "evidence",
)  # fmt: skip
TEMPLATE_TAGS = (
    "#org+donor", "#sector", "#item+name", "#item+num", "#item+unit", "#value",
    "#currency", "#status", "#date", "#loc+name", "#meta+evidence",
)  # fmt: skip


def template_body(raw: dict[str, str], file: str, line: int) -> DeliveryBody:
    """One row of the plain CSV template as a delivery."""
    quantity = raw.get("quantity", "").strip()
    value = raw.get("value", "").strip()
    return DeliveryBody.model_validate(
        {
            "partner": raw["partner"],
            "category": raw["category"],
            "item": raw.get("item") or None,
            "quantity": number("quantity", quantity) if quantity else None,
            "unit": raw.get("unit") or None,
            "value": number("value", value) if value else None,
            "currency": raw.get("currency") or None,
            "stage": raw["stage"],
            "on": day("date", raw["date"]) if raw.get("date") else None,
            "destination": raw.get("destination") or None,
            "evidence": raw.get("evidence") or None,
            "source": {"dataset": "ledger-csv", "file": file, "line": line},
        }
    )


def read_template(path: Path) -> Iterator[LedgerRow]:
    """Every row of a template CSV (the HXL row 2 is skipped, not an error)."""
    for number_, raw in enumerate(csv_rows(path), start=2):
        if number_ == 2 and raw.get("partner", "").startswith("#"):
            continue
        problem = csv_row_problem(raw)
        if problem is not None:
            yield Rejection(str(path), number_, *problem, readable(raw))
            continue
        yield checked(
            partial(template_body, raw, str(path), number_),
            str(path),
            number_,
            readable(raw),
        )


def is_template(path: Path) -> bool:
    """A CSV whose header starts with the template's columns."""
    from ceasefire.io.base import csv_header

    if path.suffix not in {".csv", ".gz"}:
        return False
    try:
        return tuple(csv_header(path)[:3]) == TEMPLATE_COLUMNS[:3]
    except (OSError, UnicodeDecodeError):
        return False


TEMPLATE = LedgerImporter(
    "ledger-csv",
    "Plain deliveries CSV template with HXL tags (partner, category, item, value, …)",
    is_template,
    read_template,
)
