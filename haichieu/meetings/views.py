"""Pages of the meetings app (issue 11). Views are thin: parse a form, fetch through the access
rule, call one service, render. Anything outside the user's scope is 404 on GET and POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from haichieu.access import (
    attendances_visible_to,
    meeting_get_for,
    member_get_for,
    organization_get_for,
    own_member_or_404,
    read_scope_or_404,
    scope_for,
)
from haichieu.core.forms import add_service_error
from haichieu.core.jinja import render_jinja2
from haichieu.core.paging import page_size
from haichieu.core.params import parse_id, parse_year
from haichieu.core.replica import reads_from_replica
from haichieu.core.services import ServiceError
from haichieu.organizations.selectors import figures_org_from_query
from haichieu.stats import figures as statistics_figures

from . import (
    calendar,
    checkin,
    document_kinds,
    documents,
    exports,
    rules,
    selectors,
    selectors_tasks,
    services,
)
from .forms import MarkForm, MeetingForm, MinutesForm, StateForm
from .models import Attendance, Meeting


def _cell(user, pk, *, kind: str = "read"):
    cell = organization_get_for(user, pk=pk, kind=kind)
    if not cell.is_cell:
        raise Http404("Không tìm thấy chi bộ.")
    return cell


@login_required
def meeting_list(request):
    """The meetings of the cells the user covers (`?org=`: one cell's, 404 outside the scope)."""
    cell = None
    if "org" in request.GET:
        pk = parse_id(request.GET["org"])
        if pk is None:
            raise Http404("Không tìm thấy chi bộ.")
        cell = _cell(request.user, pk)
    page = selectors.meetings_page(
        request.user,
        cell=cell,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=page_size(request),
    )
    context = {
        "page": page,
        "cell": cell,
        "may_plan": cell is not None and scope_for(request.user).may_write(cell),
        "may_see_figures": scope_for(request.user).reads_somewhere,
        "cell_record": selectors.cell_record(cell, year=timezone.localdate().year) if cell else None,
        "base_query": f"org={cell.pk}" if cell else "",
        # A cell secretary's calendar link (a member finds theirs on their own page).
        "feed": _feed_links(request) if scope_for(request.user).secretary_cell_ids else None,
    }
    return render(request, "meetings/list.html", context)


@login_required
def meeting_create(request, pk):
    cell = _cell(request.user, pk, kind="write")
    form = MeetingForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user,
                cell=cell,
                kind=data["kind"],
                date=data["date"],
                start_time=data["start_time"],
                place=data["place"],
                agenda=data["agenda"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Đã lập kế hoạch sinh hoạt và gửi giấy mời cho {meeting.attendances.count()} đảng viên.",
            )
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/form.html", {"cell": cell, "form": form, "meeting": None})


@login_required
def meeting_update(request, pk):
    meeting = meeting_get_for(request.user, pk, write=True)
    initial = {
        "kind": meeting.kind,
        "date": meeting.date,
        "start_time": meeting.start_time,
        "place": meeting.place,
        "agenda": meeting.agenda,
        "version": meeting.version,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                version=data["version"] or meeting.version,
                kind=data["kind"],
                date=data["date"],
                start_time=data["start_time"],
                place=data["place"],
                agenda=data["agenda"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Đã lưu kế hoạch sinh hoạt.")
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/form.html", {"cell": meeting.cell, "form": form, "meeting": meeting})


@login_required
def meeting_detail(request, pk):
    meeting = meeting_get_for(request.user, pk)
    counts = selectors.with_counts(Meeting.objects.filter(pk=meeting.pk)).values(
        "invited", "expected", "attended"
    )[0]
    context = {
        "meeting": meeting,
        "counts": counts,
        "roster": selectors.roster(meeting),
        "may_write": scope_for(request.user).may_write(meeting.cell),
        "tasks": selectors_tasks.meeting_tasks(meeting) if meeting.cell.is_residential else [],
    }
    return render(request, "meetings/detail.html", context)


@require_POST
@login_required
def meeting_state(request, pk):
    meeting = meeting_get_for(request.user, pk, write=True)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Trạng thái không hợp lệ.")
        return redirect("meetings:detail", pk=meeting.pk)
    try:
        services.meeting_set_state(actor=request.user, meeting=meeting, state=form.cleaned_data["state"])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:detail", pk=meeting.pk)
    if meeting.state == Meeting.State.OPEN:
        messages.success(request, "Buổi sinh hoạt đã bắt đầu: mời điểm danh.")
        return redirect("meetings:roll_call", pk=meeting.pk)
    messages.success(
        request, "Buổi sinh hoạt đã kết thúc. Bấm “Ghi biên bản” để ghi người chủ trì, thư ký và kết luận."
    )
    return redirect("meetings:detail", pk=meeting.pk)


@require_POST
@login_required
def meeting_invite(request, pk):
    meeting = meeting_get_for(request.user, pk, write=True)
    try:
        invited = services.meeting_invite(actor=request.user, meeting=meeting)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã cập nhật danh sách mời: thêm {invited} đảng viên.")
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def meeting_calendar(request, pk):
    """The meeting as an .ics calendar entry (for the cell's users and the members it invites)."""
    meeting = _meeting_for_invitee(request.user, pk)
    response = HttpResponse(calendar.meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sinh-hoat-{meeting.pk}.ics"'
    return response


def _meeting_for_invitee(user, pk) -> Meeting:
    """A meeting of a cell the user reads, or one the user is invited to; else 404."""
    scope = scope_for(user)
    if scope.member_id is not None:
        mine = attendances_visible_to(user).filter(meeting_id=pk, member_id=scope.member_id)
        attendance = mine.select_related("meeting__cell").first()
        if attendance is not None:
            return attendance.meeting
    return meeting_get_for(user, pk)


@login_required
def roll_call(request, pk):
    """The roll-call on a phone: one screen, each person one tap from each status (static JS)."""
    meeting = meeting_get_for(request.user, pk, write=True)
    people = render_jinja2(
        "meetings/_roll_call_people.html",
        {
            "roster": selectors.roll_call_rows(meeting),
            "statuses": [(value, label, SHORT_LABELS[value]) for value, label in Attendance.Status.choices],
            "roll_call_url": reverse("meetings:roll_call", args=[meeting.pk]),
        },
    )
    return render(request, "meetings/roll_call.html", {"meeting": meeting, "people": people})


SHORT_LABELS = {
    Attendance.Status.PRESENT: "Có mặt",
    Attendance.Status.LATE: "Muộn",
    Attendance.Status.LEFT_EARLY: "Về sớm",
    Attendance.Status.EXCUSED: "Vắng, có lý do",
    Attendance.Status.UNEXCUSED: "Vắng, không lý do",
    Attendance.Status.EXEMPT: "Miễn",
}


@require_POST
@login_required
def mark(request, pk, attendance_pk):
    """One tap of the roll-call, saved on its own: JSON for the page's script."""
    meeting = meeting_get_for(request.user, pk, write=True)
    attendance = meeting.attendances.select_related("member").filter(pk=attendance_pk).first()
    if attendance is None:
        raise Http404("Không tìm thấy đảng viên trong danh sách mời.")
    attendance.meeting = meeting
    form = MarkForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": _form_message(form)}, status=400)
    try:
        attendance = services.attendance_mark(actor=request.user, attendance=attendance, **form.changes())
    except ServiceError as exc:
        return JsonResponse({"ok": False, "message": exc.message}, status=409)
    return JsonResponse(
        {
            "ok": True,
            "status": attendance.status,
            "label": attendance.get_status_display(),
            "method": attendance.get_method_display(),
        }
    )


def _form_message(form) -> str:
    labels = {"status": "Tình hình tham dự", "reason": "Lý do vắng", "contribution": "Ý kiến đóng góp"}
    field, errors = next(iter(form.errors.items()))
    return f"{labels.get(field, field)}: {errors[0]}"


@login_required
def workplace(request):
    """The workplace committee's members invited by residential cells, wherever they live: this
    year's rate and meetings missed in a row."""
    below = request.GET.get("below") == "1"
    page = selectors.workplace_page(
        request.user,
        today=timezone.localdate(),
        below=below,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=page_size(request),
    )
    context = {
        "page": page,
        "year": timezone.localdate().year,
        "below": below,
        "minimum": rules.minimum_attended(),
        "base_query": "below=1" if below else "",
    }
    return render(request, "meetings/workplace.html", context)


@login_required
def member_attendance(request, pk):
    """A member's attendance history, this year's rate and meetings missed in a row (the workplace
    side sees its members' wherever they live; the residence side and the member too)."""
    member = member_get_for(request.user, pk)
    context = {
        "member": member,
        "record": selectors.member_record(request.user, member, today=timezone.localdate()),
        "tasks": selectors_tasks.member_tasks(request.user, member),
        "give_cells": selectors_tasks.cells_giving_tasks_to(request.user, member, today=timezone.localdate()),
    }
    return render(request, "meetings/member.html", context)


@login_required
def check_in_code(request, pk):
    """The rotating QR code of an open meeting, shown on the secretary's screen or phone."""
    meeting = meeting_get_for(request.user, pk, write=True)
    context = {"meeting": meeting, "rotate": checkin.rotate_seconds()}
    if meeting.state == Meeting.State.OPEN:
        url = (
            request.build_absolute_uri(reverse("meetings:check_in"))
            + "?"
            + urlencode({"ma": checkin.make_code(meeting)})
        )
        context.update(url=url, qr=checkin.qr_data_uri(url))
    return render(request, "meetings/check_in_code.html", context)


@login_required
def check_in(request):
    """A member scans the code: the page asks to confirm (GET changes nothing), the POST marks them
    present. A forged, expired or closed meeting's code is refused with its reason."""
    code = (request.POST if request.method == "POST" else request.GET).get("ma", "")
    context: dict = {"code": code}
    try:
        meeting_id = checkin.meeting_id_of(code)
        if request.method == "POST":
            context["attendance"] = services.self_check_in(actor=request.user, code=code)
            return render(request, "meetings/check_in.html", context)
        scope = scope_for(request.user)
        attendance = (
            attendances_visible_to(request.user)
            .filter(meeting_id=meeting_id, member_id=scope.member_id)
            .select_related("meeting__cell")
            .first()
            if scope.member_id is not None
            else None
        )
        if attendance is None:
            raise ServiceError("Bạn không có trong danh sách mời của buổi sinh hoạt này.")
        if attendance.meeting.state != Meeting.State.OPEN:
            raise ServiceError("Buổi sinh hoạt không diễn ra lúc này: không điểm danh được.")
        context["meeting"] = attendance.meeting
    except ServiceError as exc:
        context["error"] = exc.message
        return render(request, "meetings/check_in.html", context, status=400)
    return render(request, "meetings/check_in.html", context)


@login_required
def mine(request):
    """A member's own page: where they are linked, the meetings ahead (with a calendar), their
    attendance. 404 for a user with no member record."""
    member = own_member_or_404(request.user)
    today = timezone.localdate()
    context = {
        "member": member,
        "own": selectors.own_meetings(request.user, member, today=today),
        "record": selectors.member_record(request.user, member, today=today),
        "feed": _feed_links(request),
        "tasks": selectors_tasks.member_tasks(request.user, member),
    }
    return render(request, "meetings/mine.html", context)


def _feed_links(request) -> dict:
    """The user's calendar link, as https:// (to copy) and webcal:// (opens the calendar app)."""
    url = request.build_absolute_uri(reverse("meetings:feed", args=[calendar.feed_token(request.user)]))
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@require_safe
def calendar_feed(request, token):
    """The user's subscribable calendar, for a calendar app that cannot sign in: the link is the
    key (calendar.py). Any token that is not a user's current link answers 404, as does a user
    with nothing to subscribe to."""
    user = calendar.feed_user(token)
    meetings = selectors.feed_meetings(user, today=timezone.localdate()) if user is not None else None
    if meetings is None:
        raise Http404("Không tìm thấy lịch.")
    body = calendar.meetings_ics(meetings, name="Lịch sinh hoạt chi bộ")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="lich-sinh-hoat.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@login_required
def calendar_feed_renew(request):
    """Make a new calendar link; the old one stops working (404 for a user with no calendar)."""
    if not selectors.has_calendar_feed(request.user):
        raise Http404("Tài khoản của bạn không có lịch sinh hoạt.")
    services.calendar_feed_renew(actor=request.user)
    messages.success(
        request,
        "Đã tạo liên kết lịch mới; liên kết cũ không còn dùng được. Hãy thêm liên kết mới vào ứng dụng lịch.",
    )
    return redirect("meetings:mine" if scope_for(request.user).member_id is not None else "meetings:list")


@login_required
def mine_calendar(request):
    """The meetings ahead of the signed-in member as one .ics calendar."""
    member = own_member_or_404(request.user)
    own = selectors.own_meetings(request.user, member, today=timezone.localdate())
    body = calendar.meetings_ics([a.meeting for a in own.upcoming])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lich-sinh-hoat.ics"'
    return response


@login_required
def roster_docx(request, pk):
    """The printed roster with a signature column (the paper fallback)."""
    meeting = meeting_get_for(request.user, pk)
    return documents.roster_docx_response(
        actor=request.user, meeting=meeting, roster=selectors.roster(meeting)
    )


@login_required
@reads_from_replica
def attendance_xlsx(request, pk):
    meeting = meeting_get_for(request.user, pk)
    return documents.attendance_xlsx_response(
        actor=request.user, meeting=meeting, roster=selectors.roster(meeting)
    )


@login_required
def minutes(request, pk):
    """Who chaired, who recorded and the conclusion: what the minutes print beyond the roll-call."""
    meeting = meeting_get_for(request.user, pk, write=True)
    initial = {
        "chair": meeting.chair,
        "recorder": meeting.recorder,
        "conclusion": meeting.conclusion,
        "version": meeting.version,
    }
    form = MinutesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_record_minutes(
                actor=request.user,
                meeting=meeting,
                version=data["version"] or meeting.version,
                chair=data["chair"],
                recorder=data["recorder"],
                conclusion=data["conclusion"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Đã lưu biên bản.")
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/minutes.html", {"meeting": meeting, "form": form})


@login_required
def minutes_docx(request, pk):
    """The minutes (biên bản) as Word, from the province's template: a draft while the meeting is
    open, none before it starts."""
    meeting = meeting_get_for(request.user, pk)
    if meeting.state == Meeting.State.PLANNED:
        messages.error(request, "Buổi sinh hoạt chưa bắt đầu: chưa có biên bản.")
        return redirect("meetings:detail", pk=meeting.pk)
    try:
        doc = document_kinds.minutes_document(meeting, selectors.roster(meeting))
    except ServiceError as exc:  # the province's template cannot be filled with these data
        messages.error(request, exc.message)
        return redirect("meetings:detail", pk=meeting.pk)
    return documents.minutes_response(actor=request.user, meeting=meeting, doc=doc)


def _figures_scope(request):
    """(organisation, year, error, the user's other top organisations) of the figures page and its
    exports: `?org=` (organizations.selectors.figures_org_from_query) and `?year=` (default: this
    year). A malformed value gets a message (`error`) and the default in its place."""
    read_scope_or_404(request.user)
    org, others, org_error = figures_org_from_query(request.user, request.GET.get("org", ""))
    errors = [org_error] if org_error else []
    year = timezone.localdate().year
    raw_year = request.GET.get("year", "")
    if raw_year:
        parsed = parse_year(raw_year)
        if parsed is None:
            errors.append(f"Năm không hợp lệ: đang hiển thị năm {year}.")
        else:
            year = parsed
    return org, year, " ".join(errors), others


@login_required
def figures(request):
    """An organisation's year: its own figures and its children's, worst first, each linking one
    level down (selectors.organization_figures)."""
    org, year, error, others = _figures_scope(request)
    return _figures_page(request, org, year, error, others)


def _figures_page(request, org, year, error, others):
    # This year's from the statistics summary when made today (the statistics page's figures).
    figures, summary_at = statistics_figures.meeting_year_figures(org, year=year)
    context = {
        "org": org,
        "year": year,
        "error": error,
        "others": others,
        "figures": figures,
        "summary_at": summary_at and timezone.localtime(summary_at),
        "expected_per_year": rules.expected_per_year(),
        "minimum": rules.minimum_attended(),
        "query": urlencode({"org": org.pk, "year": year}),
    }
    return render(request, "meetings/figures.html", context, status=400 if error else 200)


@login_required
def figures_meetings(request):
    """The meetings of the figures page's organisation and year as .xlsx (one row a meeting)."""
    org, year, error, others = _figures_scope(request)
    if error:
        return _figures_page(request, org, year, error, others)
    return exports.meetings_export(actor=request.user, org=org, year=year)


@login_required
def figures_attendance(request):
    """The attendance marks of the figures page's organisation and year as .xlsx (one row a mark)."""
    org, year, error, others = _figures_scope(request)
    if error:
        return _figures_page(request, org, year, error, others)
    return exports.attendance_export(actor=request.user, org=org, year=year)
