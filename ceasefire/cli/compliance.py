"""``ceasefire evaluate`` and ``ceasefire replay``: verdicts for every incident."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
import orjson
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ceasefire.agreement.load import load
from ceasefire.cli.log import check_store, db_option, err, fail
from ceasefire.cli.scale import engine_options, evaluate_dataset
from ceasefire.compliance import output
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.compliance.run import (
    diff,
    evaluate_store,
    load_facts,
    load_incident_facts,
)
from ceasefire.errors import AgreementError, DetailedError
from ceasefire.store import StoreError, open_store

SAVE_BATCH = 20_000


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("clauses"), console=err, transient=True,
        disable=not err.is_terminal,
    )  # fmt: skip


def _load(path: Path) -> Evaluator:
    try:
        return Evaluator(load(path))
    except AgreementError as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        sys.exit(1)


@contextmanager
def _sink(path: Path | None, binary: bool) -> Iterator[IO[Any]]:
    if path is None:
        yield sys.stdout.buffer if binary else sys.stdout
        return
    with path.open("wb" if binary else "w", encoding=None if binary else "utf-8") as f:
        yield f


@click.command(name="evaluate")
@click.option(
    "--agreement",
    "agreement_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The agreement YAML to evaluate.",
)
@db_option
@click.option("--since", help="Only incidents observed at or after this ISO time.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(output.FORMATS),
    default="jsonl",
    show_default=True,
)
@click.option(
    "-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)  # fmt: skip
@click.option(
    "--all", "include_all", is_flag=True,
    help="Also a no_breach line for every incident and clause that does not apply.",
)  # fmt: skip
@click.option(
    "--diff", "versions", nargs=2, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="OLD.yaml NEW.yaml", help="List verdicts that change between two versions.",
)  # fmt: skip
@click.option("--no-store", is_flag=True, help="Do not keep the verdicts in the store.")
@click.option(
    "--incidents", "grouped", is_flag=True,
    help="Judge fact-finding's incidents (reports grouped by space and time)"
    " instead of each report on its own.",
)  # fmt: skip
@click.option(
    "--input", "dataset", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Judge a GeoParquet dataset (`ceasefire export --partition month`) instead"
    " of the store; verdicts go to -o DIR as Parquet partitioned like the input.",
)  # fmt: skip
@engine_options
def evaluate_command(
    agreement_path: Path | None,
    db: str,
    since: str | None,
    fmt: str,
    out: Path | None,
    include_all: bool,
    versions: tuple[Path, Path] | None,
    no_store: bool,
    grouped: bool,
    dataset: Path | None,
    engine: str,
    master: str,
) -> None:
    """Judge every incident in the log against an agreement's clauses.

    Each verdict is breach, no_breach or undetermined (an incident whose
    place or time is too imprecise to tell), with standard_met (the clause's
    evidence standard), the bound party, structured reasons (predicate,
    measured value, threshold, unit) and one sentence. Verdicts are stored
    in the store's verdicts table, replacing that agreement version's earlier
    ones (with --since, only added or updated). Semantics: docs/compliance.md.

    With --incidents, fact-finding's incidents (reports grouped by space and
    time) are judged instead of single reports. With --diff, both versions
    are evaluated over the same reports and the verdicts that change are
    listed (JSON Lines); nothing is stored.

    \b
    Examples:
      ceasefire evaluate --agreement examples/alaska-terms.yaml --db sqlite:///mission.db
      ceasefire evaluate --agreement minsk-ii.yaml --db sqlite:///m.db --format geojson -o v.geojson
      ceasefire evaluate --diff terms-0.1.yaml terms-0.2.yaml --db sqlite:///mission.db
      ceasefire evaluate --agreement minsk-ii.yaml --input record/ --engine spark -o verdicts/
    """
    if dataset is not None or engine != "embedded":
        if dataset is None or agreement_path is None:
            raise click.UsageError(
                "--engine spark reads a dataset: give --agreement and --input DIR"
            )
        evaluate_dataset(agreement_path, dataset, out, engine, master)
        return
    if not versions and agreement_path is None:
        raise click.UsageError("give --agreement FILE (or --diff OLD NEW)")
    # a bad agreement is reported before a missing store
    evaluator = None if versions or agreement_path is None else _load(agreement_path)
    check_store(db)
    try:
        store = open_store(db)
    except StoreError as exc:
        fail(DetailedError(str(exc)))
        return
    with store:
        if versions:
            _diff(versions, store, since, out, grouped)
            return
        assert evaluator is not None  # loaded above when not diffing
        with _progress() as progress:
            task = progress.add_task("evaluating", total=len(evaluator.clauses))
            facts = (load_incident_facts if grouped else load_facts)(store, since)
            run = evaluate_store(
                evaluator, store, facts=facts, include_all=include_all,
                progress=lambda _: progress.advance(task),
            )  # fmt: skip
        if not no_store and since is None:
            store.delete_verdicts(evaluator.id, evaluator.version)
        pending: list[dict[str, Any]] = []

        def kept(verdicts: Iterator[Any]) -> Iterator[Any]:
            for verdict in verdicts:
                if not no_store:
                    pending.append(verdict.to_dict())
                    if len(pending) >= SAVE_BATCH:
                        store.save_verdicts(pending)
                        pending.clear()
                yield verdict

        with _sink(out, binary=fmt != "csv") as sink:
            writer = {
                "jsonl": output.write_jsonl,
                "csv": output.write_csv,
                "geojson": output.write_geojson,
            }[fmt]
            writer(kept(run.verdicts()), sink)  # type: ignore[operator]
        if pending:
            store.save_verdicts(pending)
    counts = run.table.counts()
    err.print(
        f"{len(run.facts):,} incidents × {len(evaluator.clauses)} clauses"
        f" (log size {run.head.tree_size:,}): {counts['breach']:,} breach,"
        f" {counts['undetermined']:,} undetermined"
        + (f", {counts['no_breach']:,} no_breach" if include_all else ""),
        markup=False,
    )


def _diff(
    versions: tuple[Path, Path],
    store: Any,
    since: str | None,
    out: Path | None,
    grouped: bool,
) -> None:
    old, new = (_load(path) for path in versions)
    facts = (load_incident_facts if grouped else load_facts)(store, since)
    changes = diff(
        evaluate_store(old, store, facts=facts), evaluate_store(new, store, facts=facts)
    )
    with _sink(out, binary=True) as sink:
        for change in changes:
            sink.write(orjson.dumps(change.to_dict()) + b"\n")
    err.print(
        f"{len(changes):,} verdicts change from {old.version} to {new.version}",
        markup=False,
    )


@click.command(name="replay")
@click.option(
    "--agreement", "agreement_path", default="examples/minsk-ii.yaml",
    show_default=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
)  # fmt: skip
@click.option(
    "--data", "data", multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Event files to import (any `ceasefire import` format)."
    " Default: UCDP GED Ukraine 2014–22 in ../shared/data.",
)  # fmt: skip
@click.option(
    "--out", "out_dir", default="out/replay", show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for verdicts.jsonl, map.png, chart.png and tables.md.",
)  # fmt: skip
@click.option(
    "--db", default=None,
    help="Store to import into (default: a temporary SQLite file, deleted after).",
)  # fmt: skip
def replay_command(
    agreement_path: Path, data: tuple[Path, ...], out_dir: Path, db: str | None
) -> None:
    """Replay an agreement against a war's recorded events.

    Imports the events with the ordinary importers into a fresh store,
    evaluates every clause, prints breaches and undetermined verdicts by
    clause, year and oblast, and writes a map and a chart.

    \b
    Example:
      ceasefire replay --agreement examples/minsk-ii.yaml --out out/minsk-replay
    """
    from ceasefire.compliance import replay as replaying

    files = list(data) or [replaying.default_data()]
    for path in files:
        if not path.exists():
            raise click.BadParameter(
                f"{path} not found; pass --data FILE", param_hint="--data"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        url = db or f"sqlite:///{Path(scratch) / 'replay.db'}"
        with err.status("replaying") as status:
            result = replaying.replay(
                agreement_path, files, url, progress=lambda m: status.update(m)
            )
    with (out_dir / "verdicts.jsonl").open("wb") as handle:
        output.write_jsonl(result.verdicts, handle)
    tables = replaying.table_rows(result)
    text = []
    for title, lines in tables:
        text += [f"### {title}", "", *lines, ""]
    (out_dir / "tables.md").write_text("\n".join(text), encoding="utf-8")
    replaying.draw_map(result, out_dir / "map.png")
    replaying.draw_chart(result, out_dir / "chart.png")
    click.echo(
        f"{result.imported:,} events imported; {len(result.verdicts):,} verdicts"
    )
    click.echo("\n".join(text))
    click.echo(f"wrote {out_dir}/verdicts.jsonl, tables.md, map.png, chart.png")
