"""Draw an agreement's lines, zones, corridors and sites over oblast boundaries.

Everything is drawn offline from bundled boundaries, in a local transverse
Mercator in kilometres so that the scale bar is true. PNG for documents,
self-contained HTML (inline SVG) for the browser.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and in CI

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import (
    Patch,  # noqa: E402
    PathPatch,  # noqa: E402
)
from matplotlib.path import Path as MplPath  # noqa: E402

from ceasefire.agreement.load import Agreement  # noqa: E402
from ceasefire.geo import boundaries  # noqa: E402
from ceasefire.geo.build import Feature  # noqa: E402
from ceasefire.geo.crs import local_projection  # noqa: E402

# Tableau-10 hues: distinguishable in print and by most colour-blind readers.
AREA_COLOURS = (
    "#f28e2b",
    "#edc948",
    "#4e79a7",
    "#e15759",
    "#76b7b2",
    "#b07aa1",
    "#9c755f",
    "#ff9da7",
    "#bab0ac",
    "#59a14f",
)
LINE_COLOURS = ("#c0392b", "#1f3b73", "#6a3d9a", "#111111")
OUTSIDE = "#e3e3e3"


def _polygon_path(shape: shapely.Geometry) -> MplPath:
    """A matplotlib path with holes for a (multi)polygon."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for polygon in shapely.get_parts(shape):
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)[:, :2]
            ring_codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
            ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            vertices.append(coords)
            codes.append(ring_codes)
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def shown_ids(agreement: Agreement) -> set[str]:
    """Geometry worth drawing: not the pure building blocks of other geometry.

    A zone is drawn when it has a regime, a predicate names it, or a line is
    its edge (the controlled area a front line bounds); lines, corridors and
    sites always are. Oblasts merely combined into a withdrawal zone are not.
    """
    named = {g for p in agreement.predicates.values() for g in p.geometries}
    bounded = {s.boundary.of for s in agreement.document.geometries if s.boundary}
    return {
        spec.id
        for spec in agreement.document.geometries
        if spec.kind != "zone" or spec.regime or spec.id in named | bounded
    } - {agreement.document.territory}


def _extent(
    agreement: Agreement, projected: dict[str, shapely.Geometry]
) -> tuple[float, ...]:
    wanted = shown_ids(agreement)
    shown = [g for gid, g in projected.items() if gid in wanted] or list(
        projected.values()
    )

    minx, miny, maxx, maxy = shapely.total_bounds(shown)
    pad = max(maxx - minx, maxy - miny) * 0.08 + 10
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _scale_bar(ax: Axes, extent: tuple[float, ...]) -> None:
    minx, miny, maxx, _ = extent
    width = maxx - minx
    length = next(n for n in (500, 200, 100, 50, 20, 10, 5) if n <= width / 4)
    x0, y0 = minx + width * 0.04, miny + (extent[3] - miny) * 0.04
    ax.plot(
        [x0, x0 + length], [y0, y0], color="black", linewidth=3, solid_capstyle="butt"
    )
    ax.text(
        x0 + length / 2, y0 + width * 0.012, f"{length} km", ha="center", fontsize=8
    )


def _draw_feature(
    ax: Axes, feature: Feature, shape: shapely.Geometry, index: int
) -> object:
    label = feature.label
    if feature.kind == "line":
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        for part in shapely.get_parts(shape):
            xy = np.asarray(part.coords)
            ax.plot(xy[:, 0], xy[:, 1], color=colour, linewidth=2.2, zorder=5)
        return Line2D([], [], color=colour, linewidth=2.2, label=label)
    if shape.geom_type in ("Point", "MultiPoint"):
        xy = shapely.get_coordinates(shape)
        ax.scatter(xy[:, 0], xy[:, 1], marker="^", s=40, color="black", zorder=6)
        return Line2D([], [], marker="^", color="black", linestyle="", label=label)
    colour = AREA_COLOURS[index % len(AREA_COLOURS)]
    hatch = "///" if feature.kind == "corridor" else None
    patch = PathPatch(
        _polygon_path(shape),
        facecolor=colour,
        edgecolor=colour,
        alpha=0.35,
        hatch=hatch,
        linewidth=1.0,
        zorder=3 if feature.kind == "corridor" else 2,
    )
    ax.add_patch(patch)
    return Patch(
        facecolor=colour, edgecolor=colour, alpha=0.5, hatch=hatch, label=label
    )


