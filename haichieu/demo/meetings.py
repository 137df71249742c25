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

from haichieu.accounts.models import Role
from haichieu.demo.common import TODAY
from haichieu.demo.members import plan_member, write_members
from haichieu.demo.tree import Node, Tree
from haichieu.meetings import rules, services
from haichieu.meetings.models import Meeting
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
