import base64
import io
import os
import time
from binascii import unhexlify

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from haichieu.access import roles_in_force, scope_for

from . import services
from .forms import CodeForm, SetupCodeForm
from .models import User
from .queue import work_queue
from .signin import (
    cool_off_minutes,
    failure_limit,
    has_two_factor,
    recovery_device,
    totp_device,
    two_factor_required,
)

# The sign-in waiting for its second step: {"user": pk, "backend": path, "at": seconds, "next": url}.
PENDING_KEY = "haichieu_signin_pending"
PENDING_SECONDS = 300
# The secret of an authenticator app being set up (hex), kept in the session until confirmed.
SETUP_KEY = "haichieu_two_factor_setup"


@login_required
def home(request):
    """What the user must do now, one block per role (queue.py: counts linking to the lists behind
    them, each with what to do next), then the user's roles in force and the pages of each side."""
    own_member = request.user.member if scope_for(request.user).member_id else None
    context = {
        "roles": roles_in_force(request.user),
        "own_member": own_member,
        "queue": work_queue(request.user, today=timezone.localdate()),
    }
    return render(request, "home.html", context)


@login_required
def profile(request):
    """Who the user is: name, roles in force (with their dates), the own record for a member, and
    the links to change the password and set up two-factor sign-in."""
    user = request.user
    own_member = user.member if scope_for(user).member_id else None
    context = {
        "roles": roles_in_force(user),
        "own_member": own_member,
        "two_factor_on": has_two_factor(user),
        "two_factor_required": two_factor_required(user),
    }
    return render(request, "accounts/profile.html", context)


class SignInView(LoginView):
    """The password step. A user with two-factor sign-in is not signed in yet: the code is asked
    next (`sign_in_code`)."""

    redirect_authenticated_user = True
    _signing_in = None

    def get_default_redirect_url(self):
        """Without a `next`, the home page; a secretary of one residential cell lands on the cell
        (their whole work there: the list, search, a member's page)."""
        user = self._signing_in or self.request.user
        cell_id = scope_for(user).lands_on_residence_cell if user.is_authenticated else None
        if cell_id is not None:
            return reverse("liaisons:residence_cell", args=[cell_id])
        return super().get_default_redirect_url()

    def form_valid(self, form):
        user = form.get_user()
        self._signing_in = user
        if has_two_factor(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": self.get_success_url(),
            }
            return redirect("login_code")
        return super().form_valid(form)


def locked_out(request, response=None, credentials=None):
    """The login page saying the sign-in is locked for a while (django-axes' AXES_LOCKOUT_CALLABLE)."""
    context = {
        "form": AuthenticationForm(request),
        "next": request.POST.get("next", ""),
        "locked_out": True,
        "cool_off_minutes": cool_off_minutes(),
        "failure_limit": failure_limit(),
    }
    return render(request, "registration/login.html", context, status=429)


@sensitive_post_parameters()
@never_cache
def sign_in_code(request):
    """The second step: a code from the authenticator app, or a recovery code."""
    pending = request.session.get(PENDING_KEY)
    user = None
    if pending and time.time() - pending["at"] <= PENDING_SECONDS:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "Phiên đăng nhập đã hết hạn. Vui lòng nhập lại tên đăng nhập và mật khẩu.")
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return locked_out(request)
        device = _verified_device(user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]
            user.otp_device = device  # django-otp keeps it in the session at login
            login(request, user)
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = reverse(settings.LOGIN_REDIRECT_URL)
            return redirect(target)
        # A wrong code counts as a failed sign-in (the audit log, the lockout).
        request.haichieu_failure_reason = "mã xác thực hai bước không đúng"
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error(None, "Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã mới trên ứng dụng.")
    return render(request, "registration/login_code.html", {"form": form})


def _verified_device(user, code: str):
    """The device (authenticator app, or recovery codes) that accepts `code`, or None."""
    device = totp_device(user) if len(code) == 6 and code.isdigit() else recovery_device(user)
    if device is None:
        return None
    return verify_token(user, device.persistent_id, code)


def admin_login(request, extra_context=None):
    """The Django admin signs in through the app's own login (with its second step)."""
    if request.user.is_authenticated:
        raise PermissionDenied("Trang quản trị chỉ dành cho quản trị hệ thống.")
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


@login_required
@never_cache
def two_factor(request):
    """Two-factor sign-in: set up an authenticator app (QR code made here, the secret as text,
    one code to confirm), then the recovery codes, shown once; or its state, and new recovery codes."""
    user = request.user
    device = totp_device(user)
    if device is not None:
        if request.method == "POST" and request.POST.get("action") == "recovery":
            if not user.is_verified():
                raise PermissionDenied
            codes = services.recovery_codes_renew(user=user)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "renewed": True})
        recovery = recovery_device(user)
        remaining = recovery.token_set.count() if recovery is not None else 0
        return render(request, "accounts/two_factor.html", {"device": device, "remaining": remaining})

    key_hex = request.session.get(SETUP_KEY)
    if not key_hex:
        key_hex = request.session[SETUP_KEY] = os.urandom(20).hex()
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_enable(user=user, key_hex=key_hex, code=form.cleaned_data["code"])
        if codes is not None:
            del request.session[SETUP_KEY]
            otp_login(request, totp_device(user))  # this session has shown its second factor
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "renewed": False})
        form.add_error("code", "Mã không đúng. Kiểm tra giờ của điện thoại và nhập mã mới nhất.")
    context = {
        "form": form,
        "required": two_factor_required(user),
        "secret": _grouped(base64.b32encode(unhexlify(key_hex)).decode()),
        "qr_data_uri": _qr_data_uri(_config_url(user, key_hex)),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _config_url(user, key_hex: str) -> str:
    # The otpauth:// address django-otp writes for a device (issuer: OTP_TOTP_ISSUER).
    return TOTPDevice(user=user, key=key_hex).config_url


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_data_uri(data: str) -> str:
    """The QR code as an SVG image in a data: address, made here (no outside service, no Pillow)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()
