"""Reads of the meetings app, through the access rule (issue 11). Query counts do not grow with
the page: each list is one query (plus its counts), whatever its length."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Substr

from haichieu.access import (
    attendances_visible_to,
    liaisons_visible_to,
    meetings_visible_to,
    members_visible_to,
    scope_for,
)
from haichieu.core.paging import Page, keyset_page
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Organization
from haichieu.organizations.selectors import organization_children

from . import rules
from .models import Attendance, Meeting

MEETING_KEY = ("-date", "-pk")


def expected_q(prefix: str = "attendances__") -> Q:
    """Invitations that count in the rates (rules.counts_as_expected): marked and not exempt."""
    return Q(**{f"{prefix}status__gt": ""}) & ~Q(**{f"{prefix}status__in": Attendance.NOT_EXPECTED})


def attended_q(prefix: str = "attendances__") -> Q:
    """Invitations taken part in (Attendance.ATTENDED)."""
    return Q(**{f"{prefix}status__in": Attendance.ATTENDED})


_expected = expected_q()
_attended = attended_q()


def with_counts(meetings: QuerySet) -> QuerySet:
    """Meetings with `invited`, `expected` (marked and not exempt) and `attended` counts."""
    return meetings.annotate(
        invited=Count("attendances"),
        expected=Count("attendances", filter=_expected),
        attended=Count("attendances", filter=_attended),
    )


def meetings_page(user, *, cell: Organization | None = None, after="", before="", size: int) -> Page:
    meetings = meetings_visible_to(user)
    if cell is not None:
        meetings = meetings.filter(cell=cell)
    return keyset_page(
        with_counts(meetings.select_related("cell")), key=MEETING_KEY, after=after, before=before, size=size
    )


ROSTER_ORDER = ("member__sort_key", "member_id")


def roster(meeting: Meeting) -> list[Attendance]:
    """The meeting's invitations in list order, with their members (one query)."""
    return list(meeting.attendances.select_related("member").order_by(*ROSTER_ORDER))


def roll_call_rows(meeting: Meeting) -> list[Mapping[str, object]]:
    """The roster as the roll-call shows it: dicts of the columns it shows, in list order (one
    query). Not model instances: 300 of them with their members kept ~2,700 objects for the garbage
    collector, whose full collections then came every few requests (80 ms each under load)."""
    return list(
        meeting.attendances.order_by(*ROSTER_ORDER).values(
            "pk", "source", "status", "reason", "contribution", full_name=F("member__full_name")
        )
    )


@dataclass
class MemberRecord:
    """A member's attendance: the history (newest first), this year's figures, missed in a row."""

    history: list[Attendance]
    year: int
    expected: int
    attended: int
    rate: float | None
    missed_in_a_row: int
    alert: bool


def member_record(user, member: Member, *, today: datetime.date) -> MemberRecord:
    """What `user` may see of `member`'s attendance (the workplace sees it wherever they live)."""
    history = list(
        attendances_visible_to(user)
        .filter(member=member)
        .select_related("meeting__cell")
        .order_by("-meeting__date", "-meeting_id")
    )
    this_year = [a for a in history if a.meeting.date.year == today.year and a.meeting.date <= today]
    expected = sum(1 for a in this_year if rules.counts_as_expected(a.status))
    attended = sum(1 for a in this_year if a.attended)
    missed = rules.missed_in_a_row([a.status for a in reversed(history)])
    return MemberRecord(
        history=history,
        year=today.year,
        expected=expected,
        attended=attended,
        rate=rules.rate(attended, expected),
        missed_in_a_row=missed,
        alert=missed >= rules.missed_alert(),
    )


@dataclass
class CellRecord:
    year: int
    held: int
    expected_meetings: int
    expected: int
    attended: int
    rate: float | None


def cell_record(cell: Organization, *, year: int) -> CellRecord:
    """Meetings held in `year` against the expected number, and the attendance rate (one query)."""
    rows = list(
        with_counts(Meeting.objects.filter(cell=cell, date__year=year, state=Meeting.State.CLOSED)).values(
            "expected", "attended"
        )
    )
    expected = sum(r["expected"] for r in rows)
    attended = sum(r["attended"] for r in rows)
    return CellRecord(
        year=year,
        held=len(rows),
        expected_meetings=rules.expected_per_year(),
        expected=expected,
        attended=attended,
        rate=rules.rate(attended, expected),
    )


