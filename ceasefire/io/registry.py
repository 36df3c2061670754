"""The one registry of importers: built-in and third-party, found the same way.

An importer is an ``Importer`` (``ceasefire/io/base.py``) that declares what
the rest of the code needs to know about its format: how to recognise a file
(``detect`` / ``detect_file``, and ``priority``), the box its points lie in
(``scope``), its country (``country``), its columnar reader (``fast_reader``)
and how its rows are numbered (``unit``). Nothing elsewhere is keyed by its name.

Importers are named by entry points of the group ``ceasefire.importers``
(``name = "package.module:IMPORTER"``), as datasette's and pystac's plugins
are: a package that declares one in its ``pyproject.toml`` adds a format to
``ceasefire import`` without touching ceasefire. The built-in importers are
the same kind of entry point, listed in ``BUILT_IN`` rather than in
ceasefire's installed metadata, so a source tree (``PYTHONPATH``, a stale
editable install) always sees its own importers. An entry point is loaded
only when its importer is needed: listing names imports nothing.

Detection is deterministic: importers are asked in order of ``priority``
(higher first), then name; content detection (``detect_file``) for every
importer first, then the CSV header (``detect``); the first to say yes wins.
"""

from __future__ import annotations

import warnings
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TypeVar

from ceasefire.errors import UnknownFormat as UnknownFormat  # re-exported
from ceasefire.errors import suggest
from ceasefire.io.base import Importer, csv_header
from ceasefire.io.ledger import LedgerImporter

GROUP = "ceasefire.importers"
"""The entry-point group third-party importers are declared in."""

BUILT_IN: dict[str, str] = {
    "acled": "ceasefire.io.acled:IMPORTER",
    "alerts": "ceasefire.io.alerts:IMPORTER",
    "alerts-volunteer": "ceasefire.io.alerts_volunteer:IMPORTER",
    "bellingcat": "ceasefire.io.bellingcat:IMPORTER",
    "bellingcat-timemap": "ceasefire.io.bellingcat_timemap:IMPORTER",
    "cir": "ceasefire.io.cir:IMPORTER",
    "corridors": "ceasefire.io.corridors:IMPORTER",
    "csv": "ceasefire.io.flat:IMPORTER",
    "deepstate-archive": "ceasefire.io.control_maps:DEEPSTATE_ARCHIVE",
    "deepstate-daily": "ceasefire.io.deepstate_daily:IMPORTER",
    "gdelt": "ceasefire.io.gdelt:IMPORTER",
    "geojson": "ceasefire.io.geojson:IMPORTER",
    "geoparquet": "ceasefire.io.geoparquet:IMPORTER",
    "hxl": "ceasefire.io.hxl:IMPORTER",
    "isw-control": "ceasefire.io.control_maps:ISW",
    "kobo": "ceasefire.io.kobo:IMPORTER",
    "missiles": "ceasefire.io.missiles:IMPORTER",
    "nzz-territory": "ceasefire.io.control_maps:NZZ",
    "ucdp": "ceasefire.io.ucdp:IMPORTER",
}
"""The importers ceasefire ships: format name → entry point value."""

LEDGER_GROUP = "ceasefire.ledger_importers"
"""The group of ledger importers (issue 15: deliveries and disbursements)."""

LEDGER_BUILT_IN: dict[str, str] = {
    "iati": "ceasefire.io.iati:IMPORTER",
    "kiel": "ceasefire.io.kiel:IMPORTER",
    "ledger-csv": "ceasefire.io.ledger:TEMPLATE",
}


@cache
def _entry_points(group: str) -> dict[str, EntryPoint]:
    """Name → entry point, built-in first; a third party cannot replace one."""
    built_in = BUILT_IN if group == GROUP else LEDGER_BUILT_IN
    found = {name: EntryPoint(name, value, group) for name, value in built_in.items()}
    for point in entry_points(group=group):
        known = found.setdefault(point.name, point)
        if known.value != point.value:
            warnings.warn(
                f"importer {point.name!r} ({point.value}) ignored: the name is"
                f" taken by {known.value}",
                stacklevel=2,
            )
    return dict(sorted(found.items()))


def refresh() -> None:
    """Forget the entry points read so far (after installing a plugin)."""
    _entry_points.cache_clear()
    _loaded.cache_clear()


def names() -> list[str]:
    """Every importer's name, sorted, without importing any importer."""
    return list(_entry_points(GROUP))


T = TypeVar("T", Importer, LedgerImporter)


@cache
def _loaded(group: str, name: str) -> object:
    return _entry_points(group)[name].load()


def _load(group: str, name: str, kind: type[T]) -> T:
    """The object entry point ``name`` of ``group`` names, checked to be a ``kind``
    called ``name``; UnknownFormat for a name not registered."""
    points = _entry_points(group)
    if name not in points:
        raise UnknownFormat(
            f"unknown format {name!r}",
            value=name,
            expected="one of " + ", ".join(points),
            suggestion=suggest(name, points),
        )
    found = _loaded(group, name)
    if not isinstance(found, kind) or found.name != name:
        raise UnknownFormat(
            f"entry point {name} = {points[name].value!r} (group {group}) is not"
            f" a {kind.__name__} named {name!r}",
            value=points[name].value,
            expected=f"a ceasefire {kind.__name__} whose name is the entry point's",
        )
    return found


def importer(name: str) -> Importer:
    """The importer called ``name``."""
    return _load(GROUP, name, Importer)


def importers() -> dict[str, Importer]:
    """Every importer by name, all loaded."""
    return {name: importer(name) for name in names()}


def ledger_importers() -> dict[str, LedgerImporter]:
    """Every ledger importer by name (group ``ceasefire.ledger_importers``)."""
    return {
        n: _load(LEDGER_GROUP, n, LedgerImporter) for n in _entry_points(LEDGER_GROUP)
    }


def detection_order() -> list[Importer]:
    """The order importers are asked about a file: priority, then name."""
    return sorted(importers().values(), key=lambda i: (-i.priority, i.name))


def importer_for(path: Path, name: str | None = None) -> Importer:
    """The named importer, or the first (``detection_order``) that recognises
    the file: by its content, else by its CSV header."""
    if name is not None:
        return importer(name)
    order = detection_order()
    for candidate in order:  # JSON, GDELT, HXL, Parquet: look inside the file
        if candidate.detect_file(path):
            return candidate
    try:
        header = csv_header(path)
    except UnicodeDecodeError:  # binary (e.g. a zip) that no format above knew
        header = []
    for candidate in order:
        if candidate.detect(header):
            return candidate
    raise UnknownFormat(
        f"{path}: no importer recognises its columns ({', '.join(header[:8])}…)",
        value=header[:8],
        expected="; ".join(
            f"{i.name}: {', '.join(sorted(i.required_columns))}" for i in order
        ),
    )
