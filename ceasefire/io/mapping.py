"""Property-mapping files: which feature property feeds which report field.

A mapping (YAML or JSON) for ``ceasefire import FILE.geojson --mapping M``::

    dataset: deepstate-points          # names the ids: same dataset, same ids
    id: [snapshot_id, name]            # properties that identify a feature
                                       # (omit: the hash of the whole feature)
    constants:                         # fixed report fields
      source: {type: osint_item, id: deepstatemap, name: DeepStateMap}
      observed: {precision: day}
      location: {precision_m: 5000}
    fields:                            # report field ← feature property
      observed.start: snapshot_utc
      narrative: name
      event_type:                      # value maps, first match wins;
        - property: code               # keys are exact values or globs
          map: {"units.*": troop_presence}
        - property: description
          map: {"{icon=enemy}": troop_presence}
          default: other               # (optional) when nothing matched
    properties: [code, icon]           # kept verbatim (omit: all of them)

A field spec is a property name, ``{value: constant}``, ``{property: name,
map: {...}, default: ...}``, or a list of these tried in order (the first
that yields a value wins). Fields are dotted report paths (``location.place``,
``weapon.class``); a misspelt one is refused when the mapping loads.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from ceasefire.errors import MappingError as MappingError  # re-exported
from ceasefire.errors import suggest
from ceasefire.io.base import RowError
from ceasefire.model import report as model

NESTED: dict[str, type[BaseModel]] = {
    "source": model.SourceRef,
    "observed": model.TimeSpan,
    "location": model.Location,
    "weapon": model.Weapon,
    "attribution": model.Attribution,
    "target": model.Target,
    "personnel": model.Personnel,
    "casualties": model.Casualties,
}
KEYS = {"dataset", "id", "constants", "fields", "properties"}


@dataclass(frozen=True)
class Rule:
    """One way to get a field's value from a feature's properties."""

    property: str | None = None
    value: Any = None
    map: dict[str, Any] | None = None
    default: Any = None
    patterns: tuple[tuple[re.Pattern[str], Any], ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        # globs compiled once: a file has tens of thousands of features
        compiled = tuple(
            (re.compile(fnmatch.translate(key)), value)
            for key, value in (self.map or {}).items()
        )
        object.__setattr__(self, "patterns", compiled)

    def apply(self, props: dict[str, Any]) -> Any:
        """The value, or None when this rule has none for these properties."""
        if self.property is None:
            return self.value
        raw = props.get(self.property)
        if self.map is None:
            return raw if raw not in (None, "") else self.default
        text = "" if raw is None else str(raw)
        exact = self.map.get(text)
        if exact is not None:
            return exact
        for pattern, mapped in self.patterns:
            if pattern.match(text):
                return mapped
        return self.default


@dataclass(frozen=True)
class Mapping:
    """A loaded, checked mapping file."""

    file: str
    dataset: str
    id: tuple[str, ...] = ()
    constants: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    properties: tuple[str, ...] | None = None

    def values(self, props: dict[str, Any]) -> dict[str, Any]:
        """Report fields from one feature's properties, as a nested dict."""
        doc: dict[str, Any] = {
            k: dict(v) if isinstance(v, dict) else v for k, v in self.constants.items()
        }
        for path, rules in self.fields.items():
            value = next(
                (v for v in (r.apply(props) for r in rules) if v is not None), None
            )
            if value is None:
                continue
            head, _, tail = path.partition(".")
            if tail:
                doc.setdefault(head, {})[tail] = value
            else:
                doc[head] = value
        return doc

    def property_for(self, path: str) -> str | None:
        """The (first) feature property feeding a report field, for messages."""
        for rule in self.fields.get(path, ()):
            if rule.property is not None:
                return rule.property
        return None

    def unmatched(self, path: str, props: dict[str, Any]) -> RowError:
        """The error for a required field that no rule could fill."""
        used = [r.property for r in self.fields.get(path, ()) if r.property]
        seen = {p: props.get(p) for p in used}
        return RowError(
            used[0] if used else path,
            seen if len(seen) > 1 else next(iter(seen.values()), None),
            f"no {path} for this feature: the mapping {Path(self.file).name} has no"
            f" rule matching {', '.join(f'{k}={v!r}' for k, v in seen.items())}",
        )


def _check_path(file: str, path: str) -> None:
    head, _, tail = path.partition(".")
    if head not in model.Report.model_fields:
        raise MappingError(
            f"{file}: fields.{path}: no such report field",
            value=path,
            expected="one of " + ", ".join(model.Report.model_fields),
            suggestion=suggest(head, model.Report.model_fields),
        )
    if tail:
        nested = NESTED.get(head)
        names = set(nested.model_fields) | {"class"} if nested else set()
        if tail not in names:
            raise MappingError(
                f"{file}: fields.{path}: {head} has no field {tail!r}",
                value=path,
                expected=f"{head}." + f", {head}.".join(sorted(names)),
                suggestion=suggest(tail, names),
            )


def _rules(file: str, path: str, spec: Any) -> tuple[Rule, ...]:
    specs = spec if isinstance(spec, list) else [spec]
    rules = []
    for item in specs:
        if isinstance(item, str):
            rules.append(Rule(property=item))
        elif isinstance(item, dict) and set(item) <= {
            "property",
            "value",
            "map",
            "default",
        }:
            if ("property" in item) == ("value" in item):
                raise MappingError(
                    f"{file}: fields.{path}: give either 'property' or 'value'",
                    value=item,
                    expected="{property: name, map: {...}} or {value: constant}",
                )
            if "map" in item and not isinstance(item["map"], dict):
                raise MappingError(
                    f"{file}: fields.{path}.map: not a table",
                    value=item["map"],
                    expected="{source value or glob: report value}",
                )
            rules.append(Rule(**item))
        else:
            raise MappingError(
                f"{file}: fields.{path}: not a field spec",
                value=item,
                expected="a property name, {value: …} or {property: …, map: {…}}",
            )
    return tuple(rules)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file (YAML, or JSON by its suffix)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise MappingError(f"{file}: cannot read the mapping: {exc}") from None
    if not isinstance(doc, dict) or not doc.get("dataset"):
        raise MappingError(
            f"{file}: not a mapping", value=doc, expected="a table with dataset: NAME"
        )
    unknown = set(doc) - KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise MappingError(
            f"{file}: unknown key {key!r}",
            value=key,
            expected=", ".join(sorted(KEYS)),
            suggestion=suggest(key, KEYS),
        )
    fields = doc.get("fields") or {}
    for dotted in fields:
        _check_path(file, dotted)
    for key in doc.get("constants") or {}:
        _check_path(file, key)
    ids = doc.get("id") or ()
    props = doc.get("properties")
    return Mapping(
        file=file,
        dataset=str(doc["dataset"]),
        id=(ids,) if isinstance(ids, str) else tuple(ids),
        constants=dict(doc.get("constants") or {}),
        fields={k: _rules(file, k, v) for k, v in fields.items()},
        properties=None if props is None else tuple(props),
    )
