"""Every logged body shape reads as its typed model and writes back unchanged."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ceasefire.model import entries
from ceasefire.model.entries import (
    BODIES,
    EntryBodyError,
    Kind,
    Reply,
    dump_body,
    parse_body,
)
from ceasefire.testing import assert_body_round_trips

FIXTURES = Path(__file__).parent / "data" / "entries"
CURRENT = sorted((FIXTURES / "1").glob("*.json"))
OLDER = sorted(p for p in FIXTURES.glob("*/*.json") if p.parent.name != "1")


def test_every_kind_has_a_model_and_a_captured_body() -> None:
    assert set(BODIES) == set(Kind)
    assert {p.stem for p in CURRENT} == {k.value for k in Kind}


@pytest.mark.parametrize("path", CURRENT, ids=lambda p: p.stem)
def test_current_bodies_round_trip(path: Path) -> None:
    assert_body_round_trips(path.stem, path.read_bytes())


@pytest.mark.parametrize("path", OLDER, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_older_bodies_migrate_on_read(path: Path) -> None:
    model = BODIES[Kind(path.stem)]
    old = orjson.loads(path.read_bytes())
    assert model.identify(old) == int(path.parent.name) < model.VERSION
    assert_body_round_trips(path.stem, path.read_bytes())  # migrates, then stays


def test_the_api_reply_of_version_0_reads_as_a_contesting_statement() -> None:
    old = orjson.loads((FIXTURES / "0" / "reply.json").read_bytes())
    reply = parse_body("reply", old)
    assert isinstance(reply, Reply)
    assert (reply.party, reply.statement) == (old["party"], old["text"])
    assert reply.position == "contests"  # as the snapback engine always read it
    assert reply.counter_evidence == [] and reply.submitted_at is None


def test_a_wrong_body_names_its_kind_and_the_field() -> None:
    with pytest.raises(EntryBodyError, match="state_change.*reason"):
        parse_body("state_change", b'{"from": "reported", "to": "verified"}')
    with pytest.raises(EntryBodyError, match="unknown entry kind 'repyl'"):
        entries.body_model("repyl")


def test_times_are_written_as_isoformat_writes_them() -> None:
    raw = (FIXTURES / "1" / "incident_assignment.json").read_bytes()
    body = parse_body("incident_assignment", raw)
    assert (
        orjson.loads(dump_body(body))["assigned_at"] == orjson.loads(raw)["assigned_at"]
    )


def test_a_rejected_record_keeps_its_unit_and_a_line_has_none() -> None:
    line = {"file": "a.json", "row": 3, "column": "lat", "value": 95.5,
            "reason": "out of range; expected -90 to 90", "raw": {"lat": "95.5"}}  # fmt: skip
    record = {**line, "unit": "record"}
    assert orjson.loads(dump_body(parse_body("rejected", line))) == line
    assert orjson.loads(dump_body(parse_body("rejected", record))) == record
