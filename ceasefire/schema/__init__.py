"""JSON Schemas shipped with the package, one folder per document type.

The files are generated from the models and kept current by tests.
"""

from __future__ import annotations

import json

from ceasefire.model.report import Report


def report_schema_text() -> str:
    """The JSON Schema of a report, as shipped in ``ceasefire/schema/report``."""
    schema = Report.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://ceasefire.invalid/schema/report/1.0.json"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
