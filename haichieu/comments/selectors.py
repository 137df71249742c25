"""Reads of the comments app, through the access rule (issue 12). A list is one query a page (plus
its count), the progress one query, whatever their length."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from haichieu.access import (
    comment_request_sides,
    comment_requests_visible_to,
    organizations_visible_to,
    scope_for,
)
from haichieu.core.paging import Page, keyset_page
from haichieu.liaisons.models import ChangeNotice
from haichieu.meetings import rules as meeting_rules
from haichieu.meetings.models import Attendance
from haichieu.organizations.models import Organization

from . import rules
from .figures import NO_COMMUNE, progress_counts
from .models import Comment, CommentRequest, Criterion

REQUEST_KEY = ("deadline", "pk")
# What a row of the list shows (comments/jinja2/comments/_request_rows.html), and no more: a member
# row is some forty columns, and the page read three organisations' and a member's whole.
LIST_FIELDS = (
    "deadline", "year", "purpose", "state", "portal_reference", "member__full_name", "cell__name",
    "workplace_org__name",
)  # fmt: skip

# The list's state filter: the one definition of each in rules.py.
STATES = {
    "pending": "Chưa trả lời, còn hạn",
    "overdue": "Quá hạn",
    "awaiting": "Chờ đảng ủy xác nhận",
    "answered": "Đã gửi nơi công tác",
}


def _state_q(state: str, today: datetime.date) -> Q:
    return {
        "pending": rules.pending_q(today),
        "overdue": rules.overdue_q(today),
        "awaiting": Q(state=CommentRequest.State.AWAITING_CONFIRMATION),
        "answered": rules.answered_q(),
    }[state]


def requests_page(
    user,
    *,
    today: datetime.date,
    year: int | None = None,
    cell: Organization | None = None,
    commune: Organization | None = None,
    state: str = "",
    after: str = "",
    before: str = "",
    size: int,
) -> Page:
    """The requests the user sees, oldest deadline first (a cell's inbox, a commune's, the workplace's
    list), narrowed to one year, cell, commune committee or state (`requests_for`). Each side of
    what the user sees (access.comment_request_sides) is paged on its own index and the pages merged
    (bench `comment_inbox`: as one query a ward's page of 50 among 46,253 requests took 400 ms)."""

    def narrowed(qs: QuerySet) -> QuerySet:
        return _narrowed(qs, today=today, year=year, cell=cell, commune=commune, state=state)

    sides = [narrowed(side) for side in comment_request_sides(user)]
    # With several sides the page's rows are taken by primary key among theirs (keyset_page):
    # testing the scope again on them only cost the planner every join order (as member_list_page does).
    qs = narrowed(CommentRequest.objects.all()) if len(sides) > 1 else sides[0]
    return keyset_page(
        qs.select_related("member", "cell", "workplace_org").only(*LIST_FIELDS),
        key=REQUEST_KEY, after=after, before=before, size=size, sides=sides if len(sides) > 1 else (),
    )  # fmt: skip


def requests_for(
    user,
    *,
    today: datetime.date,
    year: int | None = None,
    cell: Organization | None = None,
    commune: Organization | None = None,
    state: str = "",
) -> QuerySet:
    """The list's rows before paging: the requests the user sees, narrowed to one year, cell, commune
    committee or state (STATES). The home page's work queue counts the same requests
    (`requests_count`)."""
    return _narrowed(
        comment_requests_visible_to(user), today=today, year=year, cell=cell, commune=commune, state=state
    )


def requests_count(
    user,
    *,
    today: datetime.date,
    year: int | None = None,
    cell: Organization | None = None,
    commune: Organization | None = None,
    state: str = "",
) -> int:
    """`requests_for(...).count()` (the home page's work queue): the union of the sides of what the
    user sees (access.comment_request_sides), each narrowed on its own index. As one query, the OR
    across three joins read every request of the province: 62–95 ms for a ward at 100,000 members."""
    return _union(
        [
            _narrowed(side, today=today, year=year, cell=cell, commune=commune, state=state)
            for side in comment_request_sides(user)
        ]
    ).count()


def _union(sides: list[QuerySet]) -> QuerySet:
    """The requests of `sides` (each once) as one queryset of their primary keys."""
    keys = [side.values("pk") for side in sides]
    return keys[0] if len(keys) == 1 else keys[0].union(*keys[1:])


def _narrowed(
    qs: QuerySet,
    *,
    today: datetime.date,
    year: int | None,
    cell: Organization | None,
    commune: Organization | None,
    state: str,
) -> QuerySet:
    """`qs` narrowed to one year, cell, commune committee or state (STATES)."""
    if year is not None:
        qs = qs.filter(year=year)
    if cell is not None:
        qs = qs.filter(cell=cell)
    if commune is not None:
        qs = qs.filter(commune_org=commune)
    if state:
        qs = qs.filter(_state_q(state, today))
    return qs


@dataclass
class ProgressRow:
    org_id: int | None
    name: str
    answered: int
    pending: int
    overdue: int

    @property
    def total(self) -> int:
        return self.answered + self.pending + self.overdue


def progress(
    user, *, year: int, today: datetime.date, commune: Organization | None = None
) -> list[ProgressRow]:
    """Answered, pending and overdue requests of `year` the user sees (figures.progress_counts), per
    commune committee, or per residential cell of one commune committee (`commune`): one query.
    A commune the user reads is seen whole (the residence side): its requests are read from its
    index alone. Otherwise the requests whose key is in the union of the sides of what the user sees
    (access.comment_request_sides), each narrowed on its own index: linear in the requests seen.
    Testing each request against each side's keys (`pk IN side OR pk IN side …`) was faster at
    100,000 members (the province 83 ms, against 219) but quadratic once a side's keys outgrow the
    hash PostgreSQL keeps in memory: with ten times the requests (462,530) the province's took more
    than a minute, the union 2.7 s (a workplace committee 16 ms, a ward 0.85 s). The page reads the
    statistics summary instead when it holds these counts (stats.figures.comment_progress)."""
    narrow = {"year": year, **({"commune_org": commune} if commune else {})}
    if commune is not None and scope_for(user).may_read(commune):
        qs = CommentRequest.objects.filter(**narrow)
    else:
        sides = [side.filter(**narrow) for side in comment_request_sides(user)]
        qs = CommentRequest.objects.filter(pk__in=_union(sides), **narrow)
    if commune is not None:
        by = ("cell_id", "cell__name")
    else:
        by = ("commune_org_id", "commune_org__name")
    rows = qs.values(*by).annotate(**progress_counts(today)).order_by(by[1], by[0])
    return [
        ProgressRow(r[by[0]], r[by[1]] or NO_COMMUNE, r["answered"], r["pending"], r["overdue"]) for r in rows
    ]


def progress_total(rows: list[ProgressRow]) -> ProgressRow:
    return ProgressRow(
        None,
        "Tổng cộng",
        sum(r.answered for r in rows),
        sum(r.pending for r in rows),
        sum(r.overdue for r in rows),
    )


@dataclass
class Facts:
    """What the system holds of the member for the year, shown above the comment form: the residence
    meetings (across the year's links: a member who moved sees both cells'), the contributions
    recorded at them, and the change notices the residence received."""

    year: int
    attendances: list[Attendance] = field(default_factory=list)
    expected: int = 0
    attended: int = 0
    rate: float | None = None
    expected_per_year: int = 0
    contributions: list[Attendance] = field(default_factory=list)
    notices: list[ChangeNotice] = field(default_factory=list)
    suggested_meetings_level: int | None = None


def comment_facts(request: CommentRequest) -> Facts:
    """The facts for `request`'s member and year (two queries). The request is the reason the cell
    sees them: the meetings are the residence's (invitations as a linked member), the notices those
    sent to the residence side."""
    year = request.year
    attendances = list(
        Attendance.objects.filter(
            member_id=request.member_id, source=Attendance.Source.LIAISON, meeting__date__year=year
        )
        .select_related("meeting__cell")
        .order_by("meeting__date", "meeting_id")
    )
    expected = sum(1 for a in attendances if meeting_rules.counts_as_expected(a.status))
    attended = sum(1 for a in attendances if a.attended)
    notices = list(
        ChangeNotice.objects.filter(
            member_id=request.member_id,
            direction=ChangeNotice.Direction.TO_RESIDENCE,
            event_date__year=year,
        ).order_by("event_date", "pk")
    )
    return Facts(
        year=year,
        attendances=attendances,
        expected=expected,
        attended=attended,
        rate=meeting_rules.rate(attended, expected),
        expected_per_year=meeting_rules.expected_per_year(),
        contributions=[a for a in attendances if a.contribution.strip()],
        notices=notices,
        suggested_meetings_level=rules.suggested_meetings_level(attended, expected),
    )


def criteria_of(request: CommentRequest) -> list[Criterion]:
    return list(request.form.criteria.order_by("position"))


@dataclass
class AnsweredCriterion:
    criterion: Criterion
    level: int | None

    @property
    def label(self) -> str:
        return self.criterion.level_label(self.level)


def comment_of(request: CommentRequest) -> tuple[Comment | None, list[AnsweredCriterion]]:
    """The request's comment, and each criterion of its form with the level chosen (two queries)."""
    comment = Comment.objects.filter(request=request).select_related("written_by", "confirmed_by").first()
    criteria = criteria_of(request)
    levels = {} if comment is None else dict(comment.answers.values_list("criterion_id", "level"))
    return comment, [AnsweredCriterion(c, levels.get(c.pk)) for c in criteria]


def request_org(user, pk: int | None) -> Organization | None:
    """The organisation a list or the progress is narrowed to: one the user reads, or the residential
    cell or commune committee of a request the user sees (the workplace drills down into the
    residence's figures of its own members); else None (two queries at most)."""
    if pk is None:
        return None
    org = organizations_visible_to(user).filter(pk=pk).first()
    if org is not None:
        return org
    if comment_requests_visible_to(user).filter(Q(cell_id=pk) | Q(commune_org_id=pk)).exists():
        return Organization.objects.filter(pk=pk).first()
    return None


def communes_for_filter(user, *, year: int) -> QuerySet:
    """The commune committees the user's requests of `year` go to (the progress page's drill-down)."""
    ids = comment_requests_visible_to(user).filter(year=year).values("commune_org_id")
    return Organization.objects.filter(pk__in=ids).order_by("name")
