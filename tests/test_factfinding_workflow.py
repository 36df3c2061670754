"""Corroboration, analysts' edits, the joint review with right of reply, bulletins."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from ceasefire.cli import cli
from ceasefire.errors import DetailedError
from ceasefire.factfinding import bulletin, workflow
from ceasefire.factfinding.analyst import record_merge, record_split
from ceasefire.factfinding.bulletin import compare
from ceasefire.factfinding.incidents import find_incident, incidents_of, read_log
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore
from tests.test_factfinding_cluster import BASE, report

DAY = BASE.date()
TEAM = {"ua": ["o.koval"], "ru": ["i.petrov"], "mission": ["j.smith"]}


def new_log(tmp_path: Path, reports: list[Report]) -> Log:
    log = Log(SQLiteStore(tmp_path / "ff.db"))
    log.append_reports(reports)
    return log


# ------------------------------------------------------------ corroboration


def test_reports_of_one_origin_or_organisation_count_once(tmp_path: Path) -> None:
    post = "https://t.me/channel/123"
    reports = [
        report("osint-a", 0, 0, derived_from=post),
        report("osint-b", 300, 5, derived_from=post),  # re-shares the same post
        report("smm/team-3", 600, 5),
        report("smm/team-7", 900, 10),  # the same mission: counts once with team-3
        report("sensor-net-1", 1_200, 10, reliability="A", credibility=1),
    ]
    log = new_log(tmp_path, reports)
    (incident,) = incidents_of(log.store)
    assert len(incident.report_ids) == 5
    assert incident.independent_sources == 3  # the post, the mission, the sensor
    c = incident.corroboration
    assert (c.best_reliability, c.best_credibility) == ("A", 1)
    # noisy-OR of the groups' best weights: A1 = 0.9×0.95, B2 = 0.75×0.8 twice
    expected = 1 - (1 - 0.855) * (1 - 0.6) * (1 - 0.6)
    assert c.score == pytest.approx(expected, abs=1e-4)
    assert "3 independent sources in 5 report(s)" in c.explanation
    assert "counted once" in c.explanation


# ------------------------------------------------------------ analysts' edits


def test_merges_and_splits_survive_reclustering_and_new_reports(tmp_path: Path) -> None:
    a, b = report("patrol-1", 0, 0), report("sensor-2", 500, 5)  # one incident
    c = report("camera-3", 5_000, 0)  # 5 km away: its own
    log = new_log(tmp_path, [a, b, c])
    order = read_log(log.store).order
    record_merge(log, [c.id, a.id], order, "analyst-1", "same crater seen from afar")
    (merged,) = incidents_of(log.store)
    assert merged.id == a.id and set(merged.report_ids) == {a.id, b.id, c.id}

    record_split(
        log, a.id, merged.report_ids, [b.id], "analyst-2", "b heard a different blast"
    )
    found = {i.id: set(i.report_ids) for i in incidents_of(log.store)}
    assert found == {a.id: {a.id, c.id}, b.id: {b.id}}

    # a new report that the automatic pass links to both a and b does not undo the split
    d = report("uav-4", 250, 3)
    log.append_reports([d])
    found = {i.id: set(i.report_ids) for i in incidents_of(log.store)}
    assert found[b.id] == {b.id}
    assert {a.id, c.id} <= found[a.id]
    # the automatic pass alone still sees a, b and d together
    automatic = {
        i.id: set(i.report_ids) for i in incidents_of(log.store, automatic=True)
    }
    assert automatic[a.id] == {a.id, b.id, d.id}


def test_an_edit_needs_a_reason_and_real_ids(tmp_path: Path) -> None:
    a, b = report("patrol-1", 0, 0), report("sensor-2", 500, 5)
    log = new_log(tmp_path, [a, b])
    order = read_log(log.store).order
    with pytest.raises(DetailedError, match="reason"):
        record_merge(log, [a.id, b.id], order, "x", " ")
    with pytest.raises(DetailedError, match="no incident 'nope'"):
        record_merge(log, [a.id, "nope"], order, "x", "why")
    with pytest.raises(DetailedError, match="its own first report"):
        record_split(log, a.id, [a.id, b.id], [a.id], "x", "why")


# ------------------------------------------------------------ review


def reviewed_case(tmp_path: Path) -> tuple[Log, str]:
    a, b = report("patrol-1", 0, 0), report("sensor-2", 500, 5)
    log = new_log(tmp_path, [a, b])
    workflow.assign(log, a.id, TEAM, BASE + timedelta(days=7), "chief", now=BASE)
    return log, a.id


def test_reply_and_decision_are_in_the_trail_and_the_reviewed_bulletin(
    tmp_path: Path,
) -> None:
    log, incident = reviewed_case(tmp_path)
    evidence = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    reply = workflow.add_reply(
        log, incident, "ru", "no unit of ours in range", "ru-liaison",
        counter_evidence=[evidence], now=BASE + timedelta(hours=10),
    )  # fmt: skip
    workflow.decide(
        log, incident, "disputed", "reply's imagery shows no battery", "team-4",
        now=BASE + timedelta(hours=80),
    )  # fmt: skip
    kinds = [e["kind"] for e in workflow.trail(log, incident)]
    assert kinds == [
        "report", "incident_assignment", "state_change", "reply",
        "incident_decision", "state_change",
    ]  # fmt: skip
    decision = workflow.decision_of(log, incident)
    assert decision is not None
    assert decision["considered_replies"] == [reply.id]
    assert decision["parties_without_reply"] == ["ua"]
    assert log.state_of(incident) == "disputed"

    issued = bulletin.issue(log, "reviewed", DAY, "mission")
    (published,) = issued.content["incidents"]
    assert published["state"] == "disputed"
    assert published["decision"]["reason"] == "reply's imagery shows no battery"
    (considered,) = published["decision"]["considered_replies"]
    assert considered["party"] == "ru" and considered["counter_evidence"] == [evidence]


def test_replies_only_from_the_team_and_within_the_window(tmp_path: Path) -> None:
    log, incident = reviewed_case(tmp_path)
    with pytest.raises(DetailedError, match="not a party on the team"):
        workflow.add_reply(log, incident, "by", "x", "y", now=BASE)
    # the default window is 72 h from the assignment, since agreements set none
    assignment = workflow.assignment_of(log, incident)
    assert assignment is not None and assignment.reply_window_hours == 72
    assert "default" in assignment.reply_window_source
    with pytest.raises(DetailedError, match="reply window .* closed"):
        workflow.add_reply(
            log, incident, "ua", "late", "ua-1", now=BASE + timedelta(hours=73)
        )
    with pytest.raises(DetailedError, match="SHA-256"):
        workflow.add_reply(
            log, incident, "ua", "x", "ua-1", counter_evidence=["abc"], now=BASE
        )


def test_a_team_needs_every_party_and_the_mission(tmp_path: Path) -> None:
    a = report("patrol-1", 0, 0)
    log = new_log(tmp_path, [a])
    with pytest.raises(DetailedError, match="missing mission"):
        workflow.assign(
            log,
            a.id,
            {"ua": ["x"], "ru": ["y"]},
            BASE + timedelta(days=1),
            "c",
            now=BASE,
        )
    with pytest.raises(DetailedError, match="missing ru"):
        workflow.assign(
            log, a.id, {"ua": ["x"], "mission": ["m"]}, BASE + timedelta(days=1), "c",
            parties=["ua", "ru"], now=BASE,
        )  # fmt: skip


def test_a_decision_cannot_name_a_reply_it_does_not_have(tmp_path: Path) -> None:
    log, incident = reviewed_case(tmp_path)
    with pytest.raises(DetailedError, match="is not a reply about"):
        workflow.decide(log, incident, "verified", "ok", "t", considered=["01XYZ"])


# ------------------------------------------------------------ bulletins


def test_bulletins_are_versioned_by_content(tmp_path: Path) -> None:
    a, b = report("patrol-1", 0, 0), report("sensor-2", 500, 5)
    log = new_log(tmp_path, [a, b])
    first = bulletin.issue(log, "automatic", DAY, "auto")
    again = bulletin.issue(log, "automatic", DAY, "auto")
    assert (first.version, first.new) == (1, True)
    assert (again.version, again.new, again.sha256) == (1, False, first.sha256)
    log.append_reports([report("uav-3", 10_000, 0)])
    second = bulletin.issue(log, "automatic", DAY, "auto")
    assert second.version == 2 and second.sha256 != first.sha256


def test_quality_on_a_hand_built_case() -> None:
    # automatic: A1 {r1 r2}, A2 {r3}, A3 {r4 r5}, A4 {r6 r7}, A5 {r8}
    # reviewed:  R1 {r1 r2 r3} (analysts merged A1 and A2), A3 dismissed,
    #            R6 {r6} and R7 {r7} (A4 split, both verified), r8 still pending
    automatic = {"incidents": [
        {"id": "A1", "report_ids": ["r1", "r2"]}, {"id": "A2", "report_ids": ["r3"]},
        {"id": "A3", "report_ids": ["r4", "r5"]}, {"id": "A4", "report_ids": ["r6", "r7"]},
        {"id": "A5", "report_ids": ["r8"]},
    ]}  # fmt: skip
    reviewed = {
        "incidents": [
            {"id": "R1", "report_ids": ["r1", "r2", "r3"]},
            {"id": "R6", "report_ids": ["r6"]},
            {"id": "R7", "report_ids": ["r7"]},
        ],
        "pending": [{"id": "A5", "report_ids": ["r8"]}],
    }
    q = compare(automatic, reviewed)
    # A1–R1 share two reports (A2–R1 one): A1 matches; A4 shares one with R6
    # and with R7: the tie goes to the smaller reviewed id, R6
    assert q.matched == [("A1", "R1"), ("A4", "R6")]
    assert q.false == ["A2", "A3"]
    assert q.missed == ["R7"]
    assert q.pending == ["A5"]
    assert q.precision == pytest.approx(2 / 4)
    assert q.recall == pytest.approx(2 / 3)


# ------------------------------------------------------------ CLI


def test_cli_end_to_end(tmp_path: Path) -> None:
    reports = [
        report("patrol-1", 0, 0),
        report("sensor-2", 500, 5, "explosion"),
        report("camera-3", 600, 8),
        report("party-ua", 9_000, 0),
    ]
    lines = "".join(r.model_dump_json(by_alias=True) + "\n" for r in reports)
    (tmp_path / "r.jsonl").write_text(lines)
    db = f"sqlite:///{tmp_path / 'ff.db'}"
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    run("log", "append", "--db", db, str(tmp_path / "r.jsonl"))
    out = run("incidents", "cluster", "--db", db)
    assert "4 reports → 2 incidents" in out and "1 incidents now corroborated" in out
    listed = json.loads(run("incidents", "list", "--db", db, "--format", "json"))
    assert [len(i["reports"]) for i in listed] == [3, 1]
    assert [i["independent_sources"] for i in listed] == [3, 1]
    main = listed[0]["id"]
    assert listed[0]["state"] == "corroborated"
    assert {r["source"] for r in listed[0]["reports"]} == {
        "patrol-1",
        "sensor-2",
        "camera-3",
    }

    day = DAY.isoformat()
    run("bulletin", "automatic", "--db", db, "--date", day)
    deadline = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    run(
        "incidents", "assign", "--db", db, main, "--member", "ua=o.koval",
        "--member", "ru=i.petrov", "--member", "mission=j.smith",
        "--deadline", deadline, "--by", "chief",
    )  # fmt: skip
    out = run(
        "replies", "add", "--db", db, main, "--party", "ru",
        "--statement", "not us", "--by", "ru-liaison",
    )  # fmt: skip
    reply_id = out.split()[1]
    run(
        "incidents", "split", "--db", db, main, "--report", reports[2].id,
        "--reason", "camera saw another blast", "--by", "analyst-1",
    )  # fmt: skip
    out = run(
        "incidents", "decide", "--db", db, main, "--decision", "verified",
        "--reason", "patrol and sensor agree", "--by", "team-1",
    )  # fmt: skip
    assert "considered 1 replies" in out
    shown = json.loads(run("incidents", "show", "--db", db, main))
    assert [e["kind"] for e in shown["trail"]][-2:] == [
        "incident_decision",
        "state_change",
    ]
    assert any(e["kind"] == "reply" and e["id"] == reply_id for e in shown["trail"])
    assert set(shown["report_ids"]) == {reports[0].id, reports[1].id}

    reviewed = json.loads(
        run("bulletin", "reviewed", "--db", db, "--date", day, "--format", "json")
    )
    (published,) = reviewed["incidents"]
    assert published["decision"]["considered_replies"][0]["entry"] == reply_id
    quality = json.loads(
        run("bulletin", "quality", "--db", db, "--date", day, "--format", "json")
    )
    # automatic {p, s, c} matches reviewed {p, s}; the split-off camera report
    # and the lone party report await decisions
    assert (quality["matched"], quality["false"], quality["missed"]) == (1, 0, 0)
    assert quality["pending"] == 1

    err = run(
        "incidents",
        "decide",
        "--db",
        db,
        main,
        "--decision",
        "dismissed",
        "--reason",
        "x",
        "--by",
        "t",
        code=1,
    )
    assert "cannot go from 'verified' to 'dismissed'" in err
    assert "Example:" in run("incidents", "cluster", "--help")


def test_quality_says_which_bulletin_is_missing(tmp_path: Path) -> None:
    log = new_log(tmp_path, [report("patrol-1", 0, 0)])
    with pytest.raises(DetailedError, match="no automatic or reviewed bulletin issued"):
        bulletin.quality(log, date(2022, 3, 1))
    assert find_incident(incidents_of(log.store), "nothing") is None
