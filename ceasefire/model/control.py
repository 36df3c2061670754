"""Control of territory as observed: who holds which area on which day, per source.

One ``ControlObservation`` is one source's map of one day. Its polygons are not
inlined: each polygon is stored once as content (WKB) under its SHA-256 and the
observation lists the digests, so 769 daily maps that share most of their
rings store each unchanged ring once.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ceasefire.model.base import Identifier, Node

POLYGON_MEDIA_TYPE = "application/vnd.ceasefire.polygon+wkb"
"""Media type of a stored polygon (ISO WKB, lon/lat WGS84)."""

ControlStatus = Literal["held", "contested", "claimed", "advance", "gain", "loss"]
"""What a layer says of its area: held by ``holder``; contested (grey zone);
claimed by ``holder`` (not assessed); an assessed advance; a change window's
gain or loss for ``holder``."""


class ControlLayer(Node):
    """One kind of area on a source's map of a day."""

    status: ControlStatus
    holder: Identifier
    """Whose control the layer describes, as the source names it (e.g. 'russia')."""
    label: str
    """The source's own name of the layer (e.g. 'ordlo_pre2022', 'gains')."""
    polygons: list[str] = Field(default_factory=list)
    """SHA-256 digests (hex) of the layer's polygons, stored as WKB blobs."""


class ControlObservation(Node):
    """One source's map of control on one day."""

    source: Identifier
    """Who drew the map, e.g. 'deepstate', 'nzz', 'isw'."""
    observed_on: date
    """The day the map describes (the source's date, not when it was imported)."""
    file: str
    """Name of the file it was imported from."""
    source_ref: str | None = None
    """The source's own reference for that day (a path, a snapshot id)."""
    layers: list[ControlLayer] = Field(min_length=1)

    def digests(self, statuses: frozenset[str] = frozenset({"held"})) -> list[str]:
        """Digests of the polygons of the layers with one of ``statuses``."""
        return [
            d
            for layer in self.layers
            if layer.status in statuses
            for d in layer.polygons
        ]
