"""Reads of members, scoped by the access rule, with keyset pagination.

Keyset (sort_key, id) pagination keeps every page as fast as the first, and the number of queries
per page constant whatever its size (DESIGN.md "Scale").
"""

from dataclasses import dataclass

from django.db.models import Q

from haichieu.core.access import members_visible_to
from haichieu.core.paths import subtree_q
from haichieu.core.text import fold

from .models import Member


@dataclass
class MemberPage:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None


def member_list(user, *, q: str = "", org=None, status: str = "", has_commune: str = "", workplace_only=False):
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
    return qs


def _encode(member) -> str:
    return f"{member.sort_key}.{member.pk}"


def _decode(cursor: str) -> tuple[str, int] | None:
    key, _, pk = (cursor or "").rpartition(".")
    if not key or not key.isdigit() or not pk.isdigit():
        return None
    return key, int(pk)


def member_page(qs, *, after: str = "", before: str = "", size: int = 50) -> MemberPage:
    """One page of `qs` in Vietnamese order, after or before a cursor; size+1 rows tell if more exist."""
    qs = qs.select_related("workplace_cell", "residence_commune")
    position = _decode(before) if before else _decode(after)
    backwards = bool(before) and position is not None
    if position is not None:
        key, pk = position
        if backwards:
            qs = qs.filter(Q(sort_key__lt=key) | Q(sort_key=key, id__lt=pk))
        else:
            qs = qs.filter(Q(sort_key__gt=key) | Q(sort_key=key, id__gt=pk))
    order = ("-sort_key", "-id") if backwards else ("sort_key", "id")
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
