"""Inserting many rows at once: PostgreSQL's COPY, Django's bulk_create elsewhere.

On PostgreSQL, `bulk_create` sends each column as an array built value by value in Python
(INSERT … SELECT FROM UNNEST): for the 20,000 members and audit entries of an import that cost more
than reading the file (bench/). COPY streams the rows through psycopg's C dumpers instead. Rows are
dicts of field names (or attnames) to values; what a dict leaves out gets the field's default, so
the rows written are the ones `Model(**values).save()` would write. Triggers fire as for INSERT.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model
from django.utils import timezone


def _columns(model: type[Model]):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


_MISSING = object()


def _plan(model: type[Model], now) -> list[tuple]:
    """Per column: (attname, name, is relation, value when missing, prep function or None).

    Computed once per call; plain values (text, numbers, dates, None) go to psycopg as they are,
    only JSON needs Django's adaptation.
    """
    from django.db.models import JSONField

    plan = []
    for f in _columns(model):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            missing = now
        elif f.has_default():
            missing = _MISSING if callable(f.default) else f.get_default()
        else:
            missing = None if f.null else ""
        prep = (
            (lambda value, f=f: f.get_db_prep_save(value, connection)) if isinstance(f, JSONField) else None
        )
        plan.append((f.attname, f.name, f.is_relation, missing, prep, f))
    return plan


def _row(plan, values: dict) -> list:
    out = []
    for attname, name, relation, missing, prep, field in plan:
        if attname in values:
            value = values[attname]
        elif name in values:
            value = values[name]
            if relation and value is not None:
                value = value.pk
        else:
            value = field.get_default() if missing is _MISSING else missing
        out.append(prep(value) if prep is not None else value)
    return out


def bulk_insert(model: type[Model], rows: list[dict]) -> None:
    """Insert `rows` (dicts of field values) in the current transaction."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    fields = _columns(model)
    plan = _plan(model, timezone.now())
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(_row(plan, row))
