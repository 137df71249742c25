"""Workplace side of the link: coverage, introductions and letters, events, digests; the inbox."""

import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from haichieu.access import (
    liaison_side,
    member_get_for,
    members_visible_to,
    organizations_visible_to,
    read_scope_or_404,
    scope_for,
    write_scope_or_404,
)
from haichieu.core.audit import audit_record
from haichieu.core.documents import DOCX_CONTENT_TYPE
from haichieu.core.exports import attachment_response
from haichieu.core.forms import add_service_error, choice_options, filter_summary
from haichieu.core.jinja import render_jinja2
from haichieu.core.paging import Page, page_size
from haichieu.core.params import parse_id, parse_ids
from haichieu.core.services import ServiceError
from haichieu.jobs import services as jobs
from haichieu.members.selectors import member_filter, member_list, member_list_page
from haichieu.organizations.models import Organization
from haichieu.organizations.selectors import organization_from_filter

from . import exports, introductions, rules, selectors, services
from .forms_workplace import (
    COVERED,
    TO_INTRODUCE,
    CoverageFilterForm,
    MemberEventForm,
    SignerForm,
    WithdrawForm,
)
from .jobs import LETTERS_KIND, letters_filename, letters_in_background, letters_in_scope, letters_issue
from .models import IntroductionBatch, Liaison, SignerTitle
from .views_residence import residence_actions

INTRODUCE_BATCH_LIMIT = introductions.BATCH_LIMIT


def _coverage_members(user, filters):
    """(the filtered organisation or None, the members listed under every filter, error)."""
    org, narrow, error = _coverage_filter(user, filters)
    if narrow is None:
        return org, None, error
    return org, member_list(user, narrow=narrow, workplace_only=True), error


def _coverage_filter(user, filters):
    """(the filtered organisation or None, the list's filters as one function from members to
    members (members.selectors.member_filter), error)."""
    org, error = organization_from_filter(user, filters.get("org") or "")
    if error:
        return None, None, error
    narrow_members = member_filter(user=user, q=filters.get("q", ""), org=org, status="active")
    link = filters.get("link")
    category = filters.get("category")

    def narrow(qs):
        qs = rules.working(narrow_members(qs))
        if link == TO_INTRODUCE:
            qs = rules.to_introduce(qs)
        elif link == COVERED:
            qs = rules.covered(qs)
        elif link:
            qs = qs.filter(link_status=link)
        if category == rules.INTRODUCED_CATEGORIES:
            qs = rules.introduced_categories(qs)
        elif category:
            qs = qs.filter(rules.category_rule_q(category))
        return qs

    return org, narrow, ""


