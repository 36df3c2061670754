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


def dumps(document: AgreementDocument) -> str:
    """YAML text that loads back to an equal document."""
    return yaml.safe_dump(
        to_data(document), sort_keys=False, allow_unicode=True, width=96
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
