"""The weekly implementation report: commitments, deliveries, disbursements, indicators.

``build`` collects everything as of one instant (passed in); ``to_html``
renders it with inline SVG (sparklines, the Gantt), so the HTML is
self-contained and WeasyPrint makes the PDF from the same text.

Editions: *public* shows claims with who made them and when, but no source
references (a source may be protected) and no actor names; *restricted*
adds the sources, the log entry ids the statuses rest on and the actors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ceasefire.agreement.load import Agreement
from ceasefire.store.base import Store
from ceasefire.tracker import gantt, ledger
from ceasefire.tracker.indicators import compute
from ceasefire.tracker.record import due_within, load_evidence, tracker_for

Edition = Literal["public", "restricted"]
_templates = Environment(
    loader=PackageLoader("ceasefire.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class ImplementationReport:
    """Everything the implementation report shows, as of one instant."""

    agreement: Agreement
    as_of: datetime
    edition: Edition
    parties: list[dict[str, Any]] = field(default_factory=list)
    gantt_rows: list[dict[str, Any]] = field(default_factory=list)
    slipped: list[dict[str, Any]] = field(default_factory=list)
    due_soon: list[dict[str, Any]] = field(default_factory=list)
    pledges: list[dict[str, Any]] = field(default_factory=list)
    ledger_groups: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    said: list[dict[str, Any]] = field(default_factory=list)

    @property
    def week(self) -> str:
        """ISO week of ``as_of`` in the agreement's zone, e.g. 2025-W45."""
        year, week, _ = self.as_of.isocalendar()
        return f"{year}-W{week:02d}"


def build(
    store: Store, agreement: Agreement, as_of: datetime, edition: Edition = "public"
) -> ImplementationReport:
    """The report's content from the log as of ``as_of``."""
    tracker = tracker_for(store, agreement, as_of)
    report = ImplementationReport(agreement, as_of, edition)
    report.gantt_rows = gantt.rows(tracker)
    report.parties = _by_party(report.gantt_rows, tracker.decided, edition)
    report.slipped = [r for r in report.gantt_rows if r["slipped"]]
    report.due_soon = [
        {"step": d.step, "due": d.due, "status": d.status}
        for d in due_within(tracker, 30)
    ]
    report.pledges = _pledges(agreement, tracker)
    report.ledger_groups = [_top(g) for g in ledger.summary(store)]
    report.indicators = [
        _indicator(s.to_json()) for s in compute(agreement, store, as_of)
    ]
    report.said = _said(store, agreement, as_of, edition)
    return report


def _by_party(
    rows: list[dict[str, Any]], decided: dict[str, Any], edition: Edition
) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        party = found.setdefault(
            row["party"], {"id": row["party"], "name": row["party_name"], "steps": []}
        )
        decision = decided[row["step"]]
        party["steps"].append(
            {
                **row,
                "rule": decision.rule,
                "evidence": decision.evidence if edition == "restricted" else [],
                "evidence_count": len(decision.evidence),
            }
        )
    return list(found.values())


def _pledges(agreement: Agreement, tracker: Any) -> list[dict[str, Any]]:
    found = []
    for commitment in agreement.document.commitments:
        if commitment.quantity is None:
            continue
        decision = tracker.decided[commitment.id]
        found.append({
            "commitment": commitment.id, "party": commitment.party, "what": commitment.what,
            "promised": commitment.quantity.amount, "unit": commitment.quantity.unit,
            "done": decision.progress * commitment.quantity.amount, "progress": decision.progress,
            "from_ledger": commitment.ledger is not None,
        })  # fmt: skip
    return found


def _top(group: dict[str, Any], n: int = 8) -> dict[str, Any]:
    return {
        **group,
        "by_partner": dict(list(group["by_partner"].items())[:n]),
        "partners": len(group["by_partner"]),
    }


def _indicator(series: dict[str, Any]) -> dict[str, Any]:
    values = [p["value"] for p in series["points"]]
    known = [
        (p["period_start"], p["value"])
        for p in series["points"]
        if p["value"] is not None
    ]
    return {
        **series,
        "spark": Markup(_spark(values, series["target"])),  # noqa: S704 - numbers only
        "latest": known[-1] if known else None,
        "with_data": len(known),
    }


def _spark(values: list[float | None], target: float) -> str:
    from ceasefire.reports.svg import sparkline

    return sparkline(values, target)


def _said(
    store: Store, agreement: Agreement, as_of: datetime, edition: Edition
) -> list[dict[str, Any]]:
    """Who said what in the four weeks to ``as_of`` (all of it in the restricted edition)."""
    since = as_of - timedelta(days=28)
    found = []
    for step, items in load_evidence(store, agreement).items():
        for item in items:
            body = item.body
            if (
                body.observed_at > as_of
                or edition == "public"
                and body.observed_at < since
            ):
                continue
            entry = {
                "step": step,
                "claim": body.claim,
                "by": body.by,
                "text": body.text,
                "observed_at": body.observed_at,
            }
            if edition == "restricted":
                entry |= {"source": body.source, "entry": item.entry}
            found.append(entry)
    return sorted(found, key=lambda e: e["observed_at"])


def to_html(report: ImplementationReport) -> str:
    """The report as one self-contained HTML document."""
    from ceasefire.reports.svg import gantt as gantt_svg

    css = (Path(__file__).parent / "templates" / "implementation.css").read_text(
        encoding="utf-8"
    )
    edition = "Public edition" if report.edition == "public" else "RESTRICTED"
    css = css.replace("{{WEEK}}", report.week).replace("{{EDITION}}", edition)
    return _templates.get_template("implementation.html").render(
        r=report,
        doc=report.agreement.document,
        css=Markup(css),  # noqa: S704 - our own stylesheet
        gantt=Markup(gantt_svg(report.gantt_rows, report.as_of)),  # noqa: S704 - svg.py escapes text
        label=lambda text: str(text).replace("_", " "),
    )


def write(report: ImplementationReport, out: Path) -> Path:
    """Write the report to ``out`` as .html or .pdf (by the suffix)."""
    from ceasefire.reports.render import ReportError, to_pdf

    suffix = out.suffix.lower()
    if suffix not in (".html", ".pdf"):
        raise ReportError(
            f"cannot write the implementation report as {out.name!r}; expected a name ending in .html or .pdf"
        )
    html = to_html(report)
    if suffix == ".html":
        out.write_text(html, encoding="utf-8")
    else:
        out.write_bytes(to_pdf(html))
    return out
