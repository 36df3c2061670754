"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification.

Pure functions over SHA-256; no I/O. The tree is never held whole: a store
keeps, with each entry ``i``, its leaf hash and the hashes of the complete
subtrees that entry completes. The complete subtree of height ``h`` and index
``j`` covers leaves ``[j·2^h, (j+1)·2^h)`` and is stored with its last leaf,
row ``(j+1)·2^h − 1``, at bytes ``[(h−1)·32, h·32)`` of that row's BLOB.

Every hash a root or a proof needs is such a complete subtree (or a fold of a
few of them), so a proof is computed by first listing the subtree coordinates
``(height, index)`` it needs, then fetching them all in one batch.

Terms: MTH, PATH, PROOF and SUBPROOF are those of RFC 6962 §2.1; the
verification algorithms are those of RFC 9162 §2.1.3.2 and §2.1.4.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the root of the empty tree."""

_sha256 = hashlib.sha256
_LEAF = b"\x00"
_NODE = b"\x01"

Coord = tuple[int, int]
"""A complete subtree: (height, index); height 0 is a leaf."""

Span = tuple[int, int]
"""A range of leaves [lo, hi)."""


def leaf_hash(data: bytes) -> bytes:
    """MTH of a one-entry tree: SHA-256(0x00 || data)."""
    return _sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: SHA-256(0x01 || left || right)."""
    return _sha256(_NODE + left + right).digest()


# ---------------------------------------------------------------- appending


class Appender:
    """The compact range of a tree: the roots of its right-edge complete subtrees.

    ``append`` adds a leaf and returns the packed hashes of the subtrees that
    leaf completes (heights 1, 2, … in order), which the store keeps with it.
    """

    __slots__ = ("_edge", "_size")

    def __init__(self, size: int = 0, right_edge: Sequence[bytes] = ()) -> None:
        """Resume a tree of ``size`` leaves from its right edge, largest first."""
        if size < 0:
            raise ValueError(f"tree size must be ≥ 0, got {size}")
        if len(right_edge) != size.bit_count():
            raise ValueError(
                f"a tree of {size} leaves has {size.bit_count()} right-edge "
                f"subtrees, got {len(right_edge)}"
            )
        if any(len(node) != HASH_SIZE for node in right_edge):
            raise ValueError(f"right-edge hashes must be {HASH_SIZE} bytes")
        self._size = size
        self._edge = list(right_edge)

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def right_edge(self) -> list[bytes]:
        """Roots of the complete subtrees of the tree, largest first."""
        return list(self._edge)

    def append(self, leaf: bytes) -> bytes:
        """Add a leaf hash; return the packed completed-subtree hashes (b"" if none).

        ``leaf`` must be a 32-byte ``leaf_hash``; it is not checked, this being
        the hot path of bulk appends.
        """
        n = self._size
        self._size = n + 1
        edge = self._edge
        if not n & 1:  # an even index completes nothing: the common fast path
            edge.append(leaf)
            return b""
        node = _sha256(_NODE + edge.pop() + leaf).digest()
        n >>= 1
        if not n & 1:  # exactly one subtree completed: no join needed
            edge.append(node)
            return node
        parts = [node]
        while n & 1:
            node = _sha256(_NODE + edge.pop() + node).digest()
            parts.append(node)
            n >>= 1
        edge.append(node)
        return b"".join(parts)

    def append_many(self, leaves: Iterable[bytes]) -> list[bytes]:
        """``append`` each leaf hash in turn; return their packed BLOBs.

        ``append`` inlined with local names: about 10% faster on bulk loads,
        where hashing is the rest of the cost.
        """
        edge = self._edge
        push, pop = edge.append, edge.pop
        n = self._size
        blobs: list[bytes] = []
        emit = blobs.append
        try:
            for leaf in leaves:
                if not n & 1:
                    push(leaf)
                    emit(b"")
                    n += 1
                    continue
                node = _sha256(_NODE + pop() + leaf).digest()
                k = n >> 1
                if not k & 1:
                    push(node)
                    emit(node)
                    n += 1
                    continue
                parts = [node]
                while k & 1:
                    node = _sha256(_NODE + pop() + node).digest()
                    parts.append(node)
                    k >>= 1
                push(node)
                emit(b"".join(parts))
                n += 1
        finally:  # if the leaves' iterator fails, keep size in step with the edge
            self._size = n
        return blobs

    def root(self) -> bytes:
        """MTH of all leaves so far (EMPTY_ROOT for none)."""
        return fold(self._edge)


