"""Reads for the yearly rating, already scoped through the access rule (workplace side only)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from haichieu.access import comment_requests_visible_to, ratings_visible_to, scope_for
from haichieu.comments.flags import Flag, flags_for
from haichieu.comments.models import CommentAnswer, CommentRequest
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


PROPOSAL = "proposal"  # the criterion of the form that proposes, not rates (Mẫu 3-213)


@dataclass
class ResidenceComment:
    """A member's yearly comment of the year from the residential cell, as the rating shows it:
    `state` is "answered" (the comment reached the workplace), "awaiting" (the commune committee
    has not confirmed it), "pending" or "overdue" (not written, within or past the deadline)."""

    request: CommentRequest
    state: str
    levels: list[tuple[str, str]] = field(default_factory=list)  # (criterion, level) in form order
    proposal: str = ""
    flags: list[Flag] = field(default_factory=list)

    @property
    def comment(self):
        return self.request.comment if self.state == "answered" else None

    @property
    def summary(self) -> str:
        """The levels in one line (the .xlsx list): each criterion's level, in the form's order."""
        return "; ".join(level for _, level in self.levels)


def _state_of(request: CommentRequest, today: datetime.date) -> str:
    if request.state == CommentRequest.State.ANSWERED:
        return "answered"
    if request.is_overdue(today):
        return "overdue"
    if request.state == CommentRequest.State.AWAITING_CONFIRMATION:
        return "awaiting"
    return "pending"


def residence_comments(user, members: Iterable, year: int) -> dict[int, ResidenceComment]:
    """{member id: their residence comment of `year`} for the members of a list, through the
    access rule (the workplace side of comment_requests_visible_to): the yearly request, its
    comment once answered with each criterion's level, and the flags where it and the facts
    disagree (comments.flags). Five queries at most, whatever the members."""
    ids = [m.pk for m in members]
    if not ids:
        return {}
    answers = CommentAnswer.objects.select_related("criterion").order_by("criterion__position")
    requests = list(
        comment_requests_visible_to(user, side="workplace")
        .filter(member_id__in=ids, year=year, purpose=CommentRequest.Purpose.YEARLY)
        .select_related("comment__confirmed_by", "cell")
        .prefetch_related(Prefetch("comment__answers", queryset=answers))
    )
    flags = flags_for(requests, year)
    today = timezone.localdate()
    found = {}
    for request in requests:
        state = _state_of(request, today)
        shown = ResidenceComment(request=request, state=state, flags=flags.get(request.member_id, []))
        if state == "answered":
            for answer in request.comment.answers.all():
                label = answer.criterion.level_label(answer.level)
                if answer.criterion.key == PROPOSAL:
                    shown.proposal = label
                else:
                    shown.levels.append((answer.criterion.label, label))
        found[request.member_id] = shown
    return found


def attach_residence_comments(user, members: list, year: int) -> None:
    """Each member's `residence_comment` (residence_comments; None when none was asked)."""
    found = residence_comments(user, members, year)
    for member in members:
        member.residence_comment = found.get(member.pk)


def rating_page(user, *, org: Organization, year: int, after: str = "", before: str = "", size: int) -> Page:
    """One page of the rating list: members, exempt marks, their ratings and their residence
    comments (seven queries at most, whatever the page's size)."""
    page = keyset_page(
        members_to_rate(user, org=org, year=year), key=MEMBER_KEY, after=after, before=before, size=size
    )
    _attach_ratings(user, page.rows, year)
    attach_residence_comments(user, page.rows, year)
    return page


def rating_rows(user, *, org: Organization, year: int, chunk: int = 1000) -> Iterator[Member]:
    """Every member of the list with `rating` and `residence_comment` attached, read a chunk at a
    time with the list's own pager (the export): seven queries a chunk at most, whatever the rows."""
    members = members_to_rate(user, org=org, year=year)
    cursor = ""
    while True:
        page = keyset_page(members, key=MEMBER_KEY, after=cursor, size=chunk)
        _attach_ratings(user, page.rows, year)
        attach_residence_comments(user, page.rows, year)
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
