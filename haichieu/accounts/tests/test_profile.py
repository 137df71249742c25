"""The profile page: clicking one's name shows who one is, one's roles in force, the password and
the two-factor settings (issue 15, item 10)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from haichieu.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_the_name_in_the_menu_opens_the_profile(world, client):
    client.force_login(world.w1_staff)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("profile")}"' in page
    assert f'href="{reverse("password_change")}"' not in page.split("<main")[0]


def test_profile_lists_roles_in_force_and_the_settings(world, client):
    user = world.w1_staff
    user.full_name, user.email = "Phạm Thị Hoa", "hoa@example.org"
    user.save()
    today = timezone.localdate()
    Role.objects.create(
        user=user, organization=world.w2, kind=Role.Kind.VIEWER, start_date=today - datetime.timedelta(days=30),
        end_date=today - datetime.timedelta(days=1),
    )  # fmt: skip
    Role.objects.create(
        user=user, organization=world.r1, kind=Role.Kind.VIEWER, start_date=today,
        end_date=today + datetime.timedelta(days=10),
    )  # fmt: skip
    client.force_login(user)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phạm Thị Hoa" in page and "w1_staff" in page and "hoa@example.org" in page
    assert "Đảng bộ Sở Tài chính" in page and "Cán bộ tổ chức / cấp ủy" in page
    assert "Đảng ủy phường Hoàn Kiếm" in page
    assert (today + datetime.timedelta(days=10)).strftime("%d/%m/%Y") in page
    assert "Đảng bộ Công ty Điện lực" not in page  # ended yesterday
    assert f'href="{reverse("password_change")}"' in page
    assert f'href="{reverse("two_factor")}"' in page
    assert "Chưa bật" in page


def test_profile_of_a_member_links_the_own_record(world, client):
    client.force_login(world.member_user)
    page = client.get(reverse("profile")).content.decode()
    assert reverse("members:detail", args=[world.m1.pk]) in page


def test_profile_needs_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
