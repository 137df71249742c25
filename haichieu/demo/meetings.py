"""The benchmark's meeting: a roll-call of a residential cell with a set number of invitations.

A step of its own after `seed_demo`, run on a data set seeded earlier as well (the benchmark reuses
its databases): it draws from its own random generator, so the rows `seed_demo` makes stay those of
its seed. `seed_bench_meeting(invited=300)` makes, once, an open regular meeting of the cell of the
`chibotdp` login (the residential cell's secretary), planned and opened through the meetings
services as that secretary (invitations by `meetings.rules.invitation_list`, audit, notices):

- when the cell has more than `invited` members to invite today, the meeting is dated the first
  day its invitation list counted `invited` (links are received over the years: a member placed
  in the cell later is not expected at an earlier meeting), found by asking the rule itself;
- when it has fewer, retired members who live in the cell are added to it, as the demo makes them
  (`plan_member`), with party card numbers of their own series (`added_members`), so that a data
  set still counts the members it was seeded with.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from haichieu.accounts.models import Role
from haichieu.demo.common import TODAY
from haichieu.demo.members import plan_member, write_members
from haichieu.demo.tree import Node, Tree
from haichieu.meetings import rules, services
from haichieu.meetings.models import Attendance, Meeting
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

BENCH_SECRETARY = "chibotdp"
BENCH_INVITED = 300
BENCH_PLACE = "Nhà văn hóa tổ dân phố (buổi sinh hoạt của dữ liệu đo hiệu năng)"
# Card numbers of the members this step adds: `<province>9<7 digits>`; the demo numbers its own
# `<province><7 digits>` from 1 (9 digits in all), so the two series never meet.
ADDED_SERIES = "9"


def bench_meeting() -> Meeting | None:
    """The meeting this step made, if it did."""
    return Meeting.objects.filter(place=BENCH_PLACE).order_by("pk").first()


def added_members():
    """The members this step added to the data set (none at 100,000 members): 10-digit card numbers
    whose third digit is ADDED_SERIES (the demo's have 9 digits)."""
    return Member.objects.filter(party_card_number__regex=rf"^[0-9]{{2}}{ADDED_SERIES}[0-9]{{7}}$")


def seed_bench_meeting(*, invited: int = BENCH_INVITED, seed: int = 2026, log=None) -> Meeting:
    """The open meeting of the secretary's cell with `invited` invitations (see the module); made
    once, found again afterwards."""
    log = log or (lambda message: None)
    existing = bench_meeting()
    if existing is not None:
        return existing
    role = Role.objects.select_related("user", "organization__commune", "organization__province").get(
        user__username=BENCH_SECRETARY
    )
    secretary, cell = role.user, role.organization
    with transaction.atomic():
        count = len(rules.invitation_list(cell, TODAY))
        if count < invited:
            _add_members(cell, invited - count, random.Random(seed))
            log(f"chi bộ {cell.name}: thêm {invited - count} đảng viên")
            day = TODAY
        else:
            day = _first_day_with(cell, invited)
        meeting = services.meeting_create(
            actor=secretary,
            cell=cell,
            kind=Meeting.Kind.REGULAR,
            date=day,
            start_time=datetime.time(19, 30),
            place=BENCH_PLACE,
            agenda="1. Thông báo tình hình kinh tế - xã hội, an ninh trật tự ở địa phương.",
        )
        services.meeting_set_state(actor=secretary, meeting=meeting, state=Meeting.State.OPEN)
    log(f"buổi sinh hoạt {meeting.date:%d/%m/%Y} của {cell.name}: {meeting.attendances.count()} đảng viên")
    return meeting


def _first_day_with(cell: Organization, invited: int) -> datetime.date:
    """The first day up to TODAY on which the cell's invitation list counted `invited` or more."""
    low, high = datetime.date(2000, 1, 1).toordinal(), TODAY.toordinal()
    while low < high:
        middle = (low + high) // 2
        if len(rules.invitation_list(cell, datetime.date.fromordinal(middle))) >= invited:
            high = middle
        else:
            low = middle + 1
    return datetime.date.fromordinal(low)


def _add_members(cell: Organization, count: int, rng: random.Random) -> None:
    """`count` retired members of the residential cell who live there, made as the demo makes them."""
    committee = Organization.objects.get_parent(cell)
    hamlet = (
        Member.objects.filter(workplace_cell=cell)
        .exclude(address_hamlet="")
        .values_list("address_hamlet", flat=True)
        .first()
        or cell.name.removeprefix("Chi bộ ").capitalize()
    )
    committee_node = Node(committee.code, committee.name, committee.kind, True, cell.commune, pk=committee.pk)
    cell_node = committee_node.add(
        Node(cell.code, cell.name, cell.kind, True, cell.commune, sector="retired", hamlet=hamlet, pk=cell.pk)
    )
    tree = Tree(committee_node, [], [], [committee_node], {cell.commune.code: [cell_node]})
    prefix = f"{cell.province.code.zfill(2)}{ADDED_SERIES}"
    offset = added_members().count()
    plans = [
        plan_member(
            rng,
            offset + n + 1,
            cell=cell_node,
            retired=True,
            province=cell.province,
            tree=tree,
            committee_communes=[],
            other_communes=[],
            card_prefix=prefix,
            forced={"status": Member.Status.FULL},
        )
        for n in range(count)
    ]
    write_members([p.member for p in plans])


# --- the year's meetings of every residential cell (issue 13: the meetings' figures at scale) ------
HISTORY_PLACE = "Nhà văn hóa khu dân cư (sinh hoạt định kỳ của dữ liệu đo hiệu năng)"
# Two meetings in the year (QĐ 213-QĐ/TW Art. 4: the residential cell meets its linked members every
# six months), on these days of the bench year.
HISTORY_DAYS = ((4, 15), (10, 15))
# How the invited took part (Attendance.Status), by weight: most present, some absent.
HISTORY_STATUSES = (
    (Attendance.Status.PRESENT, 78),
    (Attendance.Status.LATE, 5),
    (Attendance.Status.LEFT_EARLY, 2),
    (Attendance.Status.EXCUSED, 10),
    (Attendance.Status.UNEXCUSED, 5),
)


def history_meetings():
    """The meetings `seed_bench_history` made."""
    return Meeting.objects.filter(place=HISTORY_PLACE)


def seed_bench_history(*, year: int = TODAY.year, seed: int = 2026, log=None) -> int:
    """Once: the two closed meetings of `year` (HISTORY_DAYS) of every active residential cell, each
    inviting `meetings.rules.invitation_list` (the cell's members and the members linked to it that
    day; the exempt marked so) and every other invitation marked at the roll-call (HISTORY_STATUSES).
    Written in bulk (thousands of meetings: no audit entries or notices, which the roll-call's own
    meeting above has). Returns the marks made (0 when there already)."""
    log = log or (lambda message: None)
    if history_meetings().exists():
        return 0
    rng = random.Random(seed)
    statuses, weights = zip(*HISTORY_STATUSES, strict=True)
    secretary = Role.objects.select_related("user").get(user__username=BENCH_SECRETARY).user
    cells = list(
        Organization.objects.filter(
            kind=Organization.Kind.CELL, is_residential=True, is_active=True
        ).order_by("path")
    )
    marks = 0
    with transaction.atomic():
        for month, day in HISTORY_DAYS:
            date = datetime.date(year, month, day)
            held_at = timezone.make_aware(datetime.datetime.combine(date, datetime.time(19, 30)))
            meetings = Meeting.objects.bulk_create(
                Meeting(
                    cell=cell,
                    date=date,
                    start_time=datetime.time(19, 30),
                    place=HISTORY_PLACE,
                    agenda="1. Thông báo tình hình địa phương. 2. Phân công đảng viên giữ mối liên hệ.",
                    state=Meeting.State.CLOSED,
                    invited_at=held_at - datetime.timedelta(days=7),
                    opened_at=held_at,
                    closed_at=held_at + datetime.timedelta(hours=2),
                    created_by=secretary,
                )
                for cell in cells
            )
            rows = []
            for meeting in meetings:
                for invitation in rules.invitation_list(meeting.cell, date):
                    exempt = invitation.exempt
                    rows.append(
                        Attendance(
                            meeting=meeting,
                            member=invitation.member,
                            source=invitation.source,
                            status=Attendance.Status.EXEMPT if exempt else rng.choices(statuses, weights)[0],
                            method=Attendance.Method.ROLL_CALL,
                            marked_by=secretary,
                            marked_at=meeting.opened_at,
                        )
                    )
            Attendance.objects.bulk_create(rows, batch_size=5000)
            marks += len(rows)
            log(f"sinh hoạt ngày {date:%d/%m/%Y}: {len(meetings)} chi bộ nơi cư trú, {len(rows)} lượt mời")
    return marks
