"""Polygons as content: WKB bytes under their SHA-256, decoded once per process.

A polygon's bytes never change under its digest, so a decoded polygon can be
cached for the life of the process without ever going stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import shapely

from ceasefire.errors import MissingPolygon as MissingPolygon  # re-exported
from ceasefire.model.control import POLYGON_MEDIA_TYPE
from ceasefire.store.base import Store

_DECODED: dict[str, shapely.Polygon] = {}
"""digest → polygon; content-addressed, so never stale."""


def polygon_bytes(polygon: shapely.Polygon) -> bytes:
    """The exact bytes stored for a polygon (ISO WKB, 2D, no SRID)."""
    return bytes(shapely.to_wkb(polygon, output_dimension=2, include_srid=False))


def put_polygons(store: Store, polygons: Sequence[shapely.Polygon]) -> list[str]:
    """Store each polygon's content once; return their digests in order."""
    digests = []
    for polygon in polygons:
        content = polygon_bytes(polygon)
        digest = hashlib.sha256(content).hexdigest()
        store.put_blob(digest, POLYGON_MEDIA_TYPE, content)  # no-op when present
        _DECODED.setdefault(digest, polygon)
        digests.append(digest)
    return digests


def get_polygons(store: Store, digests: Iterable[str]) -> list[shapely.Polygon]:
    """The polygons stored under ``digests`` (decoded once, then cached)."""
    result = []
    for digest in digests:
        polygon = _DECODED.get(digest)
        if polygon is None:
            polygon = _decode(store, digest)
            _DECODED[digest] = polygon
        result.append(polygon)
    return result


def _decode(store: Store, digest: str) -> shapely.Polygon:
    content = store.get_blob(digest)
    if content is None:
        raise MissingPolygon(
            f"polygon {digest} is named by a control observation but not stored",
            value=digest,
            expected="the blob written when the observation was imported",
        )
    if hashlib.sha256(content).hexdigest() != digest:
        raise MissingPolygon(
            f"polygon {digest}: stored content no longer matches its SHA-256",
            value=digest,
            expected="unaltered content (run `ceasefire log verify`)",
        )
    return shapely.from_wkb(content)
