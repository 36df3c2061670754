"""``ceasefire sweep`` and ``ceasefire evaluate --input``: engines beyond one process."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import orjson

from ceasefire.cli.log import err

ENGINES = ("embedded", "spark")


def engine_options(command: Any) -> Any:
    """``--engine`` and ``--master``, shared by evaluate and sweep."""
    command = click.option(
        "--master", default="local[2]", show_default=True,
        help="Spark master URL (with --engine spark): local[N], spark://…, yarn, k8s://….",
    )(command)  # fmt: skip
    return click.option(
        "--engine", type=click.Choice(ENGINES), default="embedded", show_default=True,
        help="Where to run: this process, or Apache Spark (pip install \"ceasefire[spark]\").",
    )(command)  # fmt: skip


def _evaluators(paths: Sequence[Path]) -> list[tuple[str, Any]]:
    from ceasefire.cli.agreement import load_or_exit
    from ceasefire.compliance.evaluate import Evaluator

    found = []
    for path in paths:
        evaluator = Evaluator(load_or_exit(path))
        found.append((f"{path.stem}@{evaluator.version}", evaluator))
    names = [name for name, _ in found]
    if len(set(names)) != len(names):
        raise click.BadParameter(
            f"two variants share a file name and version: {names}; rename one file",
            param_hint="--agreement",
        )
    return found


def _spark(master: str) -> Any:
    from ceasefire.scale.spark import SparkMissing, session

    try:
        return session(master)
    except SparkMissing as exc:
        raise click.ClickException(str(exc)) from exc


def evaluate_dataset(
    agreement: Path, dataset: Path, out: Path | None, engine: str, master: str
) -> None:
    """The ``evaluate --input`` path: verdicts of a GeoParquet dataset to ``out``."""
    from ceasefire.scale import embedded, spark
    from ceasefire.scale.dataset import DatasetError

    if out is None:
        raise click.UsageError("with --input, give -o DIR for the verdicts (Parquet)")
    (_, evaluator), *_ = _evaluators([agreement])
    try:
        if engine == "spark":
            counts = dict(spark.evaluate_spark(_spark(master), evaluator, dataset, out))
        else:
            with err.status("evaluating") as status:
                counts = dict(
                    embedded.evaluate_dataset(
                        evaluator, dataset, out,
                        progress=lambda n: status.update(f"evaluated {n:,} reports"),
                    )
                )  # fmt: skip
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    shown = ", ".join(f"{counts.get(k, 0):,} {k}" for k in ("breach", "undetermined"))
    err.print(f"{engine}: {shown}; verdicts in {out}", markup=False)


@click.command(name="sweep")
@click.option(
    "--agreement", "agreements", multiple=True, required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An agreement variant (repeat for each).",
)  # fmt: skip
@click.option(
    "--input", "dataset", required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A GeoParquet dataset written by `ceasefire export --partition month`.",
)  # fmt: skip
@engine_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path))
def sweep_command(
    agreements: tuple[Path, ...],
    dataset: Path,
    engine: str,
    master: str,
    fmt: str,
    out: Path | None,
) -> None:
    """Evaluate many agreement variants over one dataset in a single scan.

    Prints breaches (all, and those meeting the evidence standard) and
    undetermined verdicts per variant, clause and month: which wording would
    have been breached least ambiguously on the record? Both engines give
    the same table.

    \b
    Example:
      ceasefire export --db sqlite:///mission.db --partition month -o record/
      ceasefire sweep --agreement minsk-ii.yaml --agreement minsk-band-15km.yaml --input record/
      ceasefire sweep --agreement a.yaml --agreement b.yaml --input record/ --engine spark --master local[2]
    """
    from ceasefire.scale import embedded, spark
    from ceasefire.scale.dataset import DatasetError

    variants = _evaluators(agreements)
    try:
        if engine == "spark":
            rows = spark.sweep_spark(_spark(master), variants, dataset)
        else:
            rows = embedded.sweep_dataset(variants, dataset)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    _write_table(rows, fmt, out)
    err.print(f"{len(variants)} variants, {len(rows):,} rows", markup=False)


def _write_table(rows: list[dict[str, object]], fmt: str, out: Path | None) -> None:
    handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if fmt == "json":
            handle.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
            return
        names = [
            "variant",
            "clause",
            "month",
            "breach",
            "breach_established",
            "undetermined",
        ]
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if out:
            handle.close()


def input_options(command: Any) -> Any:
    """``--input DIR`` and ``-o DIR`` for a command that also reads a dataset."""
    command = click.option(
        "-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path),
        help="With --input: where the result goes (Parquet, partitioned by month).",
    )(command)  # fmt: skip
    return click.option(
        "--input", "dataset", type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Read a GeoParquet dataset (`ceasefire export --partition month`)"
        " instead of the store.",
    )(command)  # fmt: skip


def cluster_dataset(
    dataset: Path, out: Path | None, params: Any, engine: str, master: str
) -> None:
    """The ``incidents cluster --input`` path: one row per report and its incident."""
    from ceasefire.scale import embedded, spark
    from ceasefire.scale.dataset import DatasetError

    if out is None:
        raise click.UsageError("with --input, give -o DIR for the incidents (Parquet)")
    try:
        if engine == "spark":
            counts = spark.cluster_spark(_spark(master), dataset, out, params)
        else:
            with err.status("clustering…"):
                counts = embedded.cluster_dataset(dataset, out, params)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    err.print(
        f"{engine}: {counts['reports']:,} reports → {counts['incidents']:,} incidents;"
        f" written to {out}",
        markup=False,
    )