MEMBER_KEY = ("sort_key", "pk")


def workplace_members(user, *, today: datetime.date, below: bool = False) -> QuerySet[Member]:
    """The members of the user's workplace side invited to residence meetings, with this year's
    `year_expected` and `year_attended` there (the counts run over the residence invitations, the
    filter's join); with `below`, only those below the year's minimum (rules.below_minimum). The
    workplace list's rows before paging; the home page's work queue counts the same query."""
    year = Q(attendances__meeting__date__year=today.year, attendances__meeting__date__lte=today)
    members = (
        members_visible_to(user, workplace_only=True)
        .filter(attendances__source=Attendance.Source.LIAISON)
        .annotate(
            year_expected=Count("attendances", filter=year & _expected),
            year_attended=Count("attendances", filter=year & _attended),
        )
    )
    if below:
        members = members.filter(rules.below_minimum_q(attended="year_attended", expected="year_expected"))
    return members


def workplace_page(
    user, *, today: datetime.date, below: bool = False, after="", before="", size: int
) -> Page:
    """`workplace_members` a page at a time, with this year's rate and meetings missed in a row
    (two queries a page, whatever its size)."""
    members = workplace_members(user, today=today, below=below).select_related("workplace_cell")
    page = keyset_page(members, key=MEMBER_KEY, after=after, before=before, size=size)
    statuses: dict[int, list[str]] = {m.pk: [] for m in page.rows}
    for member_id, status in (
        Attendance.objects.filter(member_id__in=statuses, meeting__date__lte=today)
        .order_by("meeting__date", "meeting_id")
        .values_list("member_id", "status")
    ):
        statuses[member_id].append(status)
    for member in page.rows:
        member.year_rate = rules.rate(member.year_attended, member.year_expected)
        member.missed_in_a_row = rules.missed_in_a_row(statuses[member.pk])
        member.alert = member.missed_in_a_row >= rules.missed_alert()
    return page


@dataclass
class OwnMeetings:
    links: list
    upcoming: list[Attendance]


def own_meetings(user, member: Member, *, today: datetime.date) -> OwnMeetings:
    """A member's own page: where they are linked now (commune, cell, group, who follows them) and
    the meetings they are invited to from today (two queries)."""
    links = list(
        liaisons_visible_to(user)
        .filter(member=member, status__in=Liaison.RESIDENT_STATUSES)
        .select_related("commune_org", "cell", "group")
        .order_by("-pk")
    )
    upcoming = list(
        upcoming_invitations(user, member, today=today)
        .select_related("meeting__cell")
        .order_by("meeting__date", "meeting__start_time", "meeting_id")
    )
    return OwnMeetings(links=links, upcoming=upcoming)


def upcoming_invitations(user, member: Member | int, *, today: datetime.date) -> QuerySet[Attendance]:
    """The member's invitations to meetings from today on that are not closed (their own page's
    "meetings ahead"; the home page's work queue counts the same query)."""
    return (
        attendances_visible_to(user)
        .filter(member=member, meeting__date__gte=today)
        .exclude(meeting__state=Meeting.State.CLOSED)
    )


def next_meetings(user, cell_ids: list[int], *, today: datetime.date) -> dict[int, Meeting]:
    """{cell id: the cell's next meeting not closed, from today on} for the cells the user reads
    among `cell_ids` (one query, whatever their number)."""
    rows = (
        meetings_visible_to(user)
        .filter(cell_id__in=cell_ids, date__gte=today)
        .exclude(state=Meeting.State.CLOSED)
        .order_by("cell_id", "-date", "-start_time", "-pk")
    )
    found: dict[int, Meeting] = {}
    for meeting in rows.only("pk", "cell_id", "date", "start_time", "place", "state"):
        found[meeting.cell_id] = meeting  # the last one read of a cell is its earliest
    return found


# The subscribable calendar (calendar.py `feed_token`): meetings from this many days back (a meeting
# just held stays in the calendar), at most this many.
FEED_PAST_DAYS = 90
FEED_LIMIT = 200


