"""The linter: one test per finding code, and the examples' acceptance checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ceasefire
from ceasefire.agreement.lint import CODES, has_errors, lint, lint_agreement
from ceasefire.errors import Problem

REPO = Path(__file__).resolve().parent.parent
MINIMAL = (REPO / "tests/data/agreements/1.0/minimal.yaml").read_text()
FIELDS = {"code", "severity", "message", "location", "subject"}


def findings_for(text: str, tmp_path: Path) -> list[Problem]:
    path = tmp_path / "agreement.yaml"
    path.write_text(text)
    return lint(path)


def edited(old: str, new: str, base: str = MINIMAL) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def codes(findings: list[Problem]) -> list[str]:
    return [f.code for f in findings]


def line_of(text: str, token: str) -> int:
    return text.count("\n", 0, text.index(token)) + 1


def test_minimal_fixture_has_only_the_expected_findings(tmp_path: Path) -> None:
    found = findings_for(MINIMAL, tmp_path)
    assert not has_errors(found)
    assert set(codes(found)) == {"CF404", "CF102", "CF101", "CF601"}


def test_cf601_prohibition_without_end_or_review(tmp_path: Path) -> None:
    found = [f for f in findings_for(MINIMAL, tmp_path) if f.code == "CF601"]
    assert [f.subject for f in found] == ["no-heavy-weapons"]
    assert found[0].line == line_of(MINIMAL, "in_force: {from: entry_into_force}")
    old = "in_force: {from: entry_into_force}\n    parties_bound: [ua, ru]\n"
    for window in (
        "until: withdrawal_end",
        "review: {after: entry_into_force, days: 90}",
    ):
        text = edited(
            old, old.replace("entry_into_force}", f"entry_into_force, {window}}}")
        )
        assert "CF601" not in codes(findings_for(text, tmp_path))
    ended = edited("timeline:", "lifecycle: {end: withdrawal_end}\ntimeline:")
    assert "CF601" not in codes(findings_for(ended, tmp_path))


def test_cf101_undefined_term_in_clause_text(tmp_path: Path) -> None:
    text = edited('No "heavy weapons" within', 'No "foreign troops" within')
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF101"]
    assert "foreign troops" in {f.value for f in found}
    hit = next(f for f in found if f.value == "foreign troops")
    assert hit.subject == "no-heavy-weapons"
    assert hit.line == line_of(text, 'text: No "foreign troops"')


def test_cf101_not_raised_for_a_defined_label(tmp_path: Path) -> None:
    found = findings_for(MINIMAL, tmp_path)
    assert "heavy weapons" not in {f.value for f in found if f.code == "CF101"}


def test_cf102_open_questions_and_silent_categories(tmp_path: Path) -> None:
    text = edited(
        "    excludes: [mortar]\n",
        "    excludes: [mortar]\n    open_questions: [tank]\n",
    )
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF102"]
    values = {f.value for f in found}
    assert "tank" in values  # listed as open
    assert {"uav", "loitering_munition"} <= values  # silent on known-disputed
    assert "mlrs" not in values  # included, so decided


def test_cf103_unused_definition(tmp_path: Path) -> None:
    text = edited(
        "timeline:\n",
        "  - {term: snipers, text: Marksmen., applies_to: other}\ntimeline:\n",
    )
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF103"]
    assert [f.subject for f in found] == ["snipers"]
    assert found[0].severity == "info"


def test_cf201_clause_without_verification(tmp_path: Path) -> None:
    text = edited("  - clause: withdraw\n    methods: [on_site_inspection]\n", "")
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF201"]
    assert [f.subject for f in found] == ["withdraw"]
    assert found[0].line == line_of(text, "  - id: withdraw")


def test_cf301_prohibition_without_penalty(tmp_path: Path) -> None:
    text = edited(
        "    parties_bound: [ua, ru]\n    penalties: [repeat]\n",
        "    parties_bound: [ua, ru]\n",
    )
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF301"]
    assert [f.subject for f in found] == ["no-heavy-weapons"]


def test_cf302_and_cf303_commitment_without_deadline_or_evidence(
    tmp_path: Path,
) -> None:
    text = edited(
        "    due: 2025-12-31T23:59:00+02:00\n    evidence_required: Publication in the official gazette\n",
        "",
    )
    found = findings_for(text, tmp_path)
    assert {("CF302", "law"), ("CF303", "law")} <= {(f.code, f.subject) for f in found}


def test_cf401_zones_controlled_by_two_parties(tmp_path: Path) -> None:
    text = edited(
        "  - id: ua_strip\n",
        "  - {id: held_ua, kind: zone, regime: controlled, party: ua, buffer: {of: line, km: 10}}\n"
        "  - {id: held_ru, kind: zone, regime: controlled, party: ru, buffer: {of: line, km: 5}}\n"
        "  - id: ua_strip\n",
    )
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF401"]
    assert len(found) == 1 and found[0].severity == "error"
    assert "held_ua" in found[0].message and "held_ru" in found[0].message
    assert found[0].value > 1000  # km² of overlap: a 10 km belt contains the 5 km one


def test_cf401_party_withdraws_from_ground_it_keeps(tmp_path: Path) -> None:
    text = edited(
        "  - id: ua_strip\n",
        "  - {id: keep, kind: zone, regime: controlled, party: ua, side: {of: line, party: ua, km: 10}}\n"
        "  - {id: leave, kind: zone, regime: withdrawal, party: ua, buffer: {of: line, km: 5}}\n"
        "  - id: ua_strip\n",
    )
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF401"]
    assert [f.subject for f in found] == ["leave"]


def test_no_cf401_for_disjoint_regimes(tmp_path: Path) -> None:
    text = edited(
        "  - id: ua_strip\n",
        "  - {id: keep, kind: zone, regime: controlled, party: ua, side: {of: line, party: ua, km: 10}}\n"
        "  - {id: leave, kind: zone, regime: withdrawal, party: ru, side: {of: line, party: ru, km: 10}}\n"
        "  - id: ua_strip\n",
    )
    assert "CF401" not in codes(findings_for(text, tmp_path))


def territory(extra: str) -> str:
    return edited(
        "geometries:\n",
        "territory: land\ngeometries:\n"
        "  - {id: land, kind: zone, admin: {level: 1, iso: [UA-14, UA-09, UA-23]}}\n"
        + extra,
    )


def test_cf402_partly_outside_territory(tmp_path: Path) -> None:
    # The fixture's line runs 37.0–38.0 E, 47.5–48.5 N: inside Donetsk Oblast,
    # but its 25 km buffer reaches into Dnipropetrovsk Oblast.
    found = findings_for(territory(""), tmp_path)
    partly = {f.subject for f in found if f.code == "CF402"}
    assert "security_zone" not in partly  # Donetsk + Zaporizhzhia + Luhansk cover it
    text = edited(
        "geometries:\n",
        "territory: land\ngeometries:\n  - {id: land, kind: zone, admin: {level: 1, iso: UA-14}}\n"
        "  - {id: wide, kind: zone, buffer: {of: line, km: 120}}\n",
    )
    hit = [
        f
        for f in findings_for(text, tmp_path)
        if f.code == "CF402" and f.subject == "wide"
    ]
    assert hit and 0.05 < hit[0].value < 1


def test_cf402_not_raised_for_a_site_inside_the_territory(tmp_path: Path) -> None:
    donetsk = "  - {id: near, kind: site, geojson: {type: Point, coordinates: [37.80, 48.00]}}\n"
    found = findings_for(territory(donetsk), tmp_path)
    assert "near" not in {f.subject for f in found if f.code in ("CF402", "CF403")}


def test_cf403_wholly_outside_territory(tmp_path: Path) -> None:
    lviv = "  - {id: far, kind: site, geojson: {type: Point, coordinates: [24.03, 49.84]}}\n"
    found = findings_for(territory(lviv), tmp_path)
    assert [f.subject for f in found if f.code == "CF403"] == ["far"]
    assert has_errors(found)


def test_cf404_without_territory(tmp_path: Path) -> None:
    assert "CF404" in codes(findings_for(MINIMAL, tmp_path))
    assert "CF404" not in codes(findings_for(territory(""), tmp_path))


def test_cf405_regime_without_party(tmp_path: Path) -> None:
    text = edited(
        "  - id: ua_strip\n",
        "  - {id: vacate, kind: zone, regime: withdrawal, buffer: {of: line, km: 5}}\n  - id: ua_strip\n",
    )
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF405"]
    assert [f.subject for f in found] == ["vacate"]


def test_cf501_penalty_rule_nothing_feeds(tmp_path: Path) -> None:
    text = MINIMAL.replace("    penalties: [repeat]\n", "")
    found = [f for f in findings_for(text, tmp_path) if f.code == "CF501"]
    assert [f.subject for f in found] == ["repeat"]


def test_cf502_penalty_rule_notifies_nobody(tmp_path: Path) -> None:
    text = edited(
        "      - {step: warning, notify: [ua-hotline, ru]}\n",
        "      - {step: warning}\n",
    )
    text = edited(
        "action: Suspend sanctions relief, notify: [mission]}",
        "action: Suspend sanctions relief}",
        text,
    )
    assert [f.subject for f in findings_for(text, tmp_path) if f.code == "CF502"] == [
        "repeat"
    ]


def test_load_errors_come_back_as_error_findings(tmp_path: Path) -> None:
    text = edited("threshold: 3", "threshold: three")
    found = findings_for(text, tmp_path)
    assert codes(found) == ["CF002"] and has_errors(found)


def test_every_code_has_a_severity_and_the_documented_one_is_used(
    tmp_path: Path,
) -> None:
    text = territory(
        "  - {id: far, kind: site, geojson: {type: Point, coordinates: [24.03, 49.84]}}\n"
    )
    for finding in findings_for(text, tmp_path):
        assert finding.severity == CODES[finding.code][0]


# ------------------------------------------------------- the examples (acceptance)


def run_lint_json(path: Path) -> tuple[int, list[dict[str, object]]]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ceasefire",
            "agreement",
            "lint",
            str(path),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("name", ["minsk-ii.yaml", "alaska-terms.yaml"])
def test_examples_lint_clean_of_errors_with_json_fields(name: str) -> None:
    status, findings = run_lint_json(REPO / "examples" / name)
    assert status == 0
    assert isinstance(findings, list) and findings
    for finding in findings:
        assert FIELDS <= set(finding)
        assert finding["severity"] in ("warning", "info")
        location = finding["location"]
        assert isinstance(location, dict)
        assert set(location) == {"file", "line", "column"}
        assert str(location["file"]).endswith(name)


def test_alaska_flags_the_open_questions_of_foreign_troops() -> None:
    _, findings = run_lint_json(REPO / "examples" / "alaska-terms.yaml")
    flagged = {
        f["value"]
        for f in findings
        if f["code"] == "CF102" and f["subject"] == "foreign_troops"
    }
    # The scenario's own questions: trainers, liaison officers, air patrols, contractors.
    assert {
        "trainer",
        "liaison_officer",
        "cross_border_air_patrol",
        "contractor",
    } <= flagged


def test_minsk_lint_shows_that_no_penalties_were_agreed() -> None:
    found = lint_agreement(ceasefire.load(REPO / "examples" / "minsk-ii.yaml"))
    unpunished = {f.subject for f in found if f.code == "CF301"}
    assert {"ceasefire", "artillery-100mm", "mlrs-70km"} <= unpunished
