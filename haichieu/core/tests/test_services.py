"""core.services.versioned_update: one conditional UPDATE that bumps `version` and sets `updated_at`."""

import datetime

import pytest
from django.utils import timezone

from haichieu.core.services import versioned_update
from haichieu.liaisons import services as liaison_services
from haichieu.liaisons.models import Liaison
from haichieu.members import services as member_services
from haichieu.members.models import Member

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.make_aware(datetime.datetime(2020, 1, 1, 8, 0))


def _age(model, pk):
    """Put the row's updated_at in the past, as if last written long ago (auto_now would not)."""
    model.objects.filter(pk=pk).update(updated_at=LONG_AGO)


def test_it_writes_bumps_the_version_and_sets_updated_at(world):
    _age(Member, world.m1.pk)
    assert versioned_update(Member, world.m1.pk, 1, position="Trưởng phòng")
    member = Member.objects.get(pk=world.m1.pk)
    assert member.position == "Trưởng phòng" and member.version == 2 and member.updated_at > LONG_AGO


def test_a_stale_version_writes_nothing(world):
    _age(Member, world.m1.pk)
    assert not versioned_update(Member, world.m1.pk, 7, position="Khác")
    member = Member.objects.get(pk=world.m1.pk)
    assert member.position == "Chuyên viên" and member.version == 1 and member.updated_at == LONG_AGO


def test_a_queryset_adds_its_conditions_and_none_takes_any_version(world):
    liaison = Liaison.objects.get(member=world.m1)
    assert not versioned_update(Liaison.objects.filter(status="introduced"), liaison.pk, None, status="ended")
    assert versioned_update(Liaison.objects.filter(status="active"), liaison.pk, None, status="ended")
    liaison.refresh_from_db()
    assert liaison.status == "ended" and liaison.version == 2


def test_member_update_sets_updated_at(world):
    _age(Member, world.m1.pk)
    member = member_services.member_update(
        actor=world.w1_staff, member=world.m1, data={"position": "Phó phòng"}
    )
    assert member.version == 2 and member.updated_at > LONG_AGO


def test_an_event_on_a_member_sets_updated_at(world):
    _age(Member, world.m1.pk)
    liaison_services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=timezone.localdate(),
        new_position="Phó phòng",
    )
    member = Member.objects.get(pk=world.m1.pk)
    assert member.position == "Phó phòng" and member.version == 2 and member.updated_at > LONG_AGO


def test_placing_a_member_sets_updated_at(world):
    liaison = Liaison.objects.get(member=world.m1)
    _age(Liaison, liaison.pk)
    liaison_services.liaison_place(
        actor=world.r1c1_secretary, liaison=liaison, group=None, follower_name="Bà Hoa"
    )
    liaison.refresh_from_db()
    assert liaison.follower_name == "Bà Hoa" and liaison.version == 2 and liaison.updated_at > LONG_AGO
