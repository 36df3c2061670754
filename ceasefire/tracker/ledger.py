"""The deliveries and disbursements ledger: import into the log, summarise.

Totals are kept per *basis* — the source dataset and file — and per stage,
in the source's own currency and scale: Kiel's monthly allocations (EUR
billion) and its heavy-weapons list (EUR) describe the same euros twice, so
adding them would double count; a pledge is not an allocation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ceasefire.io.base import Rejection
from ceasefire.io.ledger import LedgerBody, LedgerImporter, LedgerRow
from ceasefire.log.service import Draft, Log
from ceasefire.model.entries import Kind
from ceasefire.model.tracker import DeliveryBody, DisbursementBody
from ceasefire.store.base import Store
from ceasefire.tracker.entries import append_new, draft, read

DELIVERIES = "ledger:delivery"
DISBURSEMENTS = "ledger:disbursement"


def _moment(body: LedgerBody) -> datetime | None:
    if isinstance(body, DisbursementBody):
        return datetime(body.on.year, body.on.month, body.on.day, tzinfo=UTC)
    if body.period:
        year, month = body.period.split("-")
        return datetime(int(year), int(month), 1, tzinfo=UTC)
    return None


def ledger_draft(body: LedgerBody, actor: str | None = None) -> Draft:
    """A ledger body as a draft with a stable id (file name, line, category, stage)."""
    name = Path(body.source.file).name
    if isinstance(body, DeliveryBody):
        key = f"{body.source.dataset}|{name}|{body.source.line}|{body.category}|{body.stage}"
        return draft(body, DELIVERIES, key, _moment(body), actor)
    key = f"{body.source.dataset}|{name}|{body.source.line}|{body.activity}|{body.transaction_type}"
    return draft(body, DISBURSEMENTS, key, _moment(body), actor)


def import_ledger(
    log: Log, importer: LedgerImporter, path: Path, actor: str | None = None,
    on_rejection: Callable[[Rejection], None] | None = None,
) -> tuple[int, int, list[Rejection]]:  # fmt: skip
    """Import a file: (rows read, entries appended, rejections)."""
    rows: list[LedgerRow] = list(importer.read(path))
    rejected = [r for r in rows if isinstance(r, Rejection)]
    bodies = [r for r in rows if not isinstance(r, Rejection)]
    for rejection in rejected:
        if on_rejection is not None:
            on_rejection(rejection)
    appended = append_new(log, [ledger_draft(b, actor) for b in bodies])
    return len(rows), appended, rejected


def deliveries(store: Store) -> list[DeliveryBody]:
    """Every delivery in the log, in log order."""
    return [body for _, body in read(store, DELIVERIES, Kind.DELIVERY, DeliveryBody)]


def disbursements(store: Store) -> list[DisbursementBody]:
    """Every disbursement in the log, in log order."""
    return [
        body
        for _, body in read(store, DISBURSEMENTS, Kind.DISBURSEMENT, DisbursementBody)
    ]


def _basis(body: LedgerBody) -> str:
    return f"{body.source.dataset}:{Path(body.source.file).name}"


def _unit(currency: str | None, scale: float) -> str:
    names = {1.0: "", 1e3: " thousand", 1e6: " million", 1e9: " billion"}
    return f"{currency or 'units'}{names.get(scale, f' x{scale:g}')}"


def summary(store: Store) -> list[dict[str, Any]]:
    """Totals by partner and by category, per basis, stage and unit."""
    groups: dict[
        tuple[str, str, str, str], list[tuple[str, str, float, float | None]]
    ] = defaultdict(list)
    for d in deliveries(store):
        key: tuple[str, str, str, str] = (
            "delivery",
            _basis(d),
            d.stage,
            _unit(d.currency, d.scale),
        )
        groups[key].append((d.partner, d.category, d.value or 0.0, d.quantity))
    for b in disbursements(store):
        key = ("disbursement", _basis(b), b.transaction_name, _unit(b.currency, 1.0))
        groups[key].append((b.partner, b.category, b.value, None))
    return [_group(key, items) for key, items in sorted(groups.items())]


def _group(
    key: tuple[str, str, str, str],
    items: Iterable[tuple[str, str, float, float | None]],
) -> dict[str, Any]:
    kind, basis, stage, unit = key
    by_partner: dict[str, float] = defaultdict(float)
    by_category: dict[str, float] = defaultdict(float)
    quantity: dict[str, float] = defaultdict(float)
    rows = 0
    for partner, category, value, count in items:
        by_partner[partner] += value
        by_category[category] += value
        quantity[category] += count or 0.0
        rows += 1
    return {
        "kind": kind, "basis": basis, "stage": stage, "unit": unit, "entries": rows,
        "total": round(sum(by_partner.values()), 9),
        "by_category": {k: round(v, 9) for k, v in sorted(by_category.items())},
        "by_partner": {k: round(v, 9) for k, v in sorted(by_partner.items(), key=lambda kv: -kv[1])},
        "quantity_by_category": {k: v for k, v in sorted(quantity.items()) if v},
    }  # fmt: skip


def ledger_importer_for(path: Path, name: str | None = None) -> LedgerImporter:
    """The named ledger importer, or the one that recognises the file."""
    from ceasefire.errors import suggest
    from ceasefire.io.registry import UnknownFormat, ledger_importers

    LEDGER_IMPORTERS = ledger_importers()

    if name is not None:
        if name not in LEDGER_IMPORTERS:
            raise UnknownFormat(
                f"unknown ledger format {name!r}", value=name,
                expected="one of " + ", ".join(LEDGER_IMPORTERS),
                suggestion=suggest(name, LEDGER_IMPORTERS),
            )  # fmt: skip
        return LEDGER_IMPORTERS[name]
    for importer in LEDGER_IMPORTERS.values():
        if importer.detect_file(path):
            return importer
    raise UnknownFormat(
        f"{path}: not a ledger file this version reads", value=str(path),
        expected="; ".join(f"{i.name}: {i.description}" for i in LEDGER_IMPORTERS.values()),
    )  # fmt: skip
