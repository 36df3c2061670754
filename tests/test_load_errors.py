"""Every invalid agreement yields file:line:column, the value, what was expected
and, where one is near, a "did you mean".

Each broken document is minimal.yaml with one targeted edit. The expected
position is computed here by finding the offending token in the broken text,
never copied from what the loader printed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ceasefire.agreement.load import load_with_problems
from ceasefire.errors import Problem

MINIMAL_PATH = Path(__file__).parent / "data" / "agreements" / "1.0" / "minimal.yaml"
MINIMAL = MINIMAL_PATH.read_text(encoding="utf-8")
CEASEFIRE = Path(sys.executable).with_name("ceasefire")


# ---------------------------------------------------------------- helpers


def broken(old: str, new: str, text: str = MINIMAL) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def position(
    text: str, token: str, *, after: str = "", nth: int = 1
) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` ``token`` following ``after``."""
    i = text.index(after) + len(after) if after else 0
    for _ in range(nth):
        i = text.index(token, i)
        found, i = i, i + 1
    return text.count("\n", 0, found) + 1, found - text.rfind("\n", 0, found)


def problems_of(tmp_path: Path, text: str, name: str = "broken.yaml") -> list[Problem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    agreement, problems = load_with_problems(path)
    assert agreement is None, "a broken document must not load"
    assert problems, "a document that fails to load must say why"
    for problem in problems:
        assert problem.file == str(path)
    return problems


def the_problem(tmp_path: Path, text: str) -> Problem:
    """The one problem of a document with one mistake (no echoes, no cascade)."""
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def at(problem: Problem) -> tuple[int, int]:
    return problem.line, problem.column


# ---------------------------------------------------------------- the fixture is sound


def test_minimal_document_loads(tmp_path: Path) -> None:
    path = tmp_path / "minimal.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    agreement, problems = load_with_problems(path)
    assert problems == []
    assert agreement is not None


# ---------------------------------------------------------------- CF002 schema


@pytest.mark.parametrize(
    ("old", "new", "typo", "field", "subject"),
    [
        (
            "    window_days: 7",
            "    window_dayz: 7",
            "window_dayz",
            "window_days",
            "repeat",
        ),
        (
            "title: Minimal test agreement",
            "titel: Minimal test agreement",
            "titel",
            "title",
            None,
        ),
        (
            "    in_force: {from: entry_into_force}\n    parties_bound: [ua, ru]\n"
            "    penalties: [repeat]\n  - id: withdraw",
            "    in_force: {form: entry_into_force}\n    parties_bound: [ua, ru]\n"
            "    penalties: [repeat]\n  - id: withdraw",
            "form",
            "from",
            "no-heavy-weapons",
        ),
    ],
    ids=["penalty-rule", "top-level", "nested-in-force"],
)
def test_unknown_key_typo_of_required_field(
    tmp_path: Path,
    old: str,
    new: str,
    typo: str,
    field: str,
    subject: str | None,
) -> None:
    text = broken(old, new)
    problem = the_problem(tmp_path, text)  # and no "missing required key" echo
    assert problem.code == "CF002"
    assert at(problem) == position(text, typo + ":")
    assert problem.value == typo
    assert f"unknown key {typo!r}" in problem.message
    assert problem.expected and field in problem.expected.split("one of ")[1].split(
        ", "
    )
    assert problem.suggestion == field
    assert problem.subject == subject
    assert "missing" not in problem.message


def test_wrong_type(tmp_path: Path) -> None:
    text = broken("threshold: 3", "threshold: three")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF002"
    assert at(problem) == position(text, "three", after="threshold:")
    assert problem.value == "three"
    assert "threshold" in problem.message
    assert problem.expected and "number" in problem.expected
    assert problem.subject == "repeat"


def test_missing_required_key(tmp_path: Path) -> None:
    text = broken("    title: Three breaches in a week\n", "")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF002"
    # a missing key has no position of its own: the mapping that lacks it
    assert at(problem) == position(text, "id: repeat")
    assert "missing required key 'title'" in problem.message
    assert "penalty_rules[0]" in problem.message
    assert problem.value is None
    assert problem.expected and "title" in problem.expected
    assert problem.subject == "repeat"


def test_bad_enum_value(tmp_path: Path) -> None:
    text = broken("methods: [satellite, patrol]", "methods: [satelite, patrol]")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF002"
    assert at(problem) == position(text, "satelite")
    assert problem.value == "satelite"
    assert problem.expected and "satellite" in problem.expected
    assert "on_site_inspection" in problem.expected
    assert problem.suggestion == "satellite"
    assert problem.subject == "no-heavy-weapons"


@pytest.mark.parametrize(
    ("old", "written", "fixed", "where", "subject"),
    [
        (
            "entry_into_force: 2025-09-01T00:00:00+03:00",
            "2025-09-01T00:00:00",
            "2025-09-01T00:00:00+03:00",  # minimal.yaml's zone: Kyiv summer time
            "timeline.entry_into_force",
            None,
        ),
        (
            "due: 2025-12-31T23:59:00+02:00",
            "2025-12-31T23:59:00",
            "2025-12-31T23:59:00+02:00",  # Kyiv winter time
            "commitments[0].due",
            "law",
        ),
        (
            "due: 2025-12-31T23:59:00+02:00",
            "2025-12-31",
            "2025-12-31T00:00:00+02:00",
            "commitments[0].due",
            "law",
        ),
    ],
    ids=["naive-in-timeline", "naive-commitment-due", "bare-date"],
)
def test_naive_datetime(
    tmp_path: Path,
    old: str,
    written: str,
    fixed: str,
    where: str,
    subject: str | None,
) -> None:
    key = old.split(":")[0]
    text = broken(old, f"{key}: {written}")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF002"
    assert at(problem) == position(text, written, after=key + ":")
    assert problem.value == written  # the text as written, not a parsed datetime
    assert where in problem.message
    assert "UTC offset" in problem.message
    assert problem.expected and "offset" in problem.expected
    assert problem.suggestion == fixed
    # independent check: the offset is the one Europe/Kyiv has at that time
    naive = datetime.fromisoformat(fixed[:19])
    offset = naive.replace(tzinfo=ZoneInfo("Europe/Kyiv")).utcoffset()
    assert datetime.fromisoformat(fixed).utcoffset() == offset

    assert problem.subject == subject
    # the suggestion, applied, loads
    path = tmp_path / "fixed.yaml"
    path.write_text(broken(old, f"{key}: {fixed}"), encoding="utf-8")
    assert load_with_problems(path)[1] == []


def test_negative_buffer_distance(tmp_path: Path) -> None:
    text = broken("buffer: {of: line, km: 25}", "buffer: {of: line, km: -5}")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF002"
    assert at(problem) == position(text, "-5")
    assert problem.value == -5
    assert "buffer.km" in problem.message
    assert problem.expected and "greater than 0" in problem.expected
    assert problem.subject == "security_zone"


def test_obligation_without_deadline(tmp_path: Path) -> None:
    text = broken("    deadline: withdrawal_end\n", "")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF002"
    assert at(problem) == position(text, "id: withdraw")
    assert problem.expected and "deadline" in problem.expected
    assert problem.subject == "withdraw"


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    text = broken(
        "    title: Three breaches in a week\n",
        "    title: Three breaches in a week\n    title: Three in a week\n",
    )
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF002"
    assert at(problem) == position(text, "title:", after="Three breaches in a week")
    assert problem.value == "title"
    assert "duplicate key 'title'" in problem.message
    assert problem.expected and "once" in problem.expected


def test_wrong_format_version(tmp_path: Path) -> None:
    text = broken('format_version: "1.0"', 'format_version: "2.0"')
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF002"
    assert at(problem) == position(text, '"2.0"')
    assert problem.value == "2.0"
    assert "format_version" in problem.message
    assert problem.expected and "1.0" in problem.expected


def test_format_version_written_as_a_number_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "float.yaml"
    path.write_text(
        broken('format_version: "1.0"', "format_version: 1.0"), encoding="utf-8"
    )
    assert load_with_problems(path)[1] == []


def test_document_that_is_not_a_mapping(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, "- ua\n- ru\n")
    assert problem.code == "CF002"
    assert at(problem) == (1, 1)
    assert "mapping" in problem.message
    assert problem.expected and "key" in problem.expected


# ---------------------------------------------------------------- CF001 reading


def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = broken("title: Minimal test agreement", "title: Minimal test agreement: v2")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF001"
    assert at(problem) == position(text, ": v2")
    assert "YAML syntax error" in problem.message
    assert "mapping values are not allowed" in problem.message
    assert problem.expected and "YAML" in problem.expected


def test_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    agreement, problems = load_with_problems(path)
    assert agreement is None
    [problem] = problems
    assert problem.code == "CF001"
    assert problem.file == str(path)
    assert at(problem) == (1, 1)
    assert "not found" in problem.message
    assert problem.expected and "agreement file" in problem.expected


def test_file_not_utf8(tmp_path: Path) -> None:
    raw = broken("title: Minimal test agreement", "title: Accord de Minsk \xe9").encode(
        "latin-1"
    )
    path = tmp_path / "latin1.yaml"
    path.write_bytes(raw)
    agreement, problems = load_with_problems(path)
    assert agreement is None
    [problem] = problems
    assert problem.code == "CF001"
    assert problem.file == str(path)
    assert "UTF-8" in problem.message
    bad_byte = raw.index(b"\xe9")
    assert f"byte {bad_byte}" in problem.message
    assert problem.expected and "UTF-8" in problem.expected


def test_control_character_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    text = broken("title: Minimal test agreement", "title: Minimal\x07 agreement")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF001"
    assert at(problem) == position(text, "\x07")
    assert problem.expected


# ---------------------------------------------------------------- CF003 references


@pytest.mark.parametrize(
    ("old", "new", "bad", "good", "what"),
    [
        (
            "parties_bound: [ua, ru]\n    penalties: [repeat]\n  - id: withdraw",
            "parties_bound: [ua, rus]\n    penalties: [repeat]\n  - id: withdraw",
            "rus",
            "ru",
            "party",
        ),
        (
            "penalties: [repeat]\n  - id: withdraw",
            "penalties: [repeats]\n  - id: withdraw",
            "repeats",
            "repeat",
            "penalty rule",
        ),
        (
            "penalties: [repeat]\n  - id: withdraw",
            "penalties: [repeat]\n    terms: [heavy_weapon]\n  - id: withdraw",
            "heavy_weapon",
            "heavy_weapons",
            "term",
        ),
    ],
    ids=["party-in-parties_bound", "penalty-rule", "term-in-clause-terms"],
)
def test_unknown_reference_in_clause(
    tmp_path: Path, old: str, new: str, bad: str, good: str, what: str
) -> None:
    text = broken(old, new)
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF003"
    assert at(problem) == position(text, bad + "]")
    assert problem.value == bad
    assert f"unknown {what} {bad!r}" in problem.message
    assert problem.expected and good in problem.expected
    assert problem.suggestion == good
    assert problem.subject == "no-heavy-weapons"


def test_duplicate_id(tmp_path: Path) -> None:
    text = broken("  - id: ua_strip", "  - id: security_zone")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF003"
    assert at(problem) == position(text, "security_zone", after="- id: ", nth=2)
    assert at(problem) == position(text, "security_zone", after="kind: zone")
    assert problem.value == "security_zone"
    assert "duplicate id 'security_zone' in geometries" in problem.message
    assert problem.expected and "unique" in problem.expected
    assert problem.subject == "security_zone"


def test_unknown_timeline_instant(tmp_path: Path) -> None:
    text = broken(
        "after: entry_into_force, days: 14", "after: entry_into_forc, days: 14"
    )
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF003"
    assert at(problem) == position(text, "entry_into_forc,")
    assert problem.value == "entry_into_forc"
    assert problem.expected and "entry_into_force" in problem.expected
    assert problem.suggestion == "entry_into_force"


def test_unknown_deadline_instant_names_its_clause(tmp_path: Path) -> None:
    text = broken("deadline: withdrawal_end", "deadline: withdrawal_ends")
    problem = the_problem(tmp_path, text)
    assert at(problem) == position(text, "withdrawal_ends")
    assert problem.suggestion == "withdrawal_end"
    assert problem.subject == "withdraw"


# ---------------------------------------------------------------- CF004 geometry


def test_unknown_geometry_in_buffer(tmp_path: Path) -> None:
    text = broken("buffer: {of: line, km: 25}", "buffer: {of: lines, km: 25}")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF004"
    assert at(problem) == position(text, "lines")
    assert problem.value == "lines"
    assert "unknown geometry 'lines'" in problem.message
    assert problem.expected and "geometry" in problem.expected
    assert problem.suggestion == "line"
    assert problem.subject == "security_zone"


def test_self_intersecting_polygon(tmp_path: Path) -> None:
    bowtie = "{type: Polygon, coordinates: [[[37, 47], [38, 48], [38, 47], [37, 48], [37, 47]]]}"
    text = broken("buffer: {of: line, km: 25}", f"geojson: {bowtie}")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF004"
    assert at(problem) == position(text, bowtie)
    # the GEOS reason, with where the rings cross (the diagonals meet at 37.5 47.5)
    assert isinstance(problem.value, str)
    assert problem.value.startswith("Self-intersection")
    assert "37.5 47.5" in problem.value
    assert "Self-intersection" in problem.message
    assert problem.expected and "self-intersection" in problem.expected
    assert problem.subject == "security_zone"


def test_geometry_file_not_found(tmp_path: Path) -> None:
    (tmp_path / "zones.geojson").write_text(
        '{"type": "Polygon", "coordinates": [[[37, 47], [38, 47], [38, 48], [37, 47]]]}',
        encoding="utf-8",
    )
    text = broken("buffer: {of: line, km: 25}", "file: zone.geojson")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF004"
    assert at(problem) == position(text, "zone.geojson")
    assert problem.value == "zone.geojson"
    assert "not found" in problem.message
    assert problem.expected and "GeoJSON file" in problem.expected
    assert problem.suggestion == "zones.geojson"


@pytest.mark.parametrize(
    ("admin", "bad", "good"),
    [
        ("{level: 1, iso: UA14}", "UA14", "UA-14"),
        ("{level: 1, iso: [UA-09, UA14]}", "UA14", "UA-14"),
        ("{level: 1, name: Donetsk Oblst}", "Donetsk Oblst", "Donetsk Oblast"),
    ],
    ids=["iso", "iso-in-list", "name"],
)
def test_unknown_admin_unit(tmp_path: Path, admin: str, bad: str, good: str) -> None:
    text = broken("buffer: {of: line, km: 25}", f"admin: {admin}")
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF004"
    assert at(problem) == position(text, bad)
    assert problem.value == bad
    assert problem.expected and "ADM1" in problem.expected
    assert problem.suggestion == good
    assert problem.subject == "security_zone"


def test_geometry_kind_mismatch(tmp_path: Path) -> None:
    text = broken(
        "    side: {of: line, party: ua, km: 25}",
        "    geojson: {type: LineString, coordinates: [[37.0, 47.5], [38.0, 48.5]]}",
    )
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF004"
    assert at(problem) == position(text, "zone", after="- id: ua_strip\n    kind: ")
    assert problem.value == "zone"
    assert "LineString" in problem.message
    assert problem.expected and "Polygon" in problem.expected
    assert problem.subject == "ua_strip"


# ---------------------------------------------------------------- CF005 timeline


def test_deadline_before_entry_into_force(tmp_path: Path) -> None:
    text = broken(
        "withdrawal_end: {after: entry_into_force, days: 14}",
        "withdrawal_end: {after: entry_into_force, days: -3}",
    )
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF005"
    assert at(problem) == position(text, "withdrawal_end", after="deadline:")
    assert problem.value == "2025-08-29T00:00:00+03:00"  # 1 September less 3 days
    assert "before entry into force" in problem.message
    assert problem.expected and "2025-09-01T00:00:00+03:00" in problem.expected
    assert problem.subject == "withdraw"


def test_in_force_until_before_from(tmp_path: Path) -> None:
    old = "    in_force: {from: entry_into_force}\n    deadline: withdrawal_end"
    new = "    in_force: {from: withdrawal_end, until: entry_into_force}\n    deadline: withdrawal_end"
    text = broken(old, new)
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF005"
    assert at(problem) == position(text, "entry_into_force", after="until: ")
    assert problem.value == "2025-09-01T00:00:00+03:00"
    assert problem.expected and "2025-09-15T00:00:00+03:00" in problem.expected
    assert problem.subject == "withdraw"


CYCLE = (
    "  entry_into_force: 2025-09-01T00:00:00+03:00\n"
    "  withdrawal_end: {after: entry_into_force, days: 14}",
    "  entry_into_force: {after: withdrawal_end, days: 1}\n"
    "  withdrawal_end: {after: entry_into_force, days: 14}",
)


def test_timeline_cycle(tmp_path: Path) -> None:
    text = broken(*CYCLE)
    problems = problems_of(tmp_path, text)
    assert {p.code for p in problems} == {"CF005"}
    first = problems[0]
    assert at(first) == position(text, "{after: withdrawal_end")
    assert first.value == "entry_into_force"
    assert "entry_into_force → withdrawal_end → entry_into_force" in first.message
    for problem in problems:
        assert at(problem) in {
            position(text, "{after: withdrawal_end"),
            position(text, "{after: entry_into_force"),
        }


def test_timeline_cycle_says_what_was_expected(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, broken(*CYCLE))
    assert all(p.expected for p in problems)


# ---------------------------------------------------------------- CF006 predicate


def test_predicate_error_in_document(tmp_path: Path) -> None:
    text = broken('"heavy_weapon_present"', '"heavy_weapon_presnt"')
    problem = the_problem(tmp_path, text)
    assert problem.code == "CF006"
    assert at(problem) == position(text, '"heavy_weapon_presnt"')
    assert problem.value == "heavy_weapon_presnt"
    assert "withdraw" in problem.message
    assert problem.expected and "heavy_weapon_present" in problem.expected
    assert problem.suggestion == "heavy_weapon_present"
    assert problem.subject == "withdraw"


# ---------------------------------------------------------------- several at once


def test_independent_schema_errors_are_all_reported(tmp_path: Path) -> None:
    text = broken("threshold: 3", "threshold: three")
    text = broken("methods: [satellite, patrol]", "methods: [satelite, patrol]", text)
    text = broken("due: 2025-12-31T23:59:00+02:00", "due: 2025-12-31", text)
    text = broken("    window_days: 7", "    window_dayz: 7", text)
    problems = problems_of(tmp_path, text)
    assert {(p.code, at(p), p.value) for p in problems} == {
        ("CF002", position(text, "three"), "three"),
        ("CF002", position(text, "satelite"), "satelite"),
        ("CF002", position(text, "2025-12-31", after="due:"), "2025-12-31"),
        ("CF002", position(text, "window_dayz"), "window_dayz"),
    }


def test_independent_document_errors_are_all_reported(tmp_path: Path) -> None:
    text = broken(
        "parties_bound: [ua, ru]\n    penalties: [repeat]\n  - id: withdraw",
        "parties_bound: [ua, rus]\n    penalties: [repeat]\n  - id: withdraw",
    )
    text = broken("buffer: {of: line, km: 25}", "buffer: {of: lines, km: 25}", text)
    text = broken("weapon.calibre_mm >= 100", "weapon.calibre >= 100", text)
    text = broken("days: 14", "days: -3", text)
    text = broken("  - id: generators", "  - id: repeat", text)  # ids are per list
    problems = problems_of(tmp_path, text)
    assert {(p.code, at(p), p.suggestion) for p in problems} == {
        ("CF003", position(text, "rus]"), "ru"),
        ("CF004", position(text, "lines"), "line"),
        ("CF006", position(text, "weapon.calibre >="), "weapon.calibre_mm"),
        ("CF005", position(text, "withdrawal_end", after="deadline:"), None),
    }


def test_typo_in_one_object_does_not_hide_missing_key_in_another(
    tmp_path: Path,
) -> None:
    text = broken(
        "  - id: security_zone\n    kind: zone\n",
        "  - id: law\n    kind: zone\n    partyy: ua\n",
    )
    text = broken("    party: ua\n    what: Pass", "    what: Pass", text)
    problems = problems_of(tmp_path, text)
    messages = [p.message for p in problems]
    assert any("unknown key 'partyy'" in m for m in messages)
    assert any("missing required key 'party' in commitments[0]" in m for m in messages)


# ---------------------------------------------------------------- through the CLI


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")
    }
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="200")
    return subprocess.run(
        [str(CEASEFIRE), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_cli_validate_reports_position_and_suggestion(tmp_path: Path) -> None:
    text = broken("methods: [satellite, patrol]", "methods: [satelite, patrol]")
    (tmp_path / "BROKEN.yaml").write_text(text, encoding="utf-8")
    result = run_cli("agreement", "validate", "BROKEN.yaml", cwd=tmp_path)
    assert result.returncode == 1
    stderr = ANSI.sub("", result.stderr)
    line, column = position(text, "satelite")
    assert f"BROKEN.yaml:{line}:{column}" in stderr
    assert "did you mean 'satellite'" in stderr
    assert "CF002" in stderr


def test_cli_lint_json_lists_problems(tmp_path: Path) -> None:
    text = broken(
        "parties_bound: [ua, ru]\n    penalties: [repeat]\n  - id: withdraw",
        "parties_bound: [ua, rus]\n    penalties: [repeat]\n  - id: withdraw",
    )
    text = broken("buffer: {of: line, km: 25}", "buffer: {of: lines, km: 25}", text)
    (tmp_path / "BROKEN.yaml").write_text(text, encoding="utf-8")
    result = run_cli(
        "agreement", "lint", "BROKEN.yaml", "--format", "json", cwd=tmp_path
    )
    assert result.returncode == 1
    findings = json.loads(result.stdout)
    assert isinstance(findings, list)
    assert len(findings) == 2
    for item in findings:
        assert {"code", "severity", "message", "location", "subject"} <= set(item)
        assert set(item["location"]) == {"file", "line", "column"}
        assert item["location"]["file"] == "BROKEN.yaml"
        assert item["severity"] == "error"
    by_code = {item["code"]: item for item in findings}
    party, geometry = by_code["CF003"], by_code["CF004"]
    assert (party["location"]["line"], party["location"]["column"]) == position(
        text, "rus]"
    )
    assert party["subject"] == "no-heavy-weapons"
    assert party["value"] == "rus"
    assert party["suggestion"] == "ru"
    assert (geometry["location"]["line"], geometry["location"]["column"]) == position(
        text, "lines"
    )
    assert geometry["subject"] == "security_zone"
    assert geometry["suggestion"] == "line"
