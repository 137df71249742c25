"""Paging of long lists: the page size asked for, and one keyset pager for every list.

Keyset pagination (rows after the last one shown, in the order of an index) keeps every page as
fast as the first, and the number of queries per page constant whatever its size (DESIGN.md
"Scale"; OFFSET at page 1,000 cost 24 ms on PostgreSQL, keyset 1.6 ms).

A cursor is the values of the page's ordering key in its last (or first) row, joined by dots
("00120340.5817"); the key's fields after the first hold no dot (numbers, dates). A cursor that
does not read as such a key (an old bookmark, a hand-edited URL) answers the first page.
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import BooleanField, Expression, F, Q, QuerySet

from .params import parse_id


def page_size(request) -> int:
    """`?size=` as asked, at most MAX_PAGE_SIZE; the default page size when absent or not a count."""
    default = settings.HAICHIEU["MEMBER_PAGE_SIZE"]
    size = parse_id(request.GET.get("size", ""))  # a count is read as an id is: 1 to 18 digits
    return default if size is None else min(size, settings.HAICHIEU["MAX_PAGE_SIZE"])


@dataclass
class Page:
    """One page of a list: its rows in list order, and the cursors of the pages beside it (None
    when there is none). A list that shows "Trang x/y" and its total counts them (`counted`)."""

    rows: list = field(default_factory=list)
    next_cursor: str | None = None
    prev_cursor: str | None = None
    number: int = 1  # the page's place, carried by the pager's links (?p=)
    total: int | None = None  # rows of the whole list, when counted
    size: int = 0

    @property
    def pages(self) -> int:
        if not self.total or not self.size:
            return 1
        return -(-self.total // self.size)

    def counted(self, *, total: int, size: int, request) -> Page:
        """This page with the list's total (one COUNT query, whatever the page size) and its
        number as the pager's links carry it (`?p=`; the first page without a cursor)."""
        self.total, self.size = total, size
        number = (
            parse_id(request.GET.get("p", "")) if request.GET.get("after") or request.GET.get("before") else 1
        )
        if self.prev_cursor is None:
            number = 1
        self.number = min(number or 1, self.pages)
        if self.next_cursor is None:  # the last page: whatever the link said
            self.number = self.pages
        return self


def numbered_page(rows: Sequence, raw: str, *, size: int) -> tuple[Page, str]:
    """Page `raw` (`?trang=`, counted from 1) of `size` rows of a list already held and ordered (a
    drill-down: every child's figures are counted in a constant number of queries and sorted worst
    first over all of them; only the page is shown). A page past the last answers the last. Returns
    the page (`number`, `total`, `size`, `pages`) and a message naming the field when `raw` is not a
    page number (the first page then)."""
    error = ""
    number = 1
    if raw:
        parsed = parse_id(raw)
        if parsed is None:
            error = f"Số trang “{raw[:20]}” không hợp lệ: đang hiển thị trang đầu."
        else:
            number = parsed
    page = Page(total=len(rows), size=size)
    page.number = min(number, page.pages)
    start = (page.number - 1) * size
    page.rows = list(rows[start : start + size])
    return page, error


def keyset_page(
    qs: QuerySet,
    *,
    key: Sequence[str],
    after: str = "",
    before: str = "",
    size: int,
    sides: Sequence[QuerySet] = (),
    load: Callable[[QuerySet], Iterable] | None = None,
) -> Page:
    """One page of `qs` in the order of `key`, after the cursor `after` or before `before`.

    `key`: the ordering, unique per row (its last field is the primary key), all ascending or all
    descending ("-event_date", "-pk"); a field may follow relations ("member__sort_key") or name an
    annotation of `qs`. size+1 rows are read to tell whether more exist.

    `sides`: querysets whose union is `qs` (say, the members a user sees from the workplace and
    those seen from the residence). Paged as one query, such a union can only walk the whole
    table's order testing each row; paged apart, each side reads its own index, as fast as its
    size allows. Each side gives the keys of its next size+1 rows; the page is the first size+1
    of their merge: one query on PostgreSQL; on SQLite one per side and one more, and the key's
    values must then sort in Python as in the database (numbers, dates, digit strings).

    `load`: turns the page's queryset (ordered, sliced) into its rows in the same order; by
    default the model instances. A page that shows few columns of many joined rows can read ids
    first and join only those (liaisons.selectors.incoming_page).
    """
    fields = _key_fields(qs, key)
    names = [name for name, _ in fields]
    descending = key[0].startswith("-")
    if any(k.startswith("-") != descending for k in key):
        raise ValueError("keyset_page: every field of the key goes the same way")
    position = _decode(before or after, fields)
    backwards = bool(before) and position is not None
    # The database reads in this order; a page read backwards is turned round at the end.
    reverse = descending != backwards
    order = [f"-{name}" if reverse else name for name in names]
    beyond = _beyond_q(names, position, reverse) if position is not None else Q()
    if len(sides) > 1:
        page_qs = _merged_sides(qs, sides, names, beyond, order, reverse, size)
    else:
        page_qs = qs.filter(beyond).order_by(*order)[: size + 1]
    rows = list(load(page_qs) if load is not None else page_qs)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        next_cursor = _encode(rows[-1], names) if rows else None
        prev_cursor = _encode(rows[0], names) if rows and more else None
    else:
        next_cursor = _encode(rows[-1], names) if rows and more else None
        prev_cursor = _encode(rows[0], names) if rows and position is not None else None
    return Page(rows=rows, next_cursor=next_cursor, prev_cursor=prev_cursor)


