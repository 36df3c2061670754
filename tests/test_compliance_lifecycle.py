"""Minsk II's lifecycle, attribution and half-open times, judged on hand-made reports.

Expected values come from the cited facts, not from the engine: the
ceasefire took effect at 00:00 Kyiv (UTC+2) on 15 February 2015, and Minsk
II is judged through the Kyiv day of 21 February 2022 (Russia's recognition
of the "republics", examples/minsk-ii.yaml). A Kyiv day D is the half-open
span [D 00:00, D+1 00:00) at UTC+2 in winter.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from ceasefire.agreement.load import load, loads
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.compliance.output import write_csv, write_geojson
from ceasefire.compliance.replay import attribution_lines
from ceasefire.errors import AgreementError
from ceasefire.model.verdict import Verdict

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MINSK = EXAMPLES / "minsk-ii.yaml"
KYIV_WINTER = timezone(timedelta(hours=2))
DONETSK = (37.80, 48.00)  # a point near the line of contact
_serial = iter(range(10**6))


@pytest.fixture(scope="module")
def minsk() -> Evaluator:
    return Evaluator(load(MINSK))


def kyiv_days(first: date, last: date) -> dict[str, str]:
    """Kyiv days first..last as a half-open observed span."""
    start = datetime(first.year, first.month, first.day, tzinfo=KYIV_WINTER)
    end = datetime(last.year, last.month, last.day, tzinfo=KYIV_WINTER)
    return {
        "start": start.isoformat(),
        "end": (end + timedelta(days=1)).isoformat(),
        "precision": "day",
    }


UCDP_DYAD = [
    {"scheme": "ucdp", "name": "Government of Ukraine", "code": "61", "role": "side_a"},
    {"scheme": "ucdp", "name": "DPR", "code": "6711", "role": "side_b"},
]


def clash(
    first: date, last: date | None = None, *, actors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    number = next(_serial)
    observed = kyiv_days(first, last or first)
    return {
        "id": f"01J{number:023d}",
        "source_report_id": f"ucdp-ged-{number}",
        "source": {"type": "media", "id": "ucdp-ged"},
        "observed": observed,
        "reported_at": observed["end"],
        "location": {"lon": DONETSK[0], "lat": DONETSK[1], "precision_m": 1000},
        "event_type": "armed_clash",
        "actors": UCDP_DYAD if actors is None else actors,
    }


def ceasefire_verdict(evaluator: Evaluator, body: dict[str, Any]) -> Verdict | None:
    found = [v for v in evaluator.evaluate_reports([body]) if v.clause == "ceasefire"]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2015, 2, 14), None, None),  # the day before: not in force
        (date(2015, 2, 15), None, "breach"),  # the first day in force
        (date(2015, 2, 13), date(2015, 2, 16), "undetermined"),  # straddles the start
        (date(2022, 2, 21), None, "breach"),  # the last day judged
        (date(2022, 2, 22), None, None),  # after the end: no Minsk II breach
        (date(2022, 2, 24), None, None),  # the invasion
        (date(2022, 2, 20), date(2022, 2, 23), "undetermined"),  # straddles the end
    ],
)
def test_in_force_is_interval_aware_at_both_ends(
    minsk: Evaluator, first: date, last: date | None, expected: str | None
) -> None:
    verdict = ceasefire_verdict(minsk, clash(first, last))
    assert (verdict.verdict if verdict else None) == expected
    if verdict is not None and verdict.verdict == "undetermined":
        edge = "2015-02-15" if first.year == 2015 else "2022-02-22"
        assert f"(the observation straddles {edge} 00:00 Europe/Kyiv)" in verdict.text
    if verdict is not None and verdict.verdict == "breach":
        assert "in force from 2015-02-15 to 2022-02-21" in verdict.text
        assert "(the agreement's end)" in verdict.text


def test_a_multi_day_observation_shows_its_whole_interval(minsk: Evaluator) -> None:
    verdict = ceasefire_verdict(minsk, clash(date(2016, 3, 1), date(2016, 3, 4)))
    assert verdict is not None and verdict.verdict == "breach"
    assert "observed from 2016-03-01 to 2016-03-04" in verdict.text
    one_day = ceasefire_verdict(minsk, clash(date(2016, 3, 1)))
    assert one_day is not None and "on 2016-03-01" in one_day.text


def test_a_dyad_names_both_sides_and_no_perpetrator(minsk: Evaluator) -> None:
    verdict = ceasefire_verdict(minsk, clash(date(2017, 7, 1)))
    assert verdict is not None and verdict.verdict == "breach"
    assert verdict.party is None
    assert verdict.perpetrator_established is False
    assert verdict.dyad == ("ua", "cadlr")
    assert (
        "(Government of Ukraine vs DPR engaged; perpetrator not established)"
        in verdict.text
    )
    bound = next(r for r in verdict.reasons if r.predicate == "party bound")
    assert bound.detail["dyad"] == ["ua", "cadlr"]


def test_a_perpetrator_the_source_names_is_the_bound_party(minsk: Evaluator) -> None:
    actors = [
        {
            "scheme": "acled",
            "name": "DPR: Donetsk People's Republic",
            "role": "perpetrator",
        },
        {"scheme": "acled", "name": "Civilians (Ukraine)", "role": "target"},
    ]
    verdict = ceasefire_verdict(minsk, clash(date(2017, 7, 1), actors=actors))
    assert verdict is not None
    assert (verdict.party, verdict.perpetrator_established) == ("cadlr", True)
    assert verdict.dyad == () and " by cadlr;" in verdict.text
    # an actor the agreement maps to no party is named, but binds nobody
    stranger = [{"scheme": "acled", "name": "Unknown", "role": "perpetrator"}]
    verdict = ceasefire_verdict(minsk, clash(date(2017, 7, 1), actors=stranger))
    assert verdict is not None and verdict.party is None
    assert verdict.perpetrator_established is True and " by Unknown;" in verdict.text


def test_outputs_carry_the_attribution(minsk: Evaluator) -> None:
    verdicts = minsk.evaluate_reports([clash(date(2017, 7, 1))])
    text = io.StringIO()
    write_csv(verdicts, text)
    row = next(csv.DictReader(io.StringIO(text.getvalue())))
    assert (row["perpetrator_established"], row["dyad"]) == ("False", "ua vs cadlr")
    raw = io.BytesIO()
    write_geojson(verdicts, raw)
    feature = orjson.loads(raw.getvalue())["features"][0]
    assert feature["properties"]["dyad"] == ["ua", "cadlr"]
    assert Verdict.from_dict(verdicts[0].to_dict()) == verdicts[0]


def test_a_heavy_weapon_missing_from_storage_is_judged(minsk: Evaluator) -> None:
    body = clash(date(2016, 9, 1))
    body |= {
        "event_type": "weapon_missing",
        "weapon": {"class": "artillery", "calibre_mm": 122, "count": 2},
        "attribution": {"party": "cadlr"},
    }
    verdicts = {v.clause: v for v in minsk.evaluate_reports([body])}
    assert verdicts["weapons-in-storage"].verdict == "breach"
    assert verdicts["weapons-in-storage"].party == "cadlr"
    body["weapon"] = {"class": "mortar", "calibre_mm": 82}  # not a heavy weapon
    assert "weapons-in-storage" not in {
        v.clause for v in minsk.evaluate_reports([body])
    }


SITE = """
  - id: depot
    kind: site
    label: Storage site 7
    geojson: {type: Point, coordinates: [37.5, 48.1]}
    inventory:
      - {class: artillery, model: 2A65 Msta-B, calibre_mm: 152, count: 12, as_of: 2016-05-01T00:00:00+03:00}
