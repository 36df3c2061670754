"""IATI 2.03 activity and organisation XML as ledger rows (issue 15).

The file is first validated against the IATI 2.03 XSDs shipped in
``ceasefire/schema/iati`` (CC BY 4.0, see its NOTICE.md); a file that does not
validate is refused as a whole, naming the first errors with their lines, since
a broken structure makes every value below it doubtful.

Activity files (``<iati-activities>``): every ``<transaction>`` becomes a
``disbursement`` entry keeping its TransactionType code and name (``3`` =
Disbursement, ``1`` = Incoming Funds …), every ``<planned-disbursement>`` one
with type ``planned``. Value and currency as published (``currency`` or the
activity's ``default-currency``). Organisation files
(``<iati-organisations>``): each budget and ``total-expenditure`` becomes an
entry whose type is the element name. ``to_xml`` writes activity rows back as
IATI XML; reading that back gives the same rows (the round trip).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from ceasefire.errors import InvalidIati as InvalidIati  # re-exported
from ceasefire.io.base import RowError
from ceasefire.io.ledger import LedgerImporter, LedgerRow, checked, day, number
from ceasefire.model.tracker import DisbursementBody

DATASET = "iati"
TRANSACTION_TYPES = {
    "1": "Incoming Funds", "2": "Outgoing Commitment", "3": "Disbursement",
    "4": "Expenditure", "5": "Interest Payment", "6": "Loan Repayment",
    "7": "Reimbursement", "8": "Purchase of Equity", "9": "Sale of Equity",
    "10": "Credit Guarantee", "11": "Incoming Commitment", "12": "Outgoing Pledge",
    "13": "Incoming Pledge",
}  # fmt: skip
"""IATI TransactionType codelist (2.03)."""
ORG_ELEMENTS = {
    "total-budget": "Total budget",
    "recipient-org-budget": "Budget for a recipient organisation",
    "recipient-region-budget": "Budget for a recipient region",
    "recipient-country-budget": "Budget for a recipient country",
    "total-expenditure": "Total expenditure",
}
SCHEMAS = {
    "iati-activities": "iati-activities-schema.xsd",
    "iati-organisations": "iati-organisations-schema.xsd",
}


@lru_cache(maxsize=2)
def schema(root: str) -> etree.XMLSchema:
    """The shipped XSD for a root element (loaded once)."""
    folder = resources.files("ceasefire.schema").joinpath("iati")
    with resources.as_file(folder.joinpath(SCHEMAS[root])) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def parse_valid(path: Path) -> etree._ElementTree:
    """The parsed file, or InvalidIati naming the first schema errors."""
    try:
        tree = etree.parse(str(path))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise InvalidIati(
            f"{path}: not readable XML: {exc}",
            value=str(path),
            expected="IATI 2.03 XML",
        ) from None
    root = etree.QName(tree.getroot()).localname
    if root not in SCHEMAS:
        raise InvalidIati(
            f"{path}: root element <{root}>", value=root,
            expected="<iati-activities> or <iati-organisations>",
        )  # fmt: skip
    validator = schema(root)
    if not validator.validate(tree):
        errors = "; ".join(
            f"line {e.line}: {e.message}" for e in list(validator.error_log)[:3]
        )
        raise InvalidIati(
            f"{path}: does not validate against IATI 2.03 ({errors})",
            value=str(path), expected=f"XML valid against {SCHEMAS[root]}",
        )  # fmt: skip
    return tree


def narrative(element: Any | None) -> str | None:
    """The first (default-language) narrative of an element."""
    if element is None:
        return None
    found = element.find("narrative")
    text = found.text if found is not None else None
    return text.strip() if text else None


def _value(
    element: Any, default_currency: str | None
) -> tuple[float, str, date | None]:
    value = element.find("value")
    if value is None or value.text is None:
        raise RowError("value", None, "no <value>; expected an amount")
    currency = value.get("currency") or default_currency
    if not currency:
        raise RowError("value/@currency", None, "no currency and no default-currency")
    when = value.get("value-date")
    return (
        number("value", value.text),
        currency,
        day("value-date", when) if when else None,
    )


def _date(element: Any, path: str, column: str) -> date:
    found = element.find(path)
    if found is None or not found.get("iso-date"):
        raise RowError(column, None, f"no <{path.split('/')[0]} iso-date>")
    return day(column, str(found.get("iso-date")))


def _type_of(tx: Any, kind: str) -> tuple[str, str, date, date | None]:
    """(type code, type name, date, period end) of a transaction or plan."""
    if kind == "transaction":
        found = tx.find("transaction-type")
        code = (found.get("code") if found is not None else None) or ""
        if code not in TRANSACTION_TYPES:
            raise RowError(
                "transaction-type", code, "not an IATI TransactionType code (1–13)"
            )
        on = _date(tx, "transaction-date", "transaction-date")
        return code, TRANSACTION_TYPES[code], on, None
    on = _date(tx, "period-start", "period-start")
    has_end = tx.find("period-end") is not None
    end = _date(tx, "period-end", "period-end") if has_end else None
    return "planned", "Planned disbursement", on, end


def _partner(tx: Any, activity: Any) -> tuple[str, str | None]:
    """The provider organisation, else the reporting one: (name, ref)."""
    for element in (tx.find("provider-org"), activity.find("reporting-org")):
        if element is not None:
            return narrative(element) or "", element.get("ref")
    return "", None


def transaction_body(tx: Any, activity: Any, file: str, kind: str) -> DisbursementBody:
    """A transaction (``kind`` = transaction) or planned disbursement."""
    amount, currency, value_date = _value(tx, activity.get("default-currency"))
    code, name, on, period_end = _type_of(tx, kind)
    partner, ref = _partner(tx, activity)
    countries = [c.get("code") for c in tx.findall("recipient-country")] or [
        c.get("code") for c in activity.findall("recipient-country")
    ]
    flag = tx.get("humanitarian") or activity.get("humanitarian")
    humanitarian = flag in {"1", "true"}
    return DisbursementBody.model_validate(
        {
            "partner": partner, "partner_code": ref,
            "activity": (activity.findtext("iati-identifier") or "").strip(),
            "transaction_type": code, "transaction_name": name, "value": amount,
            "currency": currency, "value_date": value_date, "on": on,
            "period_end": period_end, "receiver": narrative(tx.find("receiver-org")),
            "recipient_countries": countries,
            "category": "humanitarian" if humanitarian else "financial",
            "humanitarian": humanitarian,
            "description": narrative(tx.find("description")),
            "source": {"dataset": DATASET, "file": file, "line": tx.sourceline or 1},
        }
    )  # fmt: skip


def org_body(element: Any, org: Any, file: str) -> DisbursementBody:
    """One organisation budget or expenditure."""
    amount, currency, value_date = _value(element, org.get("default-currency"))
    tag = etree.QName(element).localname
    end = element.find("period-end")
    return DisbursementBody.model_validate(
        {
            "partner": narrative(org.find("reporting-org")) or narrative(org.find("name")) or "",
            "partner_code": (org.findtext("organisation-identifier") or "").strip() or None,
            "activity": (org.findtext("organisation-identifier") or "").strip(),
            "transaction_type": tag, "transaction_name": ORG_ELEMENTS[tag],
            "value": amount, "currency": currency, "value_date": value_date,
            "on": _date(element, "period-start", "period-start"),
            "period_end": day("period-end", end.get("iso-date")) if end is not None else None,
            "receiver": narrative(element.find("recipient-org")),
            "recipient_countries": [c.get("code") for c in element.findall("recipient-country")],
            "category": "financial",
            "source": {"dataset": DATASET, "file": file, "line": element.sourceline or 1},
        }
    )  # fmt: skip


def read(path: Path) -> Iterator[LedgerRow]:
    """Every transaction, planned disbursement, budget and expenditure of a file."""
    tree = parse_valid(path)
    file = str(path)
    root = tree.getroot()
    if etree.QName(root).localname == "iati-activities":
        for activity in root.iter("iati-activity"):
            for kind, tag in (
                ("transaction", "transaction"),
                ("planned", "planned-disbursement"),
            ):
                for tx in activity.iter(tag):
                    yield _row(
                        lambda t=tx, a=activity, k=kind: transaction_body(
                            t, a, file, k
                        ),
                        file,
                        tx,
                    )
        return
    for org in root.iter("iati-organisation"):
        for tag in ORG_ELEMENTS:
            for element in org.findall(tag):
                yield _row(lambda e=element, o=org: org_body(e, o, file), file, element)


def _row(convert: Any, file: str, element: Any) -> LedgerRow:
    raw = {"element": etree.QName(element).localname, "line": str(element.sourceline)}
    return checked(convert, file, element.sourceline or 1, raw)


def detect_file(path: Path) -> bool:
    """An XML file whose root is <iati-activities> or <iati-organisations>."""
    if path.suffix != ".xml":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b"<iati-activities" in head or b"<iati-organisations" in head


IMPORTER = LedgerImporter(
    "iati", "IATI 2.03 activity or organisation XML (validated against the XSD)",
    detect_file, read,
)  # fmt: skip


def _sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(
        parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()}
    )
    if text is not None:
        etree.SubElement(element, "narrative").text = text
    return element


def _value_element(parent: Any, body: DisbursementBody) -> None:
    attrs = {"currency": body.currency}
    if body.value_date is not None:
        attrs["value-date"] = body.value_date.isoformat()
    etree.SubElement(parent, "value", attrs).text = repr(body.value)


def _planned(activity: Any, body: DisbursementBody) -> None:
    plan = _sub(activity, "planned-disbursement", type="1")
    _sub(plan, "period-start", iso_date=body.on.isoformat())
    if body.period_end is not None:
        _sub(plan, "period-end", iso_date=body.period_end.isoformat())
    _value_element(plan, body)
    _sub(plan, "provider-org", body.partner, ref=body.partner_code or "")
    if body.receiver:
        _sub(plan, "receiver-org", body.receiver)


def _transaction(activity: Any, body: DisbursementBody) -> None:
    attrs = {"humanitarian": "1"} if body.humanitarian else {}
    tx = _sub(activity, "transaction", **attrs)
    _sub(tx, "transaction-type", code=body.transaction_type)
    _sub(tx, "transaction-date", iso_date=body.on.isoformat())
    _value_element(tx, body)
    if body.description:
        _sub(tx, "description", body.description)
    _sub(tx, "provider-org", body.partner, ref=body.partner_code or "")
    if body.receiver:
        _sub(tx, "receiver-org", body.receiver)
    for country in body.recipient_countries:
        _sub(tx, "recipient-country", code=country)


def to_xml(bodies: list[DisbursementBody], generated: str) -> bytes:
    """Activity rows as an IATI 2.03 ``<iati-activities>`` document.

    Only what the rows carry is written (identifier, transactions, planned
    disbursements) plus the elements the schema requires, named as such;
    ``generated`` is the generated-datetime (passed in: no clock here).
    """
    root = etree.Element(
        "iati-activities", version="2.03", **{"generated-datetime": generated}
    )
    by_activity: dict[str, list[DisbursementBody]] = {}
    for body in bodies:
        if (
            body.transaction_type in TRANSACTION_TYPES
            or body.transaction_type == "planned"
        ):
            by_activity.setdefault(body.activity, []).append(body)
    for identifier, rows in by_activity.items():
        first = rows[0]
        humanitarian = "1" if any(r.humanitarian for r in rows) else "0"
        activity = _sub(root, "iati-activity", humanitarian=humanitarian)
        etree.SubElement(activity, "iati-identifier").text = identifier
        _sub(
            activity,
            "reporting-org",
            first.partner,
            ref=first.partner_code or "",
            type="10",
        )
        _sub(activity, "title", f"Exported by ceasefire: {identifier}")
        _sub(activity, "description", "Transactions and planned disbursements only.")
        _sub(activity, "participating-org", first.partner, role="1")
        _sub(activity, "activity-status", code="2")
        _sub(activity, "activity-date", type="1", iso_date=first.on.isoformat())
        planned = [r for r in rows if r.transaction_type == "planned"]
        for country in dict.fromkeys(c for r in planned for c in r.recipient_countries):
            _sub(activity, "recipient-country", code=country)
        for body in rows:
            if body.transaction_type == "planned":
                _planned(activity, body)
        for body in rows:
            if body.transaction_type != "planned":
                _transaction(activity, body)
    written: bytes = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    return written
