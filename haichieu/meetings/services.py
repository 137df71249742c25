"""Writes of the meetings app: each one transaction with its audit entry (issue 11)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from haichieu.access import attendances_visible_to, scope_for
from haichieu.core.audit import audit_record, diff, snapshot
from haichieu.core.services import ConflictError, ServiceError, versioned_update
from haichieu.core.text import clean_text
from haichieu.liaisons.models import InboxItem, Liaison
from haichieu.liaisons.services import notify
from haichieu.organizations.models import Organization

from . import checkin, rules
from .models import Attendance, CalendarFeed, Meeting

EDITED_FIELDS = ("kind", "date", "start_time", "place", "agenda")
MINUTES_FIELDS = ("chair", "recorder", "conclusion")
MAX_CONTRIBUTION = 2000
MAX_CONCLUSION = 5000


def _check_cell(actor, cell: Organization) -> None:
    if not (cell.is_cell and cell.is_active and scope_for(actor).may_write(cell)):
        raise ServiceError("Bạn không có quyền lập kế hoạch sinh hoạt cho chi bộ này.")


def _clean(place: str, agenda: str) -> tuple[str, str]:
    place, agenda = clean_text(place), (agenda or "").strip()
    if not place:
        raise ServiceError("Vui lòng nhập địa điểm.", field="place")
    if not agenda:
        raise ServiceError("Vui lòng nhập nội dung sinh hoạt.", field="agenda")
    return place, agenda


def meeting_create(
    *,
    actor,
    cell: Organization,
    kind: str,
    date: datetime.date,
    start_time: datetime.time,
    place: str,
    agenda: str,
) -> Meeting:
    """Plan a meeting of `cell` and send its invitations."""
    _check_cell(actor, cell)
    place, agenda = _clean(place, agenda)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            cell=cell,
            kind=kind,
            date=date,
            start_time=start_time,
            place=place,
            agenda=agenda,
            created_by=actor,
        )
        invited = _invite(meeting)
        audit_record(
            actor=actor,
            action="create",
            target=meeting,
            changes={"after": {**snapshot(meeting, EDITED_FIELDS), "cell": cell.name, "invited": invited}},
        )
    return meeting


def meeting_update(
    *,
    actor,
    meeting: Meeting,
    version: int,
    kind: str,
    date: datetime.date,
    start_time: datetime.time,
    place: str,
    agenda: str,
) -> Meeting:
    """Change a planned meeting; a new date renews its invitation list (marks already taken stay)."""
    _check_cell(actor, meeting.cell)
    if meeting.state == Meeting.State.CLOSED:
        raise ServiceError("Buổi sinh hoạt đã kết thúc: không sửa được kế hoạch.")
    place, agenda = _clean(place, agenda)
    before = snapshot(meeting, EDITED_FIELDS)
    with transaction.atomic():
        changed = versioned_update(
            Meeting.objects.exclude(state=Meeting.State.CLOSED),
            meeting.pk,
            version,
            kind=kind,
            date=date,
            start_time=start_time,
            place=place,
            agenda=agenda,
        )
        if not changed:
            raise ConflictError("Buổi sinh hoạt vừa được người khác thay đổi. Hãy tải lại trang rồi làm lại.")
        meeting.refresh_from_db()
        changes = diff(before, snapshot(meeting, EDITED_FIELDS))
        if "date" in changes:
            changes["invited"] = [None, _invite(meeting)]
        audit_record(actor=actor, action="update", target=meeting, changes=changes)
    return meeting


def meeting_record_minutes(
    *, actor, meeting: Meeting, version: int, chair: str, recorder: str, conclusion: str
) -> Meeting:
    """Record what the minutes (biên bản) say beyond the roll-call: who chaired, who recorded, the
    chair's conclusion. Allowed in every state: planned ahead, written during the meeting, completed
    after it closed (the minutes are drawn up and signed after the meeting)."""
    _check_cell(actor, meeting.cell)
    values: dict[str, Any] = {
        "chair": clean_text(chair),
        "recorder": clean_text(recorder),
        "conclusion": "\n".join(line.rstrip() for line in (conclusion or "").strip().splitlines()),
    }
    for field, label in (("chair", "Họ tên người chủ trì"), ("recorder", "Họ tên thư ký")):
        if len(values[field]) > 255:
            raise ServiceError(f"{label} dài quá 255 ký tự.", field=field)
    if len(values["conclusion"]) > MAX_CONCLUSION:
        raise ServiceError(f"Kết luận dài quá {MAX_CONCLUSION} ký tự.", field="conclusion")
    before = snapshot(meeting, MINUTES_FIELDS)
    with transaction.atomic():
        if not versioned_update(Meeting, meeting.pk, version, **values):
            raise ConflictError("Buổi sinh hoạt vừa được người khác thay đổi. Hãy tải lại trang rồi làm lại.")
        meeting.refresh_from_db()
        changes = diff(before, snapshot(meeting, MINUTES_FIELDS))
        audit_record(actor=actor, action="update", target=meeting, changes=changes, note="Biên bản")
    return meeting


_NEXT_STATE = {
    Meeting.State.OPEN: (Meeting.State.PLANNED, "opened_at"),
    Meeting.State.CLOSED: (Meeting.State.OPEN, "closed_at"),
}


def meeting_set_state(*, actor, meeting: Meeting, state: str) -> Meeting:
    """Open a planned meeting (the roll-call starts) or close an open one."""
    _check_cell(actor, meeting.cell)
    if state not in _NEXT_STATE:
        raise ServiceError("Trạng thái không hợp lệ.")
    previous, stamp = _NEXT_STATE[Meeting.State(state)]
    with transaction.atomic():
        moved = versioned_update(
            Meeting.objects.filter(state=previous), meeting.pk, None, state=state, **{stamp: timezone.now()}
        )
        if not moved:
            raise ConflictError("Buổi sinh hoạt đã được chuyển trạng thái trước đó.")
        audit_record(actor=actor, action="update", target=meeting, changes={"state": [meeting.state, state]})
        meeting.refresh_from_db()
        if state == Meeting.State.CLOSED:
            _notify_missed(meeting)
    return meeting


def _notify_missed(meeting: Meeting) -> None:
    """At the close: each workplace committee is told of its linked members who have now missed
    MISSED_IN_A_ROW_ALERT meetings in a row (exactly then: a meeting closes once, so once a run)."""
    alert = rules.missed_alert()
    absent = list(
        meeting.attendances.filter(source=Attendance.Source.LIAISON)
        .exclude(status__in=(*Attendance.ATTENDED, *Attendance.NOT_EXPECTED, ""))
        .values_list("member_id", flat=True)
    )
    if not absent:
        return
    history: dict[int, list[str]] = defaultdict(list)
    for member_id, status in (
        Attendance.objects.filter(member_id__in=absent, meeting__date__lte=meeting.date)
        .exclude(meeting__state=Meeting.State.PLANNED)
        .order_by("meeting__date", "meeting_id")
        .values_list("member_id", "status")
    ):
        history[member_id].append(status)
    reached = [pk for pk in absent if rules.missed_in_a_row(history[pk]) == alert]
    if not reached:
        return
    by_committee: dict[int, list[str]] = defaultdict(list)
    for org_id, name in Liaison.objects.filter(
        rules.linked_members_q(meeting.cell, meeting.date), member_id__in=reached, workplace_org__isnull=False
    ).values_list("workplace_org_id", "member__full_name"):
        by_committee[org_id].append(name)
    for org in Organization.objects.filter(pk__in=by_committee):
        notify(
            org=org,
            kind=InboxItem.Kind.MEETING,
            summary=(
                f"Vắng {alert} buổi sinh hoạt liên tiếp tại {meeting.cell.name} (gần nhất ngày "
                f"{meeting.date:%d/%m/%Y}): đồng chí {', '.join(sorted(by_committee[org.pk]))}"
            ),
        )


def meeting_invite(*, actor, meeting: Meeting) -> int:
    """Renew the invitation list of a meeting not yet closed (members who came in since, exemptions
    decided since); the newly invited linked members' workplace committees are told."""
    _check_cell(actor, meeting.cell)
    if meeting.state == Meeting.State.CLOSED:
        raise ServiceError("Buổi sinh hoạt đã kết thúc.")
    with transaction.atomic():
        invited = _invite(meeting)
        audit_record(actor=actor, action="update", target=meeting, changes={"invited": [None, invited]})
    return invited


