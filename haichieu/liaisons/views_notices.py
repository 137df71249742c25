"""Change notices (thông báo biến động) sent and received in the user's scope: list, export and
each notice's page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from haichieu.access import notices_visible_to, read_scope_or_404
from haichieu.core.forms import filter_summary
from haichieu.core.paging import keyset_page

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
        return exports.notices_export(
            actor=request.user, notices=qs, query=request.GET.urlencode(), filters=filter_summary(form)
        )
    after = request.GET.get("after", "")
    page = keyset_page(qs, key=("-event_date", "-pk"), after=after, size=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("format", None)
    return render(
        request,
        "liaisons/notices.html",
        {
            "form": form,
            "rows": page.rows,
            "next_cursor": page.next_cursor,
            "base_query": params.urlencode(),
            "later_page": bool(after),
        },
    )


@login_required
def notice_detail(request, pk):
    """One notice, as its sender and receiver see it (a phone opens it from the list's card)."""
    read_scope_or_404(request.user)
    notice = (
        notices_visible_to(request.user)
        .select_related("member", "sender_org", "recipient_org", "liaison")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404("Không tìm thấy thông báo.")
    return render(request, "liaisons/notice.html", {"notice": notice})
