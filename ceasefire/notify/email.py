"""Notices by e-mail over SMTP (the liaison point's address is the recipient).

The Message-ID is derived from the notice id, so a mail system that keeps
Message-IDs can drop a resent copy; the CAP form of the notice rides along
as an ``application/cap+xml`` attachment.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

import orjson

from ceasefire.notify.cap import to_cap
from ceasefire.notify.notices import Notice, notice_dict


@dataclass(frozen=True)
class SMTPSettings:
    """Where to hand mail over."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "hotline@ceasefire.invalid"
    timeout: float = 10.0


def message(notice: Notice, sender: str) -> EmailMessage:
    """The e-mail of one notice."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = notice.address or ""
    mail["Subject"] = notice.title
    mail["Message-ID"] = f"<{notice.id}@ceasefire.invalid>"
    mail["X-Ceasefire-Notice"] = notice.id
    due = (
        f"Acknowledge by {notice.ack_due.isoformat()} (ceasefire notices ack {notice.id})."
        if notice.ack_due
        else "No acknowledgement is due."
    )
    text = "\n".join(
        [
            notice.title,
            "",
            "Incidents: " + ", ".join(notice.body.get("incidents", [])),
            due,
            "",
            orjson.dumps(notice_dict(notice), option=orjson.OPT_INDENT_2).decode(),
        ]
    )
    mail.set_content(text)
    mail.add_attachment(
        to_cap(notice),
        maintype="application",
        subtype="cap+xml",
        filename=f"{notice.id}.xml",
    )
    return mail


def send(notice: Notice, settings: SMTPSettings) -> None:
    """Hand the notice to the SMTP server; raises OSError/SMTPException on failure."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        smtp.send_message(message(notice, settings.sender))
