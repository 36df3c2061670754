"""Seeded UCDP GED-shaped CSV files for intake benchmarks (volume, not truth).

All 49 GED columns, with field lengths like the real Ukraine extract (source
articles of a few hundred characters), points along the 2015–22 line of
contact, dates 2014–2022. The same seed gives the same file.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from ceasefire.synth import CONTACT_LINE

HEADER = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,"
    "conflict_new_id,conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,"
    "side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,number_of_sources,"
    "source_article,source_office,source_date,source_headline,source_original,"
    "where_prec,where_coordinates,where_description,adm_1,adm_2,latitude,longitude,"
    "geom_wkt,priogrid_gid,country,country_id,region,event_clarity,date_prec,"
    "date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,"
    "high,low,gwnoa,gwnob"
).split(",")
PLACES = ["Donetsk", "Horlivka", "Avdiivka", "Luhansk", "Debaltseve", "Mariupol"]


def write_ucdp_csv(path: Path, count: int, seed: int = 49) -> Path:
    """Write ``count`` GED-shaped rows to ``path``; return it."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
    first = date(2014, 4, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(count):
            i = rng.randrange(len(CONTACT_LINE) - 1)
            (x0, y0), (x1, y1) = CONTACT_LINE[i], CONTACT_LINE[i + 1]
            t = rng.random()
            lon = round(x0 + t * (x1 - x0) + rng.gauss(0, 0.05), 5)
            lat = round(y0 + t * (y1 - y0) + rng.gauss(0, 0.05), 5)
            day = first + timedelta(days=rng.randrange(2800))
            place = rng.choice(PLACES)
            civilians = rng.choice([0, 0, 0, 1, 2])
            best = civilians + rng.randrange(4)
            headline = f"Shelling reported near {place}; {best} dead, officials say"
            writer.writerow(
                [
                    200_000 + number,
                    f"UKR-{day.year}-1-{number}",
                    day.year,
                    "True",
                    "Clear",
                    1,
                    13243,
                    13243,
                    "Ukraine: Donetsk",
                    14087,
                    14087,
                    "Government of Ukraine - DPR",
                    61,
                    61,
                    "Government of Ukraine",
                    5852,
                    5852,
                    "DPR",
                    rng.randint(1, 5),
                    f'"Agence France Presse,{day},{headline}";"Reuters News,{day},{headline}"',
                    "Agence France Presse;Reuters News",
                    f"{day};{day}",
                    f"{headline};{headline}",
                    "Ukrainian military",
                    rng.choice("1123"),
                    f"{place} town",
                    f"{place} ({place} oblast)",
                    f"{place} oblast",
                    "",
                    lat,
                    lon,
                    f"POINT ({lon} {lat})",
                    201000,
                    "Ukraine",
                    369,
                    "Europe",
                    1,
                    1,
                    day,
                    day,
                    0,
                    best - civilians,
                    civilians,
                    0,
                    best,
                    best + 1,
                    best,
                    369,
                    "",
                ]  # fmt: skip
            )
    return path