def fold(nodes: Sequence[bytes]) -> bytes:
    """MTH of a range from its decomposition's subtree roots, largest first."""
    if not nodes:
        return EMPTY_ROOT
    result = nodes[-1]
    for node in reversed(nodes[:-1]):
        result = _sha256(_NODE + node + result).digest()
    return result


# ---------------------------------------------------------------- node sources


class NodeSource(Protocol):
    """Where complete subtree hashes come from: a store, or memory."""

    def subtree(self, height: int, index: int) -> bytes:
        """The complete subtree (height, index); height 0 is leaf ``index``."""
        ...

    def subtrees(self, requests: Sequence[Coord]) -> list[bytes]:
        """Many complete subtrees at once, in request order."""
        ...


class LoopingSource:
    """Mixin: a ``subtrees`` that asks ``subtree`` once per request.

    For sources where a lookup is cheap; a database overrides ``subtrees``
    to fetch every row in one query.
    """

    def subtree(self, height: int, index: int) -> bytes:
        """The complete subtree (height, index)."""
        raise NotImplementedError

    def subtrees(self, requests: Sequence[Coord]) -> list[bytes]:
        """Each requested subtree, in order."""
        subtree = self.subtree
        return [subtree(height, index) for height, index in requests]


class MemorySource(LoopingSource):
    """A tree held in lists, laid out as a store lays it out; for tests and tools."""

    def __init__(self, entries: Iterable[bytes] = ()) -> None:
        """Build the tree of ``entries`` (raw entry bytes, hashed as leaves)."""
        self.leaves: list[bytes] = []
        self.nodes: list[bytes] = []
        """Per entry, the packed hashes of the subtrees it completes."""
        self._appender = Appender()
        self.extend_leaves(leaf_hash(entry) for entry in entries)

    @classmethod
    def from_leaves(cls, leaves: Iterable[bytes]) -> MemorySource:
        """A tree of already-hashed leaves."""
        source = cls()
        source.extend_leaves(leaves)
        return source

    @property
    def size(self) -> int:
        """Number of entries."""
        return len(self.leaves)

    def append(self, entry: bytes) -> None:
        """Add one entry."""
        self.extend_leaves([leaf_hash(entry)])

    def extend_leaves(self, leaves: Iterable[bytes]) -> None:
        """Add leaf hashes."""
        added = list(leaves)
        self.nodes += self._appender.append_many(added)
        self.leaves += added

    def root(self) -> bytes:
        """MTH of every entry."""
        return self._appender.root()

    def subtree(self, height: int, index: int) -> bytes:
        """The complete subtree (height, index), as a store would return it."""
        if height < 0 or index < 0 or (index + 1) << height > len(self.leaves):
            raise IndexError(
                f"no complete subtree ({height}, {index}) in a tree of {self.size}"
            )
        if height == 0:
            return self.leaves[index]
        return self.nodes[((index + 1) << height) - 1][
            (height - 1) * HASH_SIZE : height * HASH_SIZE
        ]


# ---------------------------------------------------------------- ranges


def decomposition(lo: int, hi: int) -> list[Coord]:
    """The complete subtrees making up the aligned range [lo, hi), largest first.

    The range must be aligned (``lo`` a multiple of the power of two ≥
    ``hi − lo``), as every range a root or a proof needs is; then its MTH is
    the right fold of these subtrees.
    """
    coords = []
    size = hi - lo
    while size:
        height = size.bit_length() - 1
        coords.append((height, lo >> height))
        lo += 1 << height
        size -= 1 << height
    return coords


def is_aligned(lo: int, hi: int) -> bool:
    """Whether [lo, hi) is aligned: ``lo`` is a multiple of a power of two ≥ hi − lo."""
    size = hi - lo
    return size <= 1 or lo % (1 << (size - 1).bit_length()) == 0


def _fetch_spans(spans: Sequence[Span], source: NodeSource) -> list[bytes]:
    """MTH of each aligned span, fetching every node in one batch."""
    plans = [decomposition(lo, hi) for lo, hi in spans]
    nodes = source.subtrees([coord for plan in plans for coord in plan])
    hashes = []
    at = 0
    for plan in plans:
        hashes.append(fold(nodes[at : at + len(plan)]))
        at += len(plan)
    return hashes


def _check_size(size: int) -> None:
    if size < 0:
        raise ValueError(f"tree size must be ≥ 0, got {size}")


def right_edge(size: int, source: NodeSource) -> list[bytes]:
    """Roots of the complete subtrees of the tree of ``size``: what Appender resumes from."""
    _check_size(size)
    return source.subtrees(decomposition(0, size)) if size else []


