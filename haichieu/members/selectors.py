"""Reads of members, scoped by the access rule, with keyset pagination.

Keyset (sort_key, id) pagination keeps every page as fast as the first, and the number of queries
per page constant whatever its size (DESIGN.md "Scale").
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from haichieu.access import members_visible_to
from haichieu.core.paths import subtree_q
from haichieu.core.text import fold

from .models import Member


@dataclass
class MemberPage:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None


def member_list(
    user, *, q: str = "", org=None, status: str = "", has_commune: str = "", workplace_only=False
):
    """The scoped, filtered member queryset (not yet ordered or sliced)."""
    qs = members_visible_to(user, workplace_only=workplace_only)
    if org is not None:
        qs = qs.filter(subtree_q("workplace_cell__path", [org.path]))
    if status == "active":
        qs = qs.filter(status__in=Member.ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if has_commune == "yes":
        qs = qs.filter(residence_commune__isnull=False)
    elif has_commune == "no":
        qs = qs.filter(residence_commune__isnull=True)
    folded = fold(q)
    if folded:
        compact = folded.replace(" ", "")
        search = Q(name_folded__contains=folded)
        if compact.replace(".", "").replace("-", "").isalnum() and any(ch.isdigit() for ch in compact):
            search |= Q(party_card_number=compact)
        qs = qs.filter(search)
        if _few_matches(folded):
            # The same order, but as an expression PostgreSQL cannot read from the sort index: it
            # then takes the trigram index and sorts the matches. Walking the sort index instead
            # is fast for a common fragment, but a rare one that names a given name ("van vinh")
            # sits at one end of that index (it sorts by given name) and the walk reads almost
            # every row: 55 ms instead of 7 at 100,000 members (bench/).
            qs = qs.alias(page_order=Concat(F("sort_key"), Value("")))
    return qs


# Below this many estimated matches, sorting them beats walking the sort index.
FEW_MATCHES = 5000


def _few_matches(folded: str) -> bool:
    """PostgreSQL's own estimate (EXPLAIN, nothing executed) of how many names contain `folded`."""
    if connection.vendor != "postgresql" or len(folded) < 3:
        return False
    pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {Member._meta.db_table} WHERE name_folded LIKE %s",
            [pattern],
        )
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"] < FEW_MATCHES


def _encode(member) -> str:
    return f"{member.sort_key}.{member.pk}"


def _decode(cursor: str) -> tuple[str, int] | None:
    key, _, pk = (cursor or "").rpartition(".")
    if not key or not key.isdigit() or not pk.isdigit():
        return None
    return key, int(pk)


# The columns the list shows (members/_list_results.html): loading whole rows of three tables
# costs more than the query itself (bench/, DESIGN.md "How performance is measured").
LIST_FIELDS = (
    "full_name", "sort_key", "date_of_birth", "position", "status",
    "workplace_cell__name", "residence_commune__name",
)  # fmt: skip


def member_page(qs, *, after: str = "", before: str = "", size: int = 50, fields=LIST_FIELDS) -> MemberPage:
    """One page of `qs` in Vietnamese order, after or before a cursor; size+1 rows tell if more exist.

    Only `fields` are loaded: a page that shows more columns names them.
    """
    qs = qs.select_related("workplace_cell", "residence_commune").only(*fields)
    position = _decode(before) if before else _decode(after)
    backwards = bool(before) and position is not None
    if position is not None:
        key, pk = position
        if backwards:
            qs = qs.filter(Q(sort_key__lt=key) | Q(sort_key=key, id__lt=pk))
        else:
            qs = qs.filter(Q(sort_key__gt=key) | Q(sort_key=key, id__gt=pk))
    order_key = "page_order" if "page_order" in qs.query.annotations else "sort_key"
    order = (f"-{order_key}", "-id") if backwards else (order_key, "id")
    rows = list(qs.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        next_cursor = _encode(rows[-1]) if rows else None
        prev_cursor = _encode(rows[0]) if rows and more else None
    else:
        next_cursor = _encode(rows[-1]) if rows and more else None
        prev_cursor = _encode(rows[0]) if rows and position is not None else None
    return MemberPage(rows=rows, next_cursor=next_cursor, prev_cursor=prev_cursor)
