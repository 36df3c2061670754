"""The shipped JSON Schema: current, valid 2020-12, offline, and in step with the loader.

The schema is generated from the pydantic model; these tests keep the shipped
copy from going stale and use ``jsonschema`` as an independent second reader
of the format: whatever the loader accepts, the schema accepts, and the
mistakes a drafter makes (unknown keys, wrong types, bad enum values) are
rejected by both.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import REPO
from hypothesis import given
from test_roundtrip import DOCUMENT_FILES, FIXTURES, SETTINGS, agreement_data

from ceasefire.agreement.dump import json_schema, json_schema_text
from ceasefire.agreement.load import loads
from ceasefire.agreement.source import parse_yaml
from ceasefire.errors import AgreementError

SHIPPED = REPO / "ceasefire" / "schema" / "agreement" / "1.0.json"
REGENERATE = "ceasefire agreement schema -o ceasefire/schema/agreement/1.0.json"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(shipped: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        shipped, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def parsed(path: Path) -> Any:
    """A document as YAML data, timestamps kept as text (as the loader sees it)."""
    data, _, problems = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert problems == []
    return data


def errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(data)
    ]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


# ------------------------------------------------------------ the shipped file


def test_shipped_schema_is_current() -> None:
    current = json_schema_text()
    assert SHIPPED.read_text(encoding="utf-8") == current, (
        f"{SHIPPED.relative_to(REPO)} is stale: the model changed since it was"
        f" generated. Regenerate it with `{REGENERATE}`"
    )


def test_schema_is_valid_json_schema_2020_12(shipped: dict[str, Any]) -> None:
    assert shipped["$schema"] == DRAFT_2020_12
    assert jsonschema.validators.validator_for(shipped) is (
        jsonschema.Draft202012Validator
    )
    jsonschema.Draft202012Validator.check_schema(shipped)
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_schema_describes_the_document(shipped: dict[str, Any]) -> None:
    assert shipped["type"] == "object"
    assert shipped["additionalProperties"] is False
    assert {"format_version", "id", "title", "version", "parties"} <= set(
        shipped["required"]
    )
    assert shipped["$id"].endswith("/agreement/1.0.json")


def test_schema_needs_nothing_from_the_network(shipped: dict[str, Any]) -> None:
    """Every reference is local, so editors and CI can validate offline."""
    refs = list(_refs(shipped))
    assert refs, "expected $defs references"
    assert all(ref.startswith("#/$defs/") for ref in refs), refs
    assert {ref.removeprefix("#/$defs/") for ref in refs} <= set(shipped["$defs"])
    # no registry, no retrieval: local references resolve on their own
    offline = jsonschema.Draft202012Validator(shipped)
    assert offline.is_valid(parsed(FIXTURES / "minimal.yaml"))


def test_schema_ships_inside_the_installed_package() -> None:
    resource = files("ceasefire.schema").joinpath("agreement/1.0.json")
    assert resource.is_file()
    text = resource.read_text(encoding="utf-8")
    assert text == json_schema_text()
    assert json.loads(text)["$schema"] == DRAFT_2020_12


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("ceasefire")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ceasefire"]


def test_cli_prints_the_schema() -> None:
    done = subprocess.run(
        [*_cli(), "agreement", "schema"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == json_schema_text()
    assert done.stdout == SHIPPED.read_text(encoding="utf-8")


def test_cli_writes_the_schema_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "agreement.schema.json"
    done = subprocess.run(
        [*_cli(), "agreement", "schema", "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert target.read_text(encoding="utf-8") == json_schema_text()


# ------------------------------------------------------- documents it accepts


@pytest.mark.parametrize("path", DOCUMENT_FILES, ids=lambda p: p.name)
def test_examples_and_fixtures_validate(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    assert errors(validator, parsed(path)) == []


@SETTINGS
@given(agreement_data())
def test_documents_the_loader_accepts_validate(
    validator: jsonschema.Draft202012Validator, data: dict[str, Any]
) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    loads(text, file="<generated>")  # the loader accepts it ...
    value, _, problems = parse_yaml(text, "<generated>")
    assert problems == []
    assert errors(validator, value) == []  # ... and so does the schema


# ------------------------------------------------------- documents it rejects

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[str | int, ...], value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _add_geometry(spec: dict[str, Any]) -> Mutation:
    return lambda data: data["geometries"].append(spec)


UNKNOWN_KEYS: dict[str, Mutation] = {
    "top level": _set(("colour",), "blue"),
    "party": _set(("parties", 0, "nickname"), "UA"),
    "liaison point": _set(("parties", 0, "liaison", 0, "fax"), "+380"),
    "definition": _set(("definitions", 0, "include"), ["mlrs"]),
    "relative instant": _set(("timeline", "withdrawal_end", "weeks"), 2),
    "clause": _set(("clauses", 0, "penalty"), ["repeat"]),
    "in_force": _set(("clauses", 0, "in_force", "to"), "withdrawal_end"),
    "evidence": _set(("clauses", 0, "evidence"), {"min_sauces": 2}),
    "buffer": _set(("geometries", 1, "buffer", "width"), 3),
    "geometry": _set(("geometries", 0, "colour"), "red"),
    "escalation step": _set(("penalty_rules", 0, "escalation", 0, "delay"), 3),
    "indicator": _set(("indicators", 0, "goal"), 500),
    "commitment": _set(("commitments", 0, "deadline"), "2026-01-01T00:00:00Z"),
    "admin": _add_geometry({"id": "ukr", "kind": "zone", "admin": {"lvl": 0}}),
}

WRONG_TYPES: dict[str, Mutation] = {
    "title is a number": _set(("title",), 12),
    "version is a number": _set(("version",), 1),
    "parties is text": _set(("parties",), "ua, ru"),
    "party is a list": _set(("parties", 0), ["ua", "Ukraine"]),
    "languages is text": _set(("parties", 0, "liaison", 0, "languages"), "uk"),
    "includes is text": _set(("definitions", 0, "includes"), "mlrs"),
    "timeline is a list": _set(("timeline",), ["2025-09-01T00:00:00+03:00"]),
    "days is a list": _set(("timeline", "withdrawal_end", "days"), [14]),
    "threshold is a list": _set(("penalty_rules", 0, "threshold"), [3]),
    "in_force is a list": _set(("clauses", 0, "in_force"), ["entry_into_force"]),
    "parties_bound is text": _set(("clauses", 0, "parties_bound"), "ua"),
    "predicate is a mapping": _set(("clauses", 0, "predicate"), {"inside": "x"}),
    "min_sources is fractional": _set(("clauses", 0, "evidence"), {"min_sources": 1.5}),
    "geojson is text": _set(("geometries", 0, "geojson"), "LINESTRING(37 47, 38 48)"),
    "km is a mapping": _set(("geometries", 1, "buffer", "km"), {"value": 25}),
    "escalation is a step": _set(
        ("penalty_rules", 0, "escalation"), {"step": "warning"}
    ),
    "quantity is a number": _set(("commitments", 0, "quantity"), 4),
    "iso is a number": _add_geometry(
        {"id": "ukr", "kind": "zone", "admin": {"level": 1, "iso": 14}}
    ),
}

BAD_ENUMS: dict[str, Mutation] = {
    "format_version": _set(("format_version",), "2.0"),
    "party role": _set(("parties", 2, "role"), "belligerent"),
    "liaison channel": _set(("parties", 0, "liaison", 0, "channel"), "fax"),
    "applies_to": _set(("definitions", 0, "applies_to"), "weapons"),
    "clause kind": _set(("clauses", 0, "kind"), "prohibited"),
    "evidence state": _set(("clauses", 0, "evidence"), {"states": ["confirmed"]}),
    "reliability grade": _set(("clauses", 0, "evidence"), {"min_reliability": "G"}),
    "geometry kind": _set(("geometries", 0, "kind"), "area"),
    "geometry regime": _set(("geometries", 1, "regime"), "no_fly"),
    "commitment category": _set(("commitments", 0, "category"), "law"),
    "verification method": _set(("verification", 0, "methods"), ["drone"]),
    "escalation step": _set(("penalty_rules", 0, "escalation", 0, "step"), "sanction"),
    "penalty measure": _set(("penalty_rules", 0, "measure"), "sum"),
    "indicator cadence": _set(("indicators", 0, "cadence"), "yearly"),
    "indicator direction": _set(("indicators", 0, "direction"), "down"),
    "admin level": _add_geometry({"id": "ukr", "kind": "zone", "admin": {"level": 3}}),
}

BAD_VALUES: dict[str, Mutation] = {
    "id in capitals": _set(("id",), "Minimal"),
    "id too long": _set(("id",), "a" * 65),
    "party id with a space": _set(("parties", 0, "id"), "ua army"),
    "one party": lambda data: data.update(parties=data["parties"][:1]),
    "no parties bound": _set(("clauses", 0, "parties_bound"), []),
    "zero threshold": _set(("penalty_rules", 0, "threshold"), 0),
    "negative window": _set(("penalty_rules", 0, "window_days"), -7),
    "no escalation": _set(("penalty_rules", 0, "escalation"), []),
    "credibility 7": _set(("clauses", 0, "evidence"), {"min_credibility": 7}),
    "zero sources": _set(("clauses", 0, "evidence"), {"min_sources": 0}),
    "negative buffer": _set(("geometries", 1, "buffer", "km"), -25),
    "no methods": _set(("verification", 0, "methods"), []),
    "union of one": _add_geometry({"id": "u", "kind": "zone", "union": ["line"]}),
    "missing title": lambda data: data.pop("title"),
    "missing predicate": lambda data: data["clauses"][0].pop("predicate"),
}

REJECTED = {
    **{f"unknown key in {k}": m for k, m in UNKNOWN_KEYS.items()},
    **{f"wrong type: {k}": m for k, m in WRONG_TYPES.items()},
    **{f"bad enum: {k}": m for k, m in BAD_ENUMS.items()},
    **{f"bad value: {k}": m for k, m in BAD_VALUES.items()},
}


def mutated(mutate: Mutation) -> dict[str, Any]:
    data = copy.deepcopy(parsed(FIXTURES / "minimal.yaml"))
    mutate(data)
    return data


def loader_rejects(data: dict[str, Any]) -> bool:
    try:
        loads(yaml.safe_dump(data, sort_keys=False), base_dir=FIXTURES)
    except AgreementError:
        return True
    return False


def test_the_unmutated_fixture_passes_both(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = mutated(lambda data: None)
    assert errors(validator, data) == []
    assert not loader_rejects(data)


@pytest.mark.parametrize("mutate", REJECTED.values(), ids=REJECTED.keys())
def test_schema_and_loader_both_reject(
    mutate: Mutation, validator: jsonschema.Draft202012Validator
) -> None:
    data = mutated(mutate)
    assert errors(validator, data), "the schema accepts it"
    assert loader_rejects(data), "the loader accepts it"


LAXER_THAN_SCHEMA: dict[str, Mutation] = {
    "number as text": _set(("penalty_rules", 0, "threshold"), "3"),
    "integer as text": _set(("clauses", 0, "evidence"), {"min_sources": "2"}),
    "boolean as text": _set(("clauses", 0, "evidence"), {"joint_verification": "yes"}),
    "boolean as 1": _set(("clauses", 0, "evidence"), {"joint_verification": 1}),
    "true as a number": _set(("indicators", 0, "target"), True),
    "false as admin level 0": _add_geometry(
        {"id": "ukr", "kind": "zone", "admin": {"level": False}}
    ),
    "unix time as entry_into_force": _set(("timeline", "entry_into_force"), 1756684800),
}


@pytest.mark.parametrize(
    "mutate", LAXER_THAN_SCHEMA.values(), ids=LAXER_THAN_SCHEMA.keys()
)
def test_loader_is_no_laxer_than_the_schema(
    mutate: Mutation, validator: jsonschema.Draft202012Validator
) -> None:
    data = mutated(mutate)
    assert errors(validator, data), "the schema accepts it"
    assert loader_rejects(data), "the loader accepts what the schema rejects"


SCHEMA_VALID_EXTREMES: dict[str, Mutation] = {
    "days: 3000000": _set(("timeline", "withdrawal_end", "days"), 3_000_000),
    "days: 1e10": _set(("timeline", "withdrawal_end", "days"), 1e10),
    "hours: -1e12": _set(("timeline", "withdrawal_end", "hours"), -1e12),
    "km: .inf": _set(("geometries", 1, "buffer", "km"), float("inf")),
}


@pytest.mark.parametrize(
    "mutate", SCHEMA_VALID_EXTREMES.values(), ids=SCHEMA_VALID_EXTREMES.keys()
)
def test_loader_reports_extreme_values_as_problems(mutate: Mutation) -> None:
    # Offsets past the calendar and infinite distances: problems, not crashes.
    data = mutated(mutate)
    with pytest.raises(AgreementError):
        loads(yaml.safe_dump(data, sort_keys=False), base_dir=FIXTURES)
