"""Independent cross-check: the Minsk II clauses as hand-written PostGIS SQL.

The real UCDP GED events (2014–22) are imported into a PostgreSQL store;
each clause is written again as SQL over the store's own tables — geodesic
``ST_Distance`` on geography for distance bands, ``ST_Covers`` plus the
distance to the zone's boundary for zones, time windows from the
observation's start, end and precision — with the same interval rule as the
engine (a place known to r km, a distance d: true if d + r < T, false if
d - r >= T, else unknown). The verdict sets must be identical.

UCDP records no weapons, so the Minsk clauses about artillery and rocket
systems cannot engage; the second agreement here is Minsk II with those
clauses' weapon conditions replaced by event types, so that the distance
bands, zones and deadlines are checked on every real event too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from conftest import shared_data
from psycopg import sql

from ceasefire.agreement.load import load, loads
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.compliance.run import evaluate_store
from ceasefire.io.intake import import_file
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.store.postgres import PostgresStore

pytestmark = [pytest.mark.postgis, pytest.mark.shared_data]

REPO = Path(__file__).resolve().parent.parent
MINSK = REPO / "examples" / "minsk-ii.yaml"
UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
MARGIN_KM = 0.01
"""Decisions closer than 10 m to a threshold may differ between two geodesic
implementations; such incidents are counted and must stay rare."""

# ------------------------------------------------------------ SQL building blocks

FACTS = """
CREATE TEMPORARY TABLE facts AS
SELECT r.id, r.event_type, r.party, r.precision_m / 1000.0 AS r_km,
       ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)::geography AS g,
       r.observed_start AS earliest,
       coalesce(r.observed_end, r.observed_start) + CASE b.body #>> '{observed,precision}'
           WHEN 'second' THEN interval '0 s' WHEN 'minute' THEN interval '59 s'
           WHEN 'hour' THEN interval '3599 s' WHEN 'day' THEN interval '86399 s'
           WHEN 'week' THEN interval '604799 s' WHEN 'month' THEN interval '2678399 s'
           WHEN 'year' THEN interval '31622399 s' ELSE interval '59 s' END AS latest,
       b.body #>> '{weapon,class}' AS weapon_class,
       (b.body #>> '{weapon,calibre_mm}')::float AS calibre_mm,
       b.body #>> '{weapon,model}' AS weapon_model,
       b.body #>> '{personnel,category}' AS personnel,
       (b.body #>> '{casualties,civilians_killed}')::int AS civilians_killed
FROM reports r
JOIN entries e ON e.seq = r.seq
CROSS JOIN LATERAL (SELECT convert_from(e.payload, 'UTF8')::jsonb -> 'body' AS body) b
WHERE r.superseded_by IS NULL
"""


def after(instant: str) -> str:
    return (
        f"CASE WHEN f.earliest >= '{instant}'::timestamptz THEN 2"
        f" WHEN f.latest < '{instant}'::timestamptz THEN 0 ELSE 1 END"
    )


def closer(geometry: str, km: float) -> str:
    """distance_km(geometry) < km, three-valued."""
    d = f"(ST_Distance(f.g, (SELECT g FROM shapes WHERE id = '{geometry}')) / 1000.0)"
    return f"CASE WHEN {d} + f.r_km < {km} THEN 2 WHEN {d} - f.r_km >= {km} THEN 0 ELSE 1 END"


def inside(zone: str) -> str:
    shape = f"(SELECT g FROM shapes WHERE id = '{zone}')"
    edge = f"(ST_Distance(f.g, (SELECT edge FROM shapes WHERE id = '{zone}')) / 1000.0)"
    return f"CASE WHEN {edge} < f.r_km THEN 1 WHEN ST_Covers({shape}, f.g) THEN 2 ELSE 0 END"


def known(condition: str) -> str:
    """A two-valued condition on reported facts (missing facts: false)."""
    return f"CASE WHEN coalesce({condition}, false) THEN 2 ELSE 0 END"


def truth(*parts: str) -> str:
    return "LEAST(" + ", ".join(parts) + ")" if len(parts) > 1 else parts[0]


def minsk_sql(instants: dict[str, str]) -> dict[str, str]:
    """The example's clauses, by hand (see examples/minsk-ii.yaml)."""
    fire = (
        "'shelling', 'small_arms', 'armed_clash', 'explosion', 'air_strike',"
        " 'drone_strike', 'missile_strike', 'ground_assault'"
    )
    heavy = "weapon_class IN ('artillery', 'mlrs', 'tactical_missile')"
    return {
        "ceasefire": truth(
            after(instants["entry_into_force"]), known(f"event_type IN ({fire})")
        ),
        "artillery-100mm": truth(
            after(instants["withdrawal_end"]),
            known("weapon_class = 'artillery' AND calibre_mm >= 100"),
            closer("line_of_contact", 25),
        ),
        "mlrs-70km": truth(
            after(instants["withdrawal_end"]),
            known("weapon_class = 'mlrs'"),
            closer("line_of_contact", 35),
        ),
        "heavy-mlrs-140km": truth(
            after(instants["withdrawal_end"]),
            known(
                "weapon_class = 'tactical_missile' OR weapon_model IN"
                " ('Tornado-S', 'Uragan', 'Smerch', 'Tochka', 'Tochka-U')"
            ),
            closer("line_of_contact", 70),
        ),
        "withdrawal": truth(
            after(instants["withdrawal_start"]),
            after(instants["withdrawal_end"]),
            known(f"event_type = 'heavy_weapon_present' AND {heavy}"),
            # 'uav' is an open question of heavy_weapons: unknown
            f"CASE WHEN {heavy} THEN 2 WHEN weapon_class = 'uav' THEN 1 ELSE 0 END",
            inside("zone_heavy_mlrs"),
        ),
        "monitor-access": truth(
            after(instants["withdrawal_start"]),
            known("event_type IN ('movement_restricted', 'monitor_uav_interference')"),
        ),
        "foreign-formations": truth(
            after(instants["withdrawal_end"]),
            known(
                "event_type = 'troop_presence' AND personnel IN ('combat_unit', 'mercenary')"
            ),
        ),
    }


GEO_VARIANT = {
    # Minsk II with weapon conditions swapped for what UCDP records
    'weapon.class == "artillery" and weapon.calibre_mm >= 100\n      and distance_km(line_of_contact) < 25': 'event_type == "armed_clash" and distance_km(line_of_contact) < 25',
    'predicate: weapon.class == "mlrs" and distance_km(line_of_contact) < 35': 'predicate: event_type == "armed_clash" and casualties.civilians_killed > 0 and distance_km(line_of_contact) < 35',
    'event_type == "heavy_weapon_present" and weapon.class in heavy_weapons\n      and inside(zone_heavy_mlrs)': 'event_type == "armed_clash" and inside(zone_heavy_mlrs)',
    'predicate: event_type in {"movement_restricted", "uav_jamming", "uav_fired_upon"}': 'predicate: event_type == "armed_clash" and inside(ordlo_area)',
}  # fmt: skip


def variant_sql(instants: dict[str, str]) -> dict[str, str]:
    found = minsk_sql(instants)
    found["artillery-100mm"] = truth(
        after(instants["withdrawal_end"]),
        known("event_type = 'armed_clash'"),
        closer("line_of_contact", 25),
    )
    found["mlrs-70km"] = truth(
        after(instants["withdrawal_end"]),
        known("event_type = 'armed_clash' AND civilians_killed > 0"),
        closer("line_of_contact", 35),
    )
    found["withdrawal"] = truth(
        after(instants["withdrawal_start"]),
        after(instants["withdrawal_end"]),
        known("event_type = 'armed_clash'"),
        inside("zone_heavy_mlrs"),
    )
    found["monitor-access"] = truth(
        after(instants["withdrawal_start"]),
        known("event_type = 'armed_clash'"),
        inside("ordlo_area"),
    )
    return found


# ------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def ucdp_store(postgres_url: str) -> Iterator[PostgresStore]:
    path = shared_data(UCDP)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        with PostgresStore(postgres_url, schema=schema) as store:
            summary = import_file(Log(store), path, importer_for(path), "test")
            assert summary.imported == 3077
            yield store
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)
                )
            )


