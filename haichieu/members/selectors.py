"""Reads of members, scoped by the access rule, with keyset pagination.

Keyset (sort_key, id) pagination keeps every page as fast as the first, and the number of queries
per page constant whatever its size (DESIGN.md "Scale").
"""

import json

from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from haichieu.access import members_visible_to
from haichieu.core.paging import Page, keyset_page
from haichieu.core.paths import subtree_q
from haichieu.core.text import fold

from .models import Member


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
            qs = qs.annotate(page_order=Concat(F("sort_key"), Value("")))
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


# The columns the list shows (members/_list_results.html): loading whole rows of three tables
# costs more than the query itself (bench/, DESIGN.md "How performance is measured").
LIST_FIELDS = (
    "full_name", "sort_key", "date_of_birth", "position", "status",
    "workplace_cell__name", "residence_commune__name",
)  # fmt: skip


def member_page(
    qs, *, sides=(), after: str = "", before: str = "", size: int = 50, fields=LIST_FIELDS
) -> Page:
    """One page of `qs` in Vietnamese order (keyset on sort_key, id), after or before a cursor.

    Only `fields` are loaded: a page that shows more columns names them. `sides` (member_list_sides)
    are paged apart and merged (core.paging.keyset_page).
    """
    qs = qs.select_related("workplace_cell", "residence_commune").only(*fields)
    key = ("page_order", "id") if "page_order" in qs.query.annotations else ("sort_key", "id")
    return keyset_page(qs, key=key, sides=sides, after=after, before=before, size=size)
