"""Which committee answers for a commune is the province's decision (issue 9, finding 1).

A workplace committee's staff could create, under their own committee, a node marked residential for
a commune with no committee in the system; the next introduction of another workplace's member who
lives there then went to that node, and its staff could open the member and return the letter.
"""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from haichieu.core.models import AuditEntry
from haichieu.core.services import ServiceError
from haichieu.liaisons import services as liaison_services
from haichieu.liaisons.models import InboxItem
from haichieu.organizations import services
from haichieu.organizations.models import Commune, Organization
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def orphan_commune(world):
    """A commune of the province with no committee in the system."""
    return Commune.objects.create(
        code="09988", name="Xã Ứng Thiên", division_type="xã", province=world.r1.commune.province,
        name_folded="xa ung thien",
    )  # fmt: skip # one call, the fields of one row


def _committee_kwargs(commune, code="RX"):
    return dict(
        code=code, name="Đảng ủy xã Ứng Thiên", kind=Organization.Kind.GRASSROOTS, is_residential=True,
        commune=commune,
    )  # fmt: skip # one call, the fields of one row


def test_workplace_staff_cannot_make_their_node_a_communes_committee(world, orphan_commune, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("organizations:create", args=[world.w1.pk]),
        {"code": "RX", "name": "Đảng ủy xã Ứng Thiên", "kind": "grassroots", "is_residential": "on",
         "province": orphan_commune.province_id, "commune": orphan_commune.pk},
    )  # fmt: skip # the form's fields as the review posted them
    assert response.status_code == 200
    assert "tổ chức nơi công tác" in response.content.decode() or "ban tổ chức" in response.content.decode()
    assert not Organization.objects.filter(code="RX").exists()
    # The next introduction of another workplace's member living there goes to no committee.
    member = make_member(world.w2c1, "Phạm Thị Dung", residence_commune=orphan_commune,
                         residence_province=orphan_commune.province)  # fmt: skip # one call
    assert liaison_services.commune_committee_for(orphan_commune) is None
    assert member.pk not in {
        m.pk for m in __import__("haichieu.access").access.members_visible_to(world.w1_staff)
    }


def test_a_residential_node_cannot_sit_inside_a_workplace_subtree(world):
    with pytest.raises(ServiceError, match="tổ chức nơi công tác"):
        services.organization_create(actor=world.province_staff, parent=world.w1, code="RC", name="Chi bộ tổ 9",
                                     kind="cell", is_residential=True)  # fmt: skip # one call
    with pytest.raises(ServiceError, match="tổ chức nơi công tác"):
        services.organization_move(actor=world.province_staff, org=world.r1c2, new_parent=world.w1)
    assert not Organization.objects.filter(code="RC").exists()


def test_ward_staff_cannot_set_a_committee_for_another_commune(world, orphan_commune):
    with pytest.raises(ServiceError, match="ban tổ chức"):
        services.organization_create(
            actor=world.r1_staff, parent=world.r1, **_committee_kwargs(orphan_commune)
        )
    # A residential cell of their own ward is theirs to add.
    cell = services.organization_create(
        actor=world.r1_staff,
        parent=world.r1,
        code="R1C9",
        name="Chi bộ tổ 9",
        kind="cell",
        is_residential=True,
        commune=world.r1.commune,
    )
    assert cell.is_residential and not cell.is_commune_committee


def test_province_staff_set_the_committee_audited_and_the_province_told(world, orphan_commune):
    org = services.organization_create(actor=world.province_staff, parent=world.province,
                                       **_committee_kwargs(orphan_commune))  # fmt: skip # one call
    assert liaison_services.commune_committee_for(orphan_commune) == org
    assert AuditEntry.objects.filter(target_id=str(org.pk), action="create").exists()
    told = InboxItem.objects.get(recipient_org=world.province, kind=InboxItem.Kind.COMMITTEE)
    assert "Ứng Thiên" in told.summary and org.code in told.summary
    # Deactivating it is the same decision, told the same way.
    services.organization_set_active(actor=world.province_staff, org=org, active=False)
    assert InboxItem.objects.filter(recipient_org=world.province, kind=InboxItem.Kind.COMMITTEE).count() == 2


def test_one_active_committee_per_commune(world):
    with pytest.raises(ServiceError, match="đã có một đảng ủy"):
        services.organization_create(actor=world.province_staff, parent=world.province,
                                     **_committee_kwargs(world.r1.commune))  # fmt: skip # one call
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.add_root(dict(code="RY", name="Đảng ủy trùng", kind="grassroots", is_residential=True,
                              commune=world.r1.commune))  # fmt: skip # one call


def test_ward_staff_cannot_move_their_committee_to_another_commune(world, orphan_commune):
    with pytest.raises(ServiceError):
        services.organization_update(
            actor=world.r1_staff,
            org=world.r1,
            code="R1",
            name=world.r1.name,
            kind=world.r1.kind,
            is_residential=True,
            commune=orphan_commune,
        )
    world.r1.refresh_from_db()
    assert world.r1.commune_id != orphan_commune.pk
