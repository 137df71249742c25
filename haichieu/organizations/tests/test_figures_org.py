"""organizations.selectors.figures_org_from_query: the `?org=` of the figures pages (statistics,
meetings' figures), one rule for all of them."""

import pytest
from django.http import Http404

from haichieu.accounts.models import Role
from haichieu.organizations.selectors import figures_org_from_query
from haichieu.testing import make_user

pytestmark = pytest.mark.django_db

R = Role.Kind


@pytest.fixture
def two_roles(world):
    return make_user("two_roles", (R.STAFF, world.w1), (R.VIEWER, world.r1))


def test_none_given_is_the_users_first_top_and_the_others_are_listed(world, two_roles):
    org, others, error = figures_org_from_query(two_roles, "")
    assert error == ""
    assert {org.pk, *(o.pk for o in others)} == {world.w1.pk, world.r1.pk} and org not in others


def test_one_given_is_read_and_the_users_other_tops_are_still_listed(world, two_roles):
    org, others, error = figures_org_from_query(two_roles, str(world.r1c1.pk))
    assert (org, error) == (world.r1c1, "")
    assert sorted(o.pk for o in others) == sorted([world.w1.pk, world.r1.pk])
    org, others, _ = figures_org_from_query(two_roles, str(world.r1.pk))
    assert [o.pk for o in others] == [world.w1.pk]


@pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "9" * 40, "0x10"])
def test_a_malformed_value_gets_a_message_and_the_users_own(world, raw):
    org, others, error = figures_org_from_query(world.w1_staff, raw)
    assert (org, others) == (world.w1, [])
    assert error == "Mã tổ chức không hợp lệ: đang hiển thị tổ chức của bạn."


def test_outside_the_scope_or_without_an_organisation_is_404(world):
    with pytest.raises(Http404):
        figures_org_from_query(world.w1_staff, str(world.w2.pk))
    with pytest.raises(Http404):
        figures_org_from_query(world.w1_staff, "987654321")
    with pytest.raises(Http404):
        figures_org_from_query(make_user("nobody"), "")
