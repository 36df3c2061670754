"""An Atom (RFC 4287) feed of the public edition: penalty steps only.

Breach notices to a party and acknowledgements stay between the mission and
the parties; the public sees each escalation step of each rule with the
incidents it rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from ceasefire.notify.notices import NoticeStatus

ATOM = "http://www.w3.org/2005/Atom"


def public(statuses: Sequence[NoticeStatus]) -> list[NoticeStatus]:
    """The notices the public edition shows: one per penalty step."""
    seen: dict[tuple[str, str], NoticeStatus] = {}
    for status in statuses:
        body = status.notice.body
        if status.notice.cause != "penalty_step":
            continue
        key = (
            str(body.get("rule")),
            f"{body.get('party')}/{body.get('trigger')}/{body.get('step')}",
        )
        seen.setdefault(key, status)
    return sorted(seen.values(), key=lambda s: (s.notice.created_at, s.notice.id))


def feed(
    statuses: Sequence[NoticeStatus], *, feed_id: str, title: str, base_url: str = ""
) -> bytes:
    """The Atom feed (UTF-8 bytes), newest entry first."""
    shown = public(statuses)
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})

    def sub(
        parent: etree._Element, name: str, text: str | None = None
    ) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ATOM}}}{name}")
        if text is not None:
            element.text = text
        return element

    sub(root, "id", feed_id)
    sub(root, "title", title)
    latest = max(
        (s.notice.created_at for s in shown), default=datetime(1970, 1, 1, tzinfo=UTC)
    )
    sub(root, "updated", latest.astimezone(UTC).isoformat())
    author = sub(root, "author")
    sub(author, "name", "ceasefire hotline")
    for status in reversed(shown):
        notice = status.notice
        body = notice.body
        entry = sub(root, "entry")
        sub(
            entry,
            "id",
            f"urn:ceasefire:{notice.agreement}:{body.get('rule')}:{body.get('party')}:{body.get('trigger')}:{body.get('step')}",
        )
        sub(entry, "title", notice.title)
        sub(entry, "updated", notice.created_at.astimezone(UTC).isoformat())
        if base_url:
            link = sub(entry, "link")
            link.set("href", f"{base_url.rstrip('/')}/api/penalties")
        incidents = ", ".join(body.get("incidents", []))
        summary = f"{notice.title}. Incidents: {incidents}."
        if body.get("action"):
            summary += f" Action: {body['action']}"
        sub(entry, "summary", summary)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
