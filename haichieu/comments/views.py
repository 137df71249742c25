"""Pages of the comments app (issue 12). Views are thin: parse a form, fetch through the access rule,
call one service, render. A request outside the user's scope is 404 on GET and POST alike."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from haichieu.access import (
    comment_request_get_for,
    may_answer_comment,
    may_confirm_comment,
    members_visible_to,
    organization_get_for,
    read_scope_or_404,
    scope_for,
    write_scope_or_404,
)
from haichieu.core import documents as layout
from haichieu.core.audit import audit_record
from haichieu.core.forms import add_service_error
from haichieu.core.jinja import render_jinja2
from haichieu.core.paging import page_size
from haichieu.core.params import figure_query, parse_id, parse_year
from haichieu.core.replica import reads_from_replica
from haichieu.core.services import ServiceError
from haichieu.documents.engine import TemplateRenderError
from haichieu.jobs import services as jobs
from haichieu.organizations.selectors import figures_org_for
from haichieu.stats import figures as statistics_figures

from . import document_kinds, figures, figures_charts, figures_exports, rules, selectors, services
from .forms import AnswerForm, AskForm, RoundForm
from .jobs import ROUND_KIND, round_in_background, round_message
from .models import CommentRequest


def _year(request) -> int:
    """`?year=` when it is a year, else this year (a malformed value is not an error: the list of
    this year)."""
    return parse_year(request.GET.get("year", "")) or timezone.localdate().year


def _nav(user, year: int) -> dict:
    """What the pages' tabs need: the year, and whether the user opens rounds (the workplace side)."""
    scope = scope_for(user)
    return {
        "year": year,
        "may_open_round": scope.is_superuser or (scope.has_workplace_role and scope.writes_somewhere),
    }


def _org_param(user, request, name: str):
    """The organisation `?<name>=<id>` names (selectors.request_org); None when absent; 404 for a
    malformed id or one the user neither reads nor sends requests to."""
    if name not in request.GET:
        return None
    org = selectors.request_org(user, parse_id(request.GET[name]))
    if org is None:
        raise Http404("Không tìm thấy tổ chức.")
    return org


@login_required
def request_list(request):
    """The requests the user sees, oldest deadline first: a residential cell's inbox, a commune
    committee's (its cells'), a workplace's (its members'). Filters: year, cell, commune, state."""
    read_scope_or_404(request.user)
    today = timezone.localdate()
    # Every year unless one is asked for: a round opened in December is answered in January.
    year = parse_year(request.GET.get("year", ""))
    cell = _org_param(request.user, request, "cell")
    commune = _org_param(request.user, request, "commune")
    state = request.GET.get("state", "")
    if state not in selectors.STATES:
        state = ""
    page = selectors.requests_page(
        request.user,
        today=today,
        year=year,
        cell=cell,
        commune=commune,
        state=state,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=page_size(request),
    )
    query = {
        **({"year": year} if year else {}),
        **({"cell": cell.pk} if cell else {}),
        **({"commune": commune.pk} if commune else {}),
    }
    context = {
        "page": page,
        "rows_html": render_jinja2(
            "comments/_request_rows.html",
            {
                "rows": page.rows,
                "today": today,
                "purposes": dict(CommentRequest.Purpose.choices),
                "states": dict(CommentRequest.State.choices),
            },
        ),
        "today": today,
        "cell": cell,
        "commune": commune,
        "state": state,
        "states": selectors.STATES,
        "base_query": urlencode({**query, **({"state": state} if state else {})}),
        "filter_query": urlencode(query),
        **_nav(request.user, today.year),
        "year": year,
    }
    return render(request, "comments/list.html", context)


@login_required
def progress(request):
    """Answered, pending and overdue requests of the year per commune committee, or per residential
    cell of one commune (`?commune=`), each row opening its list. Per commune committee this year's
    come from the statistics summary when it keeps them (stats.figures.comment_progress), and the
    page says when it was made."""
    read_scope_or_404(request.user)
    today = timezone.localdate()
    year = _year(request)
    commune = _org_param(request.user, request, "commune")
    rows, summary_at = statistics_figures.comment_progress(request.user, year=year, commune=commune)
    context = {
        "rows": rows,
        "summary_at": summary_at,
        "rows_html": render_jinja2(
            "comments/_progress_rows.html", {"rows": rows, "year": year, "commune": commune}
        ),
        "total": selectors.progress_total(rows),
        "commune": commune,
        "today": today,
        **_nav(request.user, year),
    }
    return render(request, "comments/progress.html", context)


