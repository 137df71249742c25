"""The audit pages: thin views over audit/selectors.py and audit/exports.py."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haichieu.access import manage_scope_or_404
from haichieu.core.forms import filter_summary
from haichieu.core.paging import page_size
from haichieu.core.replica import reads_from_replica

from . import exports, selectors
from .forms import AuditFilterForm


def _filtered(request):
    """The filter form and the entries it selects (none while a filter is wrong)."""
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, selectors.audit_log(request.user)
    if not form.is_valid():
        return form, selectors.audit_log(request.user).none()
    return form, selectors.audit_log(request.user, **form.cleaned_data)


def _base_query(request) -> str:
    params = request.GET.copy()
    for name in ("after", "before", "format"):
        params.pop(name, None)
    return params.urlencode()


def _log_page(request, form, entries):
    page = selectors.audit_page(
        entries,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=page_size(request),
    )
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "base_query": _base_query(request),
        },
    )


@login_required
def audit_log(request):
    """Who opened, exported or changed the members (and links, notices, organisations) of the
    subtrees the user manages; filtered, paged newest first."""
    manage_scope_or_404(request.user)
    form, entries = _filtered(request)
    return _log_page(request, form, entries)


@login_required
@require_GET
@reads_from_replica
def audit_log_export(request):
    """The page's entries (every page of them) as .xlsx; a wrong filter shows the page instead."""
    manage_scope_or_404(request.user)
    form, entries = _filtered(request)
    if form.is_bound and not form.is_valid():
        return _log_page(request, form, entries)
    return exports.audit_log_export(
        actor=request.user, entries=entries, query=_base_query(request), filters=filter_summary(form)
    )


@login_required
def own_reads(request):
    """A member's own page: who opened or exported my record, and when."""
    page = selectors.own_reads_page(
        request.user,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=page_size(request),
    )
    return render(request, "audit/own_reads.html", {"page": page, "base_query": _base_query(request)})


@login_required
@require_GET
def own_data(request):
    """A member's own data (record, links, change notices) as .xlsx (default) or JSON."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "json"):
        raise Http404("Không có định dạng này.")
    data = selectors.own_data(request.user)
    return exports.own_data_export(actor=request.user, data=data, fmt=fmt)
