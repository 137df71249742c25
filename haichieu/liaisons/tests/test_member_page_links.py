"""The member page leads to the member's liaisons and, for those who may, to recording a change."""

import pytest
from django.urls import reverse

from haichieu.liaisons.models import Liaison

pytestmark = pytest.mark.django_db


def _page(client_for, user, member) -> str:
    return client_for(user).get(reverse("members:detail", args=[member.pk])).content.decode()


def test_workplace_staff_see_the_liaisons_and_the_change_form_link(world, client_for):
    liaison = Liaison.objects.get(member=world.m1)
    body = _page(client_for, world.w1_staff, world.m1)
    assert reverse("liaisons:detail", args=[liaison.pk]) in body
    assert reverse("liaisons:member_event", args=[world.m1.pk]) in body


def test_read_only_and_residence_users_get_no_change_form_link(world, client_for):
    liaison = Liaison.objects.get(member=world.m1)
    for user in (world.w1_viewer, world.r1_staff):
        body = _page(client_for, user, world.m1)
        assert reverse("liaisons:detail", args=[liaison.pk]) in body
        assert reverse("liaisons:member_event", args=[world.m1.pk]) not in body


def test_a_residence_user_does_not_see_the_members_draft(world, client_for):
    # A draft closed without being sent (one open link at most: m1's is active at the ward).
    draft = Liaison.objects.create(member=world.m1, workplace_org=world.w1, status=Liaison.Status.ENDED)
    assert reverse("liaisons:detail", args=[draft.pk]) in _page(client_for, world.w1_staff, world.m1)
    assert reverse("liaisons:detail", args=[draft.pk]) not in _page(client_for, world.r1_staff, world.m1)


def test_a_member_without_liaison_says_so(world, client_for):
    assert "Chưa có hồ sơ giữ mối liên hệ nơi cư trú" in _page(client_for, world.w1_staff, world.m2)
