"""Reads for the yearly rating, already scoped through the access rule (workplace side only)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from haichieu.access import ratings_visible_to, scope_for
from haichieu.core.paging import Page, keyset_page
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import rules
from .models import Rating

MEMBER_KEY = ("sort_key", "pk")


def members_to_rate(user, *, org: Organization, year: int) -> QuerySet[Member]:
    """The active members whose workplace cell lies in `org`'s subtree and in the user's workplace
    scope, each annotated `is_exempt` (rules.exempt_annotation), in list order. Members of
    residential cells are the residence side's and are not listed (access.rating_member_get_for). The caller has checked `org`
    (access.rating_org_get_for)."""
    scope = scope_for(user)
    return (
        Member.objects.filter(scope.workplace_q(), rules.to_rate_q(org))
        .select_related("workplace_cell")
        .annotate(is_exempt=rules.exempt_annotation(year))
        .order_by(*MEMBER_KEY)
    )


def _attach_ratings(user, members: list[Member], year: int) -> None:
    """Each member's rating of the year as `member.rating` (None when not recorded): one query."""
    ratings = {
        r.member_id: r
        for r in ratings_visible_to(user)
        .filter(year=year, member_id__in=[m.pk for m in members])
        .select_related("level", "rated_by")
    }
    for member in members:
        member.rating = ratings.get(member.pk)  # type: ignore[attr-defined]


def rating_page(user, *, org: Organization, year: int, after: str = "", before: str = "", size: int) -> Page:
    """One page of the rating list: members, exempt marks and their ratings (two queries)."""
    page = keyset_page(
        members_to_rate(user, org=org, year=year), key=MEMBER_KEY, after=after, before=before, size=size
    )
    _attach_ratings(user, page.rows, year)
    return page


def rating_rows(user, *, org: Organization, year: int, chunk: int = 1000) -> Iterator[Member]:
    """Every member of the list with `rating` attached, read a chunk at a time with the list's own
    pager (the export): two queries a chunk, whatever the rows."""
    members = members_to_rate(user, org=org, year=year)
    cursor = ""
    while True:
        page = keyset_page(members, key=MEMBER_KEY, after=cursor, size=chunk)
        _attach_ratings(user, page.rows, year)
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def member_rating(user, member: Member, year: int) -> Rating | None:
    return (
        ratings_visible_to(user).filter(member=member, year=year).select_related("level", "rated_by").first()
    )


def schemes_for_rules_page() -> list:
    """Every year's scheme with its levels (the rules page): two queries."""
    from django.db.models import Prefetch

    from .models import RatingLevel, RatingScheme

    return list(
        RatingScheme.objects.order_by("-year").prefetch_related(
            Prefetch("levels", queryset=RatingLevel.objects.order_by("order"))
        )
    )