def has_calendar_feed(user) -> bool:
    """The user has meetings to subscribe to: as a member who signs in, or as a cell's secretary."""
    scope = scope_for(user)
    return scope.member_id is not None or bool(scope.secretary_cell_ids)


def feed_meetings(user, *, today: datetime.date) -> list[Meeting] | None:
    """The meetings of the user's calendar feed, oldest first: those the user is invited to as a
    member and those of the cells the user is secretary of, from FEED_PAST_DAYS ago (one query);
    None for a user who has no feed."""
    if not has_calendar_feed(user):
        return None
    scope = scope_for(user)
    mine = Q(pk__in=[])
    if scope.member_id is not None:
        invited = attendances_visible_to(user).filter(member_id=scope.member_id).values("meeting_id")
        mine |= Q(pk__in=invited)
    if scope.secretary_cell_ids:
        kept = meetings_visible_to(user).filter(cell_id__in=scope.secretary_cell_ids).values("pk")
        mine |= Q(pk__in=kept)
    since = today - datetime.timedelta(days=FEED_PAST_DAYS)
    return list(
        Meeting.objects.filter(mine, date__gte=since)
        .select_related("cell")
        .order_by("date", "start_time", "pk")[:FEED_LIMIT]
    )


# --- figures of an organisation's year (issue 11: held against expected, rate, below the minimum) ---
@dataclass
class Figures:
    """One organisation's year over its subtree: its active cells and the meetings they held (closed)
    against the expected number, the invitations and attendance rate of those meetings, and its
    linked members below the minimum (rules.below_minimum)."""

    org: Organization
    cells: int = 0
    cells_below: int = 0  # cells that held fewer meetings than rules.expected_per_year()
    held: int = 0
    invited: int = 0
    expected: int = 0
    attended: int = 0
    below_minimum: int = 0

    @property
    def expected_meetings(self) -> int:
        return self.cells * rules.expected_per_year()

    @property
    def rate(self) -> float | None:
        return rules.rate(self.attended, self.expected)

    def worst_first(self) -> tuple:
        """Sort key: the largest share of cells below the expected number first, then the lowest
        rate (none yet: lowest), then the most members below the minimum; no cells at all last."""
        share = self.cells_below / self.cells if self.cells else 0.0
        rate = self.rate if self.rate is not None else -1.0
        return (not self.cells, -share, rate, -self.below_minimum)


@dataclass
class OrganizationFigures:
    year: int
    total: Figures
    children: list[Figures]  # worst first


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def organization_figures(org: Organization, *, year: int) -> OrganizationFigures:
    """`org`'s figures for `year` and its active children's, worst first, each row counted over the
    child's subtree (`org` must be one the user reads: its whole subtree is then in scope).

    Counted in the database, grouped by the child's path (the first characters of each cell's
    path): at most nine queries whatever the number of children, cells or members. Linked members
    below the minimum are counted on the side of the row's organisation: for a residence one, the
    members its cells invited through their link (at those cells' meetings); for a workplace one,
    its own members wherever they live (their marks at any residential cell's meetings).
    """
    children = organization_children(org)
    total = Figures(org=org)
    if not children:
        _count(org, year, {org.path: total}, length=len(org.path))
    else:
        # Every cell of the subtree lies under one child (a cell has no children): the total is the
        # children's sum, inactive ones included, but for the members below the minimum (a member
        # may be counted under two children).
        rows = {child.path: Figures(org=child) for child in children}
        _count(org, year, rows, length=len(org.path) + Organization.steplen)
        for field in ("cells", "cells_below", "held", "invited", "expected", "attended"):
            setattr(total, field, sum(getattr(row, field) for row in rows.values()))
        _count_below_minimum(org, year, {org.path: total}, length=len(org.path))
    shown = [row for row in (rows.values() if children else ()) if row.org.is_active]
    # A stable sort: rows alike stay in the Vietnamese order of their names.
    return OrganizationFigures(year=year, total=total, children=sorted(shown, key=Figures.worst_first))


