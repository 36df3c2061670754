"""Browser-test support: skip without Chromium (fail under CEASEFIRE_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ceasefire.web.testing import CHROMIUM


def require_browser() -> str:
    """The Chromium path, or skip (fail under CEASEFIRE_REQUIRE_BROWSER=1)."""
    reason = None
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason:
        if os.environ.get("CEASEFIRE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (CEASEFIRE_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    return CHROMIUM
