"""The user's API tokens (under the profile): create one (its key shown once), revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from haichieu.core.forms import add_service_error
from haichieu.core.services import ServiceError

from . import services
from .forms import TokenForm
from .models import ApiToken


@login_required
@never_cache
def tokens(request):
    """The list of the user's tokens and the form for a new one; after creating, the key, once."""
    form = TokenForm(request.POST or None)
    created = key = None
    if request.method == "POST" and form.is_valid():
        try:
            created, key = services.api_token_create(actor=request.user, name=form.cleaned_data["name"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "created": created,
        "key": key,
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")[:50],
    }
    return render(request, "api/tokens.html", context)


@require_POST
@login_required
def token_revoke(request, pk):
    try:
        token = services.api_token_revoke(actor=request.user, token_id=pk)
    except ServiceError as exc:
        if not ApiToken.objects.filter(pk=pk, user=request.user).exists():
            raise Http404("Không tìm thấy khóa.") from exc
        messages.warning(request, exc.message)
    else:
        messages.success(
            request, f"Đã thu hồi khóa “{token.name}”: mọi yêu cầu dùng khóa này từ nay bị từ chối."
        )
    return redirect("api_tokens")
