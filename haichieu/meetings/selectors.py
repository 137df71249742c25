"""Reads of the meetings app, through the access rule (issue 11). Query counts do not grow with
the page: each list is one query (plus its counts), whatever its length."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

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

from . import rules
from .models import Attendance, Meeting

MEETING_KEY = ("-date", "-pk")

_expected = Q(attendances__status__gt="") & ~Q(attendances__status__in=Attendance.NOT_EXPECTED)
_attended = Q(attendances__status__in=Attendance.ATTENDED)


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


def roster(meeting: Meeting) -> list[Attendance]:
    """The meeting's invitations in list order, with their members (one query)."""
    return list(meeting.attendances.select_related("member").order_by("member__sort_key", "member_id"))


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


def workplace_page(user, *, today: datetime.date, after="", before="", size: int) -> Page:
    """The members of the user's workplace side invited to residence meetings, with this year's
    figures there and meetings missed in a row (two queries a page, whatever its size). The counts
    run over the residence invitations (the filter's join)."""
    year = Q(attendances__meeting__date__year=today.year, attendances__meeting__date__lte=today)
    members = (
        members_visible_to(user, workplace_only=True)
        .filter(attendances__source=Attendance.Source.LIAISON)
        .select_related("workplace_cell")
        .annotate(
            year_expected=Count("attendances", filter=year & _expected),
            year_attended=Count("attendances", filter=year & _attended),
        )
    )
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
        attendances_visible_to(user)
        .filter(member=member, meeting__date__gte=today)
        .exclude(meeting__state="closed")
        .select_related("meeting__cell")
        .order_by("meeting__date", "meeting__start_time", "meeting_id")
    )
    return OwnMeetings(links=links, upcoming=upcoming)


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
