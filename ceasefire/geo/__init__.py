"""Geometry: projections, bundled boundaries, and building an agreement's shapes."""