@login_required
def coverage(request):
    """Every working member of the user's subtree with their link status, and the coverage rate."""
    scope = read_scope_or_404(request.user)
    form = CoverageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    org, narrow, org_error = _coverage_filter(request.user, filters)
    today = timezone.localdate()
    if narrow is not None and request.GET.get("format") == "xlsx":
        return exports.coverage_export(
            actor=request.user,
            members=member_list(request.user, narrow=narrow, workplace_only=True),
            org=org,
            today=today,
            query=request.GET.urlencode(),
            filters=filter_summary(form),
        )
    if narrow is None:
        page, summary, rows = Page(), None, []
    else:
        summary = selectors.coverage_summary(request.user, org=org)
        size = page_size(request)
        page = member_list_page(
            request.user,
            narrow=narrow,
            workplace_only=True,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
            size=size,
            fields=selectors.COVERAGE_FIELDS,
        ).counted(total=_coverage_total(request.user, narrow, filters, summary), size=size, request=request)
        current = selectors.current_liaisons(m.pk for m in page.rows)
        rows = []
        for member in page.rows:
            liaison = current.get(member.pk)
            rule = rules.category_rule(member.liaison_category)
            rows.append(
                {
                    "member": member,
                    "liaison": liaison,
                    "rule": rule,
                    "overdue": rules.overdue_reason(member, liaison, today),
                    "can_introduce": rules.is_to_introduce(member),
                }
            )
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    params.pop("format", None)
    params.pop("p", None)
    rows_html = render_jinja2(
        "liaisons/workplace/_coverage_rows.html",
        {
            "rows": rows,
            "can_write": scope.writes_somewhere,
            "letters_url": reverse("liaisons:letters"),
        },
    )
    return render(
        request,
        "liaisons/workplace/coverage.html",
        {
            "form": form,
            "rows": rows,
            "rows_html": rows_html,
            "page": page,
            "summary": summary,
            "org_error": org_error,
            "base_query": params.urlencode(),
            # The summary's cards link to the list under the organisation they count (and nothing else).
            "card_base": urlencode({"org": org.code}) if org is not None else "",
            "hd33": {
                "excused": rules.category_labels(rules.CategoryRule.EXCUSED),
                "not_introduced": rules.category_labels(rules.CategoryRule.NOT_INTRODUCED),
            },
            "can_write": scope.writes_somewhere,
            "signer_form": _signer_form(request.user) if scope.writes_somewhere else None,
            "status_labels": dict(Liaison.Status.choices),
            "link_options": choice_options(form, "link"),
            "category_options": choice_options(form, "category"),
        },
    )


def _coverage_total(user, narrow, filters, summary) -> int:
    """The list's total: under the organisation alone it is the coverage card's total, read from the
    kept counts (the same members: active, working, in the subtree; `coverage_tally`), not a COUNT
    over a province's members (840 ms at 1,000,000); under a status, category or name filter, counted."""
    if filters.get("q") or filters.get("link") or filters.get("category"):
        return member_list(user, narrow=narrow, workplace_only=True).count()
    return summary["total"]


def _signer_form(user) -> SignerForm:
    last = selectors.letter_signer_default(user)
    return SignerForm(initial={"signer_title": last.title, "signer_name": last.name})


