"""The Merkle tree: published RFC 6962 vectors, and a brute-force reference from the RFC text."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.log import merkle, verifier
from ceasefire.log.merkle import (
    EMPTY_ROOT,
    Appender,
    LoopingSource,
    MemorySource,
    consistency_proof,
    inclusion_proof,
    range_hash,
    right_edge,
    root,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------- published vectors
#
# The eight test leaves and the roots of the trees of their first 1..8 leaves,
# from google/certificate-transparency cpp/merkletree/merkle_tree_test.cc
# (kInputs, kSHA256Roots, kSHA256Paths, kSHA256Proofs), repeated in
# transparency-dev/merkle proof/verify_test.go (leaves, roots, inclusionProofs,
# consistencyProofs), which adds the 6 → 7 consistency proof.

INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

EMPTY_TREE_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# (leaf number, 1-based as in the sources; tree size; audit path)
INCLUSION_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

# (old size, new size, proof)
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def hexes(nodes: Sequence[bytes]) -> list[str]:
    return [node.hex() for node in nodes]


@pytest.fixture(scope="module")
def vector_tree() -> MemorySource:
    return MemorySource(INPUTS)


def test_empty_tree_root_is_hash_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == EMPTY_TREE_HASH
    assert Appender().root() == EMPTY_ROOT
    assert root(0, MemorySource()) == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_published_roots(vector_tree: MemorySource, size: int) -> None:
    assert root(size, vector_tree).hex() == ROOTS[size - 1]
    assert range_hash(0, size, vector_tree).hex() == ROOTS[size - 1]


def test_appender_yields_published_roots_leaf_by_leaf() -> None:
    appender = Appender()
    for size, entry in enumerate(INPUTS, start=1):
        appender.append(merkle.leaf_hash(entry))
        assert appender.root().hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION_VECTORS)
def test_published_inclusion_proofs(
    vector_tree: MemorySource, leaf: int, size: int, path: list[str]
) -> None:
    proof = inclusion_proof(leaf - 1, size, vector_tree)
    assert hexes(proof) == path
    leaf_hash = merkle.leaf_hash(INPUTS[leaf - 1])
    assert verify_inclusion(
        leaf_hash, leaf - 1, size, proof, bytes.fromhex(ROOTS[size - 1])
    )


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY_VECTORS)
def test_published_consistency_proofs(
    vector_tree: MemorySource, old: int, new: int, path: list[str]
) -> None:
    proof = consistency_proof(old, new, vector_tree)
    assert hexes(proof) == path
    old_root, new_root = bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1])
    assert verify_consistency(old, new, old_root, new_root, proof)


# ---------------------------------------------------------------- brute-force reference
#
# Written from RFC 6962 §2.1 directly, over the entries themselves: no stored
# subtrees, no bit tricks.


def ref_leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def ref_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def ref_k(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(entries: Sequence[bytes]) -> bytes:
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return ref_leaf(entries[0])
    k = ref_k(n)
    return ref_node(ref_mth(entries[:k]), ref_mth(entries[k:]))


def ref_path(m: int, entries: Sequence[bytes]) -> list[bytes]:
    n = len(entries)
    if n == 1:
        return []
    k = ref_k(n)
    if m < k:
        return ref_path(m, entries[:k]) + [ref_mth(entries[k:])]
    return ref_path(m - k, entries[k:]) + [ref_mth(entries[:k])]


def ref_subproof(m: int, entries: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if b else [ref_mth(entries)]
    k = ref_k(n)
    if m <= k:
        return ref_subproof(m, entries[:k], b) + [ref_mth(entries[k:])]
    return ref_subproof(m - k, entries[k:], False) + [ref_mth(entries[:k])]


def ref_proof(m: int, entries: Sequence[bytes]) -> list[bytes]:
    return ref_subproof(m, entries, True)


def path_shape(m: int, n: int) -> list[str]:
    """Which side each PATH(m, D[n]) node joins on: what a verifier derives from (m, n)."""
    if n == 1:
        return []
    k = ref_k(n)
    if m < k:
        return path_shape(m, k) + ["right"]
    return path_shape(m - k, n - k) + ["left"]


def proof_shape(m: int, n: int, b: bool = True) -> list[str]:
    """The role of each PROOF(m, D[n]) node, 'old' for the old root's own subtree."""
    if m == n:
        return [] if b else ["start"]
    k = ref_k(n)
    if m <= k:
        return proof_shape(m, k, b) + ["new only"]
    return proof_shape(m - k, n - k, False) + ["shared"]


