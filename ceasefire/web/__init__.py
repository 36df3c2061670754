"""The web UI: an operations-room map, incident pages, dashboard, notices, commitments.

``mount(app)`` adds the pages and static files to the API's FastAPI app, so
one process serves both (issue 8). Everything works with no internet: Leaflet
is vendored from npm (scripts/vendor_web.sh) and the basemap is drawn from the
bundled boundaries, never from a tile server. Pages are thin HTML shells; plain
JavaScript modules (no build step) fetch the JSON API and draw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
LANGUAGES = ("en", "uk", "ru")

PAGES: dict[str, str] = {
    "map": "Map",
    "incident": "Incident",
    "dashboard": "Dashboard",
    "notices": "Notices",
    "commitments": "Commitments",
    "tracker": "Implementation",
}
"""Page id → English title (the JavaScript dictionary translates it)."""

BASEMAP_LAYERS = {
    "land": "ukr-land.geojson",
    "oblasts": "ukr-adm1.geojson",
    "raions": "ukr-adm2.geojson",
}
"""Basemap layer name → bundled boundary file (see DATA-LICENSE.md)."""
PLACE_NAMES = "adm1-names.json"
"""Ukrainian and Russian names of the oblasts, by ISO 3166-2 code."""

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_html(page: str, lang: str = "en", **context: str) -> str:
    """The HTML shell of one page; its module (static/js/<page>.js) does the rest."""
    if page not in PAGES:
        raise ValueError(f"no page {page!r}; expected one of {', '.join(PAGES)}")
    title = catalog(lang).get(f"title_{page}", PAGES[page])
    return _templates.get_template("page.html").render(
        page=page, title=title, lang=lang, pages=PAGES, **context
    )


@cache
def catalog(lang: str) -> dict[str, str]:
    """The UI's strings in ``lang`` (static/i18n/<lang>.json; English when unknown)."""
    name = lang if lang in LANGUAGES else "en"
    data = json.loads((STATIC / "i18n" / f"{name}.json").read_text(encoding="utf-8"))
    strings: dict[str, str] = data["strings"]
    return strings


def _lang(request: Request, lang: str | None) -> str:
    """?lang= wins, then the browser's first preference we speak; English otherwise."""
    if lang in LANGUAGES:
        return lang
    for item in request.headers.get("accept-language", "").split(","):
        code = item.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def _router() -> APIRouter:
    from ceasefire.api.context import caller

    # pages, not API: keep OpenAPI clean; rate-limited like every route (issue 14)
    router = APIRouter(include_in_schema=False, dependencies=[Depends(caller)])

    def shell(page: str) -> Callable[..., HTMLResponse]:
        def view(request: Request, lang: str | None = Query(None)) -> HTMLResponse:
            return HTMLResponse(page_html(page, _lang(request, lang)))

        return view

    router.add_api_route("/", shell("map"), methods=["GET"])
    router.add_api_route("/dashboard", shell("dashboard"), methods=["GET"])
    router.add_api_route("/notices", shell("notices"), methods=["GET"])
    router.add_api_route("/commitments", shell("commitments"), methods=["GET"])
    router.add_api_route("/tracker", shell("tracker"), methods=["GET"])

    @router.get("/incidents/{incident_id}")
    def incident(
        request: Request, incident_id: str, lang: str | None = Query(None)
    ) -> HTMLResponse:
        html = page_html("incident", _lang(request, lang), incident_id=incident_id)
        return HTMLResponse(html)

    @router.get("/basemap/names.json")
    def place_names() -> FileResponse:
        """Oblast names in Ukrainian and Russian, by ISO code (basemap labels)."""
        path = resources.files("ceasefire.data.boundaries").joinpath(PLACE_NAMES)
        return FileResponse(
            str(path),
            media_type="application/json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @router.get("/basemap/{layer}.geojson")
    def basemap(layer: str) -> FileResponse:
        name = BASEMAP_LAYERS.get(layer)
        if name is None:
            raise HTTPException(404, f"no basemap layer {layer!r}")
        path = resources.files("ceasefire.data.boundaries").joinpath(name)
        return FileResponse(
            str(path),
            media_type="application/geo+json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    return router


def mount(app: FastAPI) -> None:
    """Serve the UI pages, the basemap and /static from ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(_router())
