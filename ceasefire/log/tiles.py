"""The log as static C2SP tlog-tiles: hash tiles, entry bundles and a checkpoint.

Layout (c2sp.org/tlog-tiles), under one directory any web server can serve:

* ``checkpoint``: the signed checkpoint (see checkpoint.py);
* ``tile/<L>/<N>``: hash tile N of level L, the hashes of the 256 complete
  subtrees of height 8·L starting at subtree 256·N, concatenated (level 0
  holds leaf hashes);
* ``tile/entries/<N>``: entries 256·N … 256·N+255, each prefixed by its
  length as a big-endian uint16;
* ``<path>.p/<W>``: the partial tile or bundle of the right edge, W < 256
  hashes or entries wide.

N is written in groups of three digits, all but the last prefixed with ``x``
(1234067 → ``x001/x234/067``). Full tiles never change, so publishing again
writes only what is new; partial tiles are rewritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ceasefire.errors import TileError as TileError  # re-exported
from ceasefire.log.merkle import HASH_SIZE, node_hash
from ceasefire.store.base import Store

TILE_HEIGHT = 8
WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY = 0xFFFF


def index_path(index: int) -> str:
    """``N`` as path elements: 1234067 → x001/x234/067."""
    digits = f"{index:03d}"
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def tile_path(level: int | str, index: int, width: int = WIDTH) -> str:
    """Path of hash tile (or, with level 'entries', bundle) ``index``."""
    partial = "" if width == WIDTH else f".p/{width}"
    return f"tile/{level}/{index_path(index)}{partial}"


def tile_widths(count: int) -> list[int]:
    """Widths of the tiles holding ``count`` hashes (or entries): full, then partial."""
    widths = [WIDTH] * (count // WIDTH)
    return widths + ([count % WIDTH] if count % WIDTH else [])


def levels(size: int) -> int:
    """How many tile levels a tree of ``size`` has (at least one hash each)."""
    level = 0
    while size >> (TILE_HEIGHT * level):
        level += 1
    return level


def bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry with a big-endian uint16 length before it."""
    parts = []
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise TileError(
                f"an entry of {len(entry)} bytes does not fit a bundle (max {MAX_ENTRY})"
            )
        parts.append(len(entry).to_bytes(2, "big") + entry)
    return b"".join(parts)


def _write(root: Path, relative: str, data: bytes) -> None:
    """Write a file atomically: mirrors never see half a tile."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@dataclass
class Published:
    """What one ``publish`` wrote."""

    size: int
    tiles: int = 0
    bundles: int = 0
    kept: int = 0
    """Full tiles and bundles already there, left as they were."""


def publish(
    store: Store,
    out: Path,
    size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Published:
    """Write the tiles and bundles of the first ``size`` entries under ``out``."""
    size = store.size() if size is None else size
    _check_previous(store, out, size)
    done = Published(size)
    _publish_level_zero(store, out, size, done, progress)
    for level in range(1, levels(size)):
        _publish_level(store, out, size, level, done)
    return done


def _check_previous(store: Store, out: Path, size: int) -> None:
    """Refuse to publish over tiles of another tree: full tiles are kept as they are."""
    path = out / "checkpoint"
    if not path.exists():
        return
    from ceasefire.log.checkpoint import parse_checkpoint
    from ceasefire.log.merkle import root
    from ceasefire.log.note import parse_note

    previous = parse_checkpoint(parse_note(path.read_text(encoding="utf-8")).text)
    if previous.size > size or root(previous.size, store) != previous.root:
        raise TileError(
            f"{out} holds tiles of another tree (its checkpoint: {previous.size}"
            f" entries, root {previous.root.hex()[:16]}…), not a prefix of this log;"
            " publish into an empty directory"
        )


def _first_missing(out: Path, size: int, done: Published) -> int:
    """The first bundle index whose full bundle or level-0 tile is not written yet."""
    for index in range(size // WIDTH):
        if (
            not (out / tile_path("entries", index)).exists()
            or not (out / tile_path(0, index)).exists()
        ):
            return index
        done.kept += 2
    return size // WIDTH


def _publish_level_zero(
    store: Store,
    out: Path,
    size: int,
    done: Published,
    progress: Callable[[int], None] | None,
) -> None:
    start = _first_missing(out, size, done)
    payloads: list[bytes] = []
    leaves: list[bytes] = []
    index = start
    for row in store.entries(start * WIDTH, size):
        payloads.append(row.payload)
        leaves.append(row.leaf)
        if len(payloads) == WIDTH or row.seq == size - 1:
            width = len(payloads)
            _write(out, tile_path("entries", index, width), bundle(payloads))
            _write(out, tile_path(0, index, width), b"".join(leaves))
            done.bundles += 1
            done.tiles += 1
            if progress is not None:
                progress(row.seq + 1)
            payloads, leaves, index = [], [], index + 1


def _publish_level(
    store: Store, out: Path, size: int, level: int, done: Published
) -> None:
    height = TILE_HEIGHT * level
    for index, width in enumerate(tile_widths(size >> height)):
        path = tile_path(level, index, width)
        if width == WIDTH and (out / path).exists():
            done.kept += 1
            continue
        first = index * WIDTH
        hashes = store.subtrees([(height, first + k) for k in range(width)])
        _write(out, path, b"".join(hashes))
        done.tiles += 1


# ---------------------------------------------------------------- reading


class TileSource:
    """Complete subtree hashes of a tree of ``size`` read from published tiles.

    A node of height 8·L + r is folded from 2^r hashes of one level-L tile, so
    any proof can be built from tiles alone (merkle.NodeSource).
    """

    def __init__(self, root: Path, size: int) -> None:
        self.root = root
        self.size = size
        self._cache: dict[tuple[int, int], bytes] = {}

    def _tile(self, level: int, index: int) -> bytes:
        cached = self._cache.get((level, index))
        if cached is not None:
            return cached
        count = self.size >> (TILE_HEIGHT * level)
        width = min(WIDTH, count - index * WIDTH)
        if width <= 0:
            raise TileError(f"no tile {level}/{index} in a tree of {self.size}")
        data = self._read(level, index, width)
        self._cache[(level, index)] = data
        return data

    def _read(self, level: int, index: int, width: int) -> bytes:
        for candidate in {tile_path(level, index, width), tile_path(level, index)}:
            path = self.root / candidate
            if path.exists():
                data = path.read_bytes()[: width * HASH_SIZE]
                if len(data) == width * HASH_SIZE:
                    return data
        raise TileError(
            f"tile {tile_path(level, index, width)} is missing or short under {self.root}"
        )

    def subtree(self, height: int, index: int) -> bytes:
        """The complete subtree (height, index), folded from one tile."""
        level, rest = divmod(height, TILE_HEIGHT)
        first = index << rest
        data = self._tile(level, first // WIDTH)
        at = (first % WIDTH) * HASH_SIZE
        if at + (HASH_SIZE << rest) > len(data):
            raise TileError(
                f"subtree ({height}, {index}) is not complete in {self.size}"
            )
        nodes = [
            data[at + k * HASH_SIZE : at + (k + 1) * HASH_SIZE]
            for k in range(1 << rest)
        ]
        while len(nodes) > 1:
            nodes = [node_hash(nodes[k], nodes[k + 1]) for k in range(0, len(nodes), 2)]
        return nodes[0]

    def subtrees(self, requests: Sequence[tuple[int, int]]) -> list[bytes]:
        """Each requested subtree, in order."""
        return [self.subtree(height, index) for height, index in requests]
