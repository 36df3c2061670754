"""An agreement's titles and labels in the reader's language (``translations:``).

Anything the document leaves untranslated is shown as written, so a reader
of an agreement with no Ukrainian block still sees every name, in English.
"""

from __future__ import annotations

from typing import Literal

from ceasefire.model.agreement import AgreementDocument

Section = Literal[
    "parties",
    "definitions",
    "geometries",
    "clauses",
    "commitments",
    "penalty_rules",
    "indicators",
]


def text(
    doc: AgreementDocument, lang: str, section: Section, key: str, fallback: str
) -> str:
    """The ``section`` entry ``key`` in ``lang``, else ``fallback`` (as written)."""
    block = doc.translations.get(lang)
    if block is None:
        return fallback
    found: str | None = getattr(block, section).get(key)
    return fallback if found is None else found


def title(doc: AgreementDocument, lang: str) -> str:
    """The agreement's title in ``lang``, else as written."""
    block = doc.translations.get(lang)
    return block.title if block is not None and block.title else doc.title


def labels(doc: AgreementDocument, section: Section, key: str) -> dict[str, str]:
    """Every translation of one entry, by language (``{}`` when none)."""
    return {
        lang: value
        for lang, block in doc.translations.items()
        if (value := getattr(block, section).get(key)) is not None
    }
