"""Every string a person reads in the web UI comes from the catalog, in all three languages.

The catalogs are ceasefire/web/static/i18n/{en,uk,ru}.json. These tests fail on
a key missing from a language, on a Ukrainian or Russian entry left in English,
on a key the code asks for that no catalog has, on a vocabulary value (state,
event type, role, regime …) with no label, and on visible text in the page
template or the scripts that bypasses the catalog. The browser side is
tests/test_i18n_browser.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args

import pytest
from conftest import REPO

from ceasefire.model.agreement import Commitment, Geometry
from ceasefire.model.states import State
from ceasefire.model.vocabulary import EVENT_TYPES, SOURCE_TYPES

WEB = REPO / "ceasefire" / "web"
JS = WEB / "static" / "js"
LANGUAGES = ("en", "uk", "ru")
SAME_IN_EVERY_LANGUAGE = {"sha256"}
"""Keys whose text is a standard's name, the same in any language ("SHA-256")."""


def catalog(lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (WEB / "static" / "i18n" / f"{lang}.json").read_text(encoding="utf-8")
    )
    return data


@pytest.mark.parametrize("lang", ["uk", "ru"])
@pytest.mark.parametrize("section", ["strings", "event_types"])
def test_every_english_key_is_translated(lang: str, section: str) -> None:
    english = catalog("en")[section]
    other = catalog(lang)[section]
    assert sorted(set(english) - set(other)) == [], f"missing from {lang}.json"
    assert sorted(set(other) - set(english)) == [], "not in en.json: stale keys"
    empty = sorted(k for k, v in other.items() if not v.strip())
    assert empty == []
    left_in_english = sorted(
        k
        for k, v in other.items()
        if v == english[k] and k not in SAME_IN_EVERY_LANGUAGE
    )
    assert left_in_english == [], f"{lang}.json repeats the English text"


CYRILLIC = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_translations_are_in_cyrillic_and_in_their_own_language(lang: str) -> None:
    strings = catalog(lang)["strings"] | catalog(lang)["event_types"]
    latin_only = sorted(
        k
        for k, v in strings.items()
        if not CYRILLIC.search(v) and k not in SAME_IN_EVERY_LANGUAGE
    )
    assert latin_only == []
    # letters only one of the two alphabets has: і ї є ґ (Ukrainian), ы э ъ ё (Russian)
    foreign = "ыэъё" if lang == "uk" else "іїєґ"
    mixed = sorted(k for k, v in strings.items() if set(v.lower()) & set(foreign))
    assert mixed == [], f"{lang}.json has words in the other language"


def _used_keys() -> set[str]:
    """Literal keys the scripts and template ask for: t("k"), w("k"), data-i18n="k"."""
    keys: set[str] = set()
    for path in JS.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'\bt\("([a-z0-9_]+)"\)', text))
        keys |= {f"tracker_{k}" for k in re.findall(r'\bw\("([a-z0-9_]+)"\)', text)}
    page = (WEB / "templates" / "page.html").read_text(encoding="utf-8")
    keys |= set(re.findall(r'data-i18n(?:-[a-z-]+)?="([a-z0-9_]+)"', page))
    return keys


def test_every_key_the_code_asks_for_exists() -> None:
    missing = sorted(_used_keys() - set(catalog("en")["strings"]))
    assert missing == []


PAGES = ("map", "incident", "dashboard", "notices", "commitments", "tracker")
FAMILIES: dict[str, tuple[str, ...]] = {
    # key prefix → the values the code builds keys from (t(`state_${state}`) …)
    "state_": get_args(State),
    "regime_": tuple(
        v for v in get_args(Geometry.model_fields["regime"].annotation) if v
    ),
    "kind_": ("line", "zone", "corridor", "site"),
    "category_": get_args(Commitment.model_fields["category"].annotation),
    "source_": SOURCE_TYPES,
    "role_": ("public", "monitor", "analyst", "guarantor", "party"),
    "verdict_": ("breach", "no_breach", "undetermined"),
    "holds_": ("true", "false", "unknown"),
    "status_": ("open", "overdue", "unscheduled"),
    "notice_": ("open", "acknowledged", "replied", "unanswered"),
    "title_": PAGES,
    "tracker_": (
        "met",
        "in_progress",
        "partly_met",
        "disputed",
        "lapsed",
        "not_started",
    ),  # fmt: skip
}


