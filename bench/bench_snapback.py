"""Benchmark the hotline end to end (issue 7): report appended → webhook delivered.

Three processes on loopback, like a deployment:

* a **feeder** appends, at a steady ``--rate`` (200/s) for ``--seconds`` (60),
  jointly verified reports of strikes on civilian infrastructure (each report
  with its two state changes), grouped into one transaction every 50 ms;
* the **hotline** (this process): ``snapback.live.Live`` follows the log,
  evaluates new reports, runs the penalty engine and records notices;
  ``notify.outbox.Outbox`` delivers them as signed webhooks;
* a **receiver** (``notify.receiver``) verifies signatures, drops repeated
  idempotency keys and notes when each notice first arrived.

Latency = first arrival of the breach notice naming the report − the
report's arrival at the feeder (before the batching wait and the append).
The rule fires on the third report: the trigger's latency is reported too.
The agreement is the Alaska terms with the civilian-strikes clause asking one
source instead of two (each synthetic report is its own incident). Seeded
synthetic positions (random.Random(7)) inside Kharkiv, Dnipro and Zaporizhzhia.

``--outage 30`` stops the receiver 5 s into the run for 30 s and checks that
every notice arrives exactly once after it returns (the issue's "down for 30 s").

Run: .venv/bin/python bench/bench_snapback.py [--rate 200] [--seconds 60] [--outage 30]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ceasefire.agreement.load import load  # noqa: E402
from ceasefire.log.service import Draft, Log, report_draft  # noqa: E402
from ceasefire.model.report import Report, new_id  # noqa: E402
from ceasefire.notify.outbox import Outbox, Settings  # noqa: E402
from ceasefire.notify.receiver import Inbox, Receiver  # noqa: E402
from ceasefire.snapback.live import Live  # noqa: E402
from ceasefire.store.sqlite import SQLiteStore  # noqa: E402

SECRET = b"bench-secret"
CITIES = [
    (36.25, 49.99),
    (35.05, 48.46),
    (35.14, 47.84),
]  # Kharkiv, Dnipro, Zaporizhzhia
JOINT = "joint-team:ua+ru+mission"
BATCH_SECONDS = 0.05


def bench_agreement(folder: Path) -> Path:
    """Alaska terms with one source enough for civilian strikes; geometry linked."""
    text = (ROOT / "examples/alaska-terms.yaml").read_text(encoding="utf-8")
    old = "evidence: {min_sources: 2, states: [verified], joint_verification: true}"
    assert text.count(old) == 1
    (folder / "alaska-bench.yaml").write_text(
        text.replace(old, old.replace("min_sources: 2", "min_sources: 1")),
        encoding="utf-8",
    )
    link = folder / "geometry"
    if not link.exists():
        link.symlink_to(ROOT / "examples/geometry")
    return folder / "alaska-bench.yaml"


def strike(rng: random.Random, serial: int) -> Report:
    lon, lat = rng.choice(CITIES)
    at = datetime(2025, 10, 1, tzinfo=UTC) + timedelta(seconds=serial * 30)
    return Report.model_validate(
        {
            "id": new_id(int(at.timestamp() * 1000), serial.to_bytes(10, "big")),
            "source": {"type": "monitor_patrol", "id": f"team-{serial % 17}", "reliability": "B", "credibility": 2},
            "observed": {"start": at},
            "reported_at": at,
            "location": {"lon": lon + rng.uniform(-0.05, 0.05), "lat": lat + rng.uniform(-0.05, 0.05), "precision_m": 200, "admin1": "bench"},
            "event_type": "missile_strike",
            "attribution": {"party": "ru", "confidence": "high"},
            "target": {"category": rng.choice(["power", "heating", "water", "residential"])},
        }
    )  # fmt: skip


def feeder(db: str, rate: float, seconds: float, out: str, start_at: float) -> None:
    """Reports arrive at ``rate`` per second; every ``BATCH_SECONDS`` those that
    arrived are appended in one transaction (one fsync per report would cap a
    SQLite log near 200 transactions/s on this disk). Latency counts from each
    report's arrival, so the batching wait is inside it. Writes {id: arrival}."""
    log = Log(SQLiteStore(db))
    rng = random.Random(7)
    arrived: dict[str, float] = {}
    start_at = max(start_at, time.time() + 0.2)  # a spawned process imports slowly
    total = int(rate * seconds)
    serial = 0
    while serial < total:
        time.sleep(max(0.0, start_at + serial / rate + BATCH_SECONDS - time.time()))
        drafts: list[Draft] = []
        while serial < total and start_at + serial / rate <= time.time():
            report = strike(rng, serial + 1)
            review = {
                "from": "reported",
                "to": "under_review",
                "reason": "joint team on site",
            }
            verified = {
                "from": "under_review",
                "to": "verified",
                "reason": "confirmed jointly",
            }
            drafts += [
                report_draft(report, "bench-feeder"),
                Draft(
                    "state_change", orjson.dumps(review), subject=report.id, actor=JOINT
                ),
                Draft(
                    "state_change",
                    orjson.dumps(verified),
                    subject=report.id,
                    actor=JOINT,
                ),
            ]
            arrived[report.id] = start_at + serial / rate
            serial += 1
        if drafts:
            log.append(drafts)
    Path(out).write_text(json.dumps(arrived))