def root(size: int, source: NodeSource) -> bytes:
    """MTH of the first ``size`` leaves: ≤ log2(size) + 1 lookups, in one batch."""
    return fold(right_edge(size, source))


def range_hash(lo: int, hi: int, source: NodeSource) -> bytes:
    """MTH of leaves [lo, hi), as a tree of its own.

    Aligned ranges (every range a proof needs) cost ≤ log2(hi − lo) + 1
    lookups in one batch; others are split per RFC 6962 until aligned.
    """
    if not 0 <= lo <= hi:
        raise ValueError(f"not a range of leaves: [{lo}, {hi})")
    spans = _aligned_spans(lo, hi)
    hashes = _fetch_spans([span for span, _ in spans], source)
    return _combine(hashes, [depth for _, depth in spans])


def _aligned_spans(lo: int, hi: int, depth: int = 0) -> list[tuple[Span, int]]:
    """Split [lo, hi) per RFC 6962 into aligned spans, each with its split depth."""
    if is_aligned(lo, hi):
        return [((lo, hi), depth)]
    k = 1 << (hi - lo - 1).bit_length() - 1
    return _aligned_spans(lo, lo + k, depth + 1) + _aligned_spans(lo + k, hi, depth + 1)


def _combine(hashes: list[bytes], depths: list[int]) -> bytes:
    """Rebuild the binary tree whose leaves (in order) sit at ``depths``."""
    stack: list[tuple[bytes, int]] = []
    for node, depth in zip(hashes, depths, strict=True):
        # A left sibling at the same depth is complete: merge upwards.
        while stack and stack[-1][1] == depth:
            left, _ = stack.pop()
            node, depth = node_hash(left, node), depth - 1
        stack.append((node, depth))
    return stack[0][0] if stack else EMPTY_ROOT


# ---------------------------------------------------------------- proofs


def _largest_power_below(n: int) -> int:
    """The largest power of two strictly less than n (n ≥ 2): RFC 6962's k."""
    return 1 << (n - 1).bit_length() - 1


def inclusion_spans(index: int, size: int) -> list[Span]:
    """The leaf ranges whose MTHs form PATH(index, D[0:size]), leaf end first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    outer: list[Span] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_below(hi - lo)
        if index < lo + k:
            outer.append((lo + k, hi))
            hi = lo + k
        else:
            outer.append((lo, lo + k))
            lo += k
    outer.reverse()
    return outer


def consistency_spans(old_size: int, new_size: int) -> list[Span]:
    """The leaf ranges whose MTHs form PROOF(old_size, D[0:new_size])."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"cannot prove {old_size} → {new_size}")
    if old_size in (0, new_size):
        return []
    outer: list[Span] = []
    lo, hi, m, whole_old_tree = 0, new_size, old_size, True
    while m != hi - lo:
        k = _largest_power_below(hi - lo)
        if m <= k:
            outer.append((lo + k, hi))
            hi = lo + k
        else:
            outer.append((lo, lo + k))
            lo, m, whole_old_tree = lo + k, m - k, False
    outer.reverse()
    # SUBPROOF(m, D[m], false) = {MTH(D[m])}; with true (the old root itself) = {}.
    return outer if whole_old_tree else [(lo, hi), *outer]


def inclusion_proof(index: int, size: int, source: NodeSource) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 6962 §2.1.1, fetched in one batch."""
    return _fetch_spans(inclusion_spans(index, size), source)


def consistency_proof(old_size: int, new_size: int, source: NodeSource) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 6962 §2.1.2, fetched in one batch.

    Empty when ``old_size`` is 0 or equal to ``new_size``.
    """
    return _fetch_spans(consistency_spans(old_size, new_size), source)


# ---------------------------------------------------------------- verification


def _all_hashes(*nodes: bytes) -> bool:
    return all(isinstance(node, bytes) and len(node) == HASH_SIZE for node in nodes)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` of the tree ``root``.

    RFC 9162 §2.1.3.2.
    """
    if not 0 <= index < size or not _all_hashes(leaf, root, *proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Whether ``proof`` shows the tree ``new_root`` extends the tree ``old_root``.

    RFC 9162 §2.1.4.2. Equal sizes need an empty proof and equal roots. The
    empty tree is a prefix of every tree, so old size 0 needs an empty proof,
    and (stricter than the RFC, which leaves it unsaid) the empty-tree root.
    """
    if not 0 <= old_size <= new_size or not _all_hashes(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if (
        old_size & (old_size - 1) == 0
    ):  # a power of two: the old root is a node of the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
