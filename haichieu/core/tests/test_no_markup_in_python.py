"""Markup lives in templates (STYLE.md habit 12): no Python module outside the tests assembles HTML.

Pages are Django templates; the long lists' rows are Jinja2 templates (core/jinja.py). A string
literal with an HTML tag in it, or a call that marks text safe (`mark_safe(...)`, `format_html`,
`Markup(...)`), is HTML built in Python; a docstring may still name a tag.
"""

import ast
import re
from pathlib import Path

import haichieu

PACKAGE = Path(haichieu.__file__).parent
TAG = re.compile(
    r"<(a|b|br|div|form|input|label|li|nav|option|p|select|span|strong|table|td|th|tr|ul)[\s>/]", re.I
)
SAFE_MAKERS = {"mark_safe", "format_html", "format_html_join", "SafeString", "SafeText", "Markup"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "browser_tests" in parts:
            continue
        yield path


def _docstrings(tree) -> set[int]:
    nodes = [
        tree,
        *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)),
    ]
    return {
        id(node.body[0].value)
        for node in nodes
        if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }


def _markup_in(path: Path, root: Path = PACKAGE) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if TAG.search(node.value):
                found.append(f"{where}: {node.value[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in SAFE_MAKERS:
                found.append(f"{where}: {name}(...)")
        elif isinstance(node, ast.alias) and node.name in SAFE_MAKERS - {"Markup", "SafeString"}:
            found.append(f"{where}: import {node.name}")  # the types may annotate; the helpers only build
    return found


def test_no_python_module_assembles_markup():
    found = [line for path in _modules() for line in _markup_in(path)]
    assert found == []


def test_the_check_finds_markup(tmp_path):
    module = tmp_path / "rows.py"
    module.write_text(
        '"""Rows as <tr>s."""\n'
        "from django.utils.safestring import mark_safe\n\n"
        "def row(name):\n"
        '    """One <td>."""\n'
        "    return mark_safe(f'<td><a href=\"/x/\">{name}</a></td>')\n",
        encoding="utf-8",
    )
    found = _markup_in(module, tmp_path)
    assert sorted(line.split(":")[1] for line in found) == ["2", "6", "6"], found
