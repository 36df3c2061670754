"""Load an agreement: YAML → positions → schema → references → geometry → predicates.

Every stage reports problems with ``file:line:column``; a later stage runs
only when the earlier ones left it something sound to work on, so a drafter
sees all independent mistakes at once rather than one per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ceasefire.agreement import predicate as predicates
from ceasefire.agreement.context import incident_fields
from ceasefire.agreement.references import (
    ENTRY_INTO_FORCE,
    check_deadlines,
    check_lifecycle,
    check_references,
    check_unique_ids,
    resolve_timeline,
)
from ceasefire.agreement.schema_errors import problems_from
from ceasefire.agreement.source import Path as DocPath
from ceasefire.agreement.source import SourceMap, parse_yaml
from ceasefire.errors import AgreementError, Problem
from ceasefire.geo.build import Feature, GeometryError, build_all
from ceasefire.model.agreement import FORMAT_VERSION, AgreementDocument, Clause


@dataclass
class Agreement:
    """A loaded, checked agreement: the document plus what was built from it."""

    path: Path
    document: AgreementDocument
    source: SourceMap
    instants: dict[str, datetime]
    features: dict[str, Feature]
    predicates: dict[str, predicates.Predicate]

    @property
    def entry_into_force(self) -> datetime | None:
        """When the agreement took effect, if its timeline says."""
        return self.instants.get(ENTRY_INTO_FORCE)

    def clause(self, clause_id: str) -> Clause:
        """The clause with id ``clause_id``."""
        for clause in self.document.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)


class _Collector:
    """Collects problems, turning document paths into file positions."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def report(
        self,
        code: str,
        path: DocPath,
        message: str,
        *,
        value: Any = None,
        expected: str | None = None,
        suggestion: str | None = None,
        subject: str | None = None,
        offset: int | None = None,
    ) -> None:
        span = self.source.find(path)
        line, column = (span.line, span.column) if span else (1, 1)
        if offset is not None:
            line, column = offset_position(self.source, path, offset) or (line, column)
        self.problems.append(
            Problem(
                code=code,
                message=message,
                file=self.source.file,
                line=line,
                column=column,
                value=value,
                expected=expected,
                suggestion=suggestion,
                subject=subject,
            )
        )


def offset_position(
    source: SourceMap, path: DocPath, offset: int
) -> tuple[int, int] | None:
    """File (line, column) of character ``offset`` inside the scalar at ``path``."""
    value = source.scalars.get(path)
    if not isinstance(value, str):
        return None
    offsets = source.scalar_offsets(path, value)
    if offsets is None:
        return None
    return source.position(offsets[min(offset, len(offsets) - 1)])


def read_document(
    text: str, file: str
) -> tuple[AgreementDocument | None, SourceMap, list[Problem]]:
    """Parse and schema-check agreement text; no cross-references yet."""
    data, source, problems = parse_yaml(text, file)
    if problems:
        return None, source, problems
    collector = _Collector(source)
    if not isinstance(data, dict):
        collector.report(
            "CF002",
            (),
            "an agreement must be a YAML mapping",
            expected="key: value pairs",
        )
        return None, source, collector.problems
    version = data.get("format_version")
    if str(version) != FORMAT_VERSION:
        collector.report(
            "CF002",
            ("format_version",) if "format_version" in data else (),
            "missing required key 'format_version'"
            if version is None
            else f"unsupported format_version {version!r}",
            value=version,
            expected=f'format_version: "{FORMAT_VERSION}"',
        )
        return None, source, collector.problems
    data["format_version"] = FORMAT_VERSION  # YAML may read 1.0 as a float
    try:
        return AgreementDocument.model_validate(data), source, []
    except ValidationError as exc:
        return None, source, problems_from(exc, data, source)


def compile_document(
    document: AgreementDocument, source: SourceMap, base_dir: Path
) -> tuple[Agreement | None, list[Problem]]:
    """Check references, build geometry and type-check predicates."""
    collector = _Collector(source)
    check_unique_ids(document, collector.report)
    check_references(document, collector.report)
    instants = resolve_timeline(document, collector.report)
    check_deadlines(document, instants, collector.report)
    check_lifecycle(document, instants, collector.report)

    def geometry_failed(index: int, error: GeometryError) -> None:
        spec = document.geometries[index]
        collector.report(
            "CF004",
            ("geometries", index, *error.key),
            f"geometry {spec.id!r}: {error.message}",
            value=error.value,
            expected=error.expected,
            suggestion=error.suggestion,
            subject=spec.id,
        )

    features = build_all(document.geometries, base_dir, geometry_failed)
    checked = _check_predicates(document, instants, collector)
    if collector.problems:
        return None, collector.problems
    agreement = Agreement(
        path=base_dir / Path(source.file).name,
        document=document,
        source=source,
        instants=instants,
        features=features,
        predicates=checked,
    )
    return agreement, []