# Testing one row of a list against a part of links by a subquery costs about as much as counting
# this many of the part's links (8 µs against 1.1, EXPLAIN ANALYZE at 100,000 members).
CANDIDATE_COST = 8


class Held(NamedTuple):
    """What `held_ids` answers: each part's ids (None: dense), and the bound sqrt(page × rows)
    under which a part is gathered rather than walked."""

    parts: list[list | None]
    bound: int


def held_ids(
    querysets: Sequence[QuerySet],
    *,
    among,
    page: int,
    field: str,
    counts: Sequence[int | None] | None = None,
    reach: int = 1,
    candidates: int | None = None,
) -> Held | None:
    """What each queryset (rows that point at `among`, a model, through the foreign key `field`)
    holds, for a page of `page` rows: None when it holds `reach` × sqrt(page × rows of `among`'s
    table) rows or more (it is dense), else the distinct values of `field` in it, sorted; and that
    square root (`bound`). One query, counting each up to `reach` × bound (PostgreSQL); None on
    another database (its planner is left to choose).

    A list whose rows are a share of `among`'s rows (members linked to a ward, say) finds a page
    walking `among` in the list's order, testing each row, sooner than gathering and sorting all
    of it when it holds more than `bound`: walking reads about page × rows / held rows of the
    table, gathering reads every row held. A smaller one is walked too, testing each row against
    the ids it holds (`IdsIn`): gathering would look up each of them (a residential cell's 5,094
    members at 1,000,000: 5,094 reads of the member table, 31-55 ms; the walk reads 10,000 entries
    of the sort index, 2 ms). `reach` > 1 reads the ids of parts up to that many times the bound
    too, for a walk that tests them by hash sooner than by looking each row up (access.objects).

    `counts`: the rows of each queryset when already counted (None where not): such a queryset is
    told dense from its count, without reading it (a ward's tracking book at 1,000,000 members: the
    10,000 rows read to find it dense took 4 ms).

    `candidates`: the caller tests at most this many rows of `among` (the planner's estimate of a
    search's matches): a part whose count could read more rows than CANDIDATE_COST × candidates is
    answered dense without being read, each candidate then being tested against it (a province's
    rare name at 1,000,000 members: its two residence parts counted up to the bound, 11 ms, to find
    them dense; the name's few matches tested by a subquery, under 1 ms).
    """
    if not querysets or connections[querysets[0].db].vendor != "postgresql":
        return None
    table = among._meta.db_table
    root = f"(SELECT greatest(1, sqrt({int(page)} * greatest(reltuples, 0)))::int FROM pg_class WHERE oid = %s::regclass)"
    limit = f"({int(reach)} * {root})"
    parts, params = [root], [table]
    for index, qs in enumerate(querysets):
        known = counts[index] if counts is not None else None
        try:
            sql, sql_params = qs.values(field).query.sql_with_params()
        except EmptyResultSet:  # holds nothing (`none()`, an empty `__in`)
            parts.append("ARRAY[]::integer[]")
            continue
        if known is not None:  # the subquery runs only when the count is under the limit
            part = (
                f"(CASE WHEN %s >= {limit} THEN NULL"
                f" ELSE (SELECT coalesce(array_agg(part.id), '{{}}') FROM ({sql}) AS part(id)) END)"
            )
            part_params = [known, table, *sql_params]
        else:
            part = (
                f"(SELECT CASE WHEN count(*) >= {limit} THEN NULL"
                f" ELSE coalesce(array_agg(part.id), '{{}}') END"
                f" FROM ({sql} LIMIT {limit}) AS part(id))"
            )
            part_params = [table, *sql_params, table]
        if candidates is not None:  # the part is read only when testing the candidates costs more
            part = f"(CASE WHEN %s * {CANDIDATE_COST} < {limit} THEN NULL ELSE {part} END)"
            part_params = [candidates, table, *part_params]
        parts.append(part)
        params += part_params
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        bound, *held = cursor.fetchone()
    # Deduplicated here: in the query, the sort would run for a dense part too.
    return Held([None if ids is None else sorted(set(ids)) for ids in held], bound)


