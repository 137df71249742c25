"""Exemption pages: under the member (workplace side only) and the list per organisation."""

from __future__ import annotations

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from haichieu.access import exemption_member_get_for, organizations_visible_to, read_scope_or_404, scope_for
from haichieu.core.audit import audit_record
from haichieu.core.exports import attachment_response
from haichieu.core.forms import add_service_error
from haichieu.core.params import parse_year
from haichieu.core.services import ServiceError
from haichieu.core.uploads import LimitedUpload

from . import rules, scans, selectors, services
from .exports import year_export
from .forms import ExemptionForm, RevokeForm


def _with_scan_limit(view):
    """Upload handlers can only change before the body is read, which CSRF checking does: the
    limit is put in place first, then the request is checked (as documents/views.py)."""
    checked = csrf_protect(view)

    @csrf_exempt
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limited = LimitedUpload(request, scans.max_bytes())
        request.upload_handlers.insert(0, limited)
        return checked(request, *args, limited=limited, **kwargs)

    return wrapper


def _exemption_or_404(member, pk):
    exemption = selectors.member_exemption_get(member, pk)
    if exemption is None:
        raise Http404("Không tìm thấy lần miễn này.")
    return exemption


@login_required
def member_exemptions(request, pk):
    member = exemption_member_get_for(request.user, pk)
    today = timezone.localdate()
    exemptions = list(selectors.member_exemptions(member))
    return render(
        request,
        "exemptions/member.html",
        {
            "member": member,
            "exemptions": exemptions,
            "in_force": next((e for e in exemptions if e.is_in_force_on(today)), None),
            "today": today,
            "scanned": selectors.scanned_ids(member),
            "can_write": scope_for(request.user).may_write(member.workplace_cell),
            "revoke_form": RevokeForm(),
        },
    )


def _form_page(request, member, form, *, exemption=None, renews=None, status=200):
    return render(
        request,
        "exemptions/form.html",
        {
            "member": member,
            "form": form,
            "exemption": exemption,
            "renews": renews,
            "max_size": scans.size_text(scans.max_bytes()),
            "cell_reasons": [label for value, label in rules.reasons() if rules.cell_decides(value)],
        },
        status=status,
    )


def _bound_form(request, member, limited, instance=None, initial=None):
    bodies = services.deciding_bodies(member)
    if request.method != "POST":
        return ExemptionForm(instance=instance, initial=initial, bodies=bodies), False
    form = ExemptionForm(request.POST, request.FILES, instance=instance, bodies=bodies)
    valid = form.is_valid()
    if limited.too_large:
        form.add_error("scan", f"Tệp bản chụp đơn quá lớn: tối đa {scans.size_text(scans.max_bytes())}.")
        valid = False
    return form, valid


@_with_scan_limit
def exemption_create(request, pk, limited):
    member = exemption_member_get_for(request.user, pk, write=True)
    form, valid = _bound_form(request, member, limited)
    if valid:
        try:
            services.exemption_create(
                actor=request.user, member=member, data=form.cleaned_data, scan=form.cleaned_data.get("scan")
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Đã ghi việc miễn công tác và sinh hoạt đảng của {member.full_name}.")
            return redirect("exemptions:member", pk=member.pk)
    return _form_page(request, member, form)


@_with_scan_limit
def exemption_update(request, pk, exemption_pk, limited):
    member = exemption_member_get_for(request.user, pk, write=True)
    exemption = _exemption_or_404(member, exemption_pk)
    form, valid = _bound_form(request, member, limited, instance=exemption)
    if valid:
        try:
            services.exemption_update(
                actor=request.user,
                exemption=exemption,
                data=form.cleaned_data,
                scan=form.cleaned_data.get("scan"),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Đã lưu thay đổi.")
            return redirect("exemptions:member", pk=member.pk)
    return _form_page(request, member, form, exemption=exemption)


@_with_scan_limit
def exemption_renew(request, pk, exemption_pk, limited):
    """The year-end renewal: a new exemption for the next period, prefilled from the one renewed."""
    member = exemption_member_get_for(request.user, pk, write=True)
    renews = _exemption_or_404(member, exemption_pk)
    start, end = rules.renewal_period(renews)
    initial = {
        "reason": renews.reason,
        "reason_details": renews.reason_details,
        "decided_by": renews.decided_by_id,
        "start_date": start,
        "end_date": end,
        "contact": renews.contact,
    }
    form, valid = _bound_form(request, member, limited, initial=initial)
    if valid:
        try:
            services.exemption_create(
                actor=request.user,
                member=member,
                data=form.cleaned_data,
                scan=form.cleaned_data.get("scan"),
                renews=renews,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Đã gia hạn miễn công tác và sinh hoạt đảng của {member.full_name}.")
            return redirect("exemptions:member", pk=member.pk)
    return _form_page(request, member, form, renews=renews)


@login_required
@require_POST
def exemption_revoke(request, pk, exemption_pk):
    member = exemption_member_get_for(request.user, pk, write=True)
    exemption = _exemption_or_404(member, exemption_pk)
    form = RevokeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.exemption_revoke(actor=request.user, exemption=exemption, note=note)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã thôi miễn công tác và sinh hoạt đảng cho {member.full_name}.")
    return redirect("exemptions:member", pk=member.pk)


@login_required
@require_GET
def exemption_scan(request, pk, exemption_pk):
    """The scan of the application, as a download (never shown inline), logged."""
    member = exemption_member_get_for(request.user, pk)
    exemption = _exemption_or_404(member, exemption_pk)
    scan = getattr(exemption, "scan", None)
    if scan is None:
        raise Http404("Lần miễn này không có bản chụp đơn.")
    audit_record(
        actor=request.user, action="export", target=exemption, note=f"Tải bản chụp đơn {scan.filename}"
    )
    return attachment_response(
        io.BytesIO(bytes(scan.content)), filename=scan.filename, content_type=scan.content_type
    )


@login_required
def overview(request):
    """Exemptions ending soon and ended without renewal, per organisation (?org=CODE), and the
    yearly list as .xlsx (?format=xlsx&year=YYYY)."""
    read_scope_or_404(request.user)
    today = timezone.localdate()
    code = (request.GET.get("org") or "").strip().upper()[:50]
    org = None
    org_error = ""
    if code:
        org = organizations_visible_to(request.user).filter(code=code).first()
        if org is None:
            org_error = f"Không tìm thấy tổ chức có mã “{code}” trong phạm vi của bạn."
    year_value = request.GET.get("year")
    year = parse_year(year_value) if year_value else today.year
    if year is None:
        raise Http404("Năm không hợp lệ.")
    if request.GET.get("format") == "xlsx" and not org_error:
        return year_export(
            actor=request.user,
            exemptions=selectors.year_list_for(request.user, org=org, year=year),
            org=org,
            year=year,
        )
    ending = ended = []
    if not org_error:
        ending = list(selectors.ending_soon_for(request.user, org=org, today=today)[:200])
        ended = list(selectors.ended_unrenewed_for(request.user, org=org, today=today)[:200])
    scope = scope_for(request.user)
    return render(
        request,
        "exemptions/overview.html",
        {
            "ending": ending,
            "ended": ended,
            "org": org,
            "code": code,
            "org_error": org_error,
            "year": year,
            "days": rules.ending_within_days(),
            "writable": {e.pk for e in [*ending, *ended] if scope.may_write(e.member.workplace_cell)},
        },
    )
