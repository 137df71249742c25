"""Inserting many rows at once: PostgreSQL's COPY, Django's bulk_create elsewhere.

On PostgreSQL, `bulk_create` sends each column as an array built value by value in Python
(INSERT … SELECT FROM UNNEST): for the 20,000 members and audit entries of an import that cost more
than reading the file (bench/). COPY streams the rows through psycopg's C dumpers instead. Rows are
dicts of field names (or attnames) to values; what a dict leaves out gets the field's default, so
the rows written are the ones `Model(**values).save()` would write. Triggers fire as for INSERT.
The primary keys are taken from the table's sequence first (one query), so the caller gets them
without reading the rows back.
"""

from __future__ import annotations

import gc
import json
from contextlib import contextmanager

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .services import versioned_update


def _columns(model: type[Model]):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


_MISSING = object()


def _plan(model: type[Model], now) -> list[tuple]:
    """Per column: (attname, name, is relation, value when missing, prep function or None).

    Computed once per call; plain values (text, numbers, dates, None) go to psycopg as they are,
    JSON is serialised here.
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
        # JSON as its text, which COPY's text format hands to the column's own input function.
        prep = (
            (lambda v, f=f: None if v is None else json.dumps(v, cls=f.encoder))
            if isinstance(f, JSONField)
            else None
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


@contextmanager
def gc_paused():
    """Python's cycle collector paused for a bulk operation (reference counting still frees memory).

    An import holds some 20,000 rows of values while it makes hundreds of thousands more objects;
    each full collection walks all of them, and they came to a sixth of the import's time (bench/).
    What is not in a cycle is freed as before; the few cycles made meanwhile (openpyxl's workbook and
    its sheets) wait for the collector, which runs again after. Usable as a decorator.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CopyRows(list):
    """Rows already in the table's column order and as COPY sends them (see `copy_rows`)."""

    def __init__(self, model: type[Model], rows):
        super().__init__(rows)
        self.model = model


def copy_rows(model: type[Model], rows: list[dict]) -> list:
    """`rows` made ready for `bulk_insert` ahead of time (PostgreSQL; elsewhere they stay as they are).

    Formatting rows, JSON above all, is the Python half of a COPY: done inside another insert's
    `bulk_inserting` block, it costs nothing while the database writes that insert's rows.
    """
    if connection.vendor != "postgresql":
        return rows
    plan = _plan(model, timezone.now())
    return CopyRows(model, [_row(plan, row) for row in rows])


def bulk_insert(model: type[Model], rows: list[dict]) -> list:
    """Insert `rows` (dicts of field values, or `copy_rows`) in the current transaction; their
    primary keys, in order."""
    with bulk_inserting(model, rows) as pks:
        return pks


@contextmanager
def bulk_inserting(model: type[Model], rows: list[dict]):
    """`bulk_insert` whose block runs while the database is still writing the rows (PostgreSQL).

    The block gets the new primary keys, in order. On PostgreSQL every row has been sent when it
    starts, and the server updates the table's indexes meanwhile: Python work that does not use the
    connection (building the audit entries of the rows) costs no time there. Leaving the block
    waits for the rows to be written; the block must not use the database.
    """
    if not rows:
        yield []
        return
    if connection.vendor != "postgresql":
        # SQLite returns the new keys from a bulk insert (RETURNING).
        objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        yield [obj.pk for obj in objects]
        return
    fields = _columns(model)
    plan = _plan(model, timezone.now())
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk.column
    names = ", ".join(connection.ops.quote_name(f.column) for f in [model._meta.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk, len(rows)],
        )
        pks = [value for (value,) in cursor.fetchall()]
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        # Errors as Django's (IntegrityError, …), as the wrapper would raise them.
        with connection.wrap_database_errors, raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            if isinstance(rows, CopyRows) and rows.model is model:
                for key, row in zip(pks, rows, strict=True):
                    copy.write_row([key, *row])
            else:
                for key, row in zip(pks, rows, strict=True):
                    copy.write_row([key, *_row(plan, row)])
            yield pks


# Keys per query where each one is a parameter (SQLite).
IN_CHUNK = 500


def in_chunks(values) -> list:
    """Right-hand sides of `__in` lookups for many text values, one per query to run.

    On PostgreSQL one array parameter for them all: psycopg binds (and splits the query text on)
    each placeholder of a plain `__in`, which for 20,000 keys costs more than the lookup itself.
    """
    values = list(values)
    if not values:
        return []
    if connection.vendor == "postgresql":
        return [RawSQL("SELECT unnest(%s::text[])", [values])]
    return [values[start : start + IN_CHUNK] for start in range(0, len(values), IN_CHUNK)]


def bulk_update_versioned(model: type[Model], changes: list[tuple], *, now) -> set:
    """Apply `changes`, each (pk, version, {field name or attname: new value}), to the rows that
    still have that version; each updated row's `version` goes up by one and `updated_at` becomes
    `now`. The primary keys of the rows updated (a row someone changed meanwhile is left alone: the
    caller decides what that means). Values are never None: a field a change leaves out keeps its
    value.

    On PostgreSQL one UPDATE joins a temporary table filled by COPY: 20,000 single-row UPDATEs
    took 26 s. SQLite updates row by row, which costs microseconds there.
    """
    if not changes:
        return set()
    if connection.vendor != "postgresql":
        done = set()
        for pk, version, values in changes:
            if versioned_update(model, pk, version, now=now, **values):
                done.add(pk)
        return done
    fields = {f.name: f for f in _columns(model)} | {f.attname: f for f in _columns(model)}
    used = []
    for _pk, _version, values in changes:
        for name in values:
            column = fields[name].column
            if column not in used:
                used.append(column)
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    pk = qn(model._meta.pk.column)
    temp = qn(f"bulk_update_{model._meta.db_table}")
    select = ", ".join([pk, "version", *(qn(c) for c in used)])
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} AS SELECT {select} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {temp} ({select}) FROM STDIN") as copy:
            for key, version, values in changes:
                row = dict.fromkeys(used)
                for name, value in values.items():
                    field = fields[name]
                    row[field.column] = value.pk if field.is_relation and isinstance(value, Model) else value
                copy.write_row([key, version, *row.values()])
        assignments = ", ".join(f"{qn(c)} = COALESCE(t.{qn(c)}, m.{qn(c)})" for c in used)
        cursor.execute(
            f"UPDATE {table} m SET {assignments}, version = m.version + 1, updated_at = %s "
            f"FROM {temp} t WHERE m.{pk} = t.{pk} AND m.version = t.version RETURNING m.{pk}",
            [now],
        )
        done = {key for (key,) in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {temp}")
    return done
