"""Regulation 213 concerns members who work: a member whose official cell is a residential cell
(a retired member in the cell of their residential group) is never in the coverage, never "to
introduce", cannot be introduced, and counts, rates, list, reminders and export agree (issue 15.1).
"""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from haichieu.liaisons import reminders, rules, selectors, services
from haichieu.liaisons.models import CoverageCount, InboxItem, Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.organizations.services import organization_update
from haichieu.testing import make_member

from .test_coverage_counts import kept_counts, live_counts

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def retired(world):
    """Two retired members whose official cell is the residential cell of Quán Thánh (Ba Đình)."""
    ba_dinh = Commune.objects.get(code="00004")
    return [
        make_member(
            world.r2c1,
            name,
            residence_commune=ba_dinh,
            residence_province=ba_dinh.province,
            position="Hưu trí",
            date_of_birth=datetime.date(1950, 1, 1),
        )
        for name in ("Phùng Thị Hưu", "Kiều Văn Lão")
    ]


def test_rates_on_a_known_data_set(world, retired):
    # Working members: m1 and m3 active, m2 without a link. The two retired members are not counted.
    province = selectors.coverage_summary(world.province_staff)
    assert (province["total"], province["to_introduce"], province["covered"]) == (3, 3, 2)
    assert province["rate"] == 66.7
    assert province["not_yet"] == 1 and province["by_status"]["none"] == 1
    ward = selectors.coverage_summary(world.r2_staff)
    assert (ward["total"], ward["to_introduce"], ward["covered"]) == (0, 0, 0)
    # The tree still counts every active member of a residential cell.
    assert CoverageCount.objects.members_by_org([world.r2c1.pk]) == {world.r2c1.pk: 2}


def test_counts_stay_exact_through_writes_and_a_recount(world, retired):
    def working_counts() -> dict:
        return {
            (c.org_id, c.link_status, c.liaison_category): c.members
            for c in CoverageCount.objects.filter(working=True).exclude(members=0)
        }

    assert kept_counts() == live_counts()
    live_working = {
        key: n
        for key, n in live_counts().items()
        if key[0] not in (world.r2.pk, world.r2c1.pk)  # only the retired members are counted there
    }
    live_working[(world.province.pk, "none", "regular")] -= 2
    assert working_counts() == live_working
    # Moved to a working cell: counted; its residential cell made a working one: the recount follows.
    Member.objects.filter(pk=retired[0].pk).update(workplace_cell=world.w2c1)
    assert selectors.coverage_summary(world.province_staff)["total"] == 4
    organization_update(
        actor=world.admin,
        org=world.r2c1,
        code=world.r2c1.code,
        name=world.r2c1.name,
        kind=world.r2c1.kind,
        is_residential=False,
        commune=None,
    )
    assert selectors.coverage_summary(world.province_staff)["total"] == 5
    assert kept_counts() == live_counts()


def test_rules_leave_them_out(world, retired):
    members = Member.objects.all()
    assert set(rules.to_introduce(members)) == {world.m2}
    assert set(rules.working(members)) == {world.m1, world.m2, world.m3}
    retired_member = Member.objects.select_related("workplace_cell").get(pk=retired[0].pk)
    assert not rules.is_working(retired_member) and not rules.is_to_introduce(retired_member)
    assert not rules.introduction_overdue(members.filter(pk=retired[0].pk), TODAY).exists()


def test_the_service_refuses_to_introduce_them(world, retired):
    result = services.liaison_introduce(actor=world.province_staff, members=retired, today=TODAY)
    assert result.introduced == []
    assert [reason for _, reason in result.skipped] == [
        "sinh hoạt chính thức ở chi bộ nơi cư trú (Chi bộ tổ dân phố Quán Thánh), "
        "không thuộc diện giới thiệu về nơi cư trú"
    ] * 2
    assert not Liaison.objects.filter(member__in=retired).exists()


def test_list_export_introduce_all_and_reminders_agree(world, retired, client_for):
    client = client_for(world.province_staff)
    response = client.get(reverse("liaisons:coverage"))
    names = [row["member"].full_name for row in response.context["rows"]]
    assert names and not {"Phùng Thị Hưu", "Kiều Văn Lão"} & set(names)
    assert len(names) == response.context["summary"]["total"]
    export = client.get(reverse("liaisons:coverage"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    exported = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
    assert "Phùng Thị Hưu" not in exported and "Trần Thị Bình" in exported
    client.post(reverse("liaisons:introduce"), {"all": "1"})
    assert not Liaison.objects.filter(member__in=retired).exists()
    assert Liaison.objects.filter(member=world.m2).exists() is False  # m2 has no commune: skipped
    reminders.send_reminders(today=TODAY)
    summaries = " ".join(InboxItem.objects.filter(kind="reminder").values_list("summary", flat=True))
    assert "Hưu" not in summaries
    assert not InboxItem.objects.filter(kind="reminder", recipient_org__in=[world.r2, world.r2c1]).exists()
