"""``ceasefire snapback``, ``ceasefire notices`` and ``ceasefire notify``: the hotline."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.table import Table

from ceasefire.agreement.load import Agreement, load
from ceasefire.cli.log import db_option, err, fail, open_log
from ceasefire.errors import AgreementError, DetailedError
from ceasefire.notify import notices as notices_
from ceasefire.notify.atom import feed
from ceasefire.notify.cap import to_cap
from ceasefire.notify.email import SMTPSettings
from ceasefire.notify.outbox import Outbox, Settings
from ceasefire.notify.publish import publish
from ceasefire.snapback.engine import states
from ceasefire.snapback.live import Live
from ceasefire.snapback.record import evaluate
from ceasefire.store import StoreError

out = Console(soft_wrap=True)
SECRET_ENV = "CEASEFIRE_WEBHOOK_SECRET"  # noqa: S105 - the variable name, not a secret

agreement_option = click.option(
    "--agreement", "-a", "agreement_path", required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The agreement YAML whose penalty rules and liaison points apply.",
)  # fmt: skip


def _agreement(path: Path) -> Agreement:
    try:
        return load(path)
    except AgreementError as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        sys.exit(1)


def _when(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        fail(
            DetailedError(
                f"--at {text!r} is not an ISO 8601 time with an offset",
                value=text,
                expected="e.g. 2025-10-08T12:00:00+00:00",
            )
        )
        raise AssertionError  # fail exits
    return moment


# ------------------------------------------------------------ snapback


@click.group(name="snapback")
def snapback_group() -> None:
    """Pre-agreed penalties: where each rule stands for each party.

    \b
    Example:
      ceasefire snapback status -a examples/alaska-terms.yaml --db sqlite:///mission.db
    """


@snapback_group.command(name="status")
@agreement_option
@db_option
@click.option("--at", "at", help="Evaluate as of this ISO time (default: now).")
@click.option(
    "--record", is_flag=True,
    help="Append new penalty_state entries and their notices to the log.",
)  # fmt: skip
@click.option(
    "--json", "as_json", is_flag=True, help="Every state change as JSON Lines."
)
def status_command(
    agreement_path: Path, db: str, at: str | None, record: bool, as_json: bool
) -> None:
    """Evaluate the penalty rules over the log and show each rule's state per party.

    A pure function of the log, the agreement version and --at: the same
    inputs give the same triggers at the same times. With --record the state
    changes and the notices they send are appended to the log (each once).

    \b
    Example:
      ceasefire snapback status -a examples/alaska-terms.yaml --db sqlite:///mission.db
      ceasefire snapback status -a examples/alaska-terms.yaml --at 2025-10-09T00:00:00+00:00 --json
      ceasefire snapback status -a examples/alaska-terms.yaml --record
    """
    agreement = _agreement(agreement_path)
    moment = _when(at)
    try:
        log = open_log(db)
        if record:
            published = publish(log, agreement, moment)
            transitions = published.transitions
            err.print(
                f"recorded {published.recorded_states} state change(s),"
                f" {published.recorded_notices} notice(s),"
                f" {published.unanswered} unanswered",
                markup=False,
            )
        else:
            transitions = evaluate(log.store, agreement, moment)
    except (StoreError, DetailedError) as exc:
        fail(exc if isinstance(exc, DetailedError) else DetailedError(str(exc)))
        return
    if as_json:
        for transition in transitions:
            sys.stdout.write(orjson.dumps(transition.to_dict()).decode() + "\n")
        return
    table = Table("rule", "party", "state", "since", "triggers", "incidents")
    for state in states(transitions):
        last = state.last
        incidents = (
            []
            if last is None
            else [b["incident"] for b in last.reasons.get("breaches", [])]
        )
        table.add_row(
            state.rule, state.group, state.state,
            "" if state.since is None else state.since.isoformat(timespec="seconds"),
            str(state.triggers), ", ".join(incidents),
        )  # fmt: skip
    rules = {r.id for r in agreement.document.penalty_rules}
    quiet = sorted(rules - {s.rule for s in states(transitions)})
    for rule in quiet:
        table.add_row(rule, "—", "watching", "", "0", "")
    out.print(table)


@snapback_group.command(name="replay")
@agreement_option
@db_option
@click.option("--at", "at", help="Replay up to this ISO time (default: now).")
@click.option(
    "--cap-km2", type=float, default=None,
    help="Also feed the freeze cap: a party gaining more than this many km² in a"
    " sector (control maps) is a breach of the clause --territory-clause.",
)  # fmt: skip
@click.option(
    "--sector", "sectors", multiple=True,
    help="Freeze sectors (zone ids; default: the zones with regime 'buffer').",
)  # fmt: skip
@click.option(
    "--source", "sources", multiple=True, default=("deepstate", "nzz"),
    show_default=True, help="Control-map sources (two publishers meet a 2-source standard).",
)  # fmt: skip
@click.option(
    "--territory-clause", default="freeze", show_default=True,
    help="The clause whose penalty rules the freeze cap's verdicts feed.",
)  # fmt: skip
@click.option(
    "--feed", "feeds", multiple=True, metavar="CLAUSE=RULE",
    help="Also feed RULE with CLAUSE's verdicts (repeatable).",
)  # fmt: skip
@click.option(
    "--demo-rule", is_flag=True,
    help="Add the demo's rule freeze-line-snapback (one breach in 30 days), fed by"
    " --territory-clause: what `ceasefire demo` replays.",
)  # fmt: skip
@click.option(
    "--record", is_flag=True,
    help="Append the state changes (both standings) and their notices to the log.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="JSON Lines instead of text.")
def replay_command(
    agreement_path: Path, db: str, at: str | None, cap_km2: float | None,
    sectors: tuple[str, ...], sources: tuple[str, ...], territory_clause: str,
    feeds: tuple[str, ...], demo_rule: bool, record: bool, as_json: bool,
) -> None:  # fmt: skip
    """Replay the penalty rules: which went provisional and established, when.

    Provisional: the threshold crossed on reported breaches (a source shows
    them). Established: crossed on breaches whose evidence standard is met.
    Each state change is listed with the hotline notices it would send; with
    --cap-km2 the freeze cap over the logged control maps feeds the rules too.

    \b
    Example:
      ceasefire snapback replay -a examples/alaska-terms.yaml --db sqlite:///mission.db
      ceasefire snapback replay -a examples/alaska-terms.yaml --db sqlite:///m.db \\
          --cap-km2 10 --sector southern_sector --demo-rule --json
    """
    from ceasefire.snapback import standing  # noqa: PLC0415 (slow import, only here)

    agreement = _agreement(agreement_path)
    if demo_rule:
        from ceasefire.demo import FREEZE_SNAPBACK  # noqa: PLC0415
        from ceasefire.model.agreement import PenaltyRule  # noqa: PLC0415

        extra = PenaltyRule.model_validate(FREEZE_SNAPBACK)
        agreement = standing.with_rules(agreement, [extra])
        feeds = (*feeds, f"{territory_clause}={extra.id}")
    moment = _when(at)
    fed: dict[str, list[str]] = {}
    for value in feeds:
        clause, sep, rule = value.partition("=")
        if not sep or not rule:
            fail(DetailedError(f"--feed {value!r} is not CLAUSE=RULE", value=value,
                               expected="e.g. freeze=freeze-violations"))  # fmt: skip
        fed.setdefault(clause, []).append(rule)
    terms = None
    if cap_km2 is not None:
        chosen = sectors or tuple(
            g.id for g in agreement.document.geometries if g.regime == "buffer"
        )
        terms = standing.TerritoryTerms(
            cap_km2, chosen, sources, territory_clause, feeds=fed
        )
    try:
        log = open_log(db)
        findings, appeals = standing.mission_findings(log.store, agreement, terms)
        rules = agreement.document.penalty_rules
        transitions = standing.replay(rules, findings, appeals, moment)
        sent = standing.notices(agreement.document, transitions)
        if record:
            recorded = standing.record(log, agreement, transitions, sent)
            err.print(f"recorded {recorded[0]} state change(s), {recorded[1]} notice(s)",
                      markup=False)  # fmt: skip
    except (StoreError, DetailedError) as exc:
        fail(exc if isinstance(exc, DetailedError) else DetailedError(str(exc)))
        return
    _print_replay(transitions, sent, as_json)


def _print_replay(transitions: list[Any], sent: list[Any], as_json: bool) -> None:
    if as_json:
        for t in transitions:
            row = t.to_dict() | {"standing": t.standing}
            sys.stdout.write(orjson.dumps(row).decode() + "\n")
        for notice in sent:
            row = {"notice": notice.id, "to": notice.recipient, "liaison": notice.liaison,
                   "title": notice.title, "at": notice.created_at.isoformat()}  # fmt: skip
            sys.stdout.write(orjson.dumps(row).decode() + "\n")
        return
    if not transitions:
        err.print("no rule crossed its threshold", markup=False)
        return
    table = Table("standing", "rule", "party", "state", "at", "breaches")
    for t in transitions:
        table.add_row(
            t.standing, t.rule, t.group, t.state, t.at.isoformat(timespec="minutes"),
            str(len(t.reasons.get("breaches", []))),
        )  # fmt: skip
    out.print(table)
    notes = Table("notice", "to", "liaison", "title")
    for notice in sent:
        notes.add_row(notice.id, notice.recipient, notice.liaison, notice.title)
    out.print(notes)


# ------------------------------------------------------------ notices


@click.group(name="notices")
def notices_group() -> None:
    """Hotline notices: list them, acknowledge or reply as the party addressed.

    \b
    Example:
      ceasefire notices list --party ru
      ceasefire notices ack notice-3f9c… --party ru
    """


@notices_group.command(name="list")
@db_option
@click.option("--party", help="Only notices addressed to this party.")
@click.option(
    "--state", type=click.Choice(["open", "acknowledged", "replied", "unanswered"]),
    help="Only notices in this state.",
)  # fmt: skip
@click.option(
    "--delivery", type=click.Choice(["pending", "delivered", "dead_letter"]),
    help="Only notices with this delivery status (dead_letter: the dead-letter list).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="JSON Lines instead of a table.")
def list_command(
    db: str, party: str | None, state: str | None, delivery: str | None, as_json: bool
) -> None:
    """List notices with their acknowledgement and delivery state.

    \b
    Example:
      ceasefire notices list --db sqlite:///mission.db --state unanswered
      ceasefire notices list --delivery dead_letter --json
    """
    rows = [s.to_dict() for s in notices_.book(open_log(db)).values()]
    rows = [
        r for r in rows
        if (party is None or r["recipient"] == party)
        and (state is None or r["state"] == state)
        and (delivery is None or r["delivery"] == delivery)
    ]  # fmt: skip
    if as_json:
        for row in rows:
            sys.stdout.write(orjson.dumps(row).decode() + "\n")
        return
    table = Table("id", "to", "liaison", "title", "ack due", "state", "delivery")
    for r in rows:
        table.add_row(
            r["id"], r["recipient"], r["liaison"], r["title"], r["ack_due"] or "",
            r["state"], r["delivery"],
        )  # fmt: skip
    out.print(table)


@notices_group.command(name="ack")
@db_option
@click.argument("notice")
@click.option("--party", required=True, help="The party acknowledging (the addressee).")
def ack_command(db: str, notice: str, party: str) -> None:
    """Acknowledge a notice as the party it is addressed to.

    \b
    Example:
      ceasefire notices ack notice-3f9c0d… --party ru
    """
    try:
        row = notices_.acknowledge(open_log(db), notice, party, f"party:{party}")
    except DetailedError as exc:
        fail(exc)
        return
    err.print(f"acknowledged {notice} (entry {row.seq})", markup=False)


@notices_group.command(name="reply")
@db_option
@click.argument("notice")
@click.option("--party", required=True, help="The party replying (the addressee).")
@click.option("--text", required=True, help="The reply.")
def reply_command(db: str, notice: str, party: str, text: str) -> None:
    """Reply to a notice; a reply also answers it (no notice_unanswered follows).

    To contest the incidents themselves, use fact-finding's right of reply
    (ceasefire replies add): those replies are the appeals the penalty rules list.

    \b
    Example:
      ceasefire notices reply notice-3f9c0d… --party ru --text "Investigating; unit stood down."
    """
    try:
        row = notices_.reply(open_log(db), notice, party, text, f"party:{party}")
    except DetailedError as exc:
        fail(exc)
        return
    err.print(f"replied to {notice} (entry {row.seq})", markup=False)


@notices_group.command(name="cap")
@db_option
@click.argument("notice")
@click.option(
    "-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)  # fmt: skip
def cap_command(db: str, notice: str, output: Path | None) -> None:
    """A notice as an OASIS CAP 1.2 alert, validated against the shipped schema.

    \b
    Example:
      ceasefire notices cap notice-3f9c0d… -o notice.xml
    """
    status = notices_.book(open_log(db)).get(notice)
    if status is None:
        fail(
            DetailedError(f"no notice {notice!r}", value=notice, expected="a notice id")
        )
        return
    data = to_cap(status.notice)
    if output is None:
        sys.stdout.buffer.write(data + b"\n")
    else:
        output.write_bytes(data)


@notices_group.command(name="feed")
@db_option
@click.option(
    "-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)  # fmt: skip
@click.option("--base-url", default="", help="The public site, for entry links.")
def feed_command(db: str, output: Path | None, base_url: str) -> None:
    """The public Atom feed: each escalation step of each rule, once.

    \b
    Example:
      ceasefire notices feed -o public/snapback.atom --base-url https://monitor.example
    """
    data = feed(
        list(notices_.book(open_log(db)).values()),
        feed_id=f"urn:ceasefire:snapback:{db}",
        title="Snapback and hotline: escalation steps",
        base_url=base_url,
    )
    if output is None:
        sys.stdout.buffer.write(data + b"\n")
    else:
        output.write_bytes(data)


# ------------------------------------------------------------ notify


def _endpoints(values: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not url:
            fail(
                DetailedError(
                    f"--endpoint {value!r} is not LIAISON=URL",
                    value=value,
                    expected="e.g. us-guarantor=https://relay.example/hook",
                )
            )
        found[name] = url
    return found


@click.group(name="notify")
def notify_group() -> None:
    """Deliver hotline notices: signed webhooks and e-mail, with retries.

    \b
    Example:
      CEASEFIRE_WEBHOOK_SECRET=… ceasefire notify run -a examples/alaska-terms.yaml --once
    """


@notify_group.command(name="run")
@agreement_option
@db_option
@click.option(
    "--once", is_flag=True, help="One pass: publish, attempt every due delivery, stop."
)
@click.option(
    "--duration", type=float, default=60.0, show_default=True,
    help="Seconds to keep running (the loop always stops by itself).",
)  # fmt: skip
@click.option(
    "--interval", type=float, default=1.0, show_default=True,
    help="Seconds between evaluations of the penalty rules.",
)  # fmt: skip
@click.option(
    "--endpoint", "endpoints", multiple=True, metavar="LIAISON=URL",
    help="Deliver this liaison point's webhooks here instead (repeatable).",
)  # fmt: skip
@click.option(
    "--smtp", default="127.0.0.1:25", show_default=True, help="SMTP HOST:PORT."
)
@click.option(
    "--live", is_flag=True,
    help="Follow new entries only, each new report its own incident (fast on big"
    " logs; clauses wanting several independent sources need the default).",
)  # fmt: skip
@click.option("--max-attempts", type=int, default=10, show_default=True)
@click.option(
    "--base-delay",
    type=float,
    default=1.0,
    show_default=True,
    help="First retry wait (s).",
)
@click.option(
    "--max-delay",
    type=float,
    default=60.0,
    show_default=True,
    help="Longest retry wait (s).",
)
def run_command(
    agreement_path: Path, db: str, once: bool, duration: float, interval: float,
    endpoints: tuple[str, ...], smtp: str, live: bool, max_attempts: int,
    base_delay: float, max_delay: float,
) -> None:  # fmt: skip
    """Publish penalty states and notices, then deliver pending notices.

    Webhooks are signed with HMAC-SHA256 using the secret in
    $CEASEFIRE_WEBHOOK_SECRET and carry the notice id as Idempotency-Key;
    failures are retried with exponential backoff and jitter, then go to the
    dead-letter list (ceasefire notices list --delivery dead_letter). Pending
    deliveries are read from the log, so a restarted run resumes them.
    Each --interval the penalty rules are evaluated over the whole log with
    fact-finding's incidents; --live follows new entries only (docs/snapback.md).

    \b
    Example:
      export CEASEFIRE_WEBHOOK_SECRET=change-me
      ceasefire notify run -a examples/alaska-terms.yaml --db sqlite:///mission.db --once
      ceasefire notify run -a examples/alaska-terms.yaml --duration 3600 \\
          --endpoint us-guarantor=http://127.0.0.1:8080/hook --smtp 127.0.0.1:2525
    """
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        fail(
            DetailedError(
                f"${SECRET_ENV} is not set",
                value=None,
                expected="the HMAC key shared with the receivers",
            )  # fmt: skip
        )
    host, _, port = smtp.rpartition(":")
    agreement = _agreement(agreement_path)
    log = open_log(db)
    settings = Settings(
        secret=secret.encode(), endpoints=_endpoints(endpoints),
        smtp=SMTPSettings(host=host or "127.0.0.1", port=int(port or 25)),
        max_attempts=max_attempts, base_delay=base_delay, max_delay=max_delay,
    )  # fmt: skip
    last = [0.0]
    follower = Live(log, agreement) if live else None

    def step() -> None:
        if follower is not None:
            follower.step(datetime.now(UTC))
        elif time.monotonic() - last[0] >= interval:
            publish(log, agreement, datetime.now(UTC))  # the whole log, clustered
            last[0] = time.monotonic()

    outbox = Outbox(log, settings)
    try:
        stats = outbox.run(duration=duration, once=once, between=step)
    finally:
        outbox.close()
    err.print(
        f"delivered {stats.delivered}, failed attempts {stats.failed_attempts},"
        f" dead letters {stats.dead_letters}, still pending {len(outbox.pending)}",
        markup=False,
    )
