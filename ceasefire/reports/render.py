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
from ceasefire.reports.daily import Breach, DailyReport

FORMATS = (".html", ".pdf")

_templates = Environment(
    loader=PackageLoader("ceasefire.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _change(now: int, before: int) -> str:
    if now == before:
        return "the same number as in"
    return "more than in" if now > before else "fewer than in"


def _plural(n: int, one: str, many: str | None = None) -> str:
    """``one`` for 1, else ``many`` (default: ``one`` + 's')."""
    return one if n == 1 else (many or one + "s")


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
    edition = "Public edition" if report.edition == "public" else "RESTRICTED"
    css = css.replace("{{NUMBER}}", report.number).replace("{{EDITION}}", edition)
    return _templates.get_template("daily.html").render(
        r=report,
        css=css,
        map_png=_data_uri(figures.day_map(report, agreement)),
        type_chart=_data_uri(figures.type_chart(report)),
        trend_chart=_data_uri(figures.trend_chart(report)),
        change=_change,
        signed=lambda n: f"{n:+d}" if n else "0",
        label=lambda event_type: event_type.replace("_", " "),
        breach_groups=breach_groups,
        plural=_plural,
    )


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
