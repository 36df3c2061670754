"""``ceasefire log …`` and ``ceasefire evidence …``: the tamper-evident incident log."""

from __future__ import annotations

import json
import mimetypes
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import orjson
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from ceasefire.errors import DetailedError, suggest
from ceasefire.log import merkle
from ceasefire.log.heads import (
    SignedHead,
    countersign,
    generate_key,
    load_private_key,
    save_private_key,
)
from ceasefire.log.service import Log
from ceasefire.model.entries import Evidence, body_of
from ceasefire.model.report import Report, new_id
from ceasefire.schema import report_schema_text
from ceasefire.store import open_store

DEFAULT_DB = "sqlite:///ceasefire.db"
db_option = click.option(
    "--db",
    envvar="CEASEFIRE_DB",
    default=DEFAULT_DB,
    show_default=True,
    help="Store URL: sqlite:///FILE or postgresql://HOST/DB (or set CEASEFIRE_DB).",
)
output_option = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="OUT.html (self-contained) or OUT.pdf.",
)
"""The ``-o/--output`` of the commands that write a report document."""
err = Console(stderr=True, soft_wrap=True)  # messages are grep-able: never wrapped


CREATING_COMMANDS = "`ceasefire import`, `ceasefire log append` or `ceasefire demo`"


def check_store(db: str, *, create: bool = False) -> None:
    """Refuse a store URL naming a missing SQLite file, or say it is being created.

    Opening a missing file would make an empty store: a mistyped
    ``sqlite:///misson.db`` must not read as an empty, verified log. Only the
    commands that add to a log (``create``) may start one, and they say so.
    """
    path = _sqlite_file(db)
    if path is None or path.exists():
        return
    if create:
        err.print(f"creating {path} (a new store)", markup=False, highlight=False)
        return
    near = suggest(path.name, (p.name for p in path.parent.glob("*.db")))
    fail(
        DetailedError(
            f"no store at {path} (--db {db}): the file does not exist",
            value=db,
            expected=f"the URL of an existing store ({CREATING_COMMANDS} creates one)",
            suggestion=f"sqlite:///{path.with_name(near)}" if near else None,
        )
    )


def _sqlite_file(db: str) -> Path | None:
    """The file a ``sqlite:///`` URL names (None: another store, or in memory)."""
    if not db.startswith("sqlite:///"):
        return None
    name = db.removeprefix("sqlite:///")
    return Path(name) if name and name != ":memory:" else None


def open_log(db: str, *, create: bool = False) -> Log:
    """The log in the store at ``db`` (a missing file: see ``check_store``)."""
    check_store(db, create=create)
    return Log(open_store(db))


def fail(error: DetailedError) -> None:
    """Print a detailed error on stderr and exit 1."""
    text = error.message
    if error.expected:
        text += f"; expected {error.expected}"
    if error.suggestion:
        text += f"; did you mean {error.suggestion!r}?"
    err.print(f"error: {text}", style="bold red", markup=False, highlight=False)
    raise SystemExit(1)


@click.group(name="log")
def log_group() -> None:
    """Append to, sign, prove and verify the incident log.

    \b
    Example:
      ceasefire log append --db sqlite:///mission.db reports.jsonl
      ceasefire log verify --db sqlite:///mission.db
    """


