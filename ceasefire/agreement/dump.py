"""Write an agreement document back to YAML, and export its JSON Schema."""

from __future__ import annotations

import json
from typing import Any

import yaml

from ceasefire.model.agreement import FORMAT_VERSION, AgreementDocument


def to_data(document: AgreementDocument) -> dict[str, Any]:
    """The document as plain JSON-compatible data, defaults left out."""
    data = document.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["format_version"] = document.format_version  # a constant: always written
    return data


# Characters YAML treats as line breaks inside plain or single-quoted scalars;
# only a double-quoted scalar (with escapes) keeps them.
_BREAKS = ("\x85", "\u2028", "\u2029")


class _Dumper(yaml.SafeDumper):
    """SafeDumper that double-quotes strings holding YAML line-break characters."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(ch in value for ch in _BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dumps(document: AgreementDocument) -> str:
    """YAML text that loads back to an equal document."""
    return yaml.dump(
        to_data(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the current format, generated from the model."""
    schema = AgreementDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://ceasefire.invalid/schema/agreement/{FORMAT_VERSION}.json"
    return schema


def json_schema_text() -> str:
    """The schema as the text shipped in ``ceasefire/schema/agreement``."""
    return (
        json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
