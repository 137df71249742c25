"""Writes of the tasks a residential cell gives its linked members (issue 11): each one transaction
with its audit entry; giving one tells the member's workplace committee."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from haichieu.access import scope_for
from haichieu.core.audit import audit_record, diff, snapshot
from haichieu.core.services import ConflictError, ServiceError, versioned_update
from haichieu.liaisons.models import InboxItem
from haichieu.liaisons.services import notify
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import rules
from .models import Meeting, Task

MAX_TEXT = 2000
GIVEN_FIELDS = ("cell", "member", "meeting", "kind", "description", "due_date")
OUTCOME_FIELDS = ("outcome", "outcome_note")


def _check_cell(actor, cell: Organization) -> None:
    """Only the residence side gives tasks: the residential cell's writers (its secretary, the
    commune committee above it). A workplace user, even the member's own committee, only reads."""
    if not (cell.is_cell and cell.is_residential and cell.is_active and scope_for(actor).may_write(cell)):
        raise ServiceError("Bạn không có quyền giao nhiệm vụ cho đảng viên ở chi bộ này.")


def _clean_text(value: str, *, label: str, field: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(f"Vui lòng nhập {label.lower()}.", field=field)
    if len(value) > MAX_TEXT:
        raise ServiceError(f"{label} dài quá {MAX_TEXT} ký tự.", field=field)
    return value


def task_give(
    *,
    actor,
    cell: Organization,
    member: Member,
    kind: str,
    description: str,
    due_date: datetime.date,
    meeting: Meeting | None = None,
) -> Task:
    """Give `member` a task of `cell` (QĐ 213-QĐ/TW Art. 2 and 4; the kinds: the TASK_KINDS setting).

    The member must be one the cell may give a task today (`rules.task_members`: linked and placed
    in the cell, not excused by HD 33, not exempt when exemptions lift tasks); the meeting, when
    given, one of the cell's; the due date not before today. The member's workplace committee finds
    it in its inbox: a task is never handed out unseen by the workplace (seed 003)."""
    _check_cell(actor, cell)
    today = timezone.localdate()
    if kind not in dict(rules.task_kinds()):
        raise ServiceError("Loại nhiệm vụ không hợp lệ.", field="kind")
    description = _clean_text(description, label="Nội dung nhiệm vụ", field="description", required=True)
    if due_date < today:
        raise ServiceError("Thời hạn phải từ hôm nay trở đi.", field="due_date")
    if meeting is not None and meeting.cell_id != cell.pk:
        raise ServiceError("Buổi sinh hoạt không phải của chi bộ này.", field="meeting")
    if not rules.task_members(cell, today).filter(pk=member.pk).exists():
        raise ServiceError(
            f"Đồng chí {member.full_name} không giữ mối liên hệ ở chi bộ này (hoặc đang được miễn): "
            "không giao nhiệm vụ được.",
            field="member",
        )
    liaison = rules.task_liaison(cell, member, today)
    if liaison is None:  # ended between the two reads
        raise ServiceError(
            f"Đồng chí {member.full_name} không còn giữ mối liên hệ ở chi bộ này.", field="member"
        )
    with transaction.atomic():
        task = Task.objects.create(
            cell=cell,
            member=member,
            liaison=liaison,
            meeting=meeting,
            kind=kind,
            description=description,
            due_date=due_date,
            given_by=actor,
            given_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="create",
            target=task,
            changes={"after": {**snapshot(task, GIVEN_FIELDS), "member": member.full_name}},
        )
        notify(
            org=liaison.workplace_org,
            kind=InboxItem.Kind.TASK,
            summary=(
                f"{cell.name} giao nhiệm vụ cho đồng chí {member.full_name}: "
                f"{rules.task_kind_label(kind)}, hạn {due_date:%d/%m/%Y}"
            ),
            liaison=liaison,
            due_date=due_date,
        )
    return task


def task_record_outcome(*, actor, task: Task, version: int, outcome: str, note: str) -> Task:
    """Record how the member carried out the task (đang thực hiện, hoàn thành, chưa hoàn thành) and
    a note, with who and when: the residential cell's side only."""
    _check_cell(actor, task.cell)
    if outcome not in Task.Outcome.values:
        raise ServiceError("Kết quả không hợp lệ.", field="outcome")
    note = _clean_text(note, label="Nhận xét kết quả", field="outcome_note", required=False)
    before = snapshot(task, OUTCOME_FIELDS)
    with transaction.atomic():
        changed = versioned_update(
            Task,
            task.pk,
            version,
            outcome=outcome,
            outcome_note=note,
            outcome_by=actor,
            outcome_at=timezone.now(),
        )
        if not changed:
            raise ConflictError("Nhiệm vụ vừa được người khác thay đổi. Hãy tải lại trang rồi làm lại.")
        task.refresh_from_db()
        audit_record(
            actor=actor, action="update", target=task, changes=diff(before, snapshot(task, OUTCOME_FIELDS))
        )
    return task
