"""The invitation list and the attendance arithmetic (haichieu/meetings/rules.py)."""

import datetime

import pytest
from django.utils import timezone

from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import Liaison
from haichieu.meetings import rules
from haichieu.meetings.models import Attendance
from haichieu.members.models import Member
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

D = datetime.date
S = Attendance.Status


def _linked(world, name, *, cell=None, status=Liaison.Status.ACTIVE, received=None, **member_fields):
    member = make_member(world.w1c2, name, **member_fields)
    Liaison.objects.create(
        member=member,
        workplace_org=world.w1,
        commune_org=world.r1,
        cell=cell or world.r1c1,
        status=status,
        received_at=received,
    )
    return member


def _names(invitations):
    return {(i.member.full_name, i.source, i.exempt) for i in invitations}


def _exempt(member, world, start, end):
    Exemption.objects.create(
        member=member,
        reason=Exemption.Reason.AGE_HEALTH,
        decided_by=world.r1c1,
        decided_on=start,
        start_date=start,
        end_date=end,
    )


def test_a_residential_cell_invites_its_own_members_and_the_linked_members_placed_in_it(world):
    resident = make_member(world.r1c1, "Hoàng Văn Hưu")
    make_member(world.r1c1, "Đinh Văn Mất", status=Member.Status.DECEASED)
    _linked(world, "Bùi Thị Nhận", status=Liaison.Status.RECEIVED)
    _linked(world, "Cao Văn Giới", status=Liaison.Status.INTRODUCED)  # not received yet
    _linked(world, "Đào Văn Hết", status=Liaison.Status.ENDED)
    _linked(world, "Lý Văn Khác", cell=world.r1c2)  # placed in another cell
    got = _names(rules.invitation_list(world.r1c1, D(2026, 6, 1)))
    assert got == {
        (resident.full_name, "cell", False),
        ("Nguyễn Văn An", "liaison", False),  # m1: active link in R1C1
        ("Bùi Thị Nhận", "liaison", False),
    }


def test_members_excused_by_hd33_are_not_invited_to_the_residence(world):
    _linked(world, "Trịnh Văn Xa", liaison_category=Member.LiaisonCategory.MOBILE)
    _linked(world, "Mai Thị Học", liaison_category=Member.LiaisonCategory.STUDY)
    got = {i.member.full_name for i in rules.invitation_list(world.r1c1, D(2026, 6, 1))}
    assert got == {"Nguyễn Văn An"}


def test_exempt_linked_members_are_not_invited_and_exempt_cell_members_are_listed_as_exempt(world):
    elder = make_member(world.r1c1, "Phan Văn Lão")
    _exempt(elder, world, D(2026, 1, 1), D(2026, 12, 31))
    _exempt(world.m1, world, D(2026, 5, 1), D(2026, 5, 31))
    in_may = _names(rules.invitation_list(world.r1c1, D(2026, 5, 31)))
    assert in_may == {(elder.full_name, "cell", True)}
    in_june = _names(rules.invitation_list(world.r1c1, D(2026, 6, 1)))  # m1's exemption has ended
    assert in_june == {(elder.full_name, "cell", True), ("Nguyễn Văn An", "liaison", False)}


def test_a_member_who_moved_in_mid_year_is_expected_from_the_links_start(world):
    received = timezone.make_aware(datetime.datetime(2026, 7, 15, 9, 0))
    _linked(world, "Vương Văn Mới", received=received)
    before = {i.member.full_name for i in rules.invitation_list(world.r1c1, D(2026, 7, 14))}
    on_the_day = {i.member.full_name for i in rules.invitation_list(world.r1c1, D(2026, 7, 15))}
    assert "Vương Văn Mới" not in before
    assert "Vương Văn Mới" in on_the_day


def test_a_workplace_cell_invites_its_active_members_only(world):
    got = {i.member.full_name for i in rules.invitation_list(world.w1c1, D(2026, 6, 1))}
    assert got == {"Nguyễn Văn An"}


@pytest.mark.parametrize(
    ("attended", "expected", "result"), [(0, 0, None), (1, 2, 50.0), (2, 3, 66.7), (3, 3, 100.0)]
)
def test_rate(attended, expected, result):
    assert rules.rate(attended, expected) == result


@pytest.mark.parametrize(
    ("statuses", "missed"),
    [
        ([], 0),
        ([S.PRESENT, S.UNEXCUSED, S.EXCUSED], 2),
        ([S.UNEXCUSED, S.EXEMPT, S.UNEXCUSED], 2),  # an exempt meeting neither breaks nor extends
        ([S.UNEXCUSED, S.LATE], 0),
        ([S.UNEXCUSED, S.UNEXCUSED, ""], 2),  # not marked yet: not counted
        ([S.UNEXCUSED, S.LEFT_EARLY, S.UNEXCUSED], 1),
    ],
)
def test_missed_in_a_row(statuses, missed):
    assert rules.missed_in_a_row(statuses) == missed
