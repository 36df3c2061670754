"""Notices as OASIS CAP 1.2 alerts, validated against the shipped schema.

The schema is ``ceasefire/schema/cap/CAP-v1.2.xsd`` (OASIS, see its NOTICE);
every message ``to_cap`` writes is checked with lxml before it is returned.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib import resources

from lxml import etree

from ceasefire.errors import CapError as CapError  # re-exported
from ceasefire.notify.notices import Notice

NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "hotline@ceasefire.invalid"
SEVERITY = {
    "warning": "Moderate",
    "notice_to_guarantors": "Severe",
    "penalty": "Extreme",
}


@cache
def schema() -> etree.XMLSchema:
    """The CAP 1.2 XML Schema shipped with the package."""
    path = resources.files("ceasefire.schema").joinpath("cap/CAP-v1.2.xsd")
    with resources.as_file(path) as file:
        return etree.XMLSchema(etree.parse(str(file)))


def _cap_time(moment: datetime) -> str:
    # CAP wants seconds and an explicit offset, never "Z"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def to_cap(notice: Notice, *, sender: str = SENDER, status: str = "Actual") -> bytes:
    """The notice as a CAP 1.2 ``alert`` (UTF-8 bytes), validated."""

    def sub(
        parent: etree._Element, name: str, text: str | None = None
    ) -> etree._Element:
        element = etree.SubElement(parent, f"{{{NS}}}{name}")
        if text is not None:
            element.text = text
        return element

    alert = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    sub(alert, "identifier", notice.id)
    sub(alert, "sender", sender)
    sub(alert, "sent", _cap_time(notice.created_at))
    sub(alert, "status", status)
    sub(alert, "msgType", "Alert")
    sub(alert, "scope", "Restricted")
    sub(alert, "restriction", f"Liaison point {notice.liaison} of {notice.recipient}")
    info = sub(alert, "info")
    sub(info, "language", "en")
    sub(info, "category", "Security")
    sub(info, "event", notice.title)
    sub(info, "responseType", "Monitor")
    sub(info, "urgency", "Immediate")
    step = str(notice.body.get("step", ""))
    sub(info, "severity", SEVERITY.get(step, "Moderate"))
    sub(info, "certainty", "Observed")
    sub(info, "effective", _cap_time(notice.created_at))
    if notice.ack_due is not None:
        sub(info, "expires", _cap_time(notice.ack_due))
    sub(info, "senderName", f"ceasefire hotline ({notice.agreement})")
    sub(info, "headline", notice.title[:160])
    incidents = ", ".join(notice.body.get("incidents", []))
    sub(info, "description", f"{notice.title}. Incidents: {incidents or 'none'}.")
    if notice.body.get("action"):
        sub(info, "instruction", str(notice.body["action"]))
    for name, value in (
        ("agreement", notice.agreement),
        ("cause", notice.cause),
        ("rule", notice.body.get("rule")),
        ("party", notice.body.get("party")),
        ("incidents", incidents),
    ):
        if value:
            parameter = sub(info, "parameter")
            sub(parameter, "valueName", name)
            sub(parameter, "value", str(value))
    data = bytes(etree.tostring(alert, xml_declaration=True, encoding="UTF-8"))
    problems = validate(data)
    if problems:
        raise CapError(
            f"CAP message for {notice.id} does not validate",
            value=problems[0],
            expected="a CAP 1.2 alert",
        )
    return data


def validate(data: bytes) -> list[str]:
    """Problems of a CAP document against CAP 1.2 (empty when valid)."""
    document = etree.fromstring(data)
    checker = schema()
    if checker.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]