def _invite(meeting: Meeting) -> int:
    """Make the meeting's invitations match `rules.invitation_list` (marks already taken stay);
    the number newly invited. Inside the caller's transaction."""
    wanted = {i.member.pk: i for i in rules.invitation_list(meeting.cell, meeting.date)}
    existing = dict(meeting.attendances.values_list("member_id", "status"))
    gone = [pk for pk, status in existing.items() if pk not in wanted and not status]
    meeting.attendances.filter(member_id__in=gone, status="").delete()
    new = [i for pk, i in wanted.items() if pk not in existing]
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member=i.member,
            source=i.source,
            status=Attendance.Status.EXEMPT if i.exempt else "",
        )
        for i in new
    )
    # An exemption decided since the invitation: an unmarked member becomes "Miễn".
    exempt_now = [pk for pk, i in wanted.items() if i.exempt and pk in existing and not existing[pk]]
    meeting.attendances.filter(member_id__in=exempt_now, status="").update(status=Attendance.Status.EXEMPT)
    Meeting.objects.filter(pk=meeting.pk).update(invited_at=timezone.now())
    _notify_workplaces(meeting, [i.member for i in new if i.source == Attendance.Source.LIAISON])
    return len(new)


def _notify_workplaces(meeting: Meeting, members) -> None:
    """One inbox item per workplace committee naming its members the meeting invites."""
    if not members:
        return
    names = {m.pk: m.full_name for m in members}
    by_committee: dict[int, list[str]] = defaultdict(list)
    links = Liaison.objects.filter(
        rules.linked_members_q(meeting.cell, meeting.date), member_id__in=names, workplace_org__isnull=False
    ).values_list("workplace_org_id", "member_id")
    for org_id, member_id in links:
        by_committee[org_id].append(names[member_id])
    for org in Organization.objects.filter(pk__in=by_committee):
        who = ", ".join(sorted(by_committee[org.pk]))
        notify(
            org=org,
            kind=InboxItem.Kind.MEETING,
            summary=(
                f"{meeting.cell.name} mời sinh hoạt ngày {meeting.date:%d/%m/%Y} lúc "
                f"{meeting.start_time:%H:%M} tại {meeting.place}: đồng chí {who}"
            ),
            due_date=meeting.date,
        )


