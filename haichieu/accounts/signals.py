"""Logins, logouts, failed logins and sign-in locks go to the audit log (who, when, from where)."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from haichieu.core.audit import audit_record

# The session's last request (Unix seconds), for the staff idle timeout (accounts/middleware.py).
LAST_SEEN_KEY = "haichieu_last_seen"


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())
    audit_record(actor=user, action="login", target=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        note = getattr(request, "haichieu_signout_reason", "")
        audit_record(actor=user, action="logout", target=user, note=note)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    note = getattr(request, "haichieu_failure_reason", "") if request is not None else ""
    audit_record(
        actor=None, action="login_failed", target_type="accounts.user", target_repr=username, note=note
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    # django-axes sends this for the failure that reaches the limit (it has counted the failures)
    # and again for each attempt refused during the lock: only the first is a new lock.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    audit_record(
        actor=None,
        action="lockout",
        target_type="accounts.user",
        target_repr=str(username or "")[:150],
        note=f"sau {request.axes_failures_since_start} lần đăng nhập sai",
    )
