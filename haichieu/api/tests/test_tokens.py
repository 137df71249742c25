"""API tokens: made on the profile's page (the key shown once, only its hash kept), used as a bearer
key, revoked; every step audited; throttled per token with a Vietnamese 429."""

import re

import pytest
from django.urls import reverse

from haichieu.api.models import ApiToken
from haichieu.api.services import api_token_create, api_token_revoke, key_hash
from haichieu.core.models import AuditEntry
from haichieu.core.services import ServiceError

pytestmark = pytest.mark.django_db


def _create_on_page(client, name="Phần mềm báo cáo"):
    response = client.post(reverse("api_tokens"), {"name": name})
    assert response.status_code == 200
    match = re.search(r'id="new-key-value">(hc_[A-Za-z0-9_\-]+)<', response.content.decode())
    return response, match.group(1) if match else None


def test_a_token_made_on_the_page_is_shown_once_and_kept_only_as_a_hash(world, client_for, api_call):
    client = client_for(world.w1_staff)
    response, key = _create_on_page(client)
    assert key and "chỉ hiện <strong>một lần</strong>" in response.content.decode()
    token = ApiToken.objects.get(user=world.w1_staff)
    assert token.key_hash == key_hash(key) and token.prefix == key[:10]
    assert key not in str(list(ApiToken.objects.values_list()))  # the key itself is stored nowhere
    # The page shown again lists the token by its first characters, never the key.
    page = client.get(reverse("api_tokens")).content.decode()
    assert token.prefix in page and key not in page and "Chưa dùng" in page
    entry = AuditEntry.objects.get(target_type="api.apitoken", action="create")
    assert entry.actor == world.w1_staff and entry.target_id == str(token.pk)

    assert api_call(key, "get", "/members").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused_and_the_revocation_audited(world, client_for, api_call):
    client = client_for(world.w1_staff)
    _, key = _create_on_page(client)
    token = ApiToken.objects.get(user=world.w1_staff)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(
        target_type="api.apitoken", target_id=str(token.pk), action="update"
    ).exists()
    refused = api_call(key, "get", "/members")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Thiếu khóa API hoặc khóa không đúng, đã bị thu hồi."}
    assert refused["WWW-Authenticate"] == "Bearer"
    # Twice: the second says so, and nothing more is written.
    with pytest.raises(ServiceError, match="đã được thu hồi"):
        api_token_revoke(actor=world.w1_staff, token_id=token.pk)
    assert AuditEntry.objects.filter(target_type="api.apitoken", action="update").count() == 1


def test_another_users_token_cannot_be_revoked(world, client_for, api_call):
    token, key = api_token_create(actor=world.w2_staff, name="Của W2")
    client = client_for(world.w1_staff)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and api_call(key, "get", "/members").status_code == 200


def test_no_key_a_wrong_key_and_an_inactive_user_are_refused(world, api_call):
    _, key = api_token_create(actor=world.w1_staff, name="Khóa")
    assert api_call(None, "get", "/members").status_code == 401
    assert api_call(key[:-1] + ("A" if key[-1] != "A" else "B"), "get", "/members").status_code == 401
    assert api_call("not-a-key", "get", "/members").status_code == 401
    world.w1_staff.is_active = False
    world.w1_staff.save()
    assert api_call(key, "get", "/members").status_code == 401


def test_a_token_follows_its_users_roles_at_each_request(world, api_call):
    """A token acts with the roles in force now: a role ended today no longer reads through it."""
    import datetime

    _, key = api_token_create(actor=world.w1_staff, name="Khóa")
    assert api_call(key, "get", f"/members/{world.m1.pk}").status_code == 200
    world.w1_staff.roles.update(end_date=datetime.date.today() - datetime.timedelta(days=1))
    assert api_call(key, "get", f"/members/{world.m1.pk}").status_code == 404


def test_bad_names_and_too_many_tokens_are_told_in_vietnamese(world, client_for, settings):
    client = client_for(world.w1_staff)
    response = client.post(reverse("api_tokens"), {"name": "   "})
    assert "Chưa tạo khóa" in response.content.decode() and not ApiToken.objects.exists()
    settings.HAICHIEU = {**settings.HAICHIEU, "API_TOKENS_PER_USER": 2}
    api_token_create(actor=world.w1_staff, name="Một")
    api_token_create(actor=world.w1_staff, name="Hai")
    response, key = _create_on_page(client, "Ba")
    assert key is None and "đã có 2 khóa đang dùng" in response.content.decode()
    assert ApiToken.objects.count() == 2


def test_the_token_pages_are_for_signed_in_users_and_each_sees_only_their_own(world, client, client_for):
    assert client.get(reverse("api_tokens")).status_code == 302
    api_token_create(actor=world.w2_staff, name="Khóa riêng của W2")
    page = client_for(world.w1_staff).get(reverse("api_tokens")).content.decode()
    assert "Khóa riêng của W2" not in page and "Bạn chưa có khóa API nào" in page
    assert reverse("api_tokens") in client_for(world.w1_staff).get(reverse("profile")).content.decode()


def test_each_token_is_throttled_apart_with_a_vietnamese_429(world, api_call, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "API_RATE": "3/min"}
    _, key = api_token_create(actor=world.w1_staff, name="Một")
    _, other = api_token_create(actor=world.w1_staff, name="Hai")
    assert [api_call(key, "get", "/organizations").status_code for _ in range(3)] == [200, 200, 200]
    refused = api_call(key, "get", "/organizations")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Quá nhiều yêu cầu với khóa API này: hãy thử lại sau")
    assert int(refused["Retry-After"]) >= 1
    assert api_call(other, "get", "/organizations").status_code == 200  # another token: its own count
    # Requests without a valid key are refused before any count (401, not 429).
    assert api_call(None, "get", "/organizations").status_code == 401