def _flatten(values: tuple[Any, ...]) -> list[str]:
    found: list[str] = []
    for value in values:
        args = get_args(value)
        if value is not type(None):
            found += _flatten(args) if args else [str(value)]
    return found


@pytest.mark.parametrize("prefix", sorted(FAMILIES))
def test_every_vocabulary_value_has_a_label(prefix: str) -> None:
    strings = catalog("en")["strings"]
    values = _flatten(FAMILIES[prefix])
    assert values, prefix
    missing = sorted(v for v in values if f"{prefix}{v}" not in strings)
    assert missing == []


def test_every_event_type_of_the_report_schema_has_a_label() -> None:
    missing = sorted(set(EVENT_TYPES) - set(catalog("en")["event_types"]))
    assert missing == []


# ----------------------------------------------------------- the page template

TEMPLATE_ALLOWED = {"ceasefire", "· ceasefire", "EN", "УК", "РУ", "–"}
"""The brand, the language switch's own names (each in its own language), a dash."""
TRANSLATED_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class _TextFinder(HTMLParser):
    """Visible text and labelling attributes not tied to a catalog key."""

    VOID = {"meta", "link", "input", "br", "img"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: carries data-i18n
        self.bypass: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for attr in TRANSLATED_ATTRIBUTES:
            if attr in names and f"data-i18n-{attr}" not in names:
                self.bypass.append(f"<{tag} {attr}={names[attr]!r}>")
        if tag not in self.VOID:
            self.stack.append("data-i18n" in names)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", data).strip()
        if not re.search(r"[^\W\d_]{2}", text) or text in TEMPLATE_ALLOWED:
            return
        if not (self.stack and self.stack[-1]):
            self.bypass.append(text)


def test_template_text_goes_through_the_catalog() -> None:
    page = (WEB / "templates" / "page.html").read_text(encoding="utf-8")
    # Jinja tags may sit inside a start tag; the parser needs plain HTML
    page = re.sub(r"\{%.*?%\}", "", page)
    finder = _TextFinder()
    finder.feed(page)
    assert finder.bypass == [], "visible text without data-i18n in page.html"


# ------------------------------------------------------------------ the scripts

JS_ALLOWED = {
    "ceasefire": "the product's name (a page title: Incident … · ceasefire)",
    "Bearer": "the HTTP Authorization scheme, not shown",
    "Content-Type": "an HTTP header name, not shown",
    "HTTP": "the protocol's name in an error with no message (HTTP 500)",
    "UTC": "the time zone's international abbreviation",
    "km": "the SI unit's symbol",
    "moveend zoomend resize viewreset": "Leaflet event names",
}
"""Literals that look like words but are not UI text, each with its reason."""
LITERAL = re.compile(
    r'/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`',
    re.S,
)
NOT_TEXT = re.compile(r"(class|className|style)\s*:\s*$|swatch\([^()]*,\s*$")
"""A literal right after these is CSS (class names, a style), never shown."""


def _words(literal: str) -> list[str]:
    """The natural-language words of a literal that would reach the screen."""
    quote, body = literal[0], literal[1:-1]
    found: list[str] = []
    if quote == "`":  # a bare word next to an interpolation is text: `target ${n}`
        found += re.findall(r"(?:^|\s)([A-Za-z]{2,})(?=\s+\$\{|\s*$)", body)
        found += re.findall(r"\}\s+([A-Za-z]{2,})(?=\s|$)", body)
        while (stripped := re.sub(r"\$\{[^{}`]*\}", " ", body)) != body:
            body = stripped
    tokens = [t for t in body.split() if re.search(r"[A-Za-z]{2}", t)]
    tokens = [t for t in tokens if not re.match(r"[/#?<]|--|.*(://|=)", t)]
    if len(tokens) >= 2 or (tokens and re.match(r"[A-Z][a-z]+\b", tokens[0])):
        found.append(" ".join(tokens))
    return [w for w in found if w not in JS_ALLOWED]


def bypassing_strings(source: str) -> list[str]:
    """Literals of a script that show English text without the catalog."""
    found = []
    for match in LITERAL.finditer(source):
        literal = match.group()
        if literal.startswith("/"):  # a comment
            continue
        if NOT_TEXT.search(source[max(0, match.start() - 60) : match.start()]):
            continue
        found += _words(literal)
    return found


@pytest.mark.parametrize("script", sorted(p.name for p in JS.glob("*.js")))
def test_script_text_goes_through_the_catalog(script: str) -> None:
    source = (JS / script).read_text(encoding="utf-8")
    assert bypassing_strings(source) == []


def test_the_scan_catches_what_it_is_for() -> None:
    # the strings this test was written against (they were in the code before)
    catches = [
        "'Boundaries: geoBoundaries (OSM, ODbL) · <a href=\"https://x\">Leaflet</a> · no tiles'",
        "`target ${s.target}${s.unit}`",
        "`${r.what}, due ${r.due.slice(0, 10)}`",
        'el("h2", {}, "Calendar")',
    ]
    for source in catches:
        assert bypassing_strings(source), source
    passes = [
        'el("span", { class: "state state-reported" }, t("state_reported"))',
        "`/api/incidents/${id}?${query}`",
        'el("i", { style: "border:2px solid #ff5c5c" })',
        '`${t("breach")}: ${clauses}`',
        "// Load the map and draw it",
    ]
    for source in passes:
        assert bypassing_strings(source) == [], source


# ------------------------------------------------------------------- the server


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_titles_are_translated_by_the_server(lang: str) -> None:
    from ceasefire.web import page_html

    html = page_html("dashboard", lang)
    title = catalog(lang)["strings"]["title_dashboard"]
    assert f"<title>{title} · ceasefire</title>" in html
    assert f'<html lang="{lang}">' in html


def test_oblast_names_cover_every_oblast_in_both_languages() -> None:
    names = json.loads(
        (REPO / "ceasefire/data/boundaries/adm1-names.json").read_text("utf-8")
    )["names"]
    oblasts = json.loads(
        (REPO / "ceasefire/data/boundaries/ukr-adm1.geojson").read_text("utf-8")
    )
    isos = {f["properties"]["iso"] for f in oblasts["features"]}
    assert set(names) == isos and len(isos) == 27
    for iso, by_lang in names.items():
        assert set(by_lang) == {"uk", "ru"}, iso
        assert all(CYRILLIC.search(v) for v in by_lang.values()), iso
    # spot checks against the official Ukrainian names (Constitution, art. 133)
    assert names["UA-14"]["uk"] == "Донецька область"
    assert names["UA-23"]["ru"] == "Запорожская область"


def test_translated_agreement_labels_reach_the_page_data(tmp_path: Path) -> None:
    from ceasefire.agreement import translate
    from ceasefire.agreement.load import load

    doc = load(REPO / "examples/minsk-ii.yaml").document
    assert translate.title(doc, "ru").startswith(
        "Комплекс мер по выполнению Минских соглашений"
    )  # the signed Russian title
    assert translate.title(doc, "de") == doc.title  # no German block: as written
    assert translate.labels(doc, "geometries", "line_of_contact") == {
        "uk": "Лінія зіткнення",
        "ru": "Линия соприкосновения",
    }
