"""``/docs`` renders with the network cut off: Swagger UI is vendored from npm (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from web_support import require_browser

from ceasefire.web.testing import browser, offline_page
from tests.api_support import build_mission, serve

pytestmark = pytest.mark.browser
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(build_mission(tmp_path_factory.mktemp("docs") / "m.db")) as served:
        yield served


def test_docs_page_loads_only_vendored_files(base_url: str) -> None:
    html = httpx.get(f"{base_url}/docs").text
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/vendor/swagger-ui/{name}" in html
        assert (
            httpx.get(f"{base_url}/static/vendor/swagger-ui/{name}").status_code == 200
        )
    assert "cdn.jsdelivr.net" not in html


def test_docs_render_every_operation_offline(base_url: str) -> None:
    document = httpx.get(f"{base_url}/openapi.json").json()
    operations = sum(
        1 for item in document["paths"].values() for method in item if method in METHODS
    )
    outside: list[str] = []
    with browser(require_browser()) as chromium:
        page = offline_page(chromium, base_url, outside)
        page.goto(f"{base_url}/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        title = page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector(".opblock", timeout=30_000)
        shown: Any = page.evaluate("document.querySelectorAll('.opblock').length")
    assert title.startswith("ceasefire")
    assert shown == operations > 20
    assert outside == [], f"/docs reached beyond 127.0.0.1: {outside}"
