from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from haichieu.accounts.models import Role
from haichieu.core.access import scope_for


@login_required
def home(request):
    today = timezone.localdate()
    roles = (
        Role.objects.filter(user=request.user, start_date__lte=today)
        .exclude(end_date__lt=today)
        .select_related("organization")
        .order_by("organization__path")
    )
    scope = scope_for(request.user)
    own_member = request.user.member if scope.member_id else None
    return render(request, "home.html", {"roles": roles, "own_member": own_member})


def healthz(request):
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
