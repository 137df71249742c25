"""Sign-in writes: setting up two-factor sign-in, recovery codes, unlocking a locked sign-in.

Each runs in one transaction with its audit entry (STYLE.md habit 1).
"""

from __future__ import annotations

import time
from binascii import unhexlify

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from haichieu.core.audit import audit_record
from haichieu.core.models import AuditEntry

from .signin import RECOVERY_CODE_COUNT, totp_device


def _matching_step(key_hex: str, code: str) -> int | None:
    """The time step at which `code` is the authenticator's code for the key (±1 step), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(unhexlify(key_hex.encode()))
    totp.time = time.time()
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def two_factor_enable(*, user, key_hex: str, code: str) -> list[str] | None:
    """Turn on two-factor sign-in with the authenticator app set up from `key_hex`, once `code`
    proves the app shows the right codes; returns the new recovery codes (shown once), or None
    when the code does not match. A user has one authenticator device: a new one replaces it."""
    step = _matching_step(key_hex, code)
    if step is None:
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        # The code just used may not sign in again (last_t).
        TOTPDevice.objects.create(
            user=user, name="Ứng dụng xác thực", key=key_hex, confirmed=True, last_t=step
        )
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action=AuditEntry.Action.TWO_FACTOR_ON, target=user)
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes for a user with two-factor sign-in; the old ones stop working."""
    if totp_device(user) is None:
        raise ValueError("two-factor sign-in is not set up")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action=AuditEntry.Action.RECOVERY_CODES, target=user)
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Mã dự phòng", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def sign_in_unlock(*, username: str, actor=None) -> int:
    """Lift the sign-in lock of a username (the failures recorded for it, from every address);
    returns how many records were removed. An administrator's command (`haichieu unlock_user`)."""
    from axes.utils import reset

    with transaction.atomic():
        removed = reset(username=username)
        if removed:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UNLOCK,
                target_type="accounts.user",
                target_repr=username,
                note=f"{removed} bản ghi đăng nhập sai đã được xóa",
            )
    return removed


def first_admin_ensure(*, username: str, password: str) -> bool:
    """The deployment's first administrator (`haichieu ensure_admin`, run at each start of the
    containers): created as a superuser when no user has that username; an existing user is left as
    it is (its password is not reset). Returns whether one was created. The password passes the
    same validators as any other."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            return False
        user = User(username=username, is_staff=True, is_superuser=True)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        audit_record(
            actor=None,
            action=AuditEntry.Action.CREATE,
            target=user,
            note="Tạo quản trị viên đầu tiên khi triển khai (haichieu ensure_admin)",
        )
    return True
