"""The 213 score of an organisation and its children, and the yearly review report (issue 13).

Every page reads its organisation through the access rule (organization_get_for): 404 outside the
user's scope, for GET and POST alike."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from haichieu.access import organization_get_for, read_scope_or_404
from haichieu.core.services import ServiceError
from haichieu.organizations.selectors import organization_roots_for

from . import document_kinds, documents, exports, score, selectors


def _org_or_404(request, org_pk: int):
    """The organisation the URL names (404 outside the user's scope, for GET and POST alike); a page
    that only reads then refuses any other method."""
    read_scope_or_404(request.user)
    org = organization_get_for(request.user, pk=org_pk)
    if request.method not in ("GET", "HEAD"):
        raise _NotAllowed
    return org


class _NotAllowed(Exception):
    pass


def _reads_only(view):
    """405 for a method other than GET/HEAD, once the access rule has answered (404 first)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _NotAllowed:
            return HttpResponseNotAllowed(["GET", "HEAD"])

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
@_reads_only
def score_page(request, org_pk: int, year: int):
    """The organisation's 213 score for the year (as of today within it), how each component is made,
    and its children's scores, lowest first, each linking one level down."""
    org = _org_or_404(request, org_pk)
    on = selectors.as_of(year, timezone.localdate())
    table = selectors.score_table(org, year=year, on=on)
    others = [top for top in organization_roots_for(request.user) if top.pk != org.pk]
    context = {
        "org": org,
        "year": year,
        "table": table,
        "components": score.COMPONENTS,
        "weights": score.weights(),
        "others": others,
        "report_kinds": documents.REPORT_KINDS,
    }
    return render(request, "review/score.html", context)


@login_required
@_reads_only
def score_xlsx(request, org_pk: int, year: int):
    """The score page's rows as .xlsx (audited)."""
    org = _org_or_404(request, org_pk)
    table = selectors.score_table(org, year=year, on=selectors.as_of(year, timezone.localdate()))
    return exports.score_export(actor=request.user, table=table)


@login_required
@_reads_only
def report_docx(request, org_pk: int, year: int):
    """The yearly review report of the organisation (báo cáo sơ kết/tổng kết) as .docx, from the
    template in force for its province; `?loai=so-ket|tong-ket` (default: sơ kết within the year,
    tổng kết after it)."""
    org = _org_or_404(request, org_pk)
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
