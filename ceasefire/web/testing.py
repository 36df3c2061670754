"""A real server and a real browser, for the browser tests and bench/bench_map.py.

``serve`` runs the real app (ceasefire.api.create_app, which mounts the UI)
under uvicorn on a free 127.0.0.1 port in a background thread. ``browser``
launches Debian's Chromium through Playwright (a dev dependency, imported
here only) with the flags that keep it off the network, and ``offline_page``
aborts and records every request that leaves the server.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("CEASEFIRE_CHROMIUM", "/usr/bin/chromium")
OFFLINE_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--metrics-recording-only",
    # names resolve only for loopback: nothing can reach the internet
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(db_url: str, agreements: list[Path], tokens: dict[str, str]) -> Iterator[str]:
    """The real app on a free loopback port; yields its base URL, stops on exit."""
    import uvicorn

    from ceasefire.api.app import create_app

    app = create_app(db_url, agreements, tokens, rate=1e6, burst=10**6)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def browser(executable: str = CHROMIUM) -> Iterator[Any]:
    """Headless Chromium via Playwright with its own executable (no download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=OFFLINE_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


def offline_page(
    browser_: Any, base_url: str, outside: list[str], **options: Any
) -> Any:
    """A page whose requests beyond ``base_url`` are aborted and listed in ``outside``."""
    context = browser_.new_context(viewport={"width": 1400, "height": 900}, **options)
    page = context.new_page()

    def route(route_: Any) -> None:
        if route_.request.url.startswith(base_url):
            route_.continue_()
        else:
            outside.append(route_.request.url)
            route_.abort()

    page.route("**/*", route)
    return page
