"""HTML rows of the long lists, built in Python (members/views.py, liaisons/rows.py).

Rendered by the template engine, a 50-row list costs more than every query of its page; f-strings
over escaped values cost a tenth of that. Every value a row shows goes through `e`.
"""

from html import escape


def e(value) -> str:
    """`value` as text, escaped for HTML content and attribute values."""
    return escape(str(value), quote=True)