def consistency_shape(old: int, new: int) -> list[str] | None:
    """``proof_shape`` for a proper pair of sizes (0 < old < new), else None."""
    return proof_shape(old, new) if 0 < old < new else None


# Distinct entries of varied length, so no two leaves collide.
ENTRIES = [i.to_bytes(2, "big") * (i % 5) + bytes([i % 256]) for i in range(300)]
TREE = MemorySource(ENTRIES)
LEAVES = [ref_leaf(entry) for entry in ENTRIES]


def flip(node: bytes, at: int) -> bytes:
    """``node`` with byte ``at`` (mod its length) changed."""
    at %= len(node)
    return node[:at] + bytes([node[at] ^ 0x01]) + node[at + 1 :]


sizes = st.integers(min_value=1, max_value=300)


@given(size=st.integers(min_value=0, max_value=300))
def test_root_matches_reference(size: int) -> None:
    expected = ref_mth(ENTRIES[:size])
    assert root(size, TREE) == expected
    appender = Appender()
    appender.append_many(LEAVES[:size])
    assert appender.root() == expected


@given(data=st.data())
def test_range_hash_matches_reference_for_any_range(data: st.DataObject) -> None:
    hi = data.draw(st.integers(min_value=0, max_value=300))
    lo = data.draw(st.integers(min_value=0, max_value=hi))
    assert range_hash(lo, hi, TREE) == ref_mth(ENTRIES[lo:hi])


@given(data=st.data())
def test_inclusion_proof_matches_reference_and_verifies(data: st.DataObject) -> None:
    size = data.draw(sizes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(index, size, TREE)
    assert proof == ref_path(index, ENTRIES[:size])
    tree_root = ref_mth(ENTRIES[:size])
    leaf = LEAVES[index]
    assert verify_inclusion(leaf, index, size, proof, tree_root)

    at = data.draw(st.integers(min_value=0, max_value=31))
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], at), *proof[i + 1 :]]
        assert not verify_inclusion(leaf, index, size, bad, tree_root)
    assert not verify_inclusion(flip(leaf, at), index, size, proof, tree_root)
    assert not verify_inclusion(leaf, index, size, proof, flip(tree_root, at))
    assert not verify_inclusion(leaf, index, size, [*proof, tree_root], tree_root)
    assert not verify_inclusion(leaf, index, size, [tree_root, *proof], tree_root)
    if proof:
        assert not verify_inclusion(leaf, index, size, proof[:-1], tree_root)


@given(data=st.data())
def test_inclusion_rejects_every_wrong_index(data: st.DataObject) -> None:
    size = data.draw(sizes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(index, size, TREE)
    tree_root = ref_mth(ENTRIES[:size])
    for other in range(size + 2):
        if other != index:
            assert not verify_inclusion(LEAVES[index], other, size, proof, tree_root)


@given(data=st.data())
def test_inclusion_wrong_size_fails_unless_it_has_the_same_shape(
    data: st.DataObject,
) -> None:
    """The RFC 9162 check sees the size only as a path shape.

    A wrong size that implies the very same left/right path (e.g. leaf 0 of 3
    or of 4 leaves) still verifies against the right root: that is harmless
    because a signed head binds size and root. Any other wrong size fails.
    """
    size = data.draw(sizes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(index, size, TREE)
    tree_root = ref_mth(ENTRIES[:size])
    wrong = data.draw(
        st.integers(min_value=0, max_value=700).filter(lambda n: n != size)
    )
    accepted = verify_inclusion(LEAVES[index], index, wrong, proof, tree_root)
    same_shape = index < wrong and path_shape(index, wrong) == path_shape(index, size)
    assert accepted == same_shape
    for other in (size * 2, size // 2, size + 1, size - 1):
        if other != size and not (
            index < other and path_shape(index, other) == path_shape(index, size)
        ):
            assert not verify_inclusion(LEAVES[index], index, other, proof, tree_root)


@given(data=st.data())
def test_consistency_proof_matches_reference_and_verifies(data: st.DataObject) -> None:
    new = data.draw(sizes)
    old = data.draw(st.integers(min_value=1, max_value=new))
    proof = consistency_proof(old, new, TREE)
    assert proof == ref_proof(old, ENTRIES[:new])
    old_root, new_root = ref_mth(ENTRIES[:old]), ref_mth(ENTRIES[:new])
    assert verify_consistency(old, new, old_root, new_root, proof)
    if old == new:
        assert proof == []
        return

    at = data.draw(st.integers(min_value=0, max_value=31))
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], at), *proof[i + 1 :]]
        assert not verify_consistency(old, new, old_root, new_root, bad)
    assert not verify_consistency(old, new, flip(old_root, at), new_root, proof)
    assert not verify_consistency(old, new, old_root, flip(new_root, at), proof)
    assert not verify_consistency(old, new, new_root, old_root, proof)
    assert not verify_consistency(old, new, old_root, new_root, [])
    assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
    assert not verify_consistency(old, new, old_root, new_root, [*proof, proof[-1]])
    assert not verify_consistency(old, new, old_root, new_root, [proof[0], *proof])
    assert not verify_consistency(old, new, old_root, new_root, [old_root, *proof])


