"""The importers we know, and picking one from a file's header."""

from __future__ import annotations

from pathlib import Path

from ceasefire.errors import UnknownFormat as UnknownFormat  # re-exported
from ceasefire.errors import suggest
from ceasefire.io import (
    acled,
    alerts,
    alerts_volunteer,
    bellingcat,
    bellingcat_timemap,
    cir,
    control_maps,
    corridors,
    deepstate_daily,
    flat,
    gdelt,
    geojson,
    geoparquet,
    hxl,
    iati,
    kiel,
    kobo,
    missiles,
    ucdp,
)
from ceasefire.io.base import Importer, csv_header
from ceasefire.io.ledger import TEMPLATE, LedgerImporter

IMPORTERS: dict[str, Importer] = {
    i.name: i
    for i in (
        ucdp.IMPORTER,
        cir.IMPORTER,
        alerts.IMPORTER,
        bellingcat_timemap.IMPORTER,  # before bellingcat: its events have those keys too
        bellingcat.IMPORTER,
        alerts_volunteer.IMPORTER,
        missiles.IMPORTER,
        corridors.IMPORTER,
        acled.IMPORTER,
        gdelt.IMPORTER,
        hxl.IMPORTER,
        flat.IMPORTER,
        kobo.IMPORTER,
        deepstate_daily.IMPORTER,  # control maps before generic GeoJSON
        control_maps.DEEPSTATE_ARCHIVE,
        control_maps.NZZ,
        control_maps.ISW,
        geojson.IMPORTER,
        geoparquet.IMPORTER,
    )
}

LEDGER_IMPORTERS: dict[str, LedgerImporter] = {
    i.name: i for i in (kiel.IMPORTER, iati.IMPORTER, TEMPLATE)
}
"""Deliveries and disbursements (issue 15): rows become ledger entries, not reports."""


def importer_for(path: Path, name: str | None = None) -> Importer:
    """The named importer, or the one whose required columns the header has."""
    if name is not None:
        if name not in IMPORTERS:
            raise UnknownFormat(
                f"unknown format {name!r}",
                value=name,
                expected="one of " + ", ".join(IMPORTERS),
                suggestion=suggest(name, IMPORTERS),
            )
        return IMPORTERS[name]
    for importer in IMPORTERS.values():  # JSON, GDELT, HXL: look inside the file
        detect_file = getattr(importer, "detect_file", None)
        if detect_file is not None and detect_file(path):
            return importer
    try:
        header = csv_header(path)
    except UnicodeDecodeError:  # binary (e.g. a zip) that no format above knew
        header = []
    for importer in IMPORTERS.values():
        if importer.detect(header):
            return importer
    raise UnknownFormat(
        f"{path}: no importer recognises its columns ({', '.join(header[:8])}…)",
        value=header[:8],
        expected="; ".join(
            f"{i.name}: {', '.join(sorted(i.required_columns))}"
            for i in IMPORTERS.values()
        ),
    )
