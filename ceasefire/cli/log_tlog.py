"""``ceasefire log checkpoint|tiles|witness|vkey``: the log in C2SP form.

Checkpoints are C2SP signed notes, the tree is published as static tiles and
bundles (c2sp.org/tlog-tiles), and witnesses cosign (c2sp.org/tlog-cosignature)
only what is consistent with what they cosigned before.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from ceasefire.cli.log import _progress, db_option, err, log_group, open_log
from ceasefire.errors import CeasefireError
from ceasefire.log import merkle
from ceasefire.log.checkpoint import DEFAULT_ORIGIN, Checkpoint, sign_checkpoint
from ceasefire.log.heads import load_private_key
from ceasefire.log.note import (
    COSIGNATURE,
    ED25519,
    parse_verifier_key,
    verifier_key,
)
from ceasefire.log.tiles import TileSource, publish
from ceasefire.log.witness import WitnessRefusal, WitnessState, witness
from ceasefire.store.base import Store

key_option = click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The log's Ed25519 signing key (PEM, from `ceasefire log keygen`).",
)
origin_option = click.option(
    "--origin",
    envvar="CEASEFIRE_LOG_ORIGIN",
    default=DEFAULT_ORIGIN,
    show_default=True,
    help="The log's origin line (a URL without scheme); also its key name.",
)


def _fail(message: str) -> NoReturn:
    err.print(f"error: {message}", style="bold red", markup=False, highlight=False)
    raise SystemExit(1)


def _signed_checkpoint(store: Store, key_path: Path, origin: str) -> tuple[str, int]:
    size = store.size()
    checkpoint = Checkpoint(origin, size, merkle.root(size, store))
    note = sign_checkpoint(checkpoint, load_private_key(key_path))
    return note.to_text(), size


@log_group.command(name="checkpoint")
@db_option
@key_option
@origin_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here.",
)
def checkpoint_command(
    db: str, key_path: Path, origin: str, output: Path | None
) -> None:
    """Sign the log's current size and root as a C2SP checkpoint (signed note).

    \b
    Example:
      ceasefire log checkpoint --db sqlite:///mission.db --key mission.pem \\
          --origin monitoring.example/ceasefire -o checkpoint
    """
    try:
        with open_log(db).store as store:
            text, _ = _signed_checkpoint(store, key_path, origin)
    except CeasefireError as exc:
        _fail(str(exc))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@log_group.command(name="tiles")
@db_option
@key_option
@origin_option
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to publish into (created; only new tiles are written).",
)
def tiles_command(db: str, key_path: Path, origin: str, out: Path) -> None:
    """Publish the log as static C2SP tlog-tiles: hash tiles, entry bundles, checkpoint.

    Serve OUT with any web server or copy it to mirrors; anyone can check
    every entry against the signed checkpoint with the tiles alone.

    \b
    Example:
      ceasefire log tiles --db sqlite:///mission.db --key mission.pem \\
          --origin monitoring.example/ceasefire --out public/log
    """
    try:
        with open_log(db).store as store, _progress() as progress:
            text, size = _signed_checkpoint(store, key_path, origin)
            task = progress.add_task("tiles", total=size)
            done = publish(
                store, out, size, lambda n: progress.update(task, completed=n)
            )
    except CeasefireError as exc:
        _fail(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    (out / "checkpoint").write_text(text, encoding="utf-8")
    click.echo(
        f"{out}: {size} entries; wrote {done.bundles} bundles and {done.tiles} tiles,"
        f" kept {done.kept}; checkpoint signed by {origin}"
    )


@log_group.command(name="vkey")
@click.argument(
    "key_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--name", required=True, help="Key name: the log's origin, or a witness's."
)
@click.option(
    "--cosigner", is_flag=True, help="A witness's cosignature key (type 0x04)."
)
def vkey_command(key_path: Path, name: str, cosigner: bool) -> None:
    """Print the verifier key (name+id+key) to hand to those who check signatures.

    \b
    Example:
      ceasefire log vkey mission.pem --name monitoring.example/ceasefire
      ceasefire log vkey witness.pem --name witness.example/w1 --cosigner
    """
    kind = COSIGNATURE if cosigner else ED25519
    click.echo(verifier_key(name, load_private_key(key_path), kind).to_text())


@log_group.command(name="witness")
@click.option(
    "--tiles",
    "tiles_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The log's published tiles (its checkpoint and the proof come from here).",
)
@click.option("--log-key", required=True, help="The log's verifier key (`log vkey`).")
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="This witness's Ed25519 key (PEM).",
)
@click.option("--name", required=True, help="This witness's key name.")
@click.option(
    "--state",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file where the witness remembers the last checkpoint it cosigned.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the cosigned checkpoint here (default: stdout).",
)
def witness_command(
    tiles_dir: Path,
    log_key: str,
    key_path: Path,
    name: str,
    state: Path,
    output: Path | None,
) -> None:
    """Cosign the log's checkpoint, only if it extends the last one this witness cosigned.

    The consistency proof is built from the published hash tiles; a rewritten
    or forked log, or one that shrank, is refused (exit 1, naming why).

    \b
    Example:
      ceasefire log witness --tiles public/log --log-key "$(cat log.vkey)" \\
          --key witness.pem --name witness.example/w1 --state w1.json -o cosigned
    """
    if not (tiles_dir / "checkpoint").exists():
        _fail(
            f"{tiles_dir} has no checkpoint file; expected a `ceasefire log tiles` directory"
        )
    text = (tiles_dir / "checkpoint").read_text(encoding="utf-8")
    try:
        note = witness(
            text,
            log_key=parse_verifier_key(log_key),
            key=load_private_key(key_path),
            name=name,
            state=WitnessState(state),
            proof=lambda old, new: merkle.consistency_proof(
                old, new, TileSource(tiles_dir, new)
            ),
        )
    except WitnessRefusal as exc:
        _fail(f"refused to cosign: {exc}")
    except CeasefireError as exc:
        _fail(str(exc))
    if output is None:
        click.echo(note.to_text(), nl=False)
    else:
        output.write_text(note.to_text(), encoding="utf-8")
        err.print(f"cosigned by {name}: {output}", markup=False)


__all__ = ["log_group"]
"""The ``log`` group with these commands on it: what ``ceasefire log`` loads."""
