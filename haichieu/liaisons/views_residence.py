"""Residence side (Điều 4, QĐ 213): the commune/ward committee receives introductions and places
members in residential cells; the cell keeps its list, groups and followers; both keep the book.

Views are thin: parse a form, fetch through the access rule, call one service, render. Everything
is fetched through the residence-side scope, so a workplace user or an outsider gets 404 here.
Residence users never see the national ID, the party card number or ratings on these pages.
"""

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from haichieu.access import may_write_residence, organization_get_for, organizations_visible_to, scope_for
from haichieu.core.exports import attachment_response
from haichieu.core.forms import add_service_error
from haichieu.core.jinja import render_jinja2
from haichieu.core.paging import Page, keyset_page, page_size
from haichieu.core.params import parse_id
from haichieu.core.services import ServiceError
from haichieu.jobs import services as jobs
from haichieu.organizations.models import Organization

from . import selectors, services
from .forms_residence import (
    BookPeriodForm,
    DepartureDecisionForm,
    GroupForm,
    NoLongerResidesForm,
    PlaceForm,
    ReceiveForm,
    ReceiveManyForm,
    ReturnForm,
)
from .jobs import BOOK_FORMATS, BOOK_KIND, book_in_background, tracking_book_file
from .models import DepartureReport, Liaison

S = Liaison.Status
BOOK_PAGE_SIZE = 100


# --- helpers ---------------------------------------------------------------------------------
def _residence_org(user, pk, *, cell: bool | None = None) -> Organization:
    """A residential organisation in the user's scope (cell=True: a cell; False: a committee); else 404."""
    org = organization_get_for(user, pk=pk)
    if not org.is_residential or (cell is not None and org.is_cell != cell):
        raise Http404("Không tìm thấy tổ chức.")
    return org


def _chosen_committee(request, communes=None) -> Organization | None:
    """The commune committee a list is narrowed to (`org`, posted or in the query): one in the
    user's scope, else 404. Without one, the user's only committee among `communes`, else None."""
    org_param = (request.POST.get("org") or request.GET.get("org") or "").strip()
    if org_param:
        if (org_pk := parse_id(org_param)) is None:
            raise Http404("Không tìm thấy tổ chức.")
        return _residence_org(request.user, org_pk, cell=False)
    return communes[0] if communes is not None and len(communes) == 1 else None


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() would read anything else as the name of a view.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _incoming_url(org) -> str:
    url = reverse("liaisons:residence_incoming")
    return f"{url}?org={org.pk}" if org is not None else url


# --- incoming introductions (commune/ward committee) -------------------------------------------
@login_required
def incoming(request):
    """Introductions waiting for the commune committee; POST receives the ticked ones at once."""
    communes = list(selectors.residence_orgs_for(request.user, cells=False))
    org = _chosen_committee(request, communes)
    form = None
    if org is not None and scope_for(request.user).may_write(org):
        form = ReceiveManyForm(request.POST or None, user=request.user, commune=org)
    if request.method == "POST":
        if form is None:
            raise Http404("Không tìm thấy tổ chức.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                received = services.liaison_receive_many(
                    actor=request.user,
                    liaisons=data["liaisons"].order_by("pk"),
                    cell=data["cell"],
                    group=data["group"],
                    follower_name=data["follower_name"],
                    follower_phone=data["follower_phone"],
                    received_on=data["received_on"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"Đã tiếp nhận {len(received)} đảng viên, phân về {data['cell'].name}."
                )
                return redirect(_incoming_url(org))
    page = selectors.incoming_page(
        selectors.incoming_for(
            request.user,
            org=org,
            committee_ids=[c.pk for c in communes if org is not None and org.contains(c)],
        ),  # fmt: skip
        after=request.GET.get("after", ""),
        size=page_size(request),
    )
    suggestions = selectors.suggested_cells(page.rows, cells=form.commune_cells if form is not None else None)
    today = timezone.localdate()
    ticked = set(request.POST.getlist("liaisons")) if request.method == "POST" else set()
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "communes": communes,
        "org": org,
        "form": form,
        "rows": [
            {
                "liaison": liaison,
                "suggested": suggestions.get(liaison.pk),
                "overdue": liaison.receive_due is not None and liaison.receive_due < today,
                "ticked": str(liaison.pk) in ticked,
            }
            for liaison in page.rows
        ],
        "next_cursor": page.next_cursor,
        "later_page": bool(request.GET.get("after")),
        "base_query": params.urlencode(),
        "today": today,
        "follower_options": selectors.follower_suggestions(form.commune_cells) if form is not None else [],
    }
    if len(communes) > 1:  # a choice of commune: rendered like the rows (a province has ~130)
        context["commune_options"] = render_jinja2("core/_options.html", {
            "choices": [(c.pk, c.name, org is not None and org.pk == c.pk) for c in communes],
        })  # fmt: skip
    context["rows_html"] = render_jinja2("liaisons/residence/_incoming_rows.html", {
        "rows": context["rows"], "with_checkbox": form is not None, "show_commune": org is None,
    })  # fmt: skip
    return render(request, "liaisons/residence/incoming.html", context)