def sql_verdicts(
    store: PostgresStore, evaluator: Evaluator, clauses: dict[str, str]
) -> tuple[dict[tuple[str, str], str], set[str]]:
    """Verdicts from SQL, and incidents decided within MARGIN_KM of a threshold."""
    db = store.connection
    agreement = evaluator.agreement
    with db.transaction():
        db.execute("DROP TABLE IF EXISTS shapes, facts")
        db.execute(
            "CREATE TEMPORARY TABLE shapes (id text, g geography, edge geography)"
        )
        for gid in (
            "line_of_contact",
            "zone_heavy_mlrs",
            "ordlo_area",
            "zone_artillery",
        ):
            shape = agreement.features[gid].shape
            edge = shape.boundary if shape.geom_type.endswith("Polygon") else shape
            db.execute(
                "INSERT INTO shapes VALUES (%s, ST_GeogFromText(%s), ST_GeogFromText(%s))",
                (gid, f"SRID=4326;{shape.wkt}", f"SRID=4326;{edge.wkt}"),
            )
        db.execute(FACTS)
    found: dict[tuple[str, str], str] = {}
    for clause, expression in clauses.items():
        rows = db.execute(f"SELECT f.id, {expression} FROM facts f").fetchall()  # noqa: S608 - test SQL
        for incident, value in rows:
            if value:
                found[(incident, clause)] = "breach" if value == 2 else "undetermined"
    near: set[str] = set()
    for gid, thresholds in (("line_of_contact", (25, 35, 70)),):
        for km in thresholds:
            rows = db.execute(
                "SELECT f.id FROM facts f, shapes s WHERE s.id = %s AND"
                " (abs(ST_Distance(f.g, s.g) / 1000.0 + f.r_km - %s) < %s"
                "  OR abs(ST_Distance(f.g, s.g) / 1000.0 - f.r_km - %s) < %s)",
                (gid, km, MARGIN_KM, km, MARGIN_KM),
            ).fetchall()
            near.update(row[0] for row in rows)
    for zone in ("zone_heavy_mlrs", "ordlo_area"):
        rows = db.execute(
            "SELECT f.id FROM facts f, shapes s WHERE s.id = %s AND"
            " abs(ST_Distance(f.g, s.edge) / 1000.0 - f.r_km) < %s",
            (zone, MARGIN_KM),
        ).fetchall()
        near.update(row[0] for row in rows)
    return found, near


