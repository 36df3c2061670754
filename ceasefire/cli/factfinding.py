"""``ceasefire incidents …``, ``ceasefire replies …``, ``ceasefire bulletin …``: fact-finding."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
import orjson

from ceasefire.cli.log import db_option, err, fail, open_log
from ceasefire.cli.scale import cluster_dataset, engine_options, input_options
from ceasefire.errors import CeasefireError, DetailedError
from ceasefire.factfinding import bulletin as bulletins
from ceasefire.factfinding import workflow
from ceasefire.factfinding.analyst import record_merge, record_split
from ceasefire.factfinding.cluster import Params
from ceasefire.factfinding.incidents import (
    CLUSTERING,
    Incident,
    build,
    clustering_draft,
    find_incident,
    groups_of,
    read_log,
)
from ceasefire.log.service import Draft, Log
from ceasefire.model.entries import IncidentMerge, body_of, raw_body

F = TypeVar("F", bound=Callable[..., Any])
UNITS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400}


def duration(text: str) -> float:
    """Seconds in ``30m``, ``1h``, ``1d`` or ``90s``."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match:
        raise click.BadParameter(
            f"{text!r} is not a duration; expected e.g. 30m, 1h, 1d"
        )
    return float(match.group(1)) * UNITS[match.group(2)]


def scale_options(function: F) -> F:
    """--distance, --time and --min-sources, turned into ``params`` (None: the logged scale)."""

    @click.option(
        "--distance", type=float, help="Linking distance in km [last run's, or 2]."
    )
    @click.option(
        "--time", "time_text", help="Linking time: 30m, 1h, 1d … [last run's, or 1h]."
    )
    @click.option("--min-sources", type=int, help="Sources a core report needs [2].")
    @wraps(function)
    def wrapper(
        *args: Any,
        distance: float | None,
        time_text: str | None,
        min_sources: int | None,
        **kwargs: Any,
    ) -> Any:
        params = None
        if distance is not None or time_text is not None or min_sources is not None:
            default = Params()
            params = Params(
                distance_m=default.distance_m if distance is None else distance * 1000,
                time_s=default.time_s if time_text is None else duration(time_text),
                min_sources=default.min_sources if min_sources is None else min_sources,
            )
        try:
            return function(*args, params=params, **kwargs)
        except DetailedError as error:
            fail(error)

    return wrapper  # type: ignore[return-value]


def by_option(required: bool = True) -> Callable[[F], F]:
    """--by: who acts (recorded in the log)."""
    return click.option(
        "--by",
        "actor",
        required=required,
        default=None if required else "ceasefire",
        help="Who acts (recorded in the log entry).",
    )


def _incidents(log: Log, params: Params | None) -> list[Incident]:
    view = read_log(log.store)
    return build(view, groups_of(view, params))


def _one(log: Log, params: Params | None, ref: str) -> Incident:
    found = find_incident(_incidents(log, params), ref)
    if found is None:
        raise DetailedError(
            f"no incident {ref!r}",
            value=ref,
            expected="an incident id or the id of one of its reports (see 'ceasefire incidents list')",
        )
    return found


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date; expected YYYY-MM-DD"
        ) from None


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


# ------------------------------------------------------------ incidents


@click.group(name="incidents")
def incidents_group() -> None:
    """Cluster reports into incidents; list, merge, split, assign and decide them.

    \b
    Example:
      ceasefire incidents cluster --db sqlite:///mission.db --distance 2 --time 1h
      ceasefire incidents list --db sqlite:///mission.db --date 2022-03-01
    """


