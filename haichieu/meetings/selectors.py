"""Reads of the meetings app, through the access rule (issue 11). Query counts do not grow with
the page: each list is one query (plus its counts), whatever its length."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from haichieu.access import (
    attendances_visible_to,
    liaisons_visible_to,
    meetings_visible_to,
    members_visible_to,
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