def engine_verdicts(
    store: PostgresStore, evaluator: Evaluator
) -> dict[tuple[str, str], str]:
    run = evaluate_store(evaluator, store)
    return {(v.incident, v.clause): v.verdict for v in run.verdicts()}


def instants_of(evaluator: Evaluator) -> dict[str, str]:
    return {k: v.isoformat() for k, v in evaluator.agreement.instants.items()}


def compare(
    store: PostgresStore, evaluator: Evaluator, clauses: dict[str, str]
) -> dict[str, int]:
    engine = engine_verdicts(store, evaluator)
    expected, near = sql_verdicts(store, evaluator, clauses)
    assert len(near) <= 3, f"{len(near)} incidents decided within 10 m of a threshold"
    mismatched = {
        key: (engine.get(key), expected.get(key))
        for key in engine.keys() | expected.keys()
        if engine.get(key) != expected.get(key) and key[0] not in near
    }
    assert not mismatched, list(mismatched.items())[:10]
    counts: dict[str, int] = {}
    for (_, clause), verdict in expected.items():
        counts[f"{clause}:{verdict}"] = counts.get(f"{clause}:{verdict}", 0) + 1
    return counts


def test_minsk_ii_verdicts_equal_postgis_on_ucdp(ucdp_store: PostgresStore) -> None:
    evaluator = Evaluator(load(MINSK))
    counts = compare(ucdp_store, evaluator, minsk_sql(instants_of(evaluator)))
    print("minsk", sorted(counts.items()))
    # the replay's figures (docs/compliance.md) are these counts
    assert counts["ceasefire:breach"] > 1000
    assert set(counts) <= {"ceasefire:breach", "ceasefire:undetermined"}


