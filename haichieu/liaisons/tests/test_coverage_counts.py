"""The coverage counts the database keeps per organisation equal a live count after every kind of write."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count

from haichieu.liaisons import coverage, selectors, services
from haichieu.liaisons.models import CoverageCount, Liaison
from haichieu.members.models import Member
from haichieu.members.services import member_update
from haichieu.organizations.models import Commune, Organization
from haichieu.organizations.services import organization_move
from haichieu.testing import make_member, make_org

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)


def live_counts() -> dict:
    """{(org pk, link status, category): n} counted from the members, for every organisation."""
    result: dict = {}
    rows = (
        Member.objects.filter(status__in=Member.ACTIVE_STATUSES)
        .values("workplace_cell__path", "link_status", "liaison_category")
        .annotate(n=Count("id"))
        .order_by()
    )
    orgs = dict(Organization.objects.values_list("path", "pk"))
    for row in rows:
        path = row["workplace_cell__path"]
        for end in range(Organization.steplen, len(path) + 1, Organization.steplen):
            key = (orgs[path[:end]], row["link_status"], row["liaison_category"])
            result[key] = result.get(key, 0) + row["n"]
    return result


def kept_counts() -> dict:
    """{(org pk, link status, category): n} as kept, working members or not."""
    result: dict = {}
    for c in CoverageCount.objects.exclude(members=0):
        key = (c.org_id, c.link_status, c.liaison_category)
        result[key] = result.get(key, 0) + c.members
    return {key: n for key, n in result.items() if n}


def test_counts_follow_every_kind_of_write(world):
    assert kept_counts() == live_counts()
    hk = Commune.objects.get(code="00070")
    # Created directly, through the ORM: the triggers do not depend on the writer.
    a = make_member(world.w1c1, "Phạm Thu Hằng", residence_commune=hk, residence_province=hk.province)
    b = make_member(world.w1c2, "Hoàng Văn Nam", residence_commune=hk, liaison_category="barracks")
    make_member(world.w2c1, "Đỗ Văn Cũ", status=Member.Status.DECEASED)
    assert kept_counts() == live_counts()

    services.liaison_introduce(actor=world.w1_staff, members=[a, b], today=TODAY)  # none -> introduced
    assert Member.objects.get(pk=a.pk).link_status == Liaison.Status.INTRODUCED
    assert kept_counts() == live_counts()

    member_update(  # another cell, another category, then no longer active
        actor=world.province_staff, member=b, data={"workplace_cell": world.w2c1, "liaison_category": "study"}
    )
    assert kept_counts() == live_counts()
    Member.objects.filter(pk=a.pk).update(status=Member.Status.TRANSFERRED)
    assert kept_counts() == live_counts()
    Member.objects.filter(pk=b.pk).delete()
    assert kept_counts() == live_counts()
    services.member_link_status_refresh()
    assert kept_counts() == live_counts()


def test_moving_an_organisation_moves_its_counts(world):
    other = make_org(world.province, "W3", "Đảng bộ Sở Xây dựng", Organization.Kind.GRASSROOTS)
    make_member(world.w1c2, "Hoàng Văn Nam")
    organization_move(actor=world.admin, org=world.w1c2, new_parent=other)
    assert kept_counts() == live_counts()
    assert CoverageCount.objects.filter(org=other, members__gt=0).exists()


def test_rebuild_is_idempotent_and_repairs(world):
    CoverageCount.objects.filter(org=world.province).update(members=99)
    CoverageCount.objects.filter(org=world.w1).delete()
    coverage.coverage_counts_rebuild()
    coverage.coverage_counts_rebuild()
    assert kept_counts() == live_counts()


def test_summary_of_a_subtree_equals_a_count_over_its_members(world):
    make_member(world.w1c1, "Quân Văn Trại", liaison_category="barracks")
    make_member(world.w1c1, "Bí Văn Mật", liaison_category="secret")
    for user, org in [
        (world.province_staff, None),
        (world.w1_staff, None),
        (world.admin, None),
        (world.province_staff, world.w1c1),
    ]:
        summary = selectors.coverage_summary(user, org=org)
        scope_root = org or (world.w1 if user == world.w1_staff else world.province)
        members = Member.objects.filter(
            status__in=Member.ACTIVE_STATUSES, workplace_cell__path__startswith=scope_root.path
        )
        assert summary["total"] == members.count()
        assert (
            summary["covered"]
            == members.filter(link_status__in=["introduced", "received", "active"])
            .exclude(liaison_category="secret")
            .count()
        )


def test_triggers_come_back_after_a_migration_drops_them(world):
    coverage.coverage_triggers_uninstall(connection)
    make_member(world.w1c1, "Trước Khi Cài")  # not counted: no trigger
    assert coverage.coverage_triggers_install(connection) is True
    coverage.coverage_counts_rebuild()
    assert coverage.coverage_triggers_install(connection) is False
    make_member(world.w1c1, "Sau Khi Cài")
    assert kept_counts() == live_counts()


def test_counts_follow_bulk_statements(world):
    """Many rows in one statement (bulk_create, queryset update and delete), as loaders and imports write."""
    template = make_member(world.w1c1, "Mẫu Văn Một")
    rows = []
    for i in range(40):
        template.pk = None
        template.party_card_number = f"9400{i:04d}"
        template.workplace_cell = [world.w1c1, world.w1c2, world.w2c1][i % 3]
        template.liaison_category = ["regular", "barracks", "secret"][i % 3]
        rows.append(Member(**{f.attname: getattr(template, f.attname) for f in Member._meta.concrete_fields}))
    Member.objects.bulk_create(rows)
    assert kept_counts() == live_counts()
    Member.objects.filter(party_card_number__startswith="9400").update(link_status=Liaison.Status.DRAFT)
    Member.objects.filter(party_card_number__startswith="94000").update(phone="0900000000")  # not counted
    assert kept_counts() == live_counts()
    Member.objects.filter(party_card_number__startswith="9400", workplace_cell=world.w1c2).delete()
    assert kept_counts() == live_counts()


def test_counts_follow_an_excel_import_that_creates_and_moves_members(world, tmp_path):
    from haichieu.members.imports import members_import
    from haichieu.members.tests.import_files import workbook_bytes, write

    header = [
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số thẻ đảng viên",
        "Ngày vào Đảng",
        "Ngày chính thức",
        "Chi bộ",
    ]
    rows = [
        ["Phạm Thu Hằng", "01/02/1985", "Nữ", "94100001", "02/03/2010", "02/03/2011", "W1C1"],
        ["Hoàng Văn Nam", "01/02/1986", "Nam", "94100002", "02/03/2012", None, "W1C2"],  # probationary
        [world.m1.full_name, None, None, world.m1.party_card_number, None, None, "W1C2"],  # moved
    ]
    path = write(tmp_path, workbook_bytes([header, *rows]))
    result = members_import(actor=world.w1_staff, path=path, apply=True)
    assert result.applied and (result.created, result.updated) == (2, 1)
    assert Member.objects.get(pk=world.m1.pk).workplace_cell == world.w1c2
    assert kept_counts() == live_counts()