def attendance_mark(
    *,
    actor,
    attendance: Attendance,
    status: str | None = None,
    reason: str | None = None,
    contribution: str | None = None,
    self_check_in: bool = False,
) -> Attendance:
    """One mark: a status, a reason for an excused absence, a contribution note (any of them).

    Marked by the cell's writers at the roll-call (after the meeting closed, or over the member's own
    check-in: a correction), or by the member checking in."""
    meeting = attendance.meeting
    if self_check_in:
        if not scope_for(actor).is_own(attendance.member_id):
            raise ServiceError("Bạn chỉ tự điểm danh được cho chính mình.")
        if meeting.state != Meeting.State.OPEN:
            raise ServiceError("Buổi sinh hoạt không diễn ra lúc này: không điểm danh được.")
        method = Attendance.Method.SELF_CHECK_IN
    else:
        _check_cell(actor, meeting.cell)
        if meeting.state == Meeting.State.PLANNED:
            raise ServiceError("Buổi sinh hoạt chưa bắt đầu: hãy bấm “Bắt đầu họp” trước khi điểm danh.")
        corrected = (
            meeting.state == Meeting.State.CLOSED or attendance.method == Attendance.Method.SELF_CHECK_IN
        )
        method = Attendance.Method.CORRECTED if corrected else Attendance.Method.ROLL_CALL
    changes: dict = {}
    if status is not None:
        if status not in Attendance.Status.values:
            raise ServiceError("Tình hình tham dự không hợp lệ.", field="status")
        changes["status"] = status
    if reason is not None:
        changes["reason"] = clean_text(reason)[:255]
    if contribution is not None:
        contribution = contribution.strip()
        if len(contribution) > MAX_CONTRIBUTION:
            raise ServiceError(f"Ý kiến đóng góp dài quá {MAX_CONTRIBUTION} ký tự.", field="contribution")
        changes["contribution"] = contribution
    if not changes:
        raise ServiceError("Không có gì để ghi nhận.")
    before = snapshot(attendance, changes)
    with transaction.atomic():
        Attendance.objects.filter(pk=attendance.pk).update(
            **changes, method=method, marked_by=actor, marked_at=timezone.now()
        )
        # The fields written, alone: a whole refresh forgets the member and meeting the caller
        # loaded, and the audit entry's text read the member again (a query more on every tap).
        attendance.refresh_from_db(fields=[*changes, "method", "marked_by", "marked_at"])
        audit_record(
            actor=actor,
            action="update",
            target=attendance,
            changes={**diff(before, snapshot(attendance, changes)), "method": [None, method]},
        )
    return attendance


def self_check_in(*, actor, code: str) -> Attendance:
    """A signed-in member checks in with the code shown at the meeting: marked present, as a self
    check-in. Refused when the code is forged or expired, the meeting is not open, or the member is
    not invited."""
    meeting_id = checkin.meeting_id_of(code)
    scope = scope_for(actor)
    attendance = (
        attendances_visible_to(actor)
        .filter(meeting_id=meeting_id, member_id=scope.member_id)
        .select_related("meeting__cell", "member")
        .first()
        if scope.member_id is not None
        else None
    )
    if attendance is None:
        raise ServiceError("Bạn không có trong danh sách mời của buổi sinh hoạt này.")
    if attendance.status in Attendance.ATTENDED and attendance.meeting.state == Meeting.State.OPEN:
        return attendance  # already marked as taking part (by the secretary or a scan before)
    return attendance_mark(
        actor=actor, attendance=attendance, status=Attendance.Status.PRESENT, self_check_in=True
    )


def calendar_feed_renew(*, actor) -> CalendarFeed:
    """Make the user's calendar link anew: the generation moves on (a conditional F() update, safe
    when two requests race), so every older link answers 404 from now on (calendar.py)."""
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.get_or_create(user=actor)
        before = feed.generation
        CalendarFeed.objects.filter(pk=feed.pk).update(
            generation=F("generation") + 1, renewed_at=timezone.now()
        )
        feed.refresh_from_db()
        audit_record(
            actor=actor, action="update", target=feed, changes={"generation": [before, feed.generation]}
        )
    return feed