def _count(org: Organization, year: int, rows: dict[str, Figures], *, length: int) -> None:
    """Fill `rows` (by the path of their organisation, each `length` characters long) from the
    cells and meetings of `org`'s subtree."""
    start, end = year_bounds(year)
    closed = Q(state=Meeting.State.CLOSED, date__gte=start, date__lte=end)
    held_by_cell = (
        Meeting.objects.filter(closed, cell=OuterRef("pk"))
        .order_by()
        .values("cell")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Meetings held are counted per active cell (an index range each), so that the invitations
    # below are one grouping of the year's invitations, with no DISTINCT over their join.
    cells = (
        Organization.objects.filter(org.subtree_q(), kind=Organization.Kind.CELL, is_active=True)
        .annotate(key=Substr("path", 1, length), n_held=Coalesce(Subquery(held_by_cell), 0))
        .values("key")
        .annotate(
            cells=Count("pk"),
            below=Count("pk", filter=Q(n_held__lt=rules.expected_per_year())),
            held=Sum("n_held"),
        )
        .order_by()
    )
    for row in cells:
        if (figures := rows.get(row["key"])) is not None:
            figures.cells, figures.cells_below, figures.held = row["cells"], row["below"], row["held"] or 0
    invitations = (
        Attendance.objects.filter(
            org.subtree_q("meeting__cell__path"),
            meeting__state=Meeting.State.CLOSED,
            meeting__date__gte=start,
            meeting__date__lte=end,
        )
        .annotate(key=Substr("meeting__cell__path", 1, length))
        .values("key")
        .annotate(
            n_invited=Count("pk"),
            n_expected=Count("pk", filter=expected_q("")),
            n_attended=Count("pk", filter=attended_q("")),
        )
        .order_by()
    )
    for row in invitations:
        if (figures := rows.get(row["key"])) is not None:
            figures.invited, figures.expected, figures.attended = (
                row["n_invited"],
                row["n_expected"],
                row["n_attended"],
            )
    _count_below_minimum(org, year, rows, length=length)


def _count_below_minimum(org: Organization, year: int, rows: dict[str, Figures], *, length: int) -> None:
    """Linked members below the minimum, on each row's side (see organization_figures)."""
    start, end = year_bounds(year)
    for residential, where in ((True, "meeting__cell__path"), (False, "member__workplace_cell__path")):
        keys = {key for key, figures in rows.items() if figures.org.is_residential == residential}
        if not keys:
            continue
        for key, n in _members_below_minimum(org, start, end, where=where, length=length).items():
            if key in keys:
                rows[key].below_minimum = n


def linked_marks(start: datetime.date, end: datetime.date) -> list[tuple[int, int, int | None, int, int]]:
    """(member, meeting's cell, member's workplace cell, expected, attended) of the invitations
    through a link at closed meetings from `start` to `end` (the statistics summary counts the
    members below the minimum from them, as `_members_below_minimum` does here, for every
    organisation at once)."""
    return list(
        Attendance.objects.filter(
            source=Attendance.Source.LIAISON,
            meeting__state=Meeting.State.CLOSED,
            meeting__date__gte=start,
            meeting__date__lte=end,
        )
        .values_list("member_id", "meeting__cell_id", "member__workplace_cell_id")
        .annotate(
            n_expected=Count("pk", filter=expected_q("")), n_attended=Count("pk", filter=attended_q(""))
        )
        .order_by()
    )


def _members_below_minimum(org, start, end, *, where: str, length: int) -> dict[str, int]:
    """{path prefix: linked members below the minimum}: their residence invitations of the year at
    closed meetings, where `where` (the meeting's cell, or the member's workplace cell) lies in
    `org`'s subtree, grouped by the prefix and the member; the members below counted per prefix."""
    per_member = (
        Attendance.objects.filter(
            org.subtree_q(where),
            source=Attendance.Source.LIAISON,
            meeting__state=Meeting.State.CLOSED,
            meeting__date__gte=start,
            meeting__date__lte=end,
        )
        .annotate(key=Substr(where, 1, length))
        .values("key", "member_id")
        .annotate(
            n_expected=Count("pk", filter=expected_q("")), n_attended=Count("pk", filter=attended_q(""))
        )
        .filter(rules.below_minimum_q(attended="n_attended", expected="n_expected"))
        .order_by()
    )
    sql, params = per_member.query.sql_with_params()
    connection = connections[per_member.db]
    key = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT below.{key}, COUNT(*) FROM ({sql}) below GROUP BY below.{key}", params)
        return dict(cursor.fetchall())