def test_distance_bands_zones_and_deadlines_equal_postgis_on_ucdp(
    ucdp_store: PostgresStore,
) -> None:
    text = MINSK.read_text()
    for old, new in GEO_VARIANT.items():
        assert old in text, old
        text = text.replace(old, new)
    evaluator = Evaluator(loads(text, file="minsk-geo.yaml", base_dir=MINSK.parent))
    counts = compare(ucdp_store, evaluator, variant_sql(instants_of(evaluator)))
    print("variant", sorted(counts.items()))
    for clause in ("artillery-100mm", "mlrs-70km", "withdrawal", "monitor-access"):
        assert counts.get(f"{clause}:breach", 0) > 10, counts
        assert counts.get(f"{clause}:undetermined", 0) > 0, counts


# ------------------------------------------------------------ 100k synthetic sample

ALASKA = REPO / "examples" / "alaska-terms.yaml"


def alaska_sql(instants: dict[str, str]) -> dict[str, str]:
    """The Alaska example's geometric clauses, by hand."""
    fire = "'shelling', 'drone_strike', 'missile_strike', 'explosion'"
    heavy = "weapon_class IN ('artillery', 'mortar', 'mlrs', 'tactical_missile')"
    corridor = inside("monitoring_corridor")
    return {
        "calibre-cap": truth(
            after(instants["withdrawal_deadline"]),
            known("weapon_class IN ('artillery', 'mortar') AND calibre_mm >= 100"),
            closer("freeze_line", 30),
        ),
        "range-cap": truth(
            after(instants["withdrawal_deadline"]),
            known("weapon_class IN ('mlrs', 'tactical_missile') AND range_km > 40"),
            closer("freeze_line", 50),
        ),
        "drone-belt": truth(
            after(instants["entry_into_force"]),
            known("weapon_class IN ('uav', 'loitering_munition')"),
            closer("freeze_line", 15),
            f"(2 - {corridor})",
        ),
        "znpp-safety": truth(
            after(instants["entry_into_force"]),
            # heavy_weapons leaves tanks open: unknown
            f"GREATEST({known(f'event_type IN ({fire})')},"
            f" CASE WHEN {heavy} THEN 2 WHEN weapon_class = 'tank' THEN 1 ELSE 0 END)",
            closer("znpp", 5),
        ),
        "southern-front": truth(
            after(instants["entry_into_force"]),
            known(
                "event_type IN ('shelling', 'small_arms', 'armed_clash', 'explosion',"
                " 'drone_strike', 'ground_assault')"
            ),
            inside("southern_sector"),
        ),
    }


