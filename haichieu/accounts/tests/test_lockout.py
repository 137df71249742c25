"""Sign-in throttling (issue 9, finding 4): lockout by username and by address, with a cool-off."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from haichieu.core.models import AuditEntry
from haichieu.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "LOGIN_FAILURE_LIMIT": 3, "LOGIN_COOL_OFF_MINUTES": 30}
    return 3


def _sign_in(client, username, password, address="10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_username_is_locked_after_the_failures_and_the_unlock_command_opens_it(world, client, limit):
    for _ in range(limit - 1):
        response = _sign_in(client, "w1_staff", "sai-mat-khau")
        assert response.status_code == 200
        assert "tạm khóa" not in response.content.decode()
    response = _sign_in(client, "w1_staff", "sai-mat-khau")
    assert response.status_code == 429
    page = response.content.decode()
    assert "tạm khóa" in page and "30 phút" in page and "quản trị hệ thống" in page

    # The right password is refused now, from this address and from any other.
    for address in ("10.1.1.1", "10.9.9.9"):
        response = _sign_in(client, "w1_staff", PASSWORD, address)
        assert response.status_code == 429 and not _signed_in(client)
    locked = AuditEntry.objects.filter(action="lockout")
    assert locked.count() == 1 and locked.get().target_repr == "w1_staff"

    call_command("unlock_user", "w1_staff", stdout=open("/dev/null", "w"))
    assert AuditEntry.objects.filter(action="unlock", target_repr="w1_staff").exists()
    response = _sign_in(client, "w1_staff", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_an_address_is_locked_whatever_usernames_it_tries(world, client, limit):
    for username in ("w1_staff", "w2_staff", "r1_staff"):
        _sign_in(client, username, "sai-mat-khau", "10.2.2.2")
    assert _sign_in(client, "r2_staff", PASSWORD, "10.2.2.2").status_code == 429
    assert not _signed_in(client)
    # The same account from another address signs in: the lock is on the address.
    assert _sign_in(client, "r2_staff", PASSWORD, "10.3.3.3").status_code == 302


def test_the_lock_ends_after_the_cool_off(world, client, limit):
    from axes.models import AccessAttempt

    for _ in range(limit):
        _sign_in(client, "w1_staff", "sai-mat-khau")
    assert _sign_in(client, "w1_staff", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(minutes=31)
    )
    assert _sign_in(client, "w1_staff", PASSWORD).status_code == 302


def test_the_unlock_command_says_when_nothing_was_locked(world, capsys):
    call_command("unlock_user", "w1_staff")
    assert "không bị khóa" in capsys.readouterr().out


def test_force_login_and_the_login_page_still_work(world, client):
    assert client.get(reverse("login")).status_code == 200
    client.force_login(world.w1_staff)
    assert client.get(reverse("home")).status_code == 200