@login_required
def receive(request, pk):
    liaison = selectors.residence_liaison_get_for(request.user, pk, write=True)
    if liaison.commune_org is None:
        raise Http404("Không tìm thấy hồ sơ.")
    suggested = services.suggest_cell(liaison.commune_org, liaison.address_hamlet)
    form = ReceiveForm(
        request.POST or None, user=request.user, commune=liaison.commune_org, initial={"cell": suggested}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.liaison_receive(
                actor=request.user,
                liaison=liaison,
                cell=data["cell"],
                group=data["group"],
                follower_name=data["follower_name"],
                follower_phone=data["follower_phone"],
                received_on=data["received_on"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"Đã tiếp nhận đồng chí {liaison.member.full_name}, phân về {data['cell'].name}."
            )
            return redirect(_incoming_url(liaison.commune_org))
    return render(
        request,
        "liaisons/residence/receive.html",
        {
            "liaison": liaison,
            "form": form,
            "suggested": suggested,
            "today": timezone.localdate(),
            "follower_options": selectors.follower_suggestions(form.commune_cells),
        },
    )


@login_required
def return_(request, pk):
    """Return an introduction, in two steps: the reason (a POST that redirects to its confirmation,
    a GET safe to reload), then the confirmation (`confirm=1`), which returns it."""
    liaison = selectors.residence_liaison_get_for(request.user, pk, write=True)
    if liaison.commune_org is None:
        raise Http404("Không tìm thấy hồ sơ.")
    confirming = request.method == "GET" and "reason" in request.GET
    form = ReturnForm(request.POST if request.method == "POST" else (request.GET if confirming else None))
    if form is not None and form.is_valid():
        try:
            services.check_return_reason(form.cleaned_data["reason"], form.cleaned_data["note"])
        except ServiceError as exc:
            add_service_error(form, exc)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") != "1":
            query = urlencode({"reason": form.cleaned_data["reason"], "note": form.cleaned_data["note"]})
            return redirect(f"{reverse('liaisons:residence_return', args=[liaison.pk])}?{query}")
        try:
            services.liaison_return(
                actor=request.user,
                liaison=liaison,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"Đã trả lại giới thiệu đồng chí {liaison.member.full_name} về nơi công tác."
            )
            return redirect(_incoming_url(liaison.commune_org))
    confirming = confirming and form.is_valid()
    return render(
        request,
        "liaisons/residence/return.html",
        {
            "liaison": liaison,
            "form": form,
            "today": timezone.localdate(),
            "confirming": confirming,
            "reason_label": Liaison.ReturnReason(form.cleaned_data["reason"]).label if confirming else "",
        },
    )


@login_required
def group_options(request):
    """<option>s of the groups of one residential cell in scope (the reception form's cell select)."""
    cell_pk = parse_id(request.GET.get("cell") or "")
    cell = None
    if cell_pk is not None:
        cell = (
            organizations_visible_to(request.user)
            .filter(pk=cell_pk, kind=Organization.Kind.CELL, is_residential=True)
            .first()
        )
    groups = cell.liaison_groups.order_by("name").values_list("pk", "name") if cell else []
    return render(request, "_options.html", {"blank": "— Chưa phân tổ/nhóm —", "options": groups})


# --- residential cells -------------------------------------------------------------------------
@login_required
def cells(request):
    """The residential cells the user covers (a commune's staff picks one; a secretary has theirs)."""
    org = _chosen_committee(request)
    cell_list = list(selectors.residence_orgs_for(request.user, cells=True, within=org))
    counts = selectors.cell_member_counts(cell_list)
    return render(
        request,
        "liaisons/residence/cells.html",
        {
            "org": org,
            "communes": selectors.residence_orgs_for(request.user, cells=False),
            "cells": [
                {
                    "cell": c,
                    "active": counts.get(c.pk, {}).get(S.ACTIVE, 0),
                    "received": counts.get(c.pk, {}).get(S.RECEIVED, 0),
                }
                for c in cell_list
            ],
        },
    )


# A cell with more members than this opens on its groups folded (a phone shows the group names
# first); a search, or a smaller cell, shows them open.
FOLD_GROUPS_ABOVE = 15
SEARCH_MAX_LENGTH = 100


def _cell_context(request, cell, *, group_form=None) -> dict:
    q = (request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    roster = selectors.cell_roster(cell, q=q)
    members = [liaison for block in roster for liaison in block["liaisons"]]
    if q:  # the counts above the list are the cell's, not the search's
        counts = selectors.cell_member_counts([cell]).get(cell.pk, {})
        total, waiting = sum(counts.values()), counts.get(S.RECEIVED, 0)
    else:
        total, waiting = len(members), sum(1 for liaison in members if liaison.status == S.RECEIVED)
    return {
        "cell": cell,
        "roster": roster,
        "q": q,
        "found": len(members),
        "groups_open": bool(q) or total <= FOLD_GROUPS_ABOVE,
        "total": total,
        "waiting": waiting,
        "excused": sum(1 for liaison in members if liaison.excused) if not q else 0,
        "can_write": scope_for(request.user).may_write(cell),
        "group_form": group_form or GroupForm(),
        "search_max_length": SEARCH_MAX_LENGTH,
    }


@login_required
def cell_detail(request, pk):
    """The cell's members by group (folded when many), searched by name on the server (htmx swaps
    the roster alone); a member's actions are on the link's page, not on every row."""
    cell = _residence_org(request.user, pk, cell=True)
    context = _cell_context(request, cell)
    if request.htmx:
        return render(request, "liaisons/residence/_cell_roster.html", context)
    return render(request, "liaisons/residence/cell.html", context)


@require_POST
@login_required
def group_create(request, pk):
    cell = _residence_org(request.user, pk, cell=True)
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = services.group_create(actor=request.user, cell=cell, name=form.cleaned_data["name"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Đã lập tổ/nhóm “{group.name}”.")
            return redirect("liaisons:residence_cell", pk=cell.pk)
    return render(request, "liaisons/residence/cell.html", _cell_context(request, cell, group_form=form))


@require_POST
@login_required
def activate(request, pk):
    liaison = selectors.residence_liaison_get_for(request.user, pk, write=True)
    try:
        services.liaison_activate(actor=request.user, liaison=liaison)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã xác nhận chi bộ tiếp nhận đồng chí {liaison.member.full_name}.")
    if liaison.cell_id is None:
        return redirect("liaisons:residence_incoming")
    return redirect("liaisons:residence_cell", pk=liaison.cell_id)


@login_required
def place(request, pk):
    liaison = selectors.residence_liaison_get_for(request.user, pk, write=True)
    if liaison.cell_id is None:
        raise Http404("Không tìm thấy hồ sơ.")
    form = PlaceForm(request.POST or None, liaison=liaison)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.liaison_place(
                actor=request.user,
                liaison=liaison,
                group=data["group"],
                follower_name=data["follower_name"],
                follower_phone=data["follower_phone"],
                version=data["version"],
                new_group=data["new_group"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"Đã lưu tổ/nhóm và người theo dõi của đồng chí {liaison.member.full_name}."
            )
            return redirect("liaisons:residence_cell", pk=liaison.cell_id)
    return render(
        request,
        "liaisons/residence/place.html",
        {
            "liaison": liaison,
            "form": form,
            "follower_options": selectors.follower_suggestions([liaison.cell_id], members_of=liaison.cell_id),
        },
    )


def residence_actions(request, liaison) -> dict | None:
    """What a residence-side writer may do on the link's own page (liaisons:detail), or None: the
    group and follower, and "no longer lives here" — a report to the commune committee for a cell,
    the committee's own ending at once — with its form there, so a phone reaches it from the cell's
    list in one page. The cell's rows carry no consequential button."""
    if liaison.status not in (S.RECEIVED, S.ACTIVE) or not may_write_residence(request.user, liaison):
        return None
    back = (
        reverse("liaisons:residence_cell", args=[liaison.cell_id])
        if liaison.cell_id
        else reverse("liaisons:residence_incoming")
    )
    return {
        "back": back,
        "at_once": services.departure_ends_at_once(request.user, liaison),
        **_departure_state(liaison),
        "form": NoLongerResidesForm(initial={"date": timezone.localdate()}),
    }


def _departure_state(liaison) -> dict:
    """The cell's last report on the link: `pending` while it waits, `rejected` when the committee
    did not confirm it (the form says why)."""
    latest = selectors.departure_latest_of(liaison)
    state = latest.state if latest is not None else None
    return {
        "pending": latest if state == DepartureReport.State.PENDING else None,
        "rejected": latest if state == DepartureReport.State.REJECTED else None,
    }


@login_required
def no_longer_resides(request, pk):
    """ "No longer lives here": the commune committee's ends the link at once; a residential cell's is
    a report the committee confirms or rejects (QĐ 213, Art. 4)."""
    liaison = selectors.residence_liaison_get_for(request.user, pk, write=True)
    default = (
        reverse("liaisons:residence_cell", args=[liaison.cell_id])
        if liaison.cell_id
        else reverse("liaisons:residence_incoming")
    )
    back = _next_url(request, default)
    at_once = services.departure_ends_at_once(request.user, liaison)
    form = NoLongerResidesForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        name = liaison.member.full_name
        data = form.cleaned_data
        try:
            if at_once:
                services.liaison_no_longer_resides(
                    actor=request.user, liaison=liaison, date=data["date"], note=data["note"]
                )
            else:
                services.departure_report(
                    actor=request.user, liaison=liaison, date=data["date"], note=data["note"]
                )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if at_once:
                done = f"Đã ghi nhận đồng chí {name} không còn cư trú tại địa phương; nơi công tác đã nhận được thông báo."
            else:
                done = (
                    f"Đã báo {liaison.commune_org.name} đồng chí {name} không còn cư trú tại địa phương; "
                    "hồ sơ kết thúc khi đảng ủy xác nhận."
                )
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "liaisons/residence/no_longer_resides.html",
        {
            "liaison": liaison,
            "form": form,
            "back": back,
            "open": liaison.status in (S.RECEIVED, S.ACTIVE),
            "at_once": at_once,
            **_departure_state(liaison),
        },
    )


@login_required
def departures(request):
    """Cells' "no longer lives here" reports waiting for the commune committees the user covers."""
    communes = list(selectors.residence_orgs_for(request.user, cells=False))
    org = _chosen_committee(request, communes)
    page = keyset_page(
        selectors.departures_pending_for(request.user, org=org).select_related(*selectors.DEPARTURE_RELATED),
        key=["pk"],
        after=request.GET.get("after", ""),
        size=page_size(request),
    )
    params = request.GET.copy()
    params.pop("after", None)
    return render(
        request,
        "liaisons/residence/departures.html",
        {
            "communes": communes,
            "org": org,
            "reports": page.rows,
            "next_cursor": page.next_cursor,
            "later_page": bool(request.GET.get("after")),
            "base_query": params.urlencode(),
        },
    )


@login_required
def departure(request, pk):
    """One cell's report: the commune committee confirms it (the link ends, the workplace is told)
    or rejects it with a reason (the cell is told)."""
    report = selectors.departure_get_for(request.user, pk, write=request.method == "POST")
    can_decide = scope_for(request.user).may_write(report.commune_org)
    form = DepartureDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = report.liaison.member.full_name
        try:
            if form.cleaned_data["decision"] == DepartureDecisionForm.CONFIRM:
                services.departure_confirm(actor=request.user, report=report)
                done = f"Đã xác nhận đồng chí {name} không còn cư trú tại địa phương; nơi công tác đã nhận được thông báo."
            else:
                services.departure_reject(
                    actor=request.user, report=report, reason=form.cleaned_data["reason"]
                )
                done = f"Đã không xác nhận báo đồng chí {name} không còn cư trú; chi bộ đã nhận được lý do."
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(f"{reverse('liaisons:residence_departures')}?org={report.commune_org_id}")
    return render(
        request,
        "liaisons/residence/departure.html",
        {
            "report": report,
            "liaison": report.liaison,
            "form": form,
            "can_decide": can_decide and report.state == report.State.PENDING,
        },
    )


# --- tracking book -------------------------------------------------------------------------------
@login_required
def book(request, pk):
    """Sổ theo dõi đảng viên giữ mối liên hệ nơi cư trú of a commune committee or a residential cell."""
    org = _residence_org(request.user, pk)
    start, end = BookPeriodForm.default_period()
    if "start" in request.GET or "end" in request.GET:
        form = BookPeriodForm(request.GET)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        form = BookPeriodForm(initial={"start": start, "end": end})
    valid = not form.is_bound or form.is_valid()
    export = request.GET.get("format", "")
    if export:
        if not valid or export not in EXPORTS:
            raise Http404("Không có định dạng này.")
        return _export_book(request, org, start, end, export)
    page, counts = Page(), {"total": 0, "arrivals": 0, "departures": 0}
    if valid:
        parts = selectors.tracking_book_parts(org, start=start, end=end)
        counts = selectors.tracking_book_counts(parts, start=start, end=end)
        page = selectors.tracking_book_page(
            parts,
            after=request.GET.get("after", ""),
            size=page_size(request) if "size" in request.GET else BOOK_PAGE_SIZE,
            totals=counts["parts"],
        )
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("format", None)
    if not form.is_bound:
        params.update({"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"})
    return render(
        request,
        "liaisons/residence/book.html",
        {
            "org": org,
            "form": form,
            "start": start,
            "end": end,
            "counts": counts,
            "rows": page.rows,
            "rows_html": render_jinja2(
                "liaisons/residence/_book_rows.html",
                {
                    "rows": page.rows,
                    "with_cell": not org.is_cell,
                    "status_labels": dict(S.choices),
                    "end_reason_labels": dict(Liaison.EndReason.choices),
                },
            ),
            "next_cursor": page.next_cursor,
            "later_page": bool(request.GET.get("after")),
            "base_query": params.urlencode(),
            "exports": sorted(EXPORTS),
        },
    )


# --- tracking book exports (rows and Word layout from the documents module) ----------------------
def _export_book(request, org, start, end, fmt: str):
    """The book as a file: written here, or by the worker above JOB_BOOK_ROWS links (liaisons/jobs.py)."""
    if book_in_background(selectors.tracking_book(org, start=start, end=end)):
        job = jobs.start(
            owner=request.user,
            kind=BOOK_KIND,
            title=f"Sổ theo dõi {start:%d/%m/%Y}–{end:%d/%m/%Y} ({fmt}): {org.name}",
            params={"org": org.pk, "start": start.isoformat(), "end": end.isoformat(), "fmt": fmt},
        )
        return redirect("jobs:detail", pk=job.pk)
    try:
        data, name, content_type = tracking_book_file(
            actor=request.user, org=org, start=start, end=end, fmt=fmt
        )
    except ServiceError as exc:  # the province's template cannot be filled with these data
        messages.error(request, exc.message)
        return redirect("liaisons:residence_book", pk=org.pk)
    return attachment_response(io.BytesIO(data), filename=name, content_type=content_type)


EXPORTS = BOOK_FORMATS