def test_alaska_geometric_clauses_equal_postgis_on_100k_synthetic(
    postgres_url: str,
) -> None:
    from ceasefire.synth import incident_columns

    evaluator = Evaluator(load(ALASKA))
    agreement = evaluator.agreement
    znpp = agreement.features["znpp"].shape
    facts = incident_columns(
        agreement.features["freeze_line"].shape,
        100_000,
        seed=77,
        sites=[(znpp.x, znpp.y)],
    )
    wanted = alaska_sql(instants_of(evaluator))
    table = evaluator.evaluate(facts)
    engine = {
        (int(row), evaluator.clauses[int(c)].id): "breach" if t == 2 else "undetermined"
        for c, row, t in zip(table.clause, table.row, table.truth, strict=True)
        if evaluator.clauses[int(c)].id in wanted
    }

    def names(field: str) -> list[str | None]:
        column = facts.categorical[field]
        return [None if c < 0 else column.categories[c] for c in column.codes.tolist()]

    event, weapon = names("event_type"), names("weapon.class")
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("SET TIME ZONE 'UTC'")
        db.execute(
            "CREATE TEMPORARY TABLE facts (id int, g geography, r_km float8,"
            " earliest timestamptz, latest timestamptz, event_type text,"
            " weapon_class text, calibre_mm float8, range_km float8)"
        )
        with db.cursor() as cursor:
            with cursor.copy(
                "COPY facts (id, g, r_km, earliest, latest, event_type, weapon_class,"
                " calibre_mm, range_km) FROM STDIN"
            ) as copy:
                for i in range(len(facts)):
                    calibre = facts.numeric["weapon.calibre_mm"][i]
                    reach = facts.numeric["weapon.range_km"][i]
                    copy.write_row(
                        (
                            i,
                            f"SRID=4326;POINT({float(facts.lon[i])!r} {float(facts.lat[i])!r})",
                            float(facts.precision_km[i]),
                            datetime.fromtimestamp(facts.earliest[i], UTC),
                            datetime.fromtimestamp(facts.latest[i], UTC),
                            event[i],
                            weapon[i],
                            None if calibre != calibre else float(calibre),
                            None if reach != reach else float(reach),
                        )
                    )
        db.execute(
            "CREATE TEMPORARY TABLE shapes (id text, g geography, edge geography)"
        )
        for gid in ("freeze_line", "znpp", "monitoring_corridor", "southern_sector"):
            shape = agreement.features[gid].shape
            edge = shape.boundary if shape.geom_type.endswith("Polygon") else shape
            db.execute(
                "INSERT INTO shapes VALUES (%s, ST_GeogFromText(%s), ST_GeogFromText(%s))",
                (gid, f"SRID=4326;{shape.wkt}", f"SRID=4326;{edge.wkt}"),
            )
        expected: dict[tuple[int, str], str] = {}
        for clause, expression in wanted.items():
            rows = db.execute(f"SELECT f.id, {expression} FROM facts f").fetchall()  # noqa: S608 - test SQL
            for row, value in rows:
                if value:
                    expected[(row, clause)] = "breach" if value == 2 else "undetermined"
        near: set[int] = set()
        for gid, km in (
            ("freeze_line", 15),
            ("freeze_line", 30),
            ("freeze_line", 50),
            ("znpp", 5),
        ):
            rows = db.execute(
                "SELECT f.id FROM facts f, shapes s WHERE s.id = %s AND"
                " (abs(ST_Distance(f.g, s.g) / 1000.0 + f.r_km - %s) < %s"
                "  OR abs(ST_Distance(f.g, s.g) / 1000.0 - f.r_km - %s) < %s)",
                (gid, km, MARGIN_KM, km, MARGIN_KM),
            ).fetchall()
            near.update(row[0] for row in rows)
        for zone in ("monitoring_corridor", "southern_sector"):
            rows = db.execute(
                "SELECT f.id FROM facts f, shapes s WHERE s.id = %s AND"
                " abs(ST_Distance(f.g, s.edge) / 1000.0 - f.r_km) < %s",
                (zone, MARGIN_KM),
            ).fetchall()
            near.update(row[0] for row in rows)
    # ~0.2 % of uniformly spread points fall within 10 m of one of 14 band
    # edges (d ± r = threshold); there the two geodesic codes may differ
    assert len(near) <= 500, (
        f"{len(near)} of 100,000 decided within 10 m of a threshold"
    )
    mismatched = {
        key: (engine.get(key), expected.get(key))
        for key in engine.keys() | expected.keys()
        if engine.get(key) != expected.get(key) and key[0] not in near
    }
    assert not mismatched, list(mismatched.items())[:10]
    counts: dict[str, int] = {}
    for (_, clause), verdict in expected.items():
        counts[f"{clause}:{verdict}"] = counts.get(f"{clause}:{verdict}", 0) + 1
    differ = sum(
        engine.get(k) != expected.get(k) for k in engine.keys() | expected.keys()
    )
    print("alaska 100k", sorted(counts.items()), "near", len(near), "differ", differ)
    for clause in wanted:
        assert counts.get(f"{clause}:breach", 0) > 50, counts
