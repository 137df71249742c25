"""Change notices (thông báo biến động) sent and received in the user's scope: list and export."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from haichieu.access import notices_visible_to, read_scope_or_404
from haichieu.core.audit import audit_record
from haichieu.core.exports import xlsx_response
from haichieu.core.paging import keyset_page

from .forms_notices import NoticeFilterForm
from .notices import NOTICE_COLUMNS, notice_rows

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
        audit_record(
            actor=request.user, action="export", target_type="liaisons.changenotice",
            target_repr="Danh sách thông báo biến động", note=request.GET.urlencode()[:255],
        )  # fmt: skip
        return xlsx_response(
            filename="thong-bao-bien-dong.xlsx", sheet_title="Biến động", header=NOTICE_COLUMNS, rows=notice_rows(qs),
            title="DANH SÁCH THÔNG BÁO BIẾN ĐỘNG",
        )  # fmt: skip
    after = request.GET.get("after", "")
    page = keyset_page(qs, key=("-event_date", "-pk"), after=after, size=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("format", None)
    return render(request, "liaisons/notices.html", {
        "form": form, "rows": page.rows, "next_cursor": page.next_cursor, "base_query": params.urlencode(),
        "later_page": bool(after),
    })  # fmt: skip
