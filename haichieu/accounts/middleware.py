"""Two sign-in guards that run on every request of a signed-in user.

- `StaffIdleTimeoutMiddleware`: staff (a manage role, or the superuser) who made no request for
  `STAFF_IDLE_MINUTES` are signed out and sent to the login page.
- `TwoFactorMiddleware`: a user who must sign in with a second factor (`two_factor_required`) and
  whose session has none is sent to the set-up page and can open nothing else; a session made
  without the second factor for a user who has one is ended (sign in again, with the code).
"""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .signals import LAST_SEEN_KEY
from .signin import has_two_factor, staff_idle_limit, two_factor_required

# Written at most this often (seconds): not a session write on every request.
_STAMP_EVERY = 60


def _redirect(request, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):  # an htmx request: the whole page goes
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            limit = staff_idle_limit(user)
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if limit is not None and last is not None and now - last > limit.total_seconds():
                minutes = int(limit.total_seconds() // 60)
                request.haichieu_signout_reason = f"không thao tác quá {minutes} phút"
                logout(request)
                messages.info(
                    request,
                    f"Bạn đã được đăng xuất vì không thao tác trong {minutes} phút. Vui lòng đăng nhập lại.",
                )
                return _redirect(request, redirect_to_login(request.get_full_path()).url)
            if last is None or now - last >= _STAMP_EVERY:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


# What a user who still has to set up the second factor may open.
_OPEN_BEFORE_SETUP = {"two_factor", "logout", "login", "login_code", "healthz"}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or not two_factor_required(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _OPEN_BEFORE_SETUP:
            return None
        if has_two_factor(user):
            # Signed in without the code (a session older than the device): sign in again.
            request.haichieu_signout_reason = "phiên chưa xác thực hai bước"
            logout(request)
            return _redirect(request, redirect_to_login(request.get_full_path()).url)
        return _redirect(request, reverse("two_factor"))
