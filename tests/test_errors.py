"""Every exception ceasefire defines lives in ``ceasefire/errors.py`` under CeasefireError.

A caller catches ``CeasefireError`` for anything ceasefire raises, and a
reader finds every error in one module (issue 12). The test imports every
module of the package and looks at each class it defines.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import ceasefire
from ceasefire import errors

ROOT = Path(ceasefire.__file__).parent

ALLOWED_ELSEWHERE = {
    # Starlette's control flow: raised while the body is read so that the
    # framework's HTTPException handling answers 413. It must subclass
    # Starlette's HTTPException, which errors.py (bottom layer, no third-party
    # imports) cannot import; it never reaches a caller of ceasefire.
    "ceasefire.api.limits._TooLarge",
    # The stand-alone proof verifier: copied out and run with the standard
    # library alone, so it cannot import ceasefire.errors.
    "ceasefire.log.verifier.Failure",
}
"""Exception classes that must live outside errors.py, and why."""

NOT_UNDER_ROOT = {"ceasefire.api.limits._TooLarge", "ceasefire.log.verifier.Failure"}


def _modules() -> list[str]:
    found = [
        info.name
        for info in pkgutil.walk_packages([str(ROOT)], "ceasefire.")
        if not info.name.endswith("__main__")
    ]
    on_disk = {
        ".".join(
            ("ceasefire", *path.relative_to(ROOT).with_suffix("").parts)
        ).removesuffix(".__init__")
        for path in ROOT.rglob("*.py")
        if path.stem != "__main__"
    }
    assert set(found) == on_disk - {"ceasefire"}, "the walk sees every module"
    return found


def _exception_classes() -> dict[str, type[BaseException]]:
    """``module.Class`` → class, for every exception class a module defines."""
    found: dict[str, type[BaseException]] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == name
            ):
                found[f"{name}.{attr}"] = obj
    return found


@pytest.fixture(scope="module")
def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class of the package (imports every module once)."""
    return _exception_classes()


def test_every_exception_is_defined_in_errors(
    exception_classes: dict[str, type[BaseException]],
) -> None:
    elsewhere = {
        name for name in exception_classes if not name.startswith("ceasefire.errors.")
    }
    assert elsewhere == ALLOWED_ELSEWHERE


def test_every_exception_derives_from_ceasefire_error(
    exception_classes: dict[str, type[BaseException]],
) -> None:
    outside = {
        name
        for name, cls in exception_classes.items()
        if not issubclass(cls, errors.CeasefireError)
    }
    assert outside == NOT_UNDER_ROOT


def test_no_exception_class_is_defined_inside_a_function() -> None:
    # the import walk sees module-level classes only; a nested ``class X(…Error)``
    # would escape it, so the source is read too
    nested = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ClassDef) and any(
                        _names_exception(base) for base in inner.bases
                    ):
                        nested.append(f"{path.relative_to(ROOT)}:{inner.name}")
    assert nested == []


def _names_exception(base: ast.expr) -> bool:
    name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
    return name.endswith(("Error", "Exception")) or name in ERROR_NAMES


ERROR_NAMES = {
    name
    for name, obj in vars(errors).items()
    if inspect.isclass(obj) and issubclass(obj, BaseException)
}


@pytest.mark.parametrize(
    ("old_home", "name"),
    [
        ("ceasefire.io.base", "RowError"),
        ("ceasefire.store.base", "StoreError"),
        ("ceasefire.log.service", "EntryNotFound"),
        ("ceasefire.api.errors", "ApiError"),
        ("ceasefire.scale.dataset", "DatasetError"),
        ("ceasefire.scale.spark", "SparkMissing"),
        ("ceasefire.model.states", "IllegalTransition"),
        ("ceasefire.agreement.predicate", "PredicateError"),
    ],
)
def test_old_import_paths_still_work(old_home: str, name: str) -> None:
    module = importlib.import_module(old_home)
    assert getattr(module, name) is getattr(errors, name)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.RowError, ValueError),
        (errors.DatasetError, ValueError),
        (errors.SparkMissing, RuntimeError),
    ],
)
def test_moved_errors_keep_their_builtin_base(
    cls: type[Exception], builtin: type[Exception]
) -> None:
    # callers that catch ValueError / RuntimeError still catch them
    assert issubclass(cls, builtin) and issubclass(cls, errors.CeasefireError)


def test_row_error_keeps_column_value_and_reason() -> None:
    error = errors.RowError("fatalities", "x", "not a whole number")
    with pytest.raises(ValueError, match="not a whole number"):
        raise error
    assert (error.column, error.value, error.reason) == (
        "fatalities",
        "x",
        "not a whole number",
    )


def test_api_error_code_follows_its_status() -> None:
    assert errors.ApiError(404, "no such incident").code == "not_found"
    assert errors.ApiError(418, "teapot").code == "error"
    assert errors.ApiError(400, "bad", code="bad_bbox").code == "bad_bbox"


def test_errors_imports_nothing_from_ceasefire() -> None:
    tree = ast.parse((ROOT / "errors.py").read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [m for m in imported if m.startswith("ceasefire")]
