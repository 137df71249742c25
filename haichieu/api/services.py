"""API tokens: create (the key shown once), revoke, and the bearer check of each request.

A token acts as its user, with the roles in force at each request (haichieu/access): revoking a
role narrows what the token reads at once; revoking the token ends it.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haichieu.core.audit import audit_record
from haichieu.core.services import ServiceError
from haichieu.core.text import clean_text

from .models import ApiToken

KEY_PREFIX = "hc_"
PREFIX_LENGTH = 10  # "hc_" and the key's first 7 characters: enough to tell a user's keys apart
# last_used_at is written at most this often: not a write on every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def key_hash(key: str) -> str:
    """The SHA-256 of a key, as stored: a key is 32 random bytes, so no salt or slow hash is needed
    (nothing to guess from the hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token of `actor` named `name`: the token and its key, which is never stored (only its
    hash) and so can be shown only now. At most HAICHIEU["API_TOKENS_PER_USER"] tokens in force."""
    name = clean_text(name)
    if not name:
        raise ServiceError(
            "Vui lòng đặt tên cho khóa (ví dụ: “Phần mềm báo cáo của Ban Tổ chức”).", field="name"
        )
    if len(name) > 100:
        raise ServiceError("Tên khóa dài quá 100 ký tự.", field="name")
    limit = settings.HAICHIEU["API_TOKENS_PER_USER"]
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        active = ApiToken.objects.filter(user=actor, revoked_at__isnull=True)
        if active.count() >= limit:
            raise ServiceError(
                f"Bạn đã có {limit} khóa đang dùng: hãy thu hồi một khóa không còn dùng trước khi tạo khóa mới.",
                field="name",
            )
        token = ApiToken.objects.create(
            user=actor, name=name, prefix=key[:PREFIX_LENGTH], key_hash=key_hash(key)
        )
        audit_record(actor=actor, action="create", target=token, changes={"after": {"name": name}})
    return token, key


def api_token_revoke(*, actor, token_id: int) -> ApiToken:
    """Revoke one of `actor`'s own tokens (another user's, or none: the same error, nothing said)."""
    with transaction.atomic():
        token = ApiToken.objects.filter(pk=token_id, user=actor).first()
        if token is None:
            raise ServiceError("Không tìm thấy khóa.")
        now = timezone.now()
        # A conditional update: two revocations at once revoke once (and audit once).
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            raise ServiceError("Khóa này đã được thu hồi trước đó.")
        token.revoked_at = now
        audit_record(
            actor=actor, action="update", target=token, changes={"revoked_at": [None, now.isoformat()]}
        )
    return token


def api_token_user(key: str):
    """The token a bearer key belongs to (in force, its user active), its `user` loaded; else None.
    Marks it used (at most once a minute)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
