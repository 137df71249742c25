"""The tree and organisation pages show members per subtree from the kept coverage counts.

They counted the members live; the coverage counts (liaisons.CoverageCount, kept by triggers) hold
the same numbers: active members of each subtree, whatever their link status or category.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haichieu.members.models import Member
from haichieu.organizations import selectors
from haichieu.organizations.models import Organization
from haichieu.testing import make_member, make_org

pytestmark = pytest.mark.django_db


def live_count(org: Organization) -> int:
    """What the pages showed before: active members whose workplace cell is in the subtree."""
    return Member.objects.filter(
        status__in=Member.ACTIVE_STATUSES, workplace_cell__path__startswith=org.path
    ).count()


def assert_counts_are_live():
    orgs = list(Organization.objects.all())
    assert selectors.member_counts_by_node(orgs) == {org.pk: live_count(org) for org in orgs}


def test_counts_equal_live_counts_on_the_test_world(world):
    make_member(world.w1c1, "Phạm Thu Hằng", liaison_category="barracks", link_status="introduced")
    make_member(world.w1c2, "Đỗ Văn Cũ", status=Member.Status.DECEASED)
    make_member(world.w2c1, "Lê Thị Mới", status=Member.Status.PROBATIONARY)
    assert_counts_are_live()
    assert selectors.member_counts_by_node([world.province])[world.province.pk] == 5


def test_counts_equal_live_counts_on_the_demo_data():
    call_command("seed_demo", members=300, seed=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Member.objects.exclude(status__in=Member.ACTIVE_STATUSES).exists()
    assert_counts_are_live()


def test_pages_show_the_live_counts(world, client_for):
    client = client_for(world.province_staff)
    response = client.get(reverse("organizations:detail", args=[world.w1.pk]))
    assert response.context["member_total"] == live_count(world.w1) == 2
    shown = {item["org"].pk: item["count"] for item in response.context["nodes"]}
    assert shown == {org.pk: live_count(org) for org in (world.w1c1, world.w1c2)}
    response = client.get(reverse("organizations:tree"))
    assert [(item["org"].pk, item["count"]) for item in response.context["roots"]] == [
        (world.province.pk, live_count(world.province))
    ]


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_pages_read_the_kept_counts_not_the_members(world, client_for):
    client = client_for(world.province_staff)
    for url in (
        reverse("organizations:tree"),
        reverse("organizations:children", args=[world.province.pk]),
        reverse("organizations:detail", args=[world.w1.pk]),
    ):
        sqls = _queries(client, url)
        assert any("liaisons_coveragecount" in sql for sql in sqls), url
        # The scope query reads the user's own member record with the roles: nothing else may.
        assert not any('"members_member"' in sql and '"accounts_role"' not in sql for sql in sqls), url


def test_detail_and_tree_query_counts_do_not_grow_with_organisations(world, client_for):
    admin = client_for(world.admin)
    detail = reverse("organizations:detail", args=[world.w1.pk])
    before = (len(_queries(admin, detail)), len(_queries(admin, reverse("organizations:tree"))))
    for i in range(10):
        cell = make_org(world.w1, f"W1X{i}", f"Chi bộ số {i}")
        make_member(cell, f"Nguyễn Văn Số {i}")
        make_org(world.province, f"P{i}", f"Đảng bộ số {i}", Organization.Kind.GRASSROOTS)  # shown expanded
    after = (len(_queries(admin, detail)), len(_queries(admin, reverse("organizations:tree"))))
    assert after == before
    # A tree of several roots (shown collapsed) reads no more with more of them.
    make_org(None, "ROOT0", "Tỉnh ủy số 0", Organization.Kind.PROVINCIAL)
    several = len(_queries(admin, reverse("organizations:tree")))
    for i in range(1, 10):
        make_org(None, f"ROOT{i}", f"Tỉnh ủy số {i}", Organization.Kind.PROVINCIAL)
    assert len(_queries(admin, reverse("organizations:tree"))) == several
