"""Reads of members, scoped by the access rule, with keyset pagination.

Keyset (sort_key, id) pagination keeps every page as fast as the first, and the number of queries
per page constant whatever its size (DESIGN.md "Scale").
"""

import json
from collections.abc import Callable
from functools import partial

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat

from haichieu.access import member_sides, members_visible_to, scope_for
from haichieu.core.paging import IdsIn, Page, keyset_page
from haichieu.core.paths import subtree_q
from haichieu.core.text import fold

from .models import Member

# The columns the list shows (members/_list_results.html): loading whole rows of three tables
# costs more than the query itself (bench/, DESIGN.md "How performance is measured").
LIST_FIELDS = (
    "full_name", "sort_key", "date_of_birth", "position", "status",
    "workplace_cell__name", "residence_commune__name",
)  # fmt: skip


class MemberFilter:
    """What `member_filter` gives: called on members, the members the filters keep. `selective`:
    they keep few of the members they are given (a search, an organisation), so a side of the
    scope that holds few members is gathered and sorted, not walked in list order testing each
    (access.member_sides). `matches`: the planner's estimate of the members a search keeps, when
    they are few enough to be gathered and sorted (else None): each is then tested against a side
    sooner than the side is read."""

    def __init__(
        self,
        narrow: Callable[[QuerySet], QuerySet],
        *,
        selective: bool,
        keyed: Callable[[QuerySet], QuerySet],
        matches: int | None = None,
        gather: Callable[[], "MemberFilter | None"] | None = None,
    ):
        self._narrow, self.selective, self._keyed, self.matches = narrow, selective, keyed, matches
        self._gather = gather

    def __call__(self, qs: QuerySet) -> QuerySet:
        return self._narrow(qs)

    def keyed(self, qs: QuerySet) -> QuerySet:
        """`qs` with the list's order (the key its pages are read by), not filtered."""
        return self._keyed(qs)

    def gathered(self) -> "MemberFilter":
        """The same filter with its search's few matches read once, as their ids: each side of a
        scope it narrows then looks them up instead of reading the search's index again (a rare
        name at 1,000,000 members: 6 ms a reading). Itself where there is nothing to gather or the
        matches are more than the estimate said."""
        return (self._gather and self._gather()) or self


def member_filter(*, user, q: str = "", org=None, status: str = "", has_commune: str = "") -> MemberFilter:
    """The list's filters as one function from members to members, applied alike to the scope's
    members and to each of its sides (access.member_sides). A card number is matched only where
    `user` may see it (the workplace side, the member's own record)."""
    folded = fold(q)
    search = matches = gather = None
    if folded:
        compact = folded.replace(" ", "")
        search = Q(name_folded__contains=folded)
        card = compact.replace(".", "").replace("-", "").isalnum() and any(ch.isdigit() for ch in compact)
        if card:
            search |= Q(party_card_number=compact) & scope_for(user).sees_workplace_fields_q()
        estimate = _estimated_matches(folded)
        if estimate is not None and estimate < FEW_MATCHES:
            matches = estimate
            if not card:
                gather = partial(_gathered, search, org=org, status=status, has_commune=has_commune)
    return _narrowing(search, org=org, status=status, has_commune=has_commune, matches=matches, gather=gather)


def _gathered(search: Q, **filters) -> MemberFilter | None:
    """`_narrowing` with the members `search` finds as their ids; None past FEW_MATCHES."""
    ids = list(Member.objects.filter(search).values_list("pk", flat=True)[: FEW_MATCHES + 1])
    if len(ids) > FEW_MATCHES:
        return None
    return _narrowing(IdsIn(ids, gather=True), matches=len(ids), **filters)


def _narrowing(
    search, *, org, status: str, has_commune: str, matches: int | None, gather=None
) -> MemberFilter:
    """The filters as a MemberFilter: `search` a condition on members (or None)."""

    def narrow(qs: QuerySet) -> QuerySet:
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
        if search is not None:
            qs = qs.filter(search)
        return keyed(qs)

    def keyed(qs: QuerySet) -> QuerySet:
        if matches is not None:
            # The same order, but as an expression PostgreSQL cannot read from the sort index: it
            # then takes the trigram index and sorts the matches. Walking the sort index instead
            # is fast for a common fragment, but a rare one that names a given name ("van vinh")
            # sits at one end of that index (it sorts by given name) and the walk reads almost
            # every row: 55 ms instead of 7 at 100,000 members (bench/).
            qs = qs.annotate(page_order=Concat(F("sort_key"), Value("")))
        return qs

    selective = search is not None or org is not None
    return MemberFilter(narrow, selective=selective, keyed=keyed, matches=matches, gather=gather)


def member_list(user, *, workplace_only: bool = False, narrow=None, **filters) -> QuerySet:
    """The scoped, filtered member queryset (not yet ordered or sliced): `narrow` (member_filter)
    or the filters it takes."""
    narrow = narrow or member_filter(user=user, **filters)
    return narrow(members_visible_to(user, workplace_only=workplace_only))


def member_list_page(
    user, *, narrow, workplace_only: bool = False, after: str = "", before: str = "", size: int = 50,
    fields=LIST_FIELDS,
) -> Page:  # fmt: skip
    """One page of `member_list(user, narrow=narrow)`, each side of the user's scope read apart."""
    selective, matches = getattr(narrow, "selective", True), getattr(narrow, "matches", None)
    scope_sides = member_sides(user, workplace_only=workplace_only, narrowed=selective, matches=matches)
    if len(scope_sides) > 1 and isinstance(narrow, MemberFilter):
        narrow = narrow.gathered()  # each side would read the search's index
    sides = [narrow(side) for side in scope_sides]
    if len(sides) > 1:
        # The page's rows are taken by primary key among the sides' (keyset_page): testing the
        # scope again on them would only make the planner join every organisation, and a search
        # again would read its index once more (a rare name at 1,000,000 members: 6 ms a reading).
        qs = getattr(narrow, "keyed", narrow)(Member.objects.all())
    else:
        qs = sides[0] if sides else Member.objects.none()
    return member_page(qs, sides=sides, after=after, before=before, size=size, fields=fields)


# Below this many estimated matches, sorting them beats walking the sort index.
FEW_MATCHES = 5000


def _estimated_matches(folded: str) -> int | None:
    """PostgreSQL's own estimate (EXPLAIN, nothing executed) of how many names contain `folded`;
    None where it cannot tell (another database, fewer than three letters)."""
    if connection.vendor != "postgresql" or len(folded) < 3:
        return None
    pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {Member._meta.db_table} WHERE name_folded LIKE %s",
            [pattern],
        )
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


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
