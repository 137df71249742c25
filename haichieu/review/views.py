"""The 213 score of an organisation and its children, and the yearly review report (issue 13).

Every page reads its organisation through the access rule (organization_get_for): 404 outside the
user's scope, for GET and POST alike."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from haichieu.access import organization_get_for, read_scope_or_404
from haichieu.core.jinja import render_jinja2
from haichieu.core.paging import numbered_page
from haichieu.core.replica import reads_from_replica
from haichieu.core.services import ServiceError
from haichieu.organizations.selectors import organization_roots_for

from . import document_kinds, documents, exports, score, selectors

SAFE_METHODS = ["GET", "HEAD"]


def _organization_page(view):
    """A page of the organisation the URL names, read through the access rule: 404 outside the
    user's scope for GET and POST alike, then 405 for a method that is not a read. The view gets the
    organisation and the year."""

    @functools.wraps(view)
    def wrapper(request, org_pk: int, year: int):
        read_scope_or_404(request.user)
        org = organization_get_for(request.user, pk=org_pk)
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        return view(request, org, year)

    return wrapper


@login_required
@require_safe
def start(request):
    """The user's first top organisation, this year."""
    read_scope_or_404(request.user)
    tops = organization_roots_for(request.user)
    if not tops:
        raise Http404("Không tìm thấy tổ chức.")
    return redirect("review:score", org_pk=tops[0].pk, year=timezone.localdate().year)


@login_required
@_organization_page
def score_page(request, org, year: int):
    """The organisation's 213 score for the year (as of today within it), how each component is made,
    and its children's scores, lowest first, each linking one level down."""
    on = selectors.as_of(year, timezone.localdate())
    table = selectors.score_table(org, year=year, on=on)
    # Lowest first over all the children, a page of them shown (the .xlsx has them all).
    page, error = numbered_page(
        table.children, request.GET.get("trang", ""), size=settings.HAICHIEU["DRILLDOWN_PAGE_SIZE"]
    )
    others = [top for top in organization_roots_for(request.user) if top.pk != org.pk]
    context = {
        "org": org,
        "year": year,
        "table": table,
        "children_rows": render_jinja2(
            "review/_children.html",
            {
                "children": [
                    (child, reverse("review:score", args=[child.org.pk, year])) for child in page.rows
                ]
            },
        ),
        "components": score.COMPONENTS,
        "weights": score.weights(),
        "others": others,
        "report_kinds": documents.REPORT_KINDS,
        "page": page,
        "error": error,
    }
    return render(request, "review/score.html", context, status=400 if error else 200)


@login_required
@_organization_page
@reads_from_replica
def score_xlsx(request, org, year: int):
    """The score page's rows as .xlsx (audited)."""
    table = selectors.score_table(org, year=year, on=selectors.as_of(year, timezone.localdate()))
    return exports.score_export(actor=request.user, table=table)


@login_required
@_organization_page
def report_docx(request, org, year: int):
    """The yearly review report of the organisation (báo cáo sơ kết/tổng kết) as .docx, from the
    template in force for its province; `?loai=so-ket|tong-ket` (default: sơ kết within the year,
    tổng kết after it)."""
    today = timezone.localdate()
    kind = request.GET.get("loai", "")
    if kind not in documents.REPORT_KINDS:
        kind = documents.default_kind(year, today)
    report = documents.report_data(org, year=year, on=selectors.as_of(year, today), kind=kind)
    try:
        doc = document_kinds.report_document(org, documents.report_context(report, today=today))
    except ServiceError as exc:  # the province's template cannot be filled with these data
        messages.error(request, exc.message)
        return redirect("review:score", org_pk=org.pk, year=year)
    return documents.report_response(actor=request.user, org=org, year=year, kind=kind, doc=doc)
