"""Migrations import nothing from the live app: they must do tomorrow what they did the day they were written.

A migration that imports, say, the coverage SQL from `haichieu.liaisons.coverage` installs what that
module writes today; rename a column it names and a fresh `migrate` breaks at that migration.
Django, the standard library and other migration modules are allowed.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # haichieu/
MIGRATIONS = sorted(p for p in PACKAGE.glob("*/migrations/*.py") if p.name != "__init__.py")


def _package_of(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).parts[:-1])


def _imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`, relative ones resolved in `package`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found += [(node.lineno, module)] + [(node.lineno, f"{module}.{a.name}") for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _app_code(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "haichieu" and not (len(parts) >= 3 and parts[2] == "migrations")


def test_there_are_migrations_to_check():
    assert any(p.parent.parent.name == "liaisons" for p in MIGRATIONS)


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_migration_imports_no_app_code(path):
    offending = [
        f"line {line}: {module}"
        for line, module in _imported_modules(path.read_text(encoding="utf-8"), _package_of(path))
        if _app_code(module)
    ]
    assert not offending, (
        f"{path.name} imports live app code (carry the SQL or data as it was then): {offending}"
    )


@pytest.mark.parametrize(
    "source, bad",
    [
        ("from haichieu.liaisons import coverage", True),
        ("def f():\n    from haichieu.liaisons.coverage import TRIGGERS", True),
        ("import haichieu.members.models", True),
        ("from ..models import Member", True),
        ("from .. import coverage", True),
        ("importlib.import_module('haichieu.liaisons.coverage')", True),
        ("from django.db import migrations, models", False),
        ("import datetime", False),
        ("from . import helpers", False),
        ("from haichieu.members.migrations import helpers", False),
    ],
)
def test_the_check_sees_every_kind_of_import(source, bad):
    modules = _imported_modules(source, "haichieu.liaisons.migrations")
    assert any(_app_code(m) for _, m in modules) is bad