@incidents_group.command("cluster")
@db_option
@scale_options
@by_option(required=False)
@click.option("--dry-run", is_flag=True, help="Print the counts; log nothing.")
@input_options
@engine_options
def cluster_command(
    db: str,
    params: Params | None,
    actor: str,
    dry_run: bool,
    dataset: Path | None,
    out: Path | None,
    engine: str,
    master: str,
) -> None:
    """Run the automatic pass over the whole log and record it.

    Reports within --distance and --time of a report from another source, of
    a compatible event type, form incidents; a report placed or dated less
    precisely than that (an oblast centroid, a date without a time) joins the
    nearest incident but never links two. Analysts' merges and splits are
    re-applied on top. The run (its scale and counts) is logged, and every
    later command uses that scale; incidents with two or more independent
    sources move from 'reported' to 'corroborated' with the explanation as reason.

    With --input, an exported dataset is clustered instead (nothing is
    logged): each report and its incident go to -o DIR as Parquet, by this
    process or by Apache Spark (--engine spark), with identical incidents.

    \b
    Example:
      ceasefire incidents cluster --db sqlite:///mission.db
      ceasefire incidents cluster --db sqlite:///osint.db --distance 2 --time 1d
      ceasefire incidents cluster --input record/ --engine spark -o incidents/
    """
    if dataset is not None or engine != "embedded":
        if dataset is None:
            raise click.UsageError("--engine spark reads a dataset: give --input DIR")
        cluster_dataset(dataset, out, params or Params(), engine, master)
        return
    log = open_log(db)
    view = read_log(log.store)
    chosen = params or view.params or Params()
    with err.status("clustering…"):
        incidents = build(view, groups_of(view, chosen))
    body = clustering_draft(chosen, incidents, actor)
    click.echo(
        f"{body['reports']:,} reports → {body['incidents']:,} incidents"
        f" ({body['with_several_reports']:,} of several reports,"
        f" {body['with_independent_sources']:,} with two or more independent sources)"
        f" at {chosen.distance_m / 1000:g} km, {chosen.time_s / 3600:g} h,"
        f" min {chosen.min_sources} sources"
    )
    if dry_run:
        return
    log.append([Draft(CLUSTERING, orjson.dumps(body), actor=actor)])
    moved = workflow.mark_corroborated(
        log,
        [(i.id, i.independent_sources, i.corroboration.explanation) for i in incidents],
        actor,
    )
    click.echo(f"logged; {len(moved):,} incidents now corroborated")


def _report_summary(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": body["id"],
        "source": body["source"]["id"],
        "source_report_id": body.get("source_report_id"),
        "derived_from": body["source"].get("derived_from"),
        "event_type": body["event_type"],
        "start": body["observed"]["start"],
        "time_precision": body["observed"].get("precision", "minute"),
        "lon": body["location"]["lon"],
        "lat": body["location"]["lat"],
        "precision_m": body["location"].get("precision_m"),
        "place": body["location"].get("place"),
        "narrative": body.get("narrative", ""),
    }


