"""Two-factor sign-in (issue 9): TOTP with recovery codes, required for the province's organisation
department and the superusers, optional for the others."""

import base64
import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from haichieu.access.tests.test_permissions import url_patterns
from haichieu.accounts import services
from haichieu.core.models import AuditEntry
from haichieu.testing import PASSWORD

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'id="two-factor-secret">([A-Z2-7 ]+)<')


def code_for(key: bytes, offset: int = 0) -> str:
    totp = TOTP(key)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _password_step(client, username, next_url=""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def _enrolled(user) -> bytes:
    """Two-factor sign-in set up for `user` (the code of this time step used): its key."""
    key_hex = "3132333435363738393031323334353637383930"
    key = bytes.fromhex(key_hex)
    assert services.two_factor_enable(user=user, key_hex=key_hex, code=code_for(key)) is not None
    return key


def test_setup_shows_a_qr_code_made_here_and_the_secret_then_one_code_turns_it_on(world, client):
    client.force_login(world.w1_staff)
    page = client.get(reverse("two_factor")).content.decode()
    qr = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert qr and base64.b64decode(qr.group(1)).lstrip().startswith(b"<?xml")
    assert b"<svg" in base64.b64decode(qr.group(1))
    key = base64.b32decode(SECRET.search(page).group(1).replace(" ", ""))
    assert (
        client.get(reverse("two_factor")).content.decode().count(SECRET.search(page).group(1)) == 1
    )  # same secret

    response = client.post(reverse("two_factor"), {"code": f"{(int(code_for(key)) + 1) % 10**6:06d}"})
    assert "Mã không đúng" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.w1_staff).exists()

    response = client.post(reverse("two_factor"), {"code": code_for(key)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10 and "chỉ hiện <strong>một lần</strong>" in response.content.decode()
    device = TOTPDevice.objects.get(user=world.w1_staff)
    assert device.confirmed and device.bin_key == key
    assert AuditEntry.objects.filter(action="two_factor_on", target_repr=str(world.w1_staff)).exists()
    # Shown once: the page now tells the state, not the codes.
    page = client.get(reverse("two_factor")).content.decode()
    assert "Đã bật" in page and not any(code in page for code in codes)


def test_sign_in_asks_the_code_after_the_password(world, client):
    key = _enrolled(world.w1_staff)
    response = _password_step(client, "w1_staff", next_url=reverse("members:list"))
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    assert not _signed_in(client)
    assert client.get(reverse("home")).status_code == 302  # not signed in yet

    # The code already used at the set-up is refused (no replay), so is a wrong one.
    response = client.post(reverse("login_code"), {"code": code_for(key)})
    assert response.status_code == 200 and "không đúng" in response.content.decode()
    assert not _signed_in(client)
    assert AuditEntry.objects.filter(action="login_failed", target_repr="w1_staff").exists()

    TOTPDevice.objects.filter(user=world.w1_staff).update(throttling_failure_count=0)
    response = client.post(reverse("login_code"), {"code": code_for(key, 30)})
    assert response.status_code == 302 and response["Location"] == reverse("members:list")
    assert _signed_in(client)
    assert client.get(reverse("members:list")).status_code == 200


def test_a_recovery_code_signs_in_once(world, client):
    _enrolled(world.w1_staff)
    code = StaticToken.objects.filter(device__user=world.w1_staff).first().token
    _password_step(client, "w1_staff")
    assert client.post(reverse("login_code"), {"code": code.upper()}).status_code == 302
    assert _signed_in(client)
    client.logout()
    _password_step(client, "w1_staff")
    assert client.post(reverse("login_code"), {"code": code}).status_code == 200
    assert not _signed_in(client)


def test_wrong_codes_count_towards_the_lockout(world, client, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "LOGIN_FAILURE_LIMIT": 3}
    _enrolled(world.w1_staff)
    _password_step(client, "w1_staff")
    statuses = [client.post(reverse("login_code"), {"code": "000000"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert AuditEntry.objects.filter(action="lockout", target_repr="w1_staff").exists()


def test_the_second_step_expires(world, client):
    _enrolled(world.w1_staff)
    _password_step(client, "w1_staff")
    session = client.session
    session["haichieu_signin_pending"]["at"] -= 301
    session.save()
    response = client.post(reverse("login_code"), {"code": "000000"})
    assert response.status_code == 302 and response["Location"] == reverse("login")


def _route_url(route: str) -> str:
    """The route with every parameter filled with a value its converter accepts."""
    route = re.sub(r"<year:\w+>", "2026", route)
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)


def test_staff_of_the_province_without_a_device_can_open_nothing_but_the_setup(
    world, client, two_factor_required
):
    response = _password_step(client, "province_staff")
    assert response.status_code == 302 and _signed_in(client)
    setup = reverse("two_factor")
    open_pages = {"two_factor", "logout", "login", "login_code", "healthz"}
    failures = []
    for namespace, name, route in url_patterns():
        if namespace.startswith("admin:") or f"{namespace}{name}" in open_pages:
            continue
        url = _route_url(route)
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code != 302 or response["Location"] != setup:
                failures.append(f"{name} {url}: {response.status_code} {response.get('Location')}")
    assert not failures, "\n".join(failures)
    assert client.get("/quan-tri/").status_code == 302
    assert client.get(setup).status_code == 200


def test_once_set_up_the_province_staff_works_and_signs_in_with_the_code(world, client, two_factor_required):
    _password_step(client, "province_staff")
    page = client.get(reverse("two_factor")).content.decode()
    assert "cần bật xác thực hai bước" in page
    key = base64.b32decode(SECRET.search(page).group(1).replace(" ", ""))
    client.post(reverse("two_factor"), {"code": code_for(key)})
    assert client.get(reverse("members:list")).status_code == 200
    client.post(reverse("logout"))
    _password_step(client, "province_staff")
    assert not _signed_in(client)
    client.post(reverse("login_code"), {"code": code_for(key, 30)})
    assert client.get(reverse("members:list")).status_code == 200


def test_a_session_without_the_code_of_a_user_who_has_one_is_ended(world, client, two_factor_required):
    _enrolled(world.admin)
    client.force_login(world.admin)  # a session made without the second step
    response = client.get(reverse("members:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not _signed_in(client)


def test_two_factor_is_optional_for_other_users(world, client, two_factor_required):
    _password_step(client, "w1_staff")
    assert client.get(reverse("members:list")).status_code == 200


def test_the_admin_signs_in_through_the_app_login(world, client):
    response = client.get(reverse("admin:login"), {"next": "/quan-tri/"})
    assert response.status_code == 302 and response["Location"] == reverse("login") + "?next=/quan-tri/"
    client.force_login(world.w1_staff)
    assert client.get(reverse("admin:login")).status_code == 403


def test_new_recovery_codes_replace_the_old_ones(world, client):
    key = _enrolled(world.w1_staff)
    old = set(StaticToken.objects.filter(device__user=world.w1_staff).values_list("token", flat=True))
    _password_step(client, "w1_staff")
    client.post(reverse("login_code"), {"code": code_for(key, 30)})
    response = client.post(reverse("two_factor"), {"action": "recovery"})
    codes = set(re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode()))
    assert len(codes) == 10 and not codes & old
    assert (
        set(StaticToken.objects.filter(device__user=world.w1_staff).values_list("token", flat=True)) == codes
    )
