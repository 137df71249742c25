"""Data that needs care (its counts, one check's records) and the role guides: thin views over
care/checks.py and care/guides.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from haichieu.access import read_scope_or_404
from haichieu.core.documents import docx_response
from haichieu.core.paging import decode_cursor, keyset_page, page_size
from haichieu.core.params import parse_id
from haichieu.documents.engine import TemplateRenderError

from . import checks, guides

BAD_CURSOR = "Không đọc được vị trí trang trong địa chỉ: đang hiển thị trang đầu."
BAD_SIZE = "Số dòng mỗi trang phải là một số nguyên dương: đang dùng số dòng mặc định."


@login_required
def overview(request):
    """Every check with the number of records the user may see in it."""
    read_scope_or_404(request.user)
    found = checks.counts(request.user)
    rows = [(check, found[check.key]) for check in checks.CHECKS]
    return render(request, "care/overview.html", {"rows": rows, "total": sum(found.values())})


def _key(check: checks.Check) -> tuple[str, ...]:
    if check.order:
        return check.order
    return ("member__sort_key", "id") if check.record == checks.LINK else ("sort_key", "id")


@login_required
def check_list(request, key):
    """One check's records the user may see, paged, each with a link to the page that fixes it."""
    read_scope_or_404(request.user)
    check = checks.BY_KEY.get(key)
    if check is None:
        raise Http404("Không tìm thấy mục kiểm tra.")
    facts = checks.Facts()
    records = checks.check_records(request.user, check, facts=facts)
    related = (
        ("member", "workplace_org", "commune_org", "cell")
        if check.record == checks.LINK
        else ("workplace_cell", "residence_commune")
    )
    problems = []
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    if (after or before) and decode_cursor(records, _key(check), before or after) is None:
        problems.append(BAD_CURSOR)
        after = before = ""
    if request.GET.get("size") and parse_id(request.GET["size"]) is None:
        problems.append(BAD_SIZE)
    size = page_size(request)
    sides = checks.check_sides(request.user, check, facts=facts)
    page = keyset_page(
        records.select_related(*related),
        key=_key(check),
        after=after,
        before=before,
        size=size,
        sides=sides if len(sides) > 1 else (),
    ).counted(total=checks.check_count(request.user, check, facts=facts), size=size, request=request)
    rows = page.rows
    if check.record == checks.LINK:
        rows = [(link, checks.link_holder(link)) for link in rows]
    params = request.GET.copy()
    for name in ("after", "before", "p"):
        params.pop(name, None)
    context = {
        "check": check,
        "page": page,
        "rows": rows,
        "problems": problems,
        "base_query": params.urlencode(),
    }
    return render(request, "care/check.html", context)


@login_required
@require_GET
def guide(request, role):
    """A role's one-page guide as .docx, from the template in force for the user's province."""
    if role not in guides.GUIDES:
        raise Http404("Không tìm thấy hướng dẫn.")
    try:
        document = guides.guide_document(role, request.user)
    except TemplateRenderError as error:  # a province's variant that cannot be filled
        messages.error(request, str(error))
        return redirect("profile")
    return docx_response(document, f"huong-dan-{role}.docx")
