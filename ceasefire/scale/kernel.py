"""One Arrow batch in, verdicts or sweep counts out: the code every engine runs.

The embedded loop and Spark's ``mapInArrow`` both call these functions on
batches of the dataset (``ceasefire.scale.dataset``), so the two engines
cannot disagree: a verdict depends only on its own row and the agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import orjson
import pyarrow as pa

from ceasefire.compliance import logic
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.compliance.facts import Facts, facts_from_reports
from ceasefire.compliance.spatial import SpatialCache
from ceasefire.model.verdict import LogHead

VERDICT_SCHEMA = pa.schema(
    [
        ("incident", pa.string()),
        ("clause", pa.string()),
        ("verdict", pa.string()),
        ("standard_met", pa.bool_()),
        ("party", pa.string()),
        ("agreement_id", pa.string()),
        ("agreement_version", pa.string()),
        ("verdict_json", pa.string()),
        ("month", pa.string()),
    ]
)
"""One row per verdict; ``verdict_json`` is the JSONL contract of ``evaluate``."""

COUNT_SCHEMA = pa.schema(
    [
        ("variant", pa.string()),
        ("clause", pa.string()),
        ("month", pa.string()),
        ("breach", pa.int64()),
        ("breach_established", pa.int64()),
        ("undetermined", pa.int64()),
    ]
)
"""A sweep's table: per agreement variant, clause and month."""

OUTCOMES = {logic.TRUE: "breach", logic.UNKNOWN: "undetermined"}
KERNEL_COLUMNS = ("id", "state", "joint", "report", "month")
"""What the kernel reads of a dataset batch."""


def facts_of(batch: pa.RecordBatch) -> tuple[Facts, list[str]]:
    """The batch's reports as facts (one incident each) and each row's month."""
    ids = batch.column("id").to_pylist()
    bodies = [orjson.loads(text) for text in batch.column("report").to_pylist()]
    states = dict(zip(ids, batch.column("state").to_pylist(), strict=True))
    joint = dict(zip(ids, batch.column("joint").to_pylist(), strict=True))
    months = batch.column("month").to_pylist()
    return facts_from_reports(bodies, states, joint), months


def verdict_batch(
    evaluator: Evaluator, batch: pa.RecordBatch, head: LogHead | None
) -> pa.RecordBatch:
    """Every verdict of the batch's reports, with reasons and text."""
    facts, months = facts_of(batch)
    month_of = dict(zip(facts.incident, months, strict=True))
    cache = SpatialCache(evaluator.measures, facts)
    table = evaluator.evaluate(facts, cache=cache)
    rows = [v.to_dict() for v in evaluator.verdicts(facts, table, head, cache=cache)]
    columns = {
        "incident": [r["incident"] for r in rows],
        "clause": [r["clause"] for r in rows],
        "verdict": [r["verdict"] for r in rows],
        "standard_met": [bool(r["standard_met"]) for r in rows],
        "party": [r.get("party") for r in rows],
        "agreement_id": [r["agreement_id"] for r in rows],
        "agreement_version": [r["agreement_version"] for r in rows],
        "verdict_json": [orjson.dumps(r).decode() for r in rows],
        "month": [month_of[r["incident"]] for r in rows],
    }
    return pa.RecordBatch.from_pydict(columns, schema=VERDICT_SCHEMA)


def count_batch(
    variants: Sequence[tuple[str, Evaluator]], batch: pa.RecordBatch
) -> pa.RecordBatch:
    """Breaches and undetermined verdicts per variant, clause and month."""
    facts, months = facts_of(batch)
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for name, evaluator in variants:
        table = evaluator.evaluate(facts)
        clause_ids = [c.id for c in evaluator.clauses]
        for clause, row, truth, met in zip(
            table.clause, table.row, table.truth, table.standard_met, strict=True
        ):
            outcome = OUTCOMES.get(int(truth))
            if outcome is None:
                continue
            key = (name, clause_ids[clause], months[row])
            counts[(*key, outcome)] += 1
            if outcome == "breach" and met:
                counts[(*key, "breach_established")] += 1
    return _count_rows(counts)


def _count_rows(counts: Counter[tuple[str, str, str, str]]) -> pa.RecordBatch:
    keys = sorted({k[:3] for k in counts})
    columns: dict[str, list[object]] = {name: [] for name in COUNT_SCHEMA.names}
    for variant, clause, month in keys:
        columns["variant"].append(variant)
        columns["clause"].append(clause)
        columns["month"].append(month)
        for outcome in ("breach", "breach_established", "undetermined"):
            columns[outcome].append(counts[(variant, clause, month, outcome)])
    return pa.RecordBatch.from_pydict(columns, schema=COUNT_SCHEMA)


def merge_counts(
    tables: Sequence[pa.RecordBatch | pa.Table],
) -> list[dict[str, object]]:
    """Partial count tables summed into one, sorted by variant, clause, month."""
    total: Counter[tuple[str, str, str, str]] = Counter()
    for table in tables:
        for row in table.to_pylist():
            key = (str(row["variant"]), str(row["clause"]), str(row["month"]))
            for outcome in ("breach", "breach_established", "undetermined"):
                total[(*key, outcome)] += int(row[outcome])
    rows: list[dict[str, object]] = _count_rows(total).to_pylist()
    return rows