@incidents_group.command("list")
@db_option
@scale_options
@click.option("--date", "day", help="Only incidents on this day (UTC), YYYY-MM-DD.")
@click.option("--state", help="Only incidents in this state.")
@click.option(
    "--several", is_flag=True, help="Only incidents of two or more independent sources."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def list_command(
    db: str,
    params: Params | None,
    day: str | None,
    state: str | None,
    several: bool,
    fmt: str,
) -> None:
    """List incidents with their reports and independent-source counts.

    \b
    Example:
      ceasefire incidents list --db sqlite:///mission.db --date 2022-03-01
      ceasefire incidents list --db sqlite:///mission.db --several --format json
    """
    log = open_log(db)
    view = read_log(log.store)
    incidents = build(view, groups_of(view, params))
    if day:
        wanted = _day(day)
        incidents = [i for i in incidents if i.start.date() == wanted]
    if state:
        incidents = [i for i in incidents if i.state == state]
    if several:
        incidents = [i for i in incidents if i.independent_sources > 1]
    if fmt == "json":
        by_id = view.by_id
        _echo_json(
            [
                {
                    **i.to_json(),
                    "reports": [_report_summary(by_id[r]) for r in i.report_ids],
                }
                for i in incidents
            ]
        )
        return
    for i in incidents:
        click.echo(
            f"{i.id}  {i.start:%Y-%m-%d %H:%M}  {i.state:<12} {len(i.report_ids):>3} reports"
            f"  {i.independent_sources} independent  {i.lat:.4f},{i.lon:.4f}"
            f"  {'/'.join(i.event_types)}"
        )
    several_reports = sum(len(i.report_ids) > 1 for i in incidents)
    independent = sum(i.independent_sources > 1 for i in incidents)
    click.echo(
        f"{len(incidents):,} incidents, {several_reports:,} of several reports,"
        f" {independent:,} of two or more independent sources"
    )


@incidents_group.command("show")
@db_option
@scale_options
@click.argument("incident")
def show_command(db: str, params: Params | None, incident: str) -> None:
    """Show an incident: reports, corroboration and its trail (as JSON).

    INCIDENT is an incident id or the id of one of its reports.

    \b
    Example:
      ceasefire incidents show --db sqlite:///mission.db 01FX2ER978SXSMR9NHVFYF5M78
    """
    log = open_log(db)
    view = read_log(log.store)
    found = find_incident(build(view, groups_of(view, params)), incident)
    if found is None:
        fail(
            DetailedError(
                f"no incident {incident!r}",
                value=incident,
                expected="an incident or report id",
            )
        )
        return
    by_id = view.by_id
    _echo_json(
        {
            **found.to_json(),
            "reports": [_report_summary(by_id[r]) for r in found.report_ids],
            "trail": workflow.trail(log, found.id, found.report_ids),
        }
    )


@incidents_group.command("merge")
@db_option
@scale_options
@click.argument("incidents", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why these are one event.")
@by_option()
def merge_command(
    db: str, params: Params | None, incidents: tuple[str, ...], reason: str, actor: str
) -> None:
    """Merge incidents into one (the oldest id survives); no re-clustering undoes it.

    \b
    Example:
      ceasefire incidents merge --db sqlite:///mission.db INC1 INC2 \\
        --reason "same crater in both videos" --by analyst-3
    """
    log = open_log(db)
    current = _incidents(log, params)
    ids = []
    for ref in incidents:
        found = find_incident(current, ref)
        if found is None:
            raise DetailedError(
                f"no incident {ref!r}", value=ref, expected="an incident id"
            )
        ids.append(found.id)
    view = read_log(log.store)
    row = record_merge(log, ids, view.order, actor, reason)
    click.echo(f"merged into {body_of(row, IncidentMerge).incident} (entry {row.id})")


@incidents_group.command("split")
@db_option
@scale_options
@click.argument("incident")
@click.option(
    "--report",
    "reports",
    multiple=True,
    required=True,
    help="A report to take out (repeat).",
)
@click.option("--reason", required=True, help="Why these reports are another event.")
@by_option()
def split_command(
    db: str,
    params: Params | None,
    incident: str,
    reports: tuple[str, ...],
    reason: str,
    actor: str,
) -> None:
    """Take reports out of an incident into one of their own; no re-clustering undoes it.

    \b
    Example:
      ceasefire incidents split --db sqlite:///mission.db INC1 --report REP7 \\
        --reason "different street, 40 minutes later" --by analyst-3
    """
    log = open_log(db)
    found = _one(log, params, incident)
    row = record_split(log, found.id, found.report_ids, reports, actor, reason)
    click.echo(f"split {len(reports)} report(s) out of {found.id} (entry {row.id})")


def _team(members: tuple[str, ...]) -> dict[str, list[str]]:
    team: dict[str, list[str]] = {}
    for member in members:
        side, sep, name = member.partition("=")
        if not sep or not side or not name:
            raise click.BadParameter(
                f"{member!r}; expected SIDE=NAME, e.g. ua=o.koval or mission=j.smith"
            )
        team.setdefault(side, []).append(name)
    return team


def _agreement_parties(path: Path | None) -> list[str]:
    if path is None:
        return []
    from ceasefire.agreement.load import load

    agreement = load(path)
    return [p.id for p in agreement.document.parties if p.role == "party"]


def _when(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{name} {text!r}; expected ISO 8601, e.g. 2026-12-01T12:00Z"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(
            f"{name} {text!r} has no time zone; expected e.g. 2026-12-01T12:00Z"
        )
    return moment.astimezone(UTC)


@incidents_group.command("assign")
@db_option
@scale_options
@click.argument("incident")
@click.option(
    "--member",
    "members",
    multiple=True,
    required=True,
    help="SIDE=NAME: a party id or 'mission', and a member (repeat).",
)
@click.option(
    "--deadline", required=True, help="Review deadline, ISO 8601 with time zone."
)
@click.option(
    "--reply-hours",
    type=float,
    help="Right-of-reply window in hours [72, as the agreement sets none].",
)
@click.option(
    "--agreement",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Agreement whose parties must each have a member.",
)
@by_option()
def assign_command(
    db: str,
    params: Params | None,
    incident: str,
    members: tuple[str, ...],
    deadline: str,
    reply_hours: float | None,
    agreement: Path | None,
    actor: str,
) -> None:
    """Assign an incident to a joint fact-finding team; it goes under review.

    \b
    Example:
      ceasefire incidents assign --db sqlite:///mission.db INC1 \\
        --member ua=o.koval --member ru=i.petrov --member mission=j.smith \\
        --deadline 2026-12-10T12:00Z --agreement examples/minsk-ii.yaml --by chief-monitor
    """
    log = open_log(db)
    found = _one(log, params, incident)
    try:
        parties = _agreement_parties(agreement)
    except CeasefireError as exc:
        raise click.ClickException(f"{agreement}: {exc}") from None
    rows = workflow.assign(
        log,
        found.id,
        _team(members),
        _when(deadline, "--deadline"),
        actor,
        parties=parties,
        reply_window_hours=reply_hours,
    )
    body = raw_body(rows[0])
    click.echo(
        f"{found.id} under review; replies until {body['reply_deadline']}"
        f" ({body['reply_window_hours']:g} h, {body['reply_window_source']})"
    )


@incidents_group.command("decide")
@db_option
@scale_options
@click.argument("incident")
@click.option("--decision", type=click.Choice(workflow.DECISIONS), required=True)
@click.option("--reason", required=True, help="Why: what the team found.")
@click.option(
    "--consider",
    "considered",
    multiple=True,
    help="A reply entry id considered (repeat) [all replies].",
)
@by_option()
def decide_command(
    db: str,
    params: Params | None,
    incident: str,
    decision: str,
    reason: str,
    considered: tuple[str, ...],
    actor: str,
) -> None:
    """Decide an incident under review: verified, disputed or dismissed.

    The decision records which replies it considered (all on record unless
    --consider names them) and which parties did not reply.

    \b
    Example:
      ceasefire incidents decide --db sqlite:///mission.db INC1 --decision verified \\
        --reason "crater analysis and two patrols agree" --by joint-team-4
    """
    log = open_log(db)
    found = _one(log, params, incident)
    rows = workflow.decide(
        log, found.id, decision, reason, actor, considered=list(considered) or None
    )
    body = raw_body(rows[0])
    click.echo(
        f"{found.id} {decision}; considered {len(body['considered_replies'])} replies"
        f" (entry {rows[0].id})"
    )


# ------------------------------------------------------------ replies


@click.group(name="replies")
def replies_group() -> None:
    """A party's right of reply to an incident under review.

    \b
    Example:
      ceasefire replies add --db sqlite:///mission.db INC1 --party ru --statement "…" --by ru-liaison
    """


@replies_group.command("add")
@db_option
@scale_options
@click.argument("incident")
@click.option("--party", required=True, help="The replying party's id (on the team).")
@click.option("--statement", required=True, help="The reply's text.")
@click.option(
    "--position",
    type=click.Choice(workflow.POSITIONS),
    default="contests",
    show_default=True,
)
@click.option(
    "--evidence",
    "evidence",
    multiple=True,
    help="SHA-256 of counter-evidence (repeat).",
)
@by_option()
def replies_add(
    db: str,
    params: Params | None,
    incident: str,
    party: str,
    statement: str,
    position: str,
    evidence: tuple[str, ...],
    actor: str,
) -> None:
    """Record a party's reply, within the reply window set at assignment.

    \b
    Example:
      ceasefire replies add --db sqlite:///mission.db INC1 --party ru --position contests \\
        --statement "no unit of ours was within range" \\
        --evidence 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 --by ru-liaison
    """
    log = open_log(db)
    found = _one(log, params, incident)
    row = workflow.add_reply(
        log,
        found.id,
        party,
        statement,
        actor,
        position=position,
        counter_evidence=evidence,
    )
    click.echo(f"reply {row.id} from {party} on {found.id}")


# ------------------------------------------------------------ bulletins


@click.group(name="bulletin")
def bulletin_group() -> None:
    """Versioned bulletins of a day's incidents and their quality.

    \b
    Example:
      ceasefire bulletin automatic --db sqlite:///mission.db --date 2022-03-01
      ceasefire bulletin quality --db sqlite:///mission.db --date 2022-03-01
    """


def _issue(
    db: str, kind: str, day: str, actor: str, params: Params | None, fmt: str
) -> None:
    log = open_log(db)
    issued = bulletins.issue(log, kind, _day(day), actor, params)
    if fmt == "json":
        _echo_json(
            {"version": issued.version, "sha256": issued.sha256, **issued.content}
        )
        return
    state = "issued" if issued.new else "unchanged, still"
    click.echo(
        f"{kind} bulletin {issued.day} {state} version {issued.version}"
        f" (sha256 {issued.sha256[:16]}…): {len(issued.content['incidents'])} incidents"
    )
    for incident in issued.content["incidents"]:
        extra = f"  {incident['state']}" if "state" in incident else ""
        click.echo(
            f"  {incident['id']}  {incident['start'][:16]}  {len(incident['report_ids'])} reports"
            f"  {incident['independent_sources']} independent{extra}"
        )


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)


@bulletin_group.command("automatic")
@db_option
@scale_options
@click.option("--date", "day", required=True, help="The day (UTC), YYYY-MM-DD.")
@by_option(required=False)
@format_option
def bulletin_automatic(
    db: str, params: Params | None, day: str, actor: str, fmt: str
) -> None:
    """Issue the automatic bulletin of a day: the clustering alone, versioned.

    \b
    Example:
      ceasefire bulletin automatic --db sqlite:///mission.db --date 2022-03-01
    """
    _issue(db, "automatic", day, actor, params, fmt)


@bulletin_group.command("reviewed")
@db_option
@scale_options
@click.option("--date", "day", required=True, help="The day (UTC), YYYY-MM-DD.")
@by_option(required=False)
@format_option
def bulletin_reviewed(
    db: str, params: Params | None, day: str, actor: str, fmt: str
) -> None:
    """Issue the reviewed bulletin of a day: decided incidents, decisions and replies.

    \b
    Example:
      ceasefire bulletin reviewed --db sqlite:///mission.db --date 2022-03-01 --format json
    """
    _issue(db, "reviewed", day, actor, params, fmt)


@bulletin_group.command("quality")
@db_option
@scale_options
@click.option("--date", "day", required=True, help="The day (UTC), YYYY-MM-DD.")
@format_option
def bulletin_quality(db: str, params: Params | None, day: str, fmt: str) -> None:
    """Score the latest automatic bulletin against the latest reviewed one.

    Matched, false and missed incidents as the CTBTO scores its automatic
    lists against the reviewed bulletin; an automatic and a reviewed incident
    match when they share a report (one-to-one, most shared first).

    \b
    Example:
      ceasefire bulletin quality --db sqlite:///mission.db --date 2022-03-01
    """
    log = open_log(db)
    result = bulletins.quality(log, _day(day))
    if fmt == "json":
        _echo_json(result.to_json())
        return

    def ratio(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    click.echo(
        f"{day}: matched {len(result.matched)}, false {len(result.false)},"
        f" missed {len(result.missed)}, pending {len(result.pending)};"
        f" precision {ratio(result.precision)}, recall {ratio(result.recall)}"
    )