def receiver(
    port: int, seconds: float, out: str, outage: float, outage_at: float
) -> None:
    """Serve for ``seconds``; with ``outage``, go down at ``outage_at`` for that long."""
    inbox = Inbox(SECRET)
    server = Receiver(inbox, port).start()
    end = time.time() + seconds
    if outage:
        while time.time() < outage_at:
            time.sleep(0.01)
        server.stop()
        time.sleep(outage)
        server.start()
    while time.time() < end:
        time.sleep(0.05)
    server.stop()
    first = {
        n["id"]: (
            n["body"].get("incidents", []),
            n["cause"],
            inbox.arrived_at[n["id"]],
            n.get("body", {}).get("step"),
        )
        for n in inbox.received
    }
    Path(out).write_text(
        json.dumps(
            {"first": first, "duplicates": inbox.duplicates, "rejected": inbox.rejected}
        )
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--outage", type=float, default=0.0, help="receiver down this long, 5 s in"
    )
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}  cores: {os.cpu_count()}")
    work = Path(tempfile.mkdtemp(prefix="bench-snapback-"))
    path = work / "hotline.db"
    store = SQLiteStore(path)  # create the schema before the feeder starts
    agreement = load(bench_agreement(work))
    log = Log(store)
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start_at = time.time() + 8.0  # both children import ceasefire first
    margin = 20.0 + args.outage
    ctx = mp.get_context("spawn")
    feed = ctx.Process(
        target=feeder,
        args=(
            str(path),
            args.rate,
            args.seconds,
            str(work / "appended.json"),
            start_at,
        ),
    )
    recv = ctx.Process(
        target=receiver,
        args=(
            port,
            args.seconds + margin + 3,
            str(work / "received.json"),
            args.outage,
            start_at + 5,
        ),
    )
    recv.start()
    feed.start()
    live = Live(log, agreement)
    url = f"http://127.0.0.1:{port}/hook"
    settings = Settings(
        secret=SECRET,
        endpoints={p.id: url for party in agreement.document.parties for p in party.liaison},
        base_delay=0.2, max_delay=2.0, max_attempts=1000, poll=0.02, workers=8,
    )  # fmt: skip
    outbox = Outbox(log, settings)
    steps: list[float] = []

    def between() -> None:
        began = time.perf_counter()
        live.step(datetime.now(UTC))
        steps.append(time.perf_counter() - began)

    cpu = time.process_time()
    stats = outbox.run(duration=args.seconds + margin, between=between)
    cpu = time.process_time() - cpu
    outbox.close()
    feed.join()
    recv.join()
    appended = json.loads((work / "appended.json").read_text())
    received = json.loads((work / "received.json").read_text())
    latency = []
    trigger = None
    for _, (incidents, cause, arrived, step) in received["first"].items():
        if cause == "breach" and incidents[0] in appended:
            latency.append(arrived - appended[incidents[0]])
        if step == "warning" and trigger is None:
            third = sorted(appended.values())[2]
            trigger = arrived - third
    expected_breach = len(appended)
    print(
        f"reports appended: {len(appended)} at {args.rate:g}/s for {args.seconds:g} s"
    )
    print(
        f"breach notices received: {len(latency)} of {expected_breach}; duplicates dropped by the receiver: {received['duplicates']}; bad signatures: {received['rejected']}"
    )
    print(
        f"delivered {stats.delivered}, failed attempts {stats.failed_attempts}, dead letters {stats.dead_letters}"
    )
    if latency:
        print(
            f"append → webhook latency: p50 {statistics.median(latency):.3f} s, p95 {percentile(latency, 0.95):.3f} s, p99 {percentile(latency, 0.99):.3f} s, max {max(latency):.3f} s"
        )
    if trigger is not None:
        print(f"third report appended → warning (trigger) delivered: {trigger:.3f} s")
    print(
        f"live step: median {statistics.median(steps) * 1000:.1f} ms, p99 {percentile(steps, 0.99) * 1000:.1f} ms over {len(steps)} steps; hotline CPU {cpu:.1f} s"
    )
    print(f"load after: {os.getloadavg()}")
    ok = len(latency) == expected_breach and (
        args.outage or percentile(latency, 0.99) < 1.0
    )
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