@login_required
def open_round(request):
    """The workplace opens the yearly round for an organisation of its write scope."""
    write_scope_or_404(request.user)
    today = timezone.localdate()
    form = RoundForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = organization_get_for(request.user, code=data["org"].strip().upper(), kind="write")
        except Http404:
            form.add_error("org", "Không tìm thấy tổ chức này trong phạm vi bạn được mở đợt lấy ý kiến.")
        else:
            try:
                if round_in_background(org):
                    services.comment_round_check(
                        actor=request.user, org=org, year=data["year"], deadline=data["deadline"], today=today
                    )
                    job = jobs.start(
                        owner=request.user,
                        kind=ROUND_KIND,
                        title=f"Mở đợt lấy ý kiến nhận xét năm {data['year']}: {org.name}",
                        params={
                            "org": org.pk,
                            "year": data["year"],
                            "deadline": data["deadline"].isoformat(),
                            "today": today.isoformat(),
                        },
                    )
                    return redirect("jobs:detail", pk=job.pk)
                result = services.open_comment_round(
                    actor=request.user, org=org, year=data["year"], deadline=data["deadline"], today=today
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    round_message(result, year=data["year"]),
                )
                return redirect(f"{reverse('comments:progress')}?year={data['year']}")
    return render(request, "comments/round.html", {"form": form, **_nav(request.user, today.year)})


