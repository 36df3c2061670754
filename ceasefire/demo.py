"""The demo mission: a database built from real data and both example agreements.

``build_demo`` imports UCDP GED (2014–22), the CIR Russia–Ukraine monitor
(2022) and Bellingcat's civilian-harm incidents, and for the Alaska mission
the Air Force's nightly launch/interception reports (2022-09 – 2026-04),
DeepStateMap's daily occupied area (to 22 Aug 2026) and NZZ/Liveuamap's
weekly territory maps as control observations, from ``../shared/data`` when
present, else the small committed slice under ``tests/data`` (so a fresh
clone still works). It evaluates the example agreements when the compliance
engine is installed ("Alaska terms, as if in force from 1 Sep 2025"), replays
the Alaska penalty rules over the record, recording provisional and
established penalty states and the notices they send, and signs the log's
head. A fingerprint of the inputs lets the next run reuse the database
instead of building it again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import secrets
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ceasefire import __version__
from ceasefire.log.service import Log
from ceasefire.store import open_store
from ceasefire.store.base import Store

if TYPE_CHECKING:
    from ceasefire.agreement.load import Agreement

REPO = Path(__file__).resolve().parents[1]


def bundled(name: str) -> Path:
    """``name`` beside the package (a source tree), else where a wheel put it.

    A wheel installs the examples and the data slice as data files under
    ``<prefix>/share/ceasefire`` (pyproject.toml, tool.setuptools.data-files).
    """
    here = REPO / name
    if here.exists():
        return here
    installed = Path(sysconfig.get_path("data")) / "share" / "ceasefire"
    return installed / Path(name).name


EXAMPLES = bundled("examples")
SHARED_FILES = (
    "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz",
    "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz",
    "bellingcat-civilian-harm/bellingcat_civilian_harm_incidents_2022-2025.json",
    "missile-drone-attacks/missile_attacks_daily_2022-09_2026-04.csv.gz",
    "deepstate-daily-occupied/deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz",
    "nzz-liveuamap-territory/nzz_territory_weekly.geojson.gz",
)
ALASKA = "alaska-terms"
ALASKA_IN_FORCE = datetime(2025, 9, 1, tzinfo=ZoneInfo("Europe/Kyiv"))
"""Demo-side override: "Alaska terms, as if in force from 1 Sep 2025" (the
agreement format's own in-force option replaces ``as_if_in_force`` when it lands)."""
FREEZE_SNAPBACK = {
    "id": "freeze-line-snapback",
    "title": "Ground gained across the freeze line beyond 10 km² in a sector",
    "measure": "count",
    "threshold": 1,
    "window_days": 30,
    "per": "party",
    "appeal_window_hours": 48,
    "escalation": [
        {"step": "warning", "notify": ["ua-hotline", "ru-hotline", "mission-ops"]},
        {"step": "notice_to_guarantors", "after_hours": 24,
         "notify": ["us-guarantor", "eu-guarantor"]},
    ],
    "expires_after_days": 90,
}  # fmt: skip
"""Demo-side penalty rule fed by the freeze clause's territorial verdicts (the
example's rules are fed by report-based clauses; this one shows the front line)."""
FALLBACK = bundled("tests/data/reports")
DEMO_ROLES = ("monitor", "analyst", "guarantor", "party:ua", "party:ru", "party:cadlr")

Step = Callable[[str, int, int | None], None]
"""Progress: (what, done, total or None)."""


def shared_data() -> Path:
    """``$CEASEFIRE_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    return Path(
        os.environ.get("CEASEFIRE_SHARED_DATA", REPO.parent / "shared" / "data")
    )


@dataclass(frozen=True)
class DemoInputs:
    """What the demo database is built from."""

    agreements: list[Path]
    data: list[Path]
    fallback: bool
    """True when ../shared/data was absent and the committed slice is used."""

    def fingerprint(self) -> str:
        """Changes whenever an input file, or ceasefire's version, changes."""
        digest = hashlib.sha256(__version__.encode())
        for path in [*self.agreements, *self.data]:
            stat = path.stat()
            digest.update(
                f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
            )
        digest.update(b"compliance" if compliance_available() else b"-")
        return digest.hexdigest()


def demo_inputs(data_dir: Path | None = None) -> DemoInputs:
    """The example agreements and the real data files that exist."""
    agreements = sorted(EXAMPLES.glob("*.yaml"))
    base = data_dir or shared_data()
    found = [base / name for name in SHARED_FILES if (base / name).exists()]
    if found:
        return DemoInputs(agreements, found, fallback=False)
    return DemoInputs(agreements, sorted(FALLBACK.glob("*.jsonl")), fallback=True)


def compliance_available() -> bool:
    """Whether the compliance engine (issue 5) can evaluate a store."""
    return importlib.util.find_spec("ceasefire.compliance.run") is not None


@dataclass
class DemoDatabase:
    """A built (or reused) demo database and how to log in to it."""

    path: Path
    tokens: dict[str, str]
    """token → role."""
    reused: bool
    counts: dict[str, int] = field(default_factory=dict)
    """Reports imported per file, verdicts per agreement."""

    @property
    def url(self) -> str:
        """The store URL."""
        return f"sqlite:///{self.path}"


def demo_tokens(path: Path) -> dict[str, str]:
    """One token per demo role, kept in ``path`` so they survive restarts."""
    if path.exists():
        known: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if sorted(known.values()) == sorted(DEMO_ROLES):
            return known
    tokens = {
        f"demo-{role.replace(':', '-')}-{secrets.token_urlsafe(12)}": role
        for role in DEMO_ROLES
    }
    path.write_text(json.dumps(tokens, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return tokens


def build_demo(
    out: Path, inputs: DemoInputs, step: Step, *, rebuild: bool = False
) -> DemoDatabase:
    """Build the demo database in ``out`` (or reuse it if built from the same inputs)."""
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "demo.db"
    stamp = out / "demo.fingerprint"
    tokens = demo_tokens(out / "tokens.json")
    fingerprint = inputs.fingerprint()
    if (
        not rebuild
        and db_path.exists()
        and stamp.exists()
        and stamp.read_text(encoding="utf-8").strip() == fingerprint
    ):
        return DemoDatabase(db_path, tokens, reused=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    stamp.unlink(missing_ok=True)
    result = DemoDatabase(db_path, tokens, reused=False)
    with open_store(result.url) as store:
        log = Log(store, log_id="ceasefire-demo")
        for path in inputs.data:
            result.counts[path.name] = _load(log, path, step)
        for agreement in inputs.agreements:
            if compliance_available():
                result.counts[f"verdicts {agreement.stem}"] = _evaluate(
                    store, agreement, step
                )
            if agreement.stem == ALASKA and compliance_available():
                result.counts.update(_replay_penalties(log, agreement, step))
        _sign(log, out / "demo-signing-key.pem")
    stamp.write_text(fingerprint + "\n", encoding="utf-8")
    return result


def _load(log: Log, path: Path, step: Step) -> int:
    """Import one file: a real-data file by its importer, or our own JSON Lines."""
    if path.suffix == ".jsonl":
        from ceasefire.io.native import from_jsonl

        step(f"logging {path.name}", 0, None)
        count = log.append_reports(from_jsonl(path), actor="demo")
        step(f"logging {path.name}", count, count)
        return count
    from ceasefire.io.intake import import_file
    from ceasefire.io.registry import importer_for

    importer = importer_for(path)
    summary = import_file(
        log,
        path,
        importer,
        actor="demo",
        progress=lambda n: step(f"importing {path.name}", n, None),
    )
    step(f"importing {path.name}", summary.read, summary.read)
    return summary.imported


def _evaluate(store: Store, agreement_path: Path, step: Step) -> int:
    """Evaluate one agreement over the store and keep its verdicts."""
    from ceasefire.agreement.load import load
    from ceasefire.compliance.evaluate import Evaluator
    from ceasefire.compliance.run import evaluate_store, save

    step(f"evaluating {agreement_path.name}", 0, None)
    run = evaluate_store(Evaluator(demo_terms(load(agreement_path))), store)
    saved = save(run, store)
    step(f"evaluating {agreement_path.name}", saved, saved)
    return saved


def as_if_in_force(agreement: Agreement, moment: datetime) -> Agreement:
    """The agreement with its entry into force moved to ``moment`` (demo override).

    Only ``entry_into_force`` moves; the example's other instants are kept.
    """
    instants = {**agreement.instants, "entry_into_force": moment}
    return replace(agreement, instants=instants)


def demo_terms(agreement: Agreement) -> Agreement:
    """The terms the demo evaluates: Alaska as if in force from 1 Sep 2025."""
    if agreement.document.id != ALASKA:
        return agreement
    return as_if_in_force(agreement, ALASKA_IN_FORCE)


def _replay_penalties(log: Log, agreement_path: Path, step: Step) -> dict[str, int]:
    """Replay the Alaska penalty rules (reports and the freeze cap over control
    maps) and record provisional and established states and their notices."""
    from ceasefire.agreement.load import load
    from ceasefire.compliance.territory import freeze_terms
    from ceasefire.model.agreement import PenaltyRule
    from ceasefire.snapback import standing

    what = f"snapback replay {agreement_path.name}"
    step(what, 0, None)
    rule = PenaltyRule.model_validate(FREEZE_SNAPBACK)
    agreement = standing.with_rules(demo_terms(load(agreement_path)), [rule])
    # the example's own freeze clause gives the cap, sectors and sources
    freeze = freeze_terms(agreement)[0]
    terms = standing.TerritoryTerms(
        freeze.cap_km2,
        freeze.sectors,
        freeze.sources,
        clause=freeze.clause,
        feeds={freeze.clause: [rule.id]},
    )
    findings, appeals = standing.mission_findings(log.store, agreement, terms)
    rules = agreement.document.penalty_rules
    transitions = standing.replay(rules, findings, appeals, datetime.now(UTC))
    sent = standing.notices(agreement.document, transitions)
    states, notices = standing.record(log, agreement, transitions, sent)
    step(what, states, states)
    return {
        f"penalty states {agreement.document.id}": states,
        f"notices {agreement.document.id}": notices,
    }


def _sign(log: Log, key_path: Path) -> None:
    """Sign the head with the demo mission's key (made on first use)."""
    from ceasefire.log.heads import generate_key, load_private_key, save_private_key

    if not key_path.exists():
        save_private_key(key_path, generate_key())
    log.sign(load_private_key(key_path), "demo-mission")