@login_required
@require_POST
def introduce(request):
    """Preview the introduction of the selected members, or of every member not yet introduced under
    the current filter: nothing is issued until the preview is confirmed (`introduce_confirm`)."""
    write_scope_or_404(request.user)
    visible = members_visible_to(request.user, workplace_only=True).select_related(
        "workplace_cell", "residence_commune"
    )
    if request.POST.get("all") == "1":
        form = CoverageFilterForm(request.POST)
        filters = form.cleaned_data if form.is_valid() else {}
        _, qs, org_error = _coverage_members(request.user, filters)
        if qs is None:
            messages.error(request, org_error)
            return redirect("liaisons:coverage")
        members = list(
            visible.filter(pk__in=rules.to_introduce(qs).values("pk")).order_by("sort_key", "pk")[
                :INTRODUCE_BATCH_LIMIT
            ]
        )
    else:
        ids = parse_ids(request.POST.getlist("member"))
        if ids is None:
            raise Http404("Không tìm thấy đảng viên.")
        members = list(visible.filter(pk__in=ids).order_by("sort_key", "pk"))
        if len(members) != len(set(ids)):
            raise Http404("Không tìm thấy đảng viên.")
    if not members:
        messages.warning(
            request, "Chưa chọn đảng viên nào để giới thiệu (hoặc không còn ai chưa được giới thiệu)."
        )
        return redirect("liaisons:coverage")
    signer_form = SignerForm(request.POST)
    if not signer_form.is_valid():
        messages.error(request, " ".join(e for errors in signer_form.errors.values() for e in errors))
        return redirect("liaisons:coverage")
    try:
        batch = introductions.introduction_batch_create(
            actor=request.user,
            members=members,
            signer=signer_form.signer(),
            limited=len(members) == INTRODUCE_BATCH_LIMIT,
            note=request.POST.get("note", "")[:255],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("liaisons:coverage")
    # Post/redirect/get: the preview (and later the result) is a page of its own, safe to reload.
    return redirect("liaisons:introduce_batch", pk=batch.pk)


def _own_batch(user, pk) -> IntroductionBatch:
    """A bulk introduction of the user's own (previewed or issued); anyone else's is 404."""
    write_scope_or_404(user)
    batch = IntroductionBatch.objects.filter(pk=pk, created_by=user).first()
    if batch is None:
        raise Http404("Không tìm thấy đợt giới thiệu.")
    return batch


@login_required
def introduce_batch(request, pk):
    """A bulk introduction: its preview while it waits for confirmation, then what it did."""
    batch = _own_batch(request.user, pk)
    if batch.state == IntroductionBatch.State.PREVIEWED:
        preview = introductions.introduction_preview(
            actor=request.user,
            members=introductions.batch_members(request.user, batch),
            signer=introductions.batch_signer(batch),
            letter_date=batch.letter_date,
            note=batch.note,
        )
        return render(
            request,
            "liaisons/workplace/introduce_preview.html",
            {
                "batch": batch,
                "preview": preview,
                "stale": batch.letter_date != timezone.localdate(),
                "limit": INTRODUCE_BATCH_LIMIT,
            },
        )
    introduced = list(
        Liaison.objects.filter(pk__in=batch.introduced_ids)
        .select_related("member", "commune_org", "commune")
        .order_by("letter_number", "pk")
    )
    skipped_reasons = dict((member_id, why) for member_id, why in batch.skipped)
    skipped_members = members_visible_to(request.user, workplace_only=True).filter(pk__in=skipped_reasons)
    return render(
        request,
        "liaisons/workplace/introduce_result.html",
        {
            "batch": batch,
            "introduced": introduced,
            "without_commune_org": [link for link in introduced if link.commune_org_id is None],
            "skipped": [(m, skipped_reasons[m.pk]) for m in skipped_members.order_by("sort_key", "pk")],
            "limited": batch.limited,
            "letter_ids": ",".join(str(link.pk) for link in introduced),
        },
    )


@login_required
@require_POST
def introduce_confirm(request, pk):
    """Issue the previewed letters (once: a second submission lands on the same result)."""
    batch = _own_batch(request.user, pk)
    try:
        batch, issued_now = introductions.introduction_batch_issue(actor=request.user, batch=batch)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("liaisons:coverage")
    if not issued_now:
        messages.info(
            request, "Đợt giới thiệu này đã được xác nhận trước đó: không cấp thêm giấy giới thiệu nào."
        )
    return redirect("liaisons:introduce_batch", pk=batch.pk)


@login_required
def withdraw(request, pk):
    """Take back a letter the residence has not acted on (a confirmation page, then the POST)."""
    liaison = selectors.liaison_get_for(request.user, pk)
    scope = scope_for(request.user)
    if not scope.may_write(liaison.member.workplace_cell):
        if scope.may_read(liaison.member.workplace_cell):
            raise PermissionDenied("Bạn chỉ có quyền xem hồ sơ này.")
        raise Http404("Không tìm thấy hồ sơ.")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            introductions.liaison_withdraw(
                actor=request.user, liaison=liaison, note=form.cleaned_data["note"]
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Đã thu hồi giấy giới thiệu {liaison.letter_reference} của đồng chí {liaison.member.full_name}; "
                f"{liaison.commune_org.name if liaison.commune_org else 'nơi cư trú'} đã được thông báo. "
                "Đồng chí trở lại danh sách chưa giới thiệu.",
            )
            return redirect("liaisons:detail", pk=liaison.pk)
    return render(request, "liaisons/workplace/withdraw.html", {"liaison": liaison, "form": form})


@login_required
def letters(request):
    """One introduction letter, or a batch in one .docx (Mẫu 1-213 / 2-213); a batch of more than
    JOB_LETTERS letters is written by the worker (liaisons/jobs.py), the same document."""
    ids = parse_ids(request.GET.get("ids", ""))
    found = letters_in_scope(request.user, ids) if ids else []
    if not found or len(found) != len(set(ids)):
        raise Http404("Không tìm thấy giấy giới thiệu.")
    if letters_in_background(len(found)):
        job = jobs.start(
            owner=request.user,
            kind=LETTERS_KIND,
            title=f"Giấy giới thiệu ({len(found)} giấy)",
            params={"ids": [liaison.pk for liaison in found]},
        )
        return redirect("jobs:detail", pk=job.pk)
    try:
        data = letters_issue(actor=request.user, liaisons=found)
    except ServiceError as exc:  # the province's template cannot be filled with these data
        messages.error(request, exc.message)
        return redirect("liaisons:coverage")
    return attachment_response(
        io.BytesIO(data), filename=letters_filename(found), content_type=DOCX_CONTENT_TYPE
    )


@login_required
def liaison_detail(request, pk):
    liaison = selectors.liaison_get_for(request.user, pk)
    side = liaison_side(request.user, liaison)
    chain, next_links = selectors.linked_liaisons(request.user, liaison)
    return render(
        request,
        "liaisons/workplace/detail.html",
        {
            "liaison": liaison,
            "side": side,
            "residence": residence_actions(request, liaison) if side == "residence" else None,
            "events": liaison.events.select_related("actor"),
            "chain": chain,
            "next_links": next_links,
        },
    )


@login_required
def member_event(request, member_pk):
    """Record a change on a member; the residence side is told (change notice)."""
    member = member_get_for(request.user, member_pk)
    scope = scope_for(request.user)
    if not scope.may_write(member.workplace_cell):
        if scope.may_read(member.workplace_cell):
            raise PermissionDenied("Bạn chỉ có quyền xem hồ sơ này.")
        raise Http404
    form = MemberEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.member_record_event(
                actor=request.user,
                member=member,
                kind=data["kind"],
                event_date=data["event_date"],
                details=data["details"],
                new_position=data["new_position"],
                new_commune=data["new_commune"],
                new_hamlet=data["new_hamlet"],
                new_street=data["new_street"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            text = f"Đã ghi nhận: {result.notice.get_kind_display().lower()}."
            if result.notice.recipient_org:
                text += f" Đã thông báo cho {result.notice.recipient_org.name}."
            elif result.notice.kind not in rules.rules()["NOTIFIED_EVENTS"]:
                text += " Không gửi thông báo: loại biến động này không thuộc danh sách phải thông báo (trang Quy định)."
            if result.new_liaison:
                text += " " + services.INTRODUCE_NOW
            messages.success(request, text)
            return redirect("members:detail", pk=member.pk)
    return render(request, "liaisons/workplace/member_event.html", {"form": form, "member": member})


# --- digests -------------------------------------------------------------------------------------
@login_required
def digests(request):
    read_scope_or_404(request.user)
    today = timezone.localdate()
    rows = selectors.digests_status(request.user, today=today)
    return render(
        request,
        "liaisons/workplace/digests.html",
        {"rows": rows, "today": today, "signer_titles": SignerTitle.choices},
    )


def _digest_args(request, sender_pk, recipient_pk, year, period, *, write=False):
    scope = scope_for(request.user)
    sender = organizations_visible_to(request.user).filter(pk=sender_pk).first()
    recipient = Organization.objects.filter(pk=recipient_pk).first()
    if sender is None or recipient is None or not 1 <= period <= 12 // rules.rules()["DIGEST_EVERY_MONTHS"]:
        raise Http404
    if write and not scope.may_write(sender):
        raise PermissionDenied("Bạn không có quyền gửi danh sách biến động của tổ chức này.")
    notices = selectors.digest_notices(sender_org=sender, recipient_org=recipient, year=year, period=period)
    if not notices.exists():
        raise Http404
    return sender, recipient, notices


@login_required
def digest_download(request, sender_pk, recipient_pk, year, period, fmt):
    from . import documents

    sender, recipient, notices = _digest_args(request, sender_pk, recipient_pk, year, period)
    audit_record(
        actor=request.user,
        action="export",
        target=sender,
        note=f"Danh sách biến động {rules.digest_period_label(year, period)} gửi {recipient}",
    )
    name = f"bien-dong-{rules.digest_period_slug(year, period)}-{recipient.code}".lower()
    if fmt == "docx":
        from haichieu.core.documents import docx_response

        from .document_kinds import notice_document

        digest = selectors.digest_issued(sender_org=sender, recipient_org=recipient, year=year, period=period)
        try:
            doc = notice_document(
                sender_org=sender,
                recipient_org=recipient,
                year=year,
                period=period,
                notices=notices,
                digest=digest,
            )
        except ServiceError as exc:  # the province's template cannot be filled with these data
            messages.error(request, exc.message)
            return redirect("liaisons:digests")
        return docx_response(doc, f"{name}.docx")
    if fmt == "xlsx":
        return documents.digest_xlsx(
            sender_org=sender, recipient_org=recipient, year=year, period=period, notices=notices
        )
    raise Http404


@login_required
@require_POST
def digest_send(request, sender_pk, recipient_pk, year, period):
    sender, recipient, notices = _digest_args(request, sender_pk, recipient_pk, year, period, write=True)
    signer_form = SignerForm(request.POST)
    try:
        if not signer_form.is_valid():
            raise ServiceError(" ".join(e for errors in signer_form.errors.values() for e in errors))
        digest = services.digest_mark_sent(
            actor=request.user,
            sender_org=sender,
            recipient_org=recipient,
            year=year,
            period=period,
            signer=signer_form.signer(),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Đã ban hành thông báo {digest.reference} về biến động {rules.digest_period_label(year, period)} "
            f"gửi {recipient.name}.",
        )
    return redirect("liaisons:digests")


# --- inbox ---------------------------------------------------------------------------------------
@login_required
def inbox(request):
    scope = scope_for(request.user)
    orgs = list(Organization.objects.filter(pk__in=scope.inbox_org_ids).order_by("name"))
    org_id = parse_id(request.GET.get("org"))
    org_id = org_id if org_id in scope.inbox_org_ids else None
    unread_only = request.GET.get("unread") == "1"
    listed = selectors.inbox_for(request.user, org_id=org_id, unread_only=unread_only).order_by(
        "-created_at", "-pk"
    )
    if request.GET.get("format") == "xlsx":
        return exports.inbox_export(actor=request.user, items=listed)
    items = list(listed[:200])
    counts = selectors.inbox_unread_by_org(request.user)
    today = timezone.localdate()
    return render(
        request,
        "liaisons/inbox.html",
        {
            "items": items,
            "orgs": [(o, counts.get(o.pk, 0)) for o in orgs],
            "org_id": org_id,
            "unread_only": unread_only,
            "today": today,
            "page_limit": settings.HAICHIEU["MAX_PAGE_SIZE"],
        },
    )


@login_required
@require_POST
def inbox_read(request):
    ids = parse_ids(request.POST.getlist("item"))
    if ids is None:
        raise Http404("Không tìm thấy mục văn bản đến.")
    items = list(selectors.inbox_for(request.user).filter(pk__in=ids))
    count = services.inbox_mark_read(actor=request.user, items=items)
    messages.success(request, f"Đã đánh dấu {count} mục là đã đọc.")
    # Back to the list as it was shown: the same organisation, unread only if so.
    params = {
        k: v
        for k, v in (("org", request.POST.get("org", "")), ("unread", request.POST.get("unread", "")))
        if parse_id(v) is not None
    }
    return redirect(
        f"{reverse('liaisons:inbox')}?{urlencode(params)}" if params else reverse("liaisons:inbox")
    )
