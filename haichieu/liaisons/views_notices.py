"""Change notices (thông báo biến động) sent and received in the user's scope: list and export."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from haichieu.access import notices_visible_to, read_scope_or_404

from . import exports
from .forms_notices import NoticeFilterForm

PAGE_SIZE = 50


@login_required
def notices(request):
    read_scope_or_404(request.user)
    form = NoticeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = notices_visible_to(request.user).select_related("member", "sender_org", "recipient_org")
    if data.get("direction"):
        qs = qs.filter(direction=data["direction"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("start"):
        qs = qs.filter(event_date__gte=data["start"])
    if data.get("end"):
        qs = qs.filter(event_date__lte=data["end"])
    qs = qs.order_by("-event_date", "-pk")
    if request.GET.get("format") == "xlsx":
        return exports.notices_export(actor=request.user, notices=qs, query=request.GET.urlencode())
    after = request.GET.get("after", "")
    position = _decode(after)
    if position is not None:
        day, pk = position
        from django.db.models import Q

        qs = qs.filter(Q(event_date__lt=day) | Q(event_date=day, pk__lt=pk))
    rows = list(qs[: PAGE_SIZE + 1])
    next_cursor = (
        f"{rows[PAGE_SIZE - 1].event_date.isoformat()}.{rows[PAGE_SIZE - 1].pk}"
        if len(rows) > PAGE_SIZE
        else ""
    )
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("format", None)
    return render(request, "liaisons/notices.html", {
        "form": form, "rows": rows[:PAGE_SIZE], "next_cursor": next_cursor, "base_query": params.urlencode(),
        "first_page": not after,
    })  # fmt: skip


def _decode(cursor: str):
    day, _, pk = (cursor or "").partition(".")
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None
