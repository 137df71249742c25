"""Sign-in rules: the throttling limits (read by django-axes at each sign-in), who must sign in with
a second factor, and the devices that give it (django-otp: TOTP, recovery codes).

The limits are HAICHIEU settings (settings.py): `LOGIN_FAILURE_LIMIT` failures per username and per
address lock them for `LOGIN_COOL_OFF_MINUTES`; `STAFF_IDLE_MINUTES` signs idle staff out;
`TWO_FACTOR_REQUIRED` makes the second factor compulsory for the province's organisation department
and the superusers (`Scope.manages_a_province`).
"""

import datetime

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from haichieu.access import scope_for

RECOVERY_CODE_COUNT = 10


def failure_limit(request=None, credentials=None) -> int:
    """Failed sign-ins (per username, per address) before the lock (AXES_FAILURE_LIMIT)."""
    return int(settings.HAICHIEU["LOGIN_FAILURE_LIMIT"])


def cool_off_minutes() -> int:
    return int(settings.HAICHIEU["LOGIN_COOL_OFF_MINUTES"])


def cool_off(request=None) -> datetime.timedelta:
    """How long a lock lasts (AXES_COOLOFF_TIME)."""
    return datetime.timedelta(minutes=cool_off_minutes())


def two_factor_required(user) -> bool:
    """The user may not work without a second factor: the province's organisation department and
    the superusers (issue 9), unless the deployment turns the requirement off."""
    return bool(settings.HAICHIEU["TWO_FACTOR_REQUIRED"]) and scope_for(user).manages_a_province


def totp_device(user, *, confirmed: bool | None = True) -> TOTPDevice | None:
    """The user's authenticator-app device (one per user)."""
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user) -> bool:
    """The user signs in with a second factor (an authenticator app set up and confirmed)."""
    return totp_device(user) is not None


def staff_idle_limit(user) -> datetime.timedelta | None:
    """How long a signed-in user may stay idle: staff (a manage role, or the superuser) are signed
    out after `STAFF_IDLE_MINUTES`; others keep the session's own age."""
    minutes = int(settings.HAICHIEU["STAFF_IDLE_MINUTES"])
    if minutes <= 0 or not scope_for(user).manages_somewhere:
        return None
    return datetime.timedelta(minutes=minutes)