@login_required
def ask(request):
    """The workplace asks ad hoc for the comment on one member or a few (by party card number)."""
    write_scope_or_404(request.user)
    today = timezone.localdate()
    # `?card=`: the member page's link fills in the member's card number.
    form = AskForm(request.POST or None, initial={"cards": request.GET.get("card", "")[:20]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = {
            m.party_card_number: m
            for m in members_visible_to(request.user, workplace_only=True)
            .filter(party_card_number__in=data["cards"])
            .select_related("workplace_cell")
        }
        unknown = [card for card in data["cards"] if card not in found]
        if unknown:
            form.add_error("cards", "Không tìm thấy đảng viên có số thẻ: " + ", ".join(unknown) + ".")
        else:
            try:
                result = services.comment_requests_ask(
                    actor=request.user,
                    members=[found[card] for card in data["cards"]],
                    purpose=data["purpose"],
                    deadline=data["deadline"],
                    portal_reference=data["portal_reference"],
                    today=today,
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                for member, why in result.skipped:
                    messages.warning(request, f"Không gửi phiếu cho đồng chí {member.full_name}: {why}")
                if result.created:
                    messages.success(request, f"Đã gửi {len(result.created)} phiếu lấy ý kiến nhận xét.")
                    if len(result.created) == 1:
                        return redirect("comments:detail", pk=result.created[0].pk)
                    return redirect(f"{reverse('comments:list')}?year={today.year}")
    return render(request, "comments/ask.html", {"form": form, **_nav(request.user, today.year)})


def _detail_context(user, comment_request: CommentRequest) -> dict:
    comment, answered = selectors.comment_of(comment_request)
    return {
        "req": comment_request,
        "comment": comment,
        "answered": answered,
        "today": timezone.localdate(),
        "may_answer": comment_request.state == CommentRequest.State.PENDING
        and may_answer_comment(user, comment_request),
        "may_confirm": comment_request.state == CommentRequest.State.AWAITING_CONFIRMATION
        and may_confirm_comment(user, comment_request),
    }


@login_required
def detail(request, pk):
    """One request: the member, the deadline, and the comment once written (both sides)."""
    comment_request = comment_request_get_for(request.user, pk)
    return render(request, "comments/detail.html", _detail_context(request.user, comment_request))


@login_required
def answer(request, pk):
    """The comment form of the request's form definition, opening with the year's facts; the
    residential cell's committee (or the commune's staff) sends it. Others who see the request: 403;
    anyone else: 404."""
    comment_request = comment_request_get_for(request.user, pk, side="residence")
    if not may_answer_comment(request.user, comment_request):
        raise PermissionDenied("Bạn chỉ có quyền xem phiếu này.")
    if comment_request.state != CommentRequest.State.PENDING:
        messages.info(request, "Phiếu này đã được nhận xét.")
        return redirect("comments:detail", pk=comment_request.pk)
    facts = selectors.comment_facts(comment_request)
    criteria = selectors.criteria_of(comment_request)
    suggested = rules.suggestions(criteria, attended=facts.attended, expected=facts.expected)
    form = AnswerForm(request.POST or None, criteria=criteria, suggested=suggested)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_submit(
                actor=request.user,
                request=comment_request,
                levels=form.levels(),
                text=form.cleaned_data["text"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if comment_request.state == CommentRequest.State.ANSWERED:
                messages.success(request, "Đã gửi nhận xét về nơi công tác.")
            else:
                messages.success(request, "Đã lưu nhận xét: chờ đảng ủy xác nhận rồi gửi về nơi công tác.")
            return redirect("comments:detail", pk=comment_request.pk)
    context = {
        "req": comment_request,
        "form": form,
        "facts": facts,
        "suggested": suggested,
        "criteria_fields": form.criterion_fields(),
        "today": timezone.localdate(),
    }
    return render(request, "comments/answer.html", context)


@require_POST
@login_required
def confirm(request, pk):
    """The commune committee confirms the cell's comment; it goes to the workplace at once."""
    comment_request = comment_request_get_for(request.user, pk, side="residence")
    if not may_confirm_comment(request.user, comment_request):
        raise PermissionDenied("Bạn không có quyền xác nhận nhận xét này.")
    try:
        services.comment_confirm(actor=request.user, request=comment_request)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã xác nhận và gửi nhận xét về nơi công tác.")
    return redirect("comments:detail", pk=comment_request.pk)


@login_required
def comment_docx(request, pk):
    """The comment as a Word document (Mẫu 3-213 / 4-213, the province's template when it has one),
    for signing and stamping; a download recorded in the audit log."""
    comment_request = comment_request_get_for(request.user, pk)
    comment, answered = selectors.comment_of(comment_request)
    if comment is None:
        raise Http404("Chưa có nhận xét.")
    try:
        doc = document_kinds.comment_document(comment_request, comment, answered)
    except TemplateRenderError as exc:
        messages.error(request, exc.message)
        return redirect("comments:detail", pk=comment_request.pk)
    audit_record(actor=request.user, action="export", target=comment_request, note="Phiếu nhận xét (.docx)")
    return layout.docx_response(
        doc,
        f"Nhận xét {comment_request.year} - {comment_request.member.full_name} - Mẫu {comment_request.form.code}.docx",
    )


# --- figures (issues 12, 13) -----------------------------------------------------------------------
def figures_org_and_query(request):
    """The organisation a figures page is about (`?org=`, else the top of the user's scope;
    organizations.selectors.figures_org_for: 404 outside the scope, on GET and POST alike) and the rest of its
    query (core.params.figure_query: a malformed value is replaced by its default and said)."""
    read_scope_or_404(request.user)
    query = figure_query(request.GET, today=timezone.localdate())
    return figures_org_for(request.user, query.org_id), query


@login_required
def figures_page(request):
    """Comments answered on time (per commune for a workplace organisation, per cell for a residence
    one; the drill-down worst first) and the share of each level of each criterion, as of a day."""
    org, query = figures_org_and_query(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    year, as_of = query.year, query.as_of
    shares = figures.criterion_shares(org, year, as_of)
    context = {
        "org": org,
        "query": query,
        "year": year,
        "as_of": as_of,
        "total": figures.timeliness_total(org, year, as_of),
        "places": figures.timeliness_by_place(org, year, as_of),
        "children": figures.timeliness_by_child(org, year, as_of),
        "forms": [(form, figures_charts.criterion_chart(form)) for form in shares],
        "figures_query": query.query_string(org.pk),
        **_nav(request.user, year),
    }
    return render(request, "comments/figures.html", context)


@login_required
@reads_from_replica
def figures_timeliness_xlsx(request):
    """The page's two tables of answered on time as .xlsx (an export recorded in the audit log)."""
    org, query = figures_org_and_query(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return figures_exports.timeliness_export(actor=request.user, org=org, year=query.year, as_of=query.as_of)


@login_required
@reads_from_replica
def figures_criteria_xlsx(request):
    """The share of each level of each criterion as .xlsx (an export recorded in the audit log)."""
    org, query = figures_org_and_query(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return figures_exports.criteria_export(actor=request.user, org=org, year=query.year, as_of=query.as_of)