"""


def minsk_with(old: str, new: str) -> str:
    text = MINSK.read_text()
    assert old in text
    return text.replace(old, new, 1)


def test_storage_sites_carry_inventories() -> None:
    text = minsk_with("geometries:\n", "geometries:" + SITE)
    depot = loads(text, base_dir=EXAMPLES).document.geometries[0]
    assert depot.inventory is not None and depot.inventory[0].count == 12
    with pytest.raises(AgreementError, match="unknown weapon class 'howitzer'"):
        loads(text.replace("class: artillery, model", "class: howitzer, model"))
    with pytest.raises(AgreementError, match="inventory belongs to a storage site"):
        loads(
            text.replace("kind: site\n    label: Storage", "kind: zone\n    label: S")
        )


def test_a_weapon_missing_from_a_storage_site_is_judged_there() -> None:
    site = SITE.replace(
        "geojson: {type: Point, coordinates: [37.5, 48.1]}",
        "geojson: {type: Polygon, coordinates: [[[37.49, 48.09], [37.51, 48.09],"
        " [37.51, 48.11], [37.49, 48.11], [37.49, 48.09]]]}",
    )
    text = minsk_with("geometries:\n", "geometries:" + site)
    text = text.replace(
        'predicate: event_type == "weapon_missing" and weapon.class in heavy_weapons',
        'predicate: event_type == "weapon_missing" and inside(depot)',
    )
    evaluator = Evaluator(loads(text, base_dir=EXAMPLES))
    body = clash(date(2016, 9, 1))
    body |= {
        "event_type": "weapon_missing",
        "weapon": {"class": "artillery", "model": "2A65 Msta-B", "count": 3},
        "location": {"lon": 37.5, "lat": 48.1, "precision_m": 50},
    }
    found = {v.clause: v for v in evaluator.evaluate_reports([body])}
    assert found["weapons-in-storage"].verdict == "breach"
    assert "inside depot" in found["weapons-in-storage"].text
    body["location"] = {"lon": 37.8, "lat": 48.0, "precision_m": 50}  # elsewhere
    assert "weapons-in-storage" not in {
        v.clause for v in evaluator.evaluate_reports([body])
    }


def test_a_suspension_takes_the_agreement_out_of_force() -> None:
    text = minsk_with(
        "  end: recognition_of_republics\n",
        "  end: recognition_of_republics\n  suspensions:\n"
        "    - {from: 2018-01-01T00:00:00+02:00, until: 2018-02-01T00:00:00+02:00}\n",
    )
    evaluator = Evaluator(loads(text, base_dir=EXAMPLES))
    inside = ceasefire_verdict(evaluator, clash(date(2018, 1, 10)))
    straddling = ceasefire_verdict(
        evaluator, clash(date(2017, 12, 30), date(2018, 1, 2))
    )
    after = ceasefire_verdict(evaluator, clash(date(2018, 2, 1)))
    assert inside is None
    assert straddling is not None and straddling.verdict == "undetermined"
    assert after is not None and after.verdict == "breach"


def test_an_end_before_entry_into_force_is_a_timeline_error() -> None:
    text = minsk_with(
        "recognition_of_republics: 2022-02-22T00:00:00+02:00",
        "recognition_of_republics: 2014-02-22T00:00:00+02:00",
    )
    with pytest.raises(AgreementError, match="CF005"):
        loads(text, base_dir=EXAMPLES)


def test_replay_tables_group_breaches_by_party_or_dyad(minsk: Evaluator) -> None:
    perpetrator = [
        {
            "scheme": "acled",
            "name": "Military Forces of Ukraine (2019-)",
            "role": "perpetrator",
        }
    ]
    bodies = [
        clash(date(2017, 7, 1)),
        clash(date(2017, 7, 2)),
        clash(date(2019, 1, 5), actors=perpetrator),
    ]
    verdicts = [v for v in minsk.evaluate_reports(bodies) if v.clause == "ceasefire"]
    lines = attribution_lines(SimpleNamespace(verdicts=verdicts))  # type: ignore[arg-type]
    assert lines[2:] == [
        "| ua | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |",
        "| ua vs cadlr (perpetrator not established) | 0 | 0 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
    ]