def _check_predicates(
    document: AgreementDocument, instants: dict[str, datetime], collector: _Collector
) -> dict[str, predicates.Predicate]:
    parties = tuple(p.id for p in document.parties)
    scope = predicates.Scope(
        fields=incident_fields(parties),
        instants=frozenset(document.timeline),
        terms={d.term: (d.applies_to, tuple(d.includes)) for d in document.definitions},
        geometries={g.id: g.kind for g in document.geometries},
        parties=parties,
    )
    checked: dict[str, predicates.Predicate] = {}
    for index, clause in enumerate(document.clauses):
        path: DocPath = ("clauses", index, "predicate")
        try:
            checked[clause.id] = predicates.check(clause.predicate, scope)
        except predicates.PredicateError as exc:
            collector.report(
                "CF006",
                path,
                f"predicate of clause {clause.id!r}: {exc.message}",
                value=exc.value,
                expected=exc.expected,
                suggestion=exc.suggestion,
                subject=clause.id,
                offset=exc.offset,
            )
    return checked


def load_with_problems(
    path: str | Path, *, in_force_from: date | datetime | None = None
) -> tuple[Agreement | None, list[Problem]]:
    """Load an agreement file; return it (or None) and every problem found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Problem(
            "CF001", "file not found", str(path), 1, 1, expected="an agreement file"
        )
        return None, [problem]
    except UnicodeDecodeError as exc:
        problem = Problem(
            "CF001",
            f"not UTF-8 text (byte {exc.start})",
            str(path),
            1,
            1,
            expected="a UTF-8 YAML file",
        )
        return None, [problem]
    document, source, problems = read_document(text, str(path))
    if document is None:
        return None, problems
    if in_force_from is not None:
        document = as_if_in_force(document, in_force_from)
    return compile_document(document, source, path.parent)


def load(
    path: str | Path, *, in_force_from: date | datetime | None = None
) -> Agreement:
    """Load and check an agreement file; raise AgreementError listing every problem.

    ``in_force_from``: judge the agreement *as if* it had entered into force
    then (see ``as_if_in_force``), e.g. the Alaska terms on the 2025–26 record.
    """
    agreement, problems = load_with_problems(path, in_force_from=in_force_from)
    if agreement is None:
        raise AgreementError(problems)
    return agreement


AS_IF = "as-if-in-force"
"""Marks the version of an agreement judged as if in force from another date."""


def as_if_in_force(
    document: AgreementDocument, when: date | datetime
) -> AgreementDocument:
    """The document with ``entry_into_force`` moved to ``when`` (a date is its
    midnight in the agreement's time zone). Every instant given relative to it
    (deadlines, ``{after: entry_into_force, days: 60}``) moves with it; the
    version says so ("0.1-draft+as-if-in-force-2025-09-01"), so its verdicts
    are never mistaken for the text's own."""
    if not isinstance(when, datetime):
        zone = ZoneInfo(document.timezone)
        when = datetime(when.year, when.month, when.day, tzinfo=zone)
    elif when.tzinfo is None:
        raise ValueError(
            f"{when.isoformat()} has no UTC offset; expected an aware time"
        )
    timeline = {**document.timeline, ENTRY_INTO_FORCE: when}
    version = f"{document.version}+{AS_IF}-{when.date().isoformat()}"
    return document.model_copy(update={"timeline": timeline, "version": version})


def loads(
    text: str, *, file: str = "<string>", base_dir: Path | None = None
) -> Agreement:
    """Load an agreement from text (geometry files resolve against ``base_dir``)."""
    document, source, problems = read_document(text, file)
    if document is None:
        raise AgreementError(problems)
    agreement, problems = compile_document(document, source, base_dir or Path.cwd())
    if agreement is None:
        raise AgreementError(problems)
    return agreement