@given(data=st.data())
def test_consistency_wrong_sizes_fail_unless_same_shape(data: st.DataObject) -> None:
    """As for inclusion: only sizes implying the same proof shape can pass."""
    new = data.draw(st.integers(min_value=2, max_value=300))
    old = data.draw(st.integers(min_value=1, max_value=new - 1))
    proof = consistency_proof(old, new, TREE)
    old_root, new_root = ref_mth(ENTRIES[:old]), ref_mth(ENTRIES[:new])
    old2 = data.draw(st.integers(min_value=0, max_value=700))
    new2 = data.draw(st.integers(min_value=0, max_value=700))
    if (old2, new2) == (old, new):
        return
    accepted = verify_consistency(old2, new2, old_root, new_root, proof)
    assert accepted == (consistency_shape(old2, new2) == proof_shape(old, new))
    for other in ((old - 1, new), (old + 1, new), (old, new * 2), (old, new // 2)):
        if consistency_shape(*other) != proof_shape(old, new):
            assert not verify_consistency(*other, old_root, new_root, proof)


# ---------------------------------------------------------------- edge cases


def test_consistency_edge_sizes() -> None:
    r5 = root(5, TREE)
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, r5, [])
    assert not verify_consistency(
        0, 5, r5, r5, []
    )  # a size-0 head with a non-empty root
    assert not verify_consistency(0, 5, EMPTY_ROOT, r5, [r5])
    assert verify_consistency(5, 5, r5, r5, [])
    assert not verify_consistency(5, 5, r5, root(4, TREE), [])
    assert not verify_consistency(5, 5, r5, r5, [r5])
    assert not verify_consistency(6, 5, r5, r5, [])
    assert consistency_proof(0, 5, TREE) == []
    assert consistency_proof(5, 5, TREE) == []
    with pytest.raises(ValueError):
        consistency_proof(6, 5, TREE)


def test_power_of_two_old_size_omits_the_old_root() -> None:
    proof = consistency_proof(4, 8, TREE)
    assert proof == [range_hash(4, 8, TREE)]
    assert verify_consistency(4, 8, root(4, TREE), root(8, TREE), proof)


def test_inclusion_edge_cases() -> None:
    r = root(1, TREE)
    assert verify_inclusion(LEAVES[0], 0, 1, [], r)
    assert not verify_inclusion(LEAVES[0], 1, 1, [], r)
    assert not verify_inclusion(LEAVES[0], 0, 0, [], r)
    assert not verify_inclusion(LEAVES[0][:31], 0, 1, [], r[:31])  # not hashes at all
    with pytest.raises(ValueError):
        inclusion_proof(5, 5, TREE)


# ---------------------------------------------------------------- appending and storage


@given(data=st.data())
def test_appender_resumed_from_right_edge_matches(data: st.DataObject) -> None:
    total = data.draw(sizes)
    split = data.draw(st.integers(min_value=0, max_value=total))
    whole = Appender()
    blobs = whole.append_many(LEAVES[:total])
    resumed = Appender(split, right_edge(split, TREE))
    assert resumed.root() == root(split, TREE)
    assert resumed.append_many(LEAVES[split:total]) == blobs[split:]
    assert resumed.root() == whole.root() == ref_mth(ENTRIES[:total])
    assert resumed.size == whole.size == total


@given(index=st.integers(min_value=0, max_value=299))
def test_blob_holds_the_subtrees_the_entry_completes(index: int) -> None:
    blob = TREE.nodes[index]
    completed = (~index & (index + 1)).bit_length() - 1  # trailing one bits
    assert len(blob) == 32 * completed
    for height in range(1, completed + 1):
        first = index + 1 - (1 << height)
        expected = ref_mth(ENTRIES[first : index + 1])
        assert blob[(height - 1) * 32 : height * 32] == expected
        assert TREE.subtree(height, first >> height) == expected


@given(split=st.integers(min_value=0, max_value=300))
def test_append_and_append_many_agree(split: int) -> None:
    one_by_one = Appender()
    singles = [one_by_one.append(leaf) for leaf in LEAVES]
    bulk = Appender()
    blobs = bulk.append_many(LEAVES[:split]) + bulk.append_many(iter(LEAVES[split:]))
    assert blobs == singles
    assert bulk.root() == one_by_one.root() and bulk.right_edge == one_by_one.right_edge


def test_appender_rejects_a_wrong_right_edge() -> None:
    with pytest.raises(ValueError, match="right-edge"):
        Appender(5, [LEAVES[0]])
    with pytest.raises(ValueError, match="32 bytes"):
        Appender(1, [b"short"])
    with pytest.raises(ValueError):
        Appender(-1, [])


def test_memory_source_rejects_missing_subtrees() -> None:
    source = MemorySource(ENTRIES[:5])
    for height, index in ((0, 5), (1, 2), (3, 0), (-1, 0), (0, -1)):
        with pytest.raises(IndexError):
            source.subtree(height, index)


class CountingSource(LoopingSource):
    """Wraps a tree and counts how it is asked."""

    def __init__(self, inner: MemorySource) -> None:
        self.inner = inner
        self.batches: list[int] = []
        self.singles = 0

    def subtree(self, height: int, index: int) -> bytes:
        self.singles += 1
        return self.inner.subtree(height, index)

    def subtrees(self, requests: Sequence[tuple[int, int]]) -> list[bytes]:
        self.batches.append(len(requests))
        return [self.inner.subtree(h, i) for h, i in requests]


@given(data=st.data())
def test_each_proof_is_one_batch_of_few_nodes(data: st.DataObject) -> None:
    size = data.draw(sizes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    old = data.draw(st.integers(min_value=0, max_value=size))
    limit = 2 * math.ceil(math.log2(size + 1)) + 2
    for compute in (
        lambda s: inclusion_proof(index, size, s),
        lambda s: consistency_proof(old, size, s),
        lambda s: root(size, s),
        lambda s: right_edge(size, s),
    ):
        source = CountingSource(TREE)
        compute(source)
        assert source.singles == 0
        assert len(source.batches) <= 1
        assert sum(source.batches) <= limit


def test_memory_source_grows_like_a_store() -> None:
    source = MemorySource()
    for size, entry in enumerate(ENTRIES[:40], start=1):
        source.append(entry)
        assert source.root() == root(size, source) == ref_mth(ENTRIES[:size])
    assert source.nodes == TREE.nodes[:40]


# ---------------------------------------------------------------- the standalone copy


@given(data=st.data())
def test_standalone_verifier_agrees_with_the_package(data: st.DataObject) -> None:
    new = data.draw(sizes)
    old = data.draw(st.integers(min_value=0, max_value=new))
    index = data.draw(st.integers(min_value=0, max_value=new - 1))
    path = inclusion_proof(index, new, TREE)
    proof = consistency_proof(old, new, TREE)
    old_root, new_root = root(old, TREE), root(new, TREE)
    at = data.draw(st.integers(min_value=0, max_value=31))
    for nodes in (path, [flip(n, at) for n in path[:1]] + path[1:]):
        assert verifier.verify_inclusion(
            LEAVES[index], index, new, nodes, new_root
        ) == (verify_inclusion(LEAVES[index], index, new, nodes, new_root))
    for nodes in (proof, [flip(n, at) for n in proof[:1]] + proof[1:]):
        assert verifier.verify_consistency(old, new, old_root, new_root, nodes) == (
            verify_consistency(old, new, old_root, new_root, nodes)
        )
    assert verifier.verify_inclusion(LEAVES[index], index, new, path, new_root)
    assert verifier.verify_consistency(old, new, old_root, new_root, proof)


@settings(max_examples=20)
@given(size=st.integers(min_value=1, max_value=300))
def test_store_layout_matches_the_documented_rows(size: int) -> None:
    """Subtree (h, j) sits in row (j+1)·2^h − 1: what the SQL store relies on."""
    source = MemorySource(ENTRIES[:size])
    for height, index in merkle.decomposition(0, size):
        row = ((index + 1) << height) - 1
        assert row < size
        stored = (
            LEAVES[row]
            if height == 0
            else source.nodes[row][(height - 1) * 32 : height * 32]
        )
        assert stored == ref_mth(ENTRIES[index << height : (index + 1) << height])
