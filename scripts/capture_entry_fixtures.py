"""Copy one logged body of every entry kind from SQLite logs into tests/data/entries.

Usage: python scripts/capture_entry_fixtures.py DIR [DIR ...]

Scans DIR for ``*.db`` files written by ceasefire (e.g. a pytest ``--basetemp``
of the workflow, snapback and API tests), takes the first body of each kind
(and of each older shape that ``identify`` recognises) and writes it to
``tests/data/entries/<version>/<kind>.json``. Existing fixtures are kept:
an old shape's fixture must never be lost.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import orjson

from ceasefire.model.entries import BODIES, Kind, payload_body

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "entries"


def bodies(db: Path) -> list[tuple[str, bytes]]:
    """(kind, payload) of every entry in one SQLite log."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return list(conn.execute("SELECT kind, payload FROM entries ORDER BY seq"))
    except sqlite3.Error:
        return []


def main(folders: list[str]) -> None:
    """Write the first body of each (kind, version) not yet captured."""
    for folder in folders:
        for db in sorted(Path(folder).rglob("*.db")):
            for kind, payload in bodies(db):
                if kind not in {k.value for k in Kind}:
                    continue
                try:
                    body = payload_body(payload)
                except orjson.JSONDecodeError:
                    continue  # a log a test tampered with
                version = BODIES[Kind(kind)].identify(body)
                path = OUT / str(version) / f"{kind}.json"
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))
                    print(f"{path.relative_to(OUT)} ← {db}")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:])
