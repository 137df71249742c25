"""Helpers for an app's default templates (registry.register's `default_template`).

A kind's default template is laid out by the same python-docx writer as the document itself, fed a
context whose values are the placeholders ("{{ member.full_name }}") instead of data: the default
template and the python-docx layout stay one piece of code. These build such contexts.
"""

from __future__ import annotations

from haichieu.core import documents as layout

DOTS = layout.BLANK * 4  # what `core.documents.labelled` prints for an empty value


def ph(name: str, blank: bool = False) -> str:
    """'{{ name }}'; `blank`: dots when the value is empty, as the python-docx layout prints them."""
    return f"{{{{ {name}|default('{DOTS}', true) }}}}" if blank else f"{{{{ {name} }}}}"


def loop(items: str, item: str, text: str) -> list[str]:
    """Paragraphs repeated for each item of a list (docxtpl's {%p %} tags take a paragraph each)."""
    return [f"{{%p for {item} in {items} %}}", text, "{%p endfor %}"]


def when(condition: str, text: str) -> list[str]:
    """A paragraph printed only when `condition` (a Jinja expression) holds."""
    return [f"{{%p if {condition} %}}", text, "{%p endif %}"]


def header() -> dict:
    """The party header's part of a context (core.documents.header_from_context) as placeholders."""
    return {
        layout.TEMPLATE: True,
        "number": "{% if number %}{{ number }}{% endif %}",
        "date": None,
        "date_line": ph("date_line"),
        "issuer": {
            "superior": ph("issuer.superior"),
            "name": ph("issuer.name"),
            "place": ph("issuer.place"),
            "on_behalf": ph("issuer.on_behalf"),
        },
    }


def table_loop(keys: list[str], items: str = "rows") -> list[dict]:
    """The three rows of a table that repeats its middle row for each of `items` ({%tr %})."""
    first, *rest = keys
    return [
        {first: f"{{%tr for row in {items} %}}", **dict.fromkeys(rest, "")},
        {key: ph(f"row.{key}") for key in keys},
        {first: "{%tr endfor %}", **dict.fromkeys(rest, "")},
    ]
