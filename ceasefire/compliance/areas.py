"""Reports placed by an area (an oblast, a raion, the country), measured over the area.

A report that names only "Lviv oblast" could be about any point of it. Its
distance to a line is therefore the interval ``[min, max]`` of the distance
over the whole area, and ``inside(zone)`` is true only when the whole area
lies in the zone, false when none of it does, unknown otherwise. So "every
point of Lviv oblast is more than 400 km from the freeze line" is decided,
while "Zaporizhzhia oblast" against a 30 km band is not.

The bounds are sound, not approximations: the minimum is taken over the
area's edge densified every ``s`` km (the nearest point of an area to a set
it does not meet lies on the area's edge), less ``s/2``; the maximum over the
edge and a lattice of interior points ``s`` km apart, plus ``s·(1/√2 + 1/2)``
(a distance changes by at most the step). Distances are the agreement
geometry's own geodesic ``Measure`` (``ceasefire.geo.measure``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import shapely

from ceasefire.compliance.facts import FloatArray
from ceasefire.geo.boundaries import admin_units, country
from ceasefire.geo.crs import area_km2
from ceasefire.geo.measure import Measure

KM_PER_DEGREE = 111.7
"""Upper bound of km per degree on WGS84 (a step in degrees is at most this long)."""
SAMPLES = 60
"""About this many steps across an area: the step is sqrt(area) / SAMPLES km."""
STEP_KM = (1.0, 10.0)
"""Bounds of the sampling step, km."""
COUNTRY = "UA"


class AreaError(ValueError):
    """A report's area names no bundled admin unit."""


@lru_cache(maxsize=512)
def area_shape(key: str) -> shapely.Geometry:
    """The union of the units a key names ("UA-46|UA-61", "UA", "UA-46:Stryiskyi Raion")."""
    parts = []
    for code in key.split("|"):
        parts.append(_unit(code))
    return shapely.union_all(parts)


@lru_cache(maxsize=512)
def area_name(key: str) -> str:
    """The units of a key as people name them ("Lviv Oblast and Ternopil Oblast")."""
    names = {unit.iso: unit.name for unit in admin_units(1)}
    shown = [
        "Ukraine" if code == COUNTRY else names.get(code, code.split(":")[-1])
        for code in key.split("|")
    ]
    return " and ".join(shown)


def _unit(code: str) -> shapely.Geometry:
    if code == COUNTRY:
        return country()
    if ":" in code:
        oblast, raion = code.split(":", 1)
        for unit in admin_units(2):
            if unit.oblast_iso == oblast and unit.name == raion:
                return unit.geometry
    else:
        for unit in admin_units(1):
            if unit.iso == code:
                return unit.geometry
    raise AreaError(
        f"no bundled admin unit {code!r}; expected 'UA', an oblast's ISO code"
        " (UA-46) or 'UA-46:<raion name>'"
    )


@lru_cache(maxsize=512)
def samples(key: str) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float]:
    """(edge lon, edge lat, all lon, all lat, step km) of an area."""
    shape = area_shape(key)
    step = float(np.clip(np.sqrt(area_km2(shape)) / SAMPLES, *STEP_KM))
    degrees = step / KM_PER_DEGREE
    edge = shapely.get_coordinates(shapely.segmentize(shape.boundary, degrees))
    minx, miny, maxx, maxy = shape.bounds
    mesh = np.meshgrid(
        np.arange(minx, maxx + degrees, degrees),
        np.arange(miny, maxy + degrees, degrees),
    )
    gx, gy = mesh[0].ravel(), mesh[1].ravel()
    keep = shapely.contains_xy(shape, gx, gy)
    all_x = np.concatenate([edge[:, 0], gx[keep]])
    all_y = np.concatenate([edge[:, 1], gy[keep]])
    return edge[:, 0], edge[:, 1], all_x, all_y, step


@dataclass(frozen=True)
class Span:
    """What is known about one area against one geometry."""

    lo_km: float
    hi_km: float
    inside: int
    """1 the whole area inside the zone (for a boundary line: its inside zone),
    -1 none of it, 0 partly (or a line without a zone)."""


def span(key: str, shape: shapely.Geometry, measure: Measure) -> Span:
    """Distance bounds of every point of area ``key`` to ``shape``, and containment."""
    area = area_shape(key)
    edge_x, edge_y, all_x, all_y, step = samples(key)
    meets = bool(shapely.intersects(area, shape))
    lo = 0.0 if meets else float(measure.distance_km(edge_x, edge_y).min()) - step / 2
    hi = float(measure.distance_km(all_x, all_y).max()) + step * (0.5**0.5 + 0.5)
    return Span(max(lo, 0.0), hi, _containment(area, measure))


def _containment(area: shapely.Geometry, measure: Measure) -> int:
    """1 the area lies wholly in the zone (a line's: its inside zone), -1 none
    of it, 0 partly or no zone."""
    zone = measure.geometry if measure.kind == "area" else None
    inside_zone = getattr(measure, "inside_zone", None)
    if inside_zone is not None:
        zone = inside_zone.geometry
    if zone is None:
        return 0
    if not shapely.intersects(zone, area):
        return -1
    return 1 if bool(shapely.covers(zone, area)) else 0


@dataclass
class AreaPlaces:
    """The area of each row of one batch of facts, measured once per area and geometry."""

    keys: npt.NDArray[np.object_]
    """Per row: the area key, or None for a report placed by a point."""
    _spans: dict[tuple[str, str], Span] = field(default_factory=dict)

    @classmethod
    def of(cls, areas: Sequence[str | None] | None, n: int) -> AreaPlaces:
        """From ``Facts.extra['area']`` (absent: every row a point)."""
        keys = np.full(n, None, dtype=object)
        if areas is not None:
            keys[:] = list(areas)
        return cls(keys)

    def rows(self, rows: npt.NDArray[np.intp] | None) -> npt.NDArray[np.intp]:
        """Positions (into ``rows``, or into all rows) of rows placed by an area."""
        keys = self.keys if rows is None else self.keys[rows]
        return np.flatnonzero(keys != None)  # noqa: E711 - elementwise

    def spans(
        self,
        geometry: str,
        shape: shapely.Geometry,
        measure: Measure,
        rows: npt.NDArray[np.intp] | None,
    ) -> tuple[npt.NDArray[np.intp], list[Span]]:
        """(positions of area rows, their spans) for ``rows``."""
        at = self.rows(rows)
        keys = self.keys if rows is None else self.keys[rows]
        found = []
        for key in keys[at].tolist():
            known = self._spans.get((key, geometry))
            if known is None:
                known = span(key, shape, measure)
                self._spans[(key, geometry)] = known
            found.append(known)
        return at, found

    def key_at(self, row: int) -> str | None:
        """The area key of one row."""
        key = self.keys[row]
        return None if key is None else str(key)
