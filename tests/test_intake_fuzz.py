"""Malformed files never crash an import, lose a row or corrupt the store.

Hypothesis writes files for every registered CSV format: wrong encodings
(latin-1, UTF-16), ragged rows, huge fields, bad coordinates, dates in the
future, latitude and longitude swapped, empty files, a header alone. Each
goes through the intake service; every row must be accounted for and the
log must still verify. The CLI is exercised on the same kinds of file.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from ceasefire.cli import cli
from ceasefire.cli.progress import import_with_progress
from ceasefire.errors import DetailedError
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importers
from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore

NOT_PLAIN_CSV = {
    "bellingcat", "gdelt", "geojson", "geoparquet", "hxl",
    "deepstate-archive", "deepstate-daily", "isw-control", "nzz-territory",
}  # fmt: skip
"""JSON, zipped TSV, GeoJSON (incl. the control maps), Parquet, HXL (needs a tag
row): not plain CSV."""
IMPORTERS = importers()
CSV_FORMATS = sorted(set(IMPORTERS) - NOT_PLAIN_CSV)

VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "3",
            "-1",
            "²",
            "1e400",
            "nan",
            "inf",
            "48.1",
            "37.8",
            "95.5",
            "-200",
            "37,8",
            "2022-03-01",
            "2099-12-31",
            "2015-13-45",
            "2022-03-01T10:00:00+02:00",
            "2022-03-01 10:00",
            "24 February 2022",
            "Donetsk oblast",
            "Shelling",
            "Kyiv City",
            "1",
            "7",
            "True",
        ]
    ),  # fmt: skip
    st.text(max_size=20),
    st.just("x" * 200_000),  # beyond csv's default field limit
)
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "utf-16"]


def header_of(name: str) -> list[str]:
    return sorted(IMPORTERS[name].required_columns)


@st.composite
def csv_files(draw: st.DrawFn, name: str) -> tuple[bytes, int | None]:
    """(file bytes, data rows a UTF-8 reader must count, or None if unknowable)."""
    header = header_of(name)
    shape = draw(st.sampled_from(["rows", "rows", "rows", "empty", "header only"]))
    if shape == "empty":
        return b"", 0
    rows = []
    if shape == "rows":
        for _ in range(draw(st.integers(1, 6))):
            width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 2]))
            rows.append([draw(VALUES) for _ in range(max(width, 1))])
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.getvalue().encode(encoding, errors="replace")
    return data, len(rows) if encoding.startswith("utf-8") else None


counter = itertools.count()
QUIET = Console(file=io.StringIO())


@pytest.mark.parametrize("name", CSV_FORMATS)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_malformed_files_are_accounted_for_and_the_log_verifies(
    tmp_path_factory: pytest.TempPathFactory, name: str, data: st.DataObject
) -> None:
    content, rows = data.draw(csv_files(name))
    folder = tmp_path_factory.mktemp(f"fuzz-{name}-{next(counter)}")
    path = folder / "input.csv"
    path.write_bytes(content)
    importer = IMPORTERS[name]
    with SQLiteStore(folder / "log.db") as store:
        log = Log(store)
        try:  # as `ceasefire import` runs it
            first = import_with_progress(
                log, path, importer, None, strict=False, since=None, console=QUIET
            )
        except DetailedError as refused:  # a whole file refused, cleanly
            assert str(path) in str(refused) and store.size() == 0
            return
        assert first.reconciles, first
        if rows is not None:
            assert first.read == rows
        assert store.size() == first.imported + first.quarantined
        kept = quarantined(log)
        assert len(kept) == first.quarantined
        assert all(row["reason"] for row in kept)
        again = import_file(log, path, importer)
        assert again.imported == 0 and again.reconciles
        assert store.size() == first.imported + first.quarantined
        assert log.verify() == []


def ucdp_row(**changes: str) -> dict[str, str]:
    row = dict.fromkeys(header_of("ucdp"), "")
    row.update(
        id="1", date_start="2022-03-01", date_end="2022-03-01", latitude="48.0",
        longitude="37.8", where_prec="1", date_prec="1", best="2",
        deaths_civilians="0", type_of_violence="1", dyad_name="A - B",
    )  # fmt: skip
    row.update(changes)
    return row


def cir_row(**changes: str) -> dict[str, str]:
    row = dict.fromkeys(header_of("cir"), "")
    row.update(
        entry="C1", date="2022-03-01", event_group="Bombing or Explosion",
        title="t", lat="48.0", lon="37.8", geolocation="g",
    )  # fmt: skip
    row.update(changes)
    return row


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_date_in_the_future_is_quarantined_naming_it(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ucdp.csv",
        [ucdp_row(), ucdp_row(id="2", date_start="2099-05-01", date_end="2099-05-01")],
    )
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, path, IMPORTERS["ucdp"])
        (kept,) = quarantined(log)
    assert (summary.imported, summary.quarantined) == (1, 1)
    assert kept["row"] == 3 and kept["column"] == "observed.start"  # header = line 1
    assert kept["value"].startswith("2099-05-01")
    assert "in the future" in kept["reason"]


def test_swapped_coordinates_are_quarantined_for_a_ukraine_only_format(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "cir.csv",
        [cir_row(), cir_row(entry="C2", lat="37.8", lon="48.0")],
    )
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, path, IMPORTERS["cir"])
        (kept,) = quarantined(log)
    assert (summary.imported, summary.quarantined) == (1, 1)
    assert kept["row"] == 3 and kept["column"] == "location"  # header = line 1
    assert "swapped" in kept["reason"] and "lat 37.8, lon 48" in kept["reason"]


def test_swapped_looking_points_stay_for_a_worldwide_format(tmp_path: Path) -> None:
    # Baghdad (lat 33.3, lon 44.4) swapped would land in Crimea: UCDP is worldwide
    path = write(tmp_path / "ucdp.csv", [ucdp_row(latitude="33.3", longitude="44.4")])
    with SQLiteStore(tmp_path / "log.db") as store:
        summary = import_file(Log(store), path, IMPORTERS["ucdp"])
    assert (summary.imported, summary.quarantined) == (1, 0)


def test_ragged_and_non_utf8_rows_are_quarantined_with_reasons(
    tmp_path: Path,
) -> None:
    good = write(tmp_path / "good.csv", [ucdp_row()]).read_text(encoding="utf-8")
    lines = good.splitlines()
    body = lines[1]
    data = "\r\n".join(
        [lines[0], body, "7,2022-03-01", body.replace("A - B", "A - B,extra")]
    ).encode() + "\r\n".join(["", body.replace("A - B", "Zaporizhzhia é")]).encode(
        "latin-1"
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(data + b"\r\n")
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, path, IMPORTERS["ucdp"])
        kept = quarantined(log)
        assert log.verify() == []
    assert summary.read == 4 and summary.reconciles
    # line 2 imports; line 5 is line 2 again but not UTF-8 (header = line 1)
    assert summary.imported == 1
    assert [(r["row"], r["value"]) for r in kept] == [
        (3, 2),
        (4, len(lines[0].split(",")) + 1),
        (5, "Zaporizhzhia \ufffd"),
    ]
    assert "fields; expected" in kept[0]["reason"]
    assert "not UTF-8" in kept[2]["reason"] and "0xE9" in kept[2]["reason"]


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe" + "id,date\n1,2\n".encode("utf-16-le"), b"just,a\nfile,1\n"],
    ids=["empty", "utf-16", "wrong columns"],
)
@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_cli_never_shows_a_traceback(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / ("input.json" if name == "bellingcat" else "input.csv")
    path.write_bytes(content)
    db = f"sqlite:///{tmp_path / 'log.db'}"
    runner = CliRunner()
    done = runner.invoke(cli, ["import", "--db", db, "--format", name, str(path)])
    assert done.exit_code in (0, 1), done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), (
        done.exception
    )
    assert "Traceback" not in done.output
    if done.exit_code == 1:
        assert str(path) in done.output  # the refusal names the file
    verified = runner.invoke(cli, ["log", "verify", "--db", db])
    assert verified.exit_code == 0, verified.output
