"""Staff idle timeout, and a password change ending the user's other sessions (issue 9)."""

import pytest
from django.urls import reverse

from haichieu.accounts.signals import LAST_SEEN_KEY
from haichieu.core.models import AuditEntry
from haichieu.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def idle_30(settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "STAFF_IDLE_MINUTES": 30}


def _idle(client, minutes):
    session = client.session
    session[LAST_SEEN_KEY] -= minutes * 60
    session.save()


@pytest.mark.parametrize("persona", ["w1_staff", "r1_staff", "province_staff", "admin"])
def test_staff_idle_past_the_limit_are_signed_out(world, client, idle_30, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("home")).status_code == 200
    _idle(client, 31)
    response = client.get(reverse("members:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=" + reverse("members:list")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "không thao tác trong 30 phút" in page
    entry = AuditEntry.objects.filter(action="logout").latest("id")
    assert entry.actor_repr == persona and "30 phút" in entry.note


def test_staff_who_keep_working_stay_signed_in(world, client, idle_30):
    client.force_login(world.w1_staff)
    client.get(reverse("home"))
    _idle(client, 29)
    assert client.get(reverse("members:list")).status_code == 200
    _idle(client, 29)  # measured from the last request, not from the sign-in
    assert client.get(reverse("members:list")).status_code == 200


@pytest.mark.parametrize("persona", ["w1c1_secretary", "w1_viewer", "member_user"])
def test_users_who_are_not_staff_keep_their_session(world, client, idle_30, persona):
    client.force_login(getattr(world, persona))
    client.get(reverse("home"))
    _idle(client, 120)
    assert client.get(reverse("home")).status_code == 200


def test_htmx_requests_of_an_idle_session_send_the_whole_page_to_the_login(world, client, idle_30):
    client.force_login(world.w1_staff)
    client.get(reverse("home"))
    _idle(client, 31)
    response = client.get(reverse("members:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(world, client, django_user_model):
    from django.test import Client

    other = Client()
    other.force_login(world.w1_staff)
    assert other.get(reverse("home")).status_code == 200
    client.force_login(world.w1_staff)
    new = "Mat-khau-moi-2026-rat-dai"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200  # this session goes on
    response = other.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
