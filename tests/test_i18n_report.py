"""The daily report in English, Ukrainian and Russian (``report daily --lang``).

The same log and day give the same figures in every language; the words come
from ceasefire/reports/i18n/<lang>.json, nouns agree with their numbers by
CLDR's plural rules, oblasts are named in the reader's language and the
agreement's clause titles and party names come from its translations block.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from ceasefire.cli import cli
from ceasefire.reports.words import Words, plural_form

REPO = Path(__file__).resolve().parent.parent
UCDP = REPO / "tests/data/reports/ucdp-ged-2015.jsonl"
PATROLS = REPO / "tests/data/reports/patrols-2015-03-05.jsonl"
MINSK = REPO / "examples/minsk-ii.yaml"
CATALOGS = REPO / "ceasefire/reports/i18n"
DAY = "2015-03-05"  # the patrols' day: breaches, a restriction, a weapon


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def catalog(lang: str) -> dict:
    return json.loads((CATALOGS / f"{lang}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["uk", "ru"])
@pytest.mark.parametrize("section", ["text", "terms", "plural"])
def test_report_catalogs_have_every_english_key(lang: str, section: str) -> None:
    english, other = catalog("en")[section], catalog(lang)[section]
    assert sorted(set(english) ^ set(other)) == []
    if section == "plural":  # one, few, many
        assert all(len(forms) == 3 for forms in other.values())
    for key, value in english.items():
        if section == "text":  # the same {fields}, or a sentence loses its number
            fields = set(re.findall(r"\{(\w+)\}", value))
            assert set(re.findall(r"\{(\w+)\}", other[key])) <= fields, key


@pytest.mark.parametrize(
    ("n", "form"),
    # CLDR plural rules for uk and ru: one (1, 21, 101), few (2-4, 22-24),
    # many (0, 5-20, 25-30, 111-114)
    [
        (1, 0),
        (21, 0),
        (101, 0),
        (2, 1),
        (4, 1),
        (22, 1),
        (0, 2),
        (5, 2),
        (11, 2),
        (12, 2),
        (14, 2),
        (25, 2),
        (111, 2),
        (112, 2),
    ],  # fmt: skip
)
def test_plural_forms_follow_cldr(n: int, form: int) -> None:
    assert plural_form("uk", n) == form
    assert plural_form("ru", n) == form
    assert plural_form("en", n) == (0 if n == 1 else 1)


def test_nouns_agree_with_their_numbers() -> None:
    ru = Words("ru")
    assert [ru.plural(n, "report") for n in (1, 3, 5)] == [
        "сообщение",
        "сообщения",
        "сообщений",
    ]
    assert Words("uk").plural(22, "explosion") == "вибухи"
    assert Words("en").plural(1, "report") == "report"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("daily-i18n")
    url = f"sqlite:///{tmp / 'mission.db'}"
    run("log", "append", "--db", url, str(UCDP), str(PATROLS))
    run("evaluate", "--agreement", str(MINSK), "--db", url, "-o", "/dev/null")
    found = {}
    for lang in ("en", "uk", "ru"):
        out = tmp / f"daily-{lang}.html"
        run("report", "daily", "--date", DAY, "--db", url, "--agreement", str(MINSK),
            "--edition", "restricted", "--lang", lang, "-o", str(out))  # fmt: skip
        found[lang] = out.read_text(encoding="utf-8")
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.skip += tag in ("style", "code")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "code")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_fragments() -> set[str]:
    """Runs of English words (three or more) from the English catalog's sentences."""
    found = set()
    for value in catalog("en")["text"].values():
        plain = re.sub(r"<[^>]+>", " ", value)
        for piece in re.split(r"\{\w+\}|[(),.;:]", plain):
            piece = " ".join(piece.split())
            if len(piece.split()) >= 3:
                found.add(piece)
    return found


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_report_has_no_english_sentences(reports: dict[str, str], lang: str) -> None:
    text = visible_text(reports[lang])
    left = sorted(f for f in english_fragments() if f in text)
    assert left == []
    assert f'<html lang="{lang}">' in reports[lang]
    # and the check does find them in the English edition
    assert (
        len([f for f in english_fragments() if f in visible_text(reports["en"])]) > 10
    )


NUMBERS = re.compile(r'<td class="num[^"]*">([^<]*)</td>')


def test_figures_are_the_same_in_every_language(reports: dict[str, str]) -> None:
    tables = {lang: NUMBERS.findall(html) for lang, html in reports.items()}
    assert tables["en"], "no figures in the English report"
    assert tables["uk"] == tables["en"] == tables["ru"]


def test_agreement_words_and_places_in_the_readers_language(
    reports: dict[str, str],
) -> None:
    en, uk, ru = reports["en"], reports["uk"], reports["ru"]
    # a breach of point 3 on the patrols' day, titled from examples/minsk-ii.yaml
    assert "OSCE monitoring and verification" in en
    assert "Моніторинг і верифікація з боку ОБСЄ" in uk
    assert "Мониторинг и верификация со стороны ОБСЕ" in ru
    assert "Комплекс мер по выполнению Минских соглашений" in ru
    # oblasts by the official names (adm1-names.json), not the English ones
    assert "Donetsk Oblast" in en
    assert "Донецька область" in uk and "Donetsk Oblast" not in uk
    assert "Донецкая область" in ru and "Donetsk Oblast" not in ru
    # the date with the month's name in the genitive
    assert "5 березня 2015" in uk and "5 марта 2015" in ru and "5 March 2015" in en
    # the daily report points to the implementation report of the same agreement
    assert "ceasefire report implementation --agreement minsk-ii.yaml" in en
