from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from haichieu.access import (
    liaisons_visible_to,
    member_can_edit,
    member_get_for,
    member_sees_workplace_fields,
    scope_for,
    write_scope_or_404,
)
from haichieu.core.audit import audit_record, history_for
from haichieu.core.forms import add_service_error, choice_options, filter_summary
from haichieu.core.jinja import render_jinja2
from haichieu.core.paging import Page, page_size
from haichieu.core.services import ServiceError
from haichieu.exemptions.selectors import exemption_in_force
from haichieu.jobs import services as jobs
from haichieu.liaisons import rules as liaison_rules
from haichieu.liaisons import services as liaison_services

from . import selectors, services
from .collisions import collisions_record
from .exports import member_list_export, member_list_selection
from .forms import MemberForm
from .jobs import EXPORT_KIND, export_in_background
from .models import Member


@login_required
def member_list(request):
    selection = member_list_selection(request.user, request.GET)
    form, org, org_error, narrow = selection.form, selection.org, selection.org_error, selection.narrow
    if org_error:
        page = Page()
    else:
        if request.GET.get("format") == "xlsx":
            members = selectors.member_list(request.user, narrow=narrow)
            if export_in_background(members):
                job = jobs.start(
                    owner=request.user,
                    kind=EXPORT_KIND,
                    title=f"Xuất danh sách đảng viên ({org or 'toàn bộ phạm vi'})",
                    params={"query": request.GET.urlencode()},
                )
                return redirect("jobs:detail", pk=job.pk)
            return member_list_export(
                actor=request.user,
                members=members,
                org=org,
                query=request.GET.urlencode(),
                filters=filter_summary(form),
            )
        page = selectors.member_list_page(
            request.user,
            narrow=narrow,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
            size=page_size(request),
        )
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    params.pop("format", None)
    context = {
        "form": form,
        "page": page,
        "rows": render_jinja2(
            "members/_list_rows.html", {"rows": page.rows, "status_labels": dict(Member.Status.choices)}
        ),
        "status_options": choice_options(form, "status", "Mọi tình trạng"),
        "commune_options": choice_options(form, "has_commune", "Mọi nơi cư trú"),
        "org": org,
        "org_error": org_error,
        "base_query": params.urlencode(),
        "can_create": scope_for(request.user).writes_somewhere,
    }
    template = "members/_list_results.html" if request.htmx else "members/list.html"
    return render(request, template, context)


@login_required
def member_detail(request, pk):
    member = member_get_for(request.user, pk)
    full = member_sees_workplace_fields(request.user, member)
    can_edit = member_can_edit(request.user, member)
    if full:
        # Reads of a member's full record are logged (DESIGN.md "Data protection").
        audit_record(actor=request.user, action="view", target=member)
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "full": full,
            "can_edit": can_edit,
            # "Giới thiệu" here, as on the coverage page: the same rule (liaisons/rules.py).
            "can_introduce": can_edit and liaison_rules.is_to_introduce(member),
            "history": history_for(member) if full else [],
            # Both sides see the end of an exemption in force (never its reason); the workplace side
            # opens the member's exemptions.
            "exemption": exemption_in_force(member, timezone.localdate()),
            "sees_exemptions": scope_for(request.user).may_read(member.workplace_cell),
            # The member's links, newest first, for the links to each one (scoped like the liaison page).
            "liaisons": liaisons_visible_to(request.user)
            .filter(member=member)
            .select_related("commune", "commune_org")
            .order_by("-pk")[:20],
        },
    )


def _form_valid(request, form: MemberForm) -> bool:
    """`form.is_valid()`, with the card numbers held outside the user's sight audited (and, past the
    day's limit, the whole form refused): members/collisions.py."""
    valid = form.is_valid()
    if form.collisions and collisions_record(
        actor=request.user, found=form.collisions, source="Biểu mẫu thêm, sửa đảng viên"
    ):
        form.refuse_past_limit()
    return valid


@login_required
def member_create(request):
    write_scope_or_404(request.user)
    form = MemberForm(request.POST or None, user=request.user)
    if request.method == "POST" and _form_valid(request, form):
        try:
            member = services.member_create(actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Đã thêm đảng viên {member.full_name}.")
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "member": None})


def _moved_message(moved) -> str:
    text = "Đã lưu thay đổi và ghi nhận chuyển nơi cư trú."
    if moved.ended is not None:
        text += f" Đã kết thúc giữ mối liên hệ với {moved.ended.commune_org or 'nơi cư trú cũ'}."
    if moved.notice.recipient_org:
        text += f" Đã thông báo cho {moved.notice.recipient_org.name}."
    if moved.new_liaison is not None:
        text += " " + liaison_services.INTRODUCE_NOW
    return text


@login_required
def member_update(request, pk):
    member = member_get_for(request.user, pk, write=True)
    link = liaison_services.resident_link(member)
    form = MemberForm(request.POST or None, instance=member, user=request.user, resident_link=link)
    if request.method == "POST" and _form_valid(request, form):
        data = form.cleaned_data
        try:
            moved = liaison_services.member_update_address(
                actor=request.user,
                member=member,
                data=data,
                version=data.get("version"),
                address_change=data.get("address_change", ""),
                move_date=data.get("move_date"),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if moved is None:
                messages.success(request, "Đã lưu thay đổi.")
            else:
                messages.success(request, _moved_message(moved))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "member": member})
