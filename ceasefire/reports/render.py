"""Render a daily report as self-contained HTML (pictures inline) or as PDF.

The PDF is WeasyPrint's rendering of the same HTML, so both read alike. DejaVu
fonts (Debian fonts-dejavu-core) cover Latin and Cyrillic place names.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ceasefire.agreement.load import Agreement
from ceasefire.errors import ReportError as ReportError  # re-exported
from ceasefire.reports import figures
from ceasefire.reports.daily import Breach, DailyReport, Event
from ceasefire.reports.words import Words

FORMATS = (".html", ".pdf")

_templates = Environment(
    loader=PackageLoader("ceasefire.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _change(words: Words, now: int, before: int) -> str:
    if now == before:
        return words.plain("change_same")
    return words.plain("change_more" if now > before else "change_fewer")


def breach_groups(
    breaches: Sequence[Breach],
) -> list[tuple[tuple[str, str], list[Breach]]]:
    """Breaches by (clause, party), the largest group first."""
    groups: dict[tuple[str, str], list[Breach]] = defaultdict(list)
    for breach in breaches:
        groups[(f"{breach.clause}: {breach.clause_title}", breach.party)].append(breach)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def to_html(report: DailyReport, agreement: Agreement) -> str:
    """The report as one HTML document with its map and charts inline."""
    css = (Path(__file__).parent / "templates" / "daily.css").read_text(
        encoding="utf-8"
    )
    words = Words(report.lang)
    edition = words.plain(
        "edition_public" if report.edition == "public" else "edition_restricted_short"
    )
    css = css.replace("{{NUMBER}}", report.number).replace("{{EDITION}}", edition)
    return _templates.get_template("daily.html").render(
        r=report,
        w=words,
        css=css,
        map_png=_data_uri(figures.day_map(report, agreement, words)),
        type_chart=_data_uri(figures.type_chart(report, words)),
        trend_chart=_data_uri(figures.trend_chart(report, words)),
        change=lambda now, before: _change(words, now, before),
        signed=lambda n: f"{n:+d}" if n else "0",
        label=lambda event_type: event_type.replace("_", " "),
        clock=lambda event: _clock(words, event),
        breach_groups=breach_groups,
    )


def _clock(words: Words, event: Event) -> str:
    """HH:MM UTC, or the word for 'day' when only the day is known."""
    clock = event.clock
    return words.plain("clock_day") if clock == "day" else clock


def to_pdf(html: str) -> bytes:
    """The HTML rendered to PDF by WeasyPrint."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except OSError as exc:  # Pango or its fonts missing from the system
        raise ReportError(
            f"WeasyPrint cannot load its system libraries ({exc}); on Debian:"
            " apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
        ) from None
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def write(report: DailyReport, agreement: Agreement, out: Path) -> Path:
    """Write ``report`` to ``out`` as .html or .pdf (chosen by the suffix)."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(
            f"cannot write a daily report as {out.name!r}; expected a name ending"
            " in .html or .pdf"
        )
    html = to_html(report, agreement)
    if suffix == ".html":
        out.write_text(html, encoding="utf-8")
    else:
        out.write_bytes(to_pdf(html))
    return out