def read_reports(path: Path, rejected: list[dict[str, Any]]) -> Iterator[Report]:
    """Valid reports of a JSON Lines file; bad lines go to ``rejected`` with reasons."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
                if isinstance(data, dict) and "id" not in data:
                    data["id"] = new_id()
                yield Report.model_validate(data)
            except (orjson.JSONDecodeError, ValidationError) as exc:
                rejected.append(
                    {
                        "file": str(path),
                        "line": number,
                        "reason": _reason(exc),
                        "text": line.decode("utf-8", "replace").rstrip("\n"),
                    }
                )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']} (got {first.get('input')!r})"
    return f"not JSON: {exc}"


@log_group.command()
@db_option
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--by", "actor", help="Who is appending (recorded in each entry).")
def append(db: str, files: tuple[Path, ...], actor: str | None) -> None:
    """Append reports from JSON Lines files (one report per line).

    Lines that are not valid reports are not appended; they are written, with
    their line number and reason, to FILE.rejected.jsonl, and the command exits 1.

    \b
    Example:
      ceasefire log append --db sqlite:///mission.db patrol-2025-09-01.jsonl
    """
    log = open_log(db, create=True)
    total_rejected = 0
    for path in files:
        rejected: list[dict[str, Any]] = []
        with _progress() as progress:
            task = progress.add_task(path.name, total=None)
            count = 0
            batch: list[Report] = []
            for report in read_reports(path, rejected):
                batch.append(report)
                if len(batch) == 10_000:
                    count += log.append_reports(batch, actor)
                    batch = []
                    progress.update(task, completed=count)
            count += log.append_reports(batch, actor)
            progress.update(task, completed=count)
        click.echo(f"{path}: appended {count} reports; log size {log.store.size()}")
        if rejected:
            out = path.with_name(path.name + ".rejected.jsonl")
            out.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rejected))
            err.print(
                f"{path}: rejected {len(rejected)} lines, reasons in {out}",
                markup=False,
            )
            for item in rejected[:5]:
                err.print(
                    f"  {item['file']}:{item['line']}: {item['reason']}",
                    markup=False,
                    highlight=False,
                )
            total_rejected += len(rejected)
    sys.exit(1 if total_rejected else 0)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("entries"), TimeElapsedColumn(), console=err, transient=True,
        disable=not err.is_terminal,
    )  # fmt: skip


@log_group.command()
@db_option
@click.option(
    "--sign",
    "key_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Sign with this Ed25519 key (PEM) and keep the signed head.",
)
@click.option(
    "--signer",
    default="mission",
    show_default=True,
    help="Name recorded with the signature.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the (signed) head as JSON here.",
)
def head(db: str, key_path: Path | None, signer: str, output: Path | None) -> None:
    """Print the log's tree head: size and root hash; optionally sign it.

    Parties keep signed heads: any later head must be consistent with them.

    \b
    Examples:
      ceasefire log head --db sqlite:///mission.db
      ceasefire log head --sign mission.pem --signer mission -o head-0412.json
    """
    log = open_log(db)
    if key_path is not None:
        signed = log.sign(load_private_key(key_path), signer)
        text = signed.to_json()
        current = signed.head
    else:
        current = log.head()
        text = json.dumps(
            {
                "tree_size": current.tree_size,
                "root_hash": current.root_hash.hex(),
                "log_id": current.log_id,
                "timestamp": current.timestamp.isoformat(),
            },
            indent=2,
        )
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"size {current.tree_size}  root {current.root_hash.hex()}")


@log_group.command(name="countersign")
@click.argument(
    "head_file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--signer", required=True, help="The countersigning party, e.g. ua.")
def countersign_command(head_file: Path, key_path: Path, signer: str) -> None:
    """Add a party's signature to a signed head file (in place).

    \b
    Example:
      ceasefire log countersign head-0412.json --key ua.pem --signer ua
    """
    signed = SignedHead.from_json(head_file.read_text(encoding="utf-8"))
    updated = countersign(signed, load_private_key(key_path), signer)
    head_file.write_text(updated.to_json() + "\n", encoding="utf-8")
    click.echo(
        f"{head_file}: signed by {', '.join(s.signer for s in updated.signatures)}"
    )


@log_group.command()
@db_option
@click.argument("entry")
@click.option(
    "--size", type=int, help="Prove against the tree of this size (default: now)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the proof JSON here.",
)
@click.option(
    "--entry-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the entry's exact bytes here (for the standalone verifier).",
)
def prove(
    db: str, entry: str, size: int | None, output: Path | None, entry_out: Path | None
) -> None:
    """Prove that ENTRY (an id or a position) is in the log.

    The proof checks with only the head and the entry: see
    ceasefire/log/verifier.py, which a party can run without our database.

    \b
    Example:
      ceasefire log prove 01JAK3Z8Q6W9V0B5N2M4X7C1RT -o proof.json --entry-out entry.json
    """
    log = open_log(db)
    try:
        proof = log.prove(entry, size)
    except DetailedError as exc:
        fail(exc)
    root = merkle.root(proof.tree_size, log.store)
    ok = merkle.verify_inclusion(
        proof.leaf_hash, proof.index, proof.tree_size, proof.path, root
    )
    text = json.dumps(proof.to_json(), indent=2)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
    if entry_out is not None:
        entry_out.write_bytes(log.find(entry).payload)
    err.print(
        f"entry {proof.index} in tree of {proof.tree_size}: {len(proof.path)} hashes; verifies: {ok}",
        markup=False,
    )
    sys.exit(0 if ok else 1)


@log_group.command()
@db_option
@click.argument("old_head")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the proof JSON here.",
)
def consistency(db: str, old_head: str, output: Path | None) -> None:
    """Prove the log only grew since OLD_HEAD (a head JSON file or a tree size).

    Given a head file, the proof is also checked against its root: exit 1
    means the log was rewritten since that head.

    \b
    Example:
      ceasefire log consistency head-0412.json
    """
    log = open_log(db)
    old_root: bytes | None = None
    if Path(old_head).is_file():
        data = json.loads(Path(old_head).read_text(encoding="utf-8"))
        head_data = data.get("head", data)
        old_size, old_root = (
            int(head_data["tree_size"]),
            bytes.fromhex(head_data["root_hash"]),
        )
    elif old_head.isdigit():
        old_size = int(old_head)
    else:
        raise click.BadParameter(
            f"{old_head!r} is neither a head file nor a tree size",
            param_hint="OLD_HEAD",
        )
    try:
        proof = log.consistency(old_size)
    except DetailedError as exc:
        fail(exc)
    new_root = merkle.root(proof.new_size, log.store)
    ok = True
    if old_root is not None:
        ok = merkle.verify_consistency(
            old_size, proof.new_size, old_root, new_root, proof.path
        )
    text = json.dumps(proof.to_json(), indent=2)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
    verdict = "consistent" if ok else "NOT consistent: the log was rewritten"
    err.print(f"{old_size} → {proof.new_size}: {verdict}", markup=False)
    sys.exit(0 if ok else 1)


@log_group.command()
@db_option
def verify(db: str) -> None:
    """Recompute every hash of the log; exit 1 naming the first bad entry.

    Detects altered, removed and reordered entries, and a log rewritten since
    its latest signed head.

    \b
    Example:
      ceasefire log verify --db sqlite:///mission.db
    """
    log = open_log(db)
    size = log.store.size()
    with _progress() as progress:
        task = progress.add_task("verifying", total=size)
        findings = log.verify(lambda done: progress.update(task, completed=done))
    if findings:
        err.print(
            f"log verify FAILED: {findings[0]}",
            style="bold red",
            markup=False,
            highlight=False,
        )
        for finding in findings[1:6]:
            err.print(f"  also: {finding}", markup=False, highlight=False)
        sys.exit(1)
    click.echo(
        f"ok: {size} entries verified; root {merkle.root(size, log.store).hex()}"
    )


@log_group.command()
@db_option
@click.argument("subject")
@click.argument("state")
@click.option("--by", "actor", required=True, help="Who decides.")
@click.option("--reason", required=True, help="Why (recorded in the log).")
def transition(db: str, subject: str, state: str, actor: str, reason: str) -> None:
    """Move a report to a new verification STATE (a log entry with who and why).

    States: reported → corroborated → under_review → verified | disputed |
    dismissed; a decided case can go back to under_review.

    \b
    Example:
      ceasefire log transition 01JAK3Z8Q6W9V0B5N2M4X7C1RT under_review --by analyst-2 --reason "two sources"
    """
    log = open_log(db)
    try:
        row = log.transition(subject, state, actor, reason)
    except DetailedError as exc:
        fail(exc)
    click.echo(f"{subject}: now {state} (entry {row.seq})")


@log_group.command(name="schema")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of stdout.",
)
def report_schema(output: Path | None) -> None:
    """Print the JSON Schema of a report (one line of a reports JSONL file).

    \b
    Example:
      ceasefire log schema -o report.schema.json
    """
    text = report_schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@log_group.command(name="keygen")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def keygen(path: Path) -> None:
    """Make an Ed25519 signing key (PEM, readable only by you).

    \b
    Example:
      ceasefire log keygen mission.pem
    """
    if path.exists():
        raise click.ClickException(f"{path} exists; not overwriting a key")
    save_private_key(path, generate_key())
    click.echo(f"wrote {path}")


@click.group(name="evidence")
def evidence_group() -> None:
    """Attach evidence to reports by content hash, and check it.

    \b
    Example:
      ceasefire evidence add photo.jpg --report REPORT_ID --by team-3
    """


@evidence_group.command(name="add")
@db_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--report", "report_id", required=True, help="The report it supports.")
@click.option(
    "--by", "actor", required=True, help="Who hands it in (first custody record)."
)
@click.option("--captured-at", help="When it was captured (ISO 8601 with offset).")
@click.option("--device", help="The camera, sensor or phone that captured it.")
def evidence_add(
    db: str,
    file: Path,
    report_id: str,
    actor: str,
    captured_at: str | None,
    device: str | None,
) -> None:
    """Store FILE by its SHA-256 and log it against a report.

    \b
    Example:
      ceasefire evidence add photo.jpg --report 01JAK3Z8Q6W9V0B5N2M4X7C1RT --by team-3 --device "Nikon Z6 #44"
    """
    log = open_log(db)
    media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    try:
        row = log.add_evidence(
            file.read_bytes(),
            report_id,
            actor,
            media_type=media_type,
            filename=file.name,
            captured_at=captured_at,
            device=device,
        )
    except DetailedError as exc:
        fail(exc)
    digest = body_of(row, Evidence).sha256
    click.echo(f"{file}: sha256 {digest} ({media_type}), entry {row.seq}")


@evidence_group.command(name="verify")
@db_option
def evidence_verify(db: str) -> None:
    """Re-hash all stored evidence; exit 1 naming any mismatch or missing file.

    \b
    Example:
      ceasefire evidence verify --db sqlite:///mission.db
    """
    problems = open_log(db).verify_evidence()
    for problem in problems:
        err.print(f"evidence: {problem}", style="bold red", markup=False)
    if not problems:
        click.echo("ok: all evidence matches its hash")
    sys.exit(1 if problems else 0)