class IdsIn(Expression):
    """Rows whose `field` (default the primary key) is one of `ids` (integers), as one array on
    PostgreSQL.

    By default `= ANY(array)`, which PostgreSQL tests with a hash: a walk of a list's index tests
    each row against a few thousand ids (`held_ids`). With `gather`, `IN (SELECT unnest(array))`:
    the rows are looked up by id and sorted, never walked (for a side narrowed further, by a search
    say, whose few matches a walk could seek through the whole index). `IN (…)` elsewhere.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, ids, field: str = "pk", *, gather: bool = False):
        super().__init__()
        self.ids, self.gather = list(ids), gather
        self.column: Any = F(field)  # a column once resolved

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        if not self.ids:
            return "1 = 0", []
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        if not self.ids:
            return "1 = 0", []
        # An array of the column's own type: psycopg sends small numbers as int4[], and bigint =
        # int4 is tested element by element (a walk of 37,000 rows: 290 ms instead of 2). Sent as
        # the array's text, which the database reads: psycopg quotes a list element by element
        # (a ward's 9,155 members: 4.4 ms, the text 0.6).
        array = f"%s::{self.column.output_field.cast_db_type(connection)}[]"
        literal = "{" + ",".join(str(int(pk)) for pk in self.ids) + "}"
        if self.gather:
            return f"{sql} IN (SELECT unnest({array}))", (*params, literal)
        return f"{sql} = ANY({array})", (*params, literal)


def decode_cursor(qs: QuerySet, key: Sequence[str], cursor: str) -> tuple | None:
    """The values of `key` (as keyset_page takes it) that `cursor` names; None when it names none."""
    return _decode(cursor, _key_fields(qs, key))


def _merged_sides(qs, sides, names, beyond, order, reverse, size) -> QuerySet:
    """`qs` restricted to the first size+1 rows of the union of `sides`.

    Where the database takes a LIMIT in each part of a UNION (PostgreSQL), one query: the union
    of each side's next size+1 keys, each part planned on its own. Elsewhere (SQLite) one query
    per side, merged here.
    """
    sides = [side.filter(beyond).order_by(*order) for side in sides]
    if connections[qs.db].features.supports_slicing_ordering_in_compound:
        first, *rest = [side.values("pk")[: size + 1] for side in sides]
        return qs.filter(pk__in=first.union(*rest, all=True)).order_by(*order)[: size + 1]
    heads = [list(side.values_list(*names)[: size + 1]) for side in sides]
    pk_index = len(names) - 1
    page_pks: list = []
    for row in heapq.merge(*heads, reverse=reverse):
        if not page_pks or page_pks[-1] != row[pk_index]:  # a row seen from two sides comes twice in a row
            page_pks.append(row[pk_index])
        if len(page_pks) > size:
            break
    return qs.filter(pk__in=page_pks).order_by(*order)


def _key_fields(qs: QuerySet, key: Sequence[str]) -> list[tuple[str, object]]:
    """(name, model field or annotation's output field) of each field of `key`."""
    result: list[tuple[str, object]] = []
    for entry in key:
        name = entry.lstrip("-")
        if name in qs.query.annotations:
            result.append((name, qs.query.annotations[name].output_field))
            continue
        model, *path, last = [qs.model, *name.split("__")]
        for step in path:
            model = model._meta.get_field(step).related_model
        try:
            result.append((name, model._meta.pk if last == "pk" else model._meta.get_field(last)))
        except FieldDoesNotExist as exc:
            raise ValueError(f"keyset_page: no field {name!r} to page on") from exc
    return result


def _value(row, name: str):
    if isinstance(row, dict):
        return row[name]
    for step in name.split("__"):
        row = getattr(row, step)
    return row


def _text(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _encode(row, names: list[str]) -> str:
    return ".".join(_text(_value(row, name)) for name in names)


def _decode(cursor: str, fields) -> tuple | None:
    """The key a cursor names, or None when it names none (the page is then the first)."""
    if not cursor or "\x00" in cursor:
        return None
    parts = cursor.rsplit(".", len(fields) - 1)
    if len(parts) != len(fields) or not all(parts):
        return None
    try:
        return tuple(f.to_python(part) for (_, f), part in zip(fields, parts, strict=True))
    except (ValidationError, ValueError, TypeError):
        return None


def _beyond_q(names: list[str], values: tuple, reverse: bool) -> Q:
    """Rows strictly beyond `values` in the reading order: (a > x) or (a = x and b > y) …"""
    op = "lt" if reverse else "gt"
    q = Q()
    for i in range(len(names) - 1, -1, -1):
        strictly = Q(**{f"{names[i]}__{op}": values[i]})
        q = strictly if i == len(names) - 1 else strictly | (Q(**{names[i]: values[i]}) & q)
    return q
