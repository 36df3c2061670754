"""``/docs``: Swagger UI from the package's vendored copy, so it works offline.

The files come from npm's ``swagger-ui-dist`` (scripts/vendor_swagger.sh)
and are served under /static with the web UI. Without ``ceasefire.web`` the
page falls back to FastAPI's default (Swagger UI from a CDN).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse

VENDOR = "/static/vendor/swagger-ui"


def install(app: FastAPI, offline: bool) -> None:
    """Serve ``/docs``; from the vendored files when ``offline`` (the web UI is mounted)."""
    if not offline:
        return

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR}/swagger-ui.css",
            swagger_favicon_url=f"{VENDOR}/favicon-32x32.png",
        )
