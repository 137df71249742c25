import datetime

import pytest

from haichieu.core.models import AuditEntry
from haichieu.core.services import ConflictError, ServiceError
from haichieu.members import services
from haichieu.members.models import Member

pytestmark = pytest.mark.django_db


def member_data(world, **extra):
    data = dict(
        full_name="Đặng  Thu Hà ",
        gender="female",
        date_of_birth=datetime.date(1990, 1, 2),
        party_card_number="12345678",
        admission_date=datetime.date(2015, 5, 19),
        full_membership_date=None,
        status="probationary",
        national_id="",
        phone="",
        email="",
        workplace_cell=world.w1c1,
        position="",
        workplace_unit="",
        address_street="",
        address_hamlet="",
        residence_commune=None,
        residence_province=None,
        residence_type="permanent",
        notes="",
    )
    data.update(extra)
    return data


def test_create_derives_search_and_sort_fields_and_audits(world):
    member = services.member_create(actor=world.w1_staff, data=member_data(world))
    assert member.full_name == "Đặng Thu Hà"
    assert member.name_folded == "dang thu ha"
    assert member.sort_key.isdigit()
    entry = AuditEntry.objects.get(target_type="members.member", target_id=str(member.pk))
    assert entry.action == "create" and entry.changes["after"]["full_name"] == "Đặng Thu Hà"


def test_create_outside_scope_is_refused(world):
    with pytest.raises(ServiceError, match="không có quyền"):
        services.member_create(actor=world.w2_staff, data=member_data(world))
    assert not Member.objects.filter(party_card_number="12345678").exists()


def test_update_records_before_and_after(world):
    services.member_update(actor=world.w1_staff, member=world.m1, data={"position": "Trưởng phòng"})
    entry = AuditEntry.objects.get(target_id=str(world.m1.pk), action="update")
    assert entry.changes == {"position": ["Chuyên viên", "Trưởng phòng"]}


def test_stale_version_is_refused_and_nothing_is_written(world):
    services.member_update(actor=world.w1_staff, member=world.m1, data={"position": "Phó phòng"}, version=1)
    with pytest.raises(ConflictError, match="người khác sửa"):
        services.member_update(
            actor=world.w1c1_secretary, member=world.m1, data={"position": "Khác"}, version=1
        )
    world.m1.refresh_from_db()
    assert world.m1.position == "Phó phòng" and world.m1.version == 2


def test_moving_a_member_needs_write_on_both_cells(world):
    with pytest.raises(ServiceError):
        services.member_update(actor=world.w1_staff, member=world.m1, data={"workplace_cell": world.w2c1})
    world.m1.refresh_from_db()
    assert world.m1.workplace_cell == world.w1c1


def test_the_form_copy_on_the_instance_does_not_fool_the_permission_check(world):
    # A ModelForm copies its input onto the instance before the service runs.
    world.m3.workplace_cell = world.w1c1
    with pytest.raises(ServiceError):
        services.member_update(actor=world.w1_staff, member=world.m3, data={"position": "X"})