def draw(agreement: Agreement) -> Figure:
    """A matplotlib figure of the agreement's geometry, with legend and scale."""
    features = agreement.features
    union = shapely.union_all(
        [f.shape for f in features.values()] or [boundaries.country()]
    )
    to_km = _km_transform(union)
    projected = {gid: shapely.transform(f.shape, to_km) for gid, f in features.items()}
    extent = _extent(agreement, projected)

    fig, ax = plt.subplots(figsize=(11, 8.5), dpi=110)
    ax.set_facecolor(OUTSIDE)  # no coastline data: sea and neighbours alike
    for unit in boundaries.admin_units(1):
        ax.add_patch(
            PathPatch(
                _polygon_path(shapely.transform(unit.geometry, to_km)),
                facecolor="#f7f5ef",
                edgecolor="#8c8c8c",
                linewidth=0.6,
                zorder=1,
            )
        )
        centre = shapely.transform(unit.geometry.representative_point(), to_km)
        if extent[0] < centre.x < extent[2] and extent[1] < centre.y < extent[3]:
            ax.text(
                centre.x,
                centre.y,
                unit.name.replace(" Oblast", ""),
                fontsize=7,
                color="#6b6b6b",
                ha="center",
                zorder=7,
                style="italic",
            )

    handles: list[object] = [
        Patch(facecolor=OUTSIDE, edgecolor="#8c8c8c", label="Outside Ukraine")
    ]
    shown = shown_ids(agreement)
    # Largest areas first so that smaller ones stay visible on top; lines last.
    areas = [f for f in features.values() if f.kind != "line" and f.id in shown]
    areas.sort(key=lambda f: -projected[f.id].area)
    lines = [f for f in features.values() if f.kind == "line"]
    for group in (areas, lines):  # each kind cycles through its own colours
        for index, feature in enumerate(group):
            handles.append(_draw_feature(ax, feature, projected[feature.id], index))

    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    _scale_bar(ax, extent)
    doc = agreement.document
    ax.set_title(f"{doc.title}\n{doc.id} · version {doc.version}", fontsize=11)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    ax.text(
        0.995,
        0.005,
        textwrap.fill(_attribution(agreement), 90),
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=5.5,
        color="#444444",
        zorder=8,
        bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 2},
    )
    fig.tight_layout()
    return fig


def _km_transform(shape: shapely.Geometry):  # type: ignore[no-untyped-def]
    to_metres, _ = local_projection(shape)
    return lambda coords: to_metres(coords) / 1000.0


def _attribution(agreement: Agreement) -> str:
    sources = ["Boundaries: geoBoundaries (simplified)"]
    sources += [s.attribution for s in agreement.document.geometries if s.attribution]
    return " · ".join(dict.fromkeys(sources)) + " · drawn by ceasefire, no tiles"


def render(agreement: Agreement, out: Path) -> Path:
    """Write the map to ``out``: .png, .svg or .html (self-contained)."""
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg", ".html"):
        raise ValueError(
            f"cannot draw a map as {suffix!r}; expected .png, .svg or .html"
        )
    fig = draw(agreement)
    try:
        if suffix == ".html":
            out.write_text(_html(agreement, fig), encoding="utf-8")
        else:
            fig.savefig(out, format=suffix[1:], bbox_inches="tight")
    finally:
        plt.close(fig)
    return out


def _html(agreement: Agreement, fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    image = base64.b64encode(buffer.getvalue()).decode("ascii")
    doc = agreement.document
    rows = "".join(
        f"<tr><td>{html.escape(f.id)}</td><td>{f.kind}</td><td>{html.escape(f.label)}</td></tr>"
        for f in agreement.features.values()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(doc.title)} — map</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}
img{{max-width:100%}}td,th{{padding:.2em .8em;text-align:left}}</style></head>
<body><h1>{html.escape(doc.title)}</h1>
<p>{html.escape(doc.id)} · version {html.escape(doc.version)}</p>
<img alt="Map of the agreement's lines and zones" src="data:image/png;base64,{image}">
<h2>Geometry</h2><table><tr><th>id</th><th>kind</th><th>label</th></tr>{rows}</table>
</body></html>
"""
