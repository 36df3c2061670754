"""The reports' words in English, Ukrainian and Russian (reports/i18n/<lang>.json).

``Words(lang)`` gives a report template its sentences (``words("summary")``,
with ``{name}`` fields filled and escaped), nouns agreeing with their number
(``words.plural(3, "report")``: one / few / many, as CLDR's rules for each
language), dates with the month's name, oblast names from the bundled
boundaries' translations and event types from the web UI's catalog, so a
place or an event is named alike on the map and in the report.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import Markup

LANGUAGES = ("en", "uk", "ru")


@cache
def _catalog(lang: str) -> dict[str, Any]:
    text = resources.files("ceasefire.reports").joinpath(f"i18n/{lang}.json")
    data: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return data


@cache
def _event_types(lang: str) -> dict[str, str]:
    path = resources.files("ceasefire").joinpath(f"web/static/i18n/{lang}.json")
    types: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["event_types"]
    return types


@cache
def _regions(lang: str) -> dict[str, str]:
    """English oblast name (as the boundaries spell it) → its name in ``lang``."""
    folder = resources.files("ceasefire.data.boundaries")
    units = json.loads(folder.joinpath("ukr-adm1.geojson").read_text(encoding="utf-8"))
    names = json.loads(folder.joinpath("adm1-names.json").read_text(encoding="utf-8"))
    found = {}
    for feature in units["features"]:
        props = feature["properties"]
        translated = names["names"].get(props.get("iso"), {}).get(lang)
        if translated:
            found[props["name"]] = translated
    return found


def plural_form(lang: str, n: int) -> int:
    """Index of the plural form for ``n``: English one/other; uk, ru one/few/many."""
    if lang == "en":
        return 0 if n == 1 else 1
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


class Words:
    """The words of one language for the report templates."""

    def __init__(self, lang: str = "en") -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"no report language {lang!r}; expected en, uk or ru")
        self.lang = lang
        self._data = _catalog(lang)

    def __call__(self, key: str, **fields: object) -> Markup:
        """The sentence ``key`` with its fields filled in (HTML-escaped)."""
        # the catalog is ours and trusted; the fields (data) are escaped by format
        return Markup(self._data["text"][key]).format(**fields)  # noqa: S704

    def plain(self, key: str, **fields: object) -> str:
        """The sentence ``key`` as plain text (for figures, not HTML)."""
        return str(self._data["text"][key]).format(**fields)

    def plural(self, n: int, noun: str) -> str:
        """``noun`` in the form that agrees with ``n``."""
        forms: list[str] = self._data["plural"][noun]
        return forms[min(plural_form(self.lang, n), len(forms) - 1)]

    def term(self, phrase: str) -> str:
        """A vocabulary phrase the report data carries in English, translated."""
        terms: dict[str, str] = self._data["terms"]
        return terms.get(phrase, terms.get(phrase.lower(), phrase))

    def event_type(self, code: str) -> str:
        """An event type's label (``shelling`` → "обстріл")."""
        return _event_types(self.lang).get(code, code.replace("_", " "))

    def region(self, name: str) -> str:
        """An oblast's name in this language (the English name when unknown)."""
        return (
            self.term(name)
            if self.lang == "en"
            else _regions(self.lang).get(name, self.term(name))
        )

    def date(self, day: date, short: bool = False) -> str:
        """``20 January 2015`` / ``20 січня 2015`` (``short``: ``20 Jan``)."""
        if short:
            return f"{day.day:02d} {self._data['months_short'][day.month - 1]}"
        return f"{day.day} {self._data['months'][day.month - 1]} {day.year}"
