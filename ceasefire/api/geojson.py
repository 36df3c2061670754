"""GeoJSON (RFC 7946) out of reports and incidents, serialised with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

GEOJSON = "application/geo+json"


def point_feature(
    feature_id: str, lon: float, lat: float, properties: dict[str, Any]
) -> dict[str, Any]:
    """A Point feature."""
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def report_properties(body: dict[str, Any], state: str) -> dict[str, Any]:
    """The properties a map needs to draw and filter a report."""
    attribution = body.get("attribution") or {}
    weapon = body.get("weapon") or {}
    return {
        "id": body["id"],
        "event_type": body["event_type"],
        "observed_start": body["observed"]["start"],
        "observed_end": body["observed"].get("end"),
        "state": state,
        "party": attribution.get("party"),
        "source_type": body["source"]["type"],
        "precision_m": body["location"].get("precision_m"),
        "admin1": body["location"].get("admin1"),
        "weapon_class": weapon.get("class"),
        "calibre_mm": weapon.get("calibre_mm"),
    }


def collection(features: list[dict[str, Any]], next_cursor: str | None) -> Response:
    """A FeatureCollection response; ``next`` is a foreign member for paging."""
    body = {"type": "FeatureCollection", "features": features, "next": next_cursor}
    return Response(orjson.dumps(body), media_type=GEOJSON)


def json_response(body: Any, status: int = 200) -> Response:
    """Plain JSON, serialised with orjson (fast for large pages)."""
    return Response(orjson.dumps(body), status, media_type="application/json")
