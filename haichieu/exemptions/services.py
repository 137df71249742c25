"""Writes on exemptions (miễn công tác và sinh hoạt đảng). Each is one transaction with its audit
entry, checked against the access rule: the actor writes for the member's workplace cell."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from haichieu.access import scope_for
from haichieu.core.audit import audit_record, diff, snapshot
from haichieu.core.services import ServiceError
from haichieu.core.text import clean_text
from haichieu.liaisons.models import InboxItem
from haichieu.liaisons.services import notify, workplace_committee_of
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import rules
from .models import Exemption, ExemptionScan
from .scans import scan_type

AUDITED_FIELDS = [
    "reason",
    "reason_details",
    "applied_on",
    "cell_proposal_on",
    "decided_by",
    "decided_on",
    "decision_number",
    "start_date",
    "end_date",
    "contact",
]


def deciding_bodies(member: Member) -> list[Organization]:
    """Who may decide an exemption of `member`: the grassroots committee (the nearest committee
    above the workplace cell), and on the cell's own route the cell itself."""
    cell = member.workplace_cell
    committee = workplace_committee_of(cell)
    return [committee, cell] if committee.pk != cell.pk else [cell]


def _check(member: Member, data: dict, *, exclude_pk: int | None = None) -> None:
    """The rules a recorded exemption keeps (HD 27-HD/BTCTW §1.1; settings EXEMPTION_*)."""
    reason = data["reason"]
    if reason not in dict(rules.reasons()):
        raise ServiceError("Lý do này không có trong các lý do được miễn theo quy định.", field="reason")
    decided_by = data["decided_by"]
    committee, *cell = deciding_bodies(member)
    if decided_by.pk == member.workplace_cell_id and cell:
        if not rules.cell_decides(reason):
            raise ServiceError(
                f"Với lý do “{Exemption.Reason(reason).label}”, cấp quyết định là {committee.name}, "
                "không phải chi bộ.",
                field="decided_by",
            )
    elif decided_by.pk != committee.pk:
        raise ServiceError(
            f"Cấp quyết định phải là {committee.name} hoặc chi bộ của đảng viên.", field="decided_by"
        )
    if data["end_date"] < data["start_date"]:
        raise ServiceError("“Miễn đến ngày” phải từ “miễn từ ngày” trở về sau.", field="end_date")
    if data["start_date"] < data["decided_on"]:
        raise ServiceError("Thời gian miễn bắt đầu từ ngày quyết định trở về sau.", field="start_date")
    for name, label in (("applied_on", "Ngày làm đơn"), ("cell_proposal_on", "Ngày chi bộ đề nghị")):
        if data.get(name) and data[name] > data["decided_on"]:
            raise ServiceError(f"{label} phải trước hoặc cùng ngày quyết định.", field=name)
    overlapping = Exemption.objects.filter(
        member=member,
        revoked_at__isnull=True,
        start_date__lte=data["end_date"],
        end_date__gte=data["start_date"],
    )
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    other = overlapping.order_by("start_date").first()
    if other is not None:
        raise ServiceError(
            f"Thời gian miễn trùng với lần miễn từ {other.start_date:%d/%m/%Y} đến {other.end_date:%d/%m/%Y}.",
            field="start_date",
        )


def _require_write(actor, member: Member) -> None:
    if not scope_for(actor).may_write(member.workplace_cell):
        raise ServiceError(
            f"Bạn không có quyền ghi việc miễn cho đảng viên của “{member.workplace_cell.name}”."
        )


def _values(data: dict) -> dict:
    values = {name: data.get(name) for name in AUDITED_FIELDS}
    for name in ("reason_details", "decision_number", "contact"):
        values[name] = clean_text(values[name] or "")
    return values


def _save_scan(exemption: Exemption, upload) -> ExemptionScan | None:
    if upload is None:
        return None
    content = upload.read()
    content_type = scan_type(content)
    ExemptionScan.objects.filter(exemption=exemption).delete()
    return ExemptionScan.objects.create(
        exemption=exemption,
        content=content,
        filename=clean_text(upload.name or "")[:255] or "don.pdf",
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def exemption_create(
    *, actor, member: Member, data: dict, scan=None, renews: Exemption | None = None
) -> Exemption:
    """Record an exemption of an active member decided by the grassroots committee, or by the cell
    on the route the settings give it (EXEMPTION_CELL_DECIDES). `renews`: the exemption this one
    continues (the year-end renewal)."""
    _require_write(actor, member)
    if member.status not in Member.ACTIVE_STATUSES:
        raise ServiceError("Chỉ ghi việc miễn cho đảng viên đang sinh hoạt.")
    values = _values(data)
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()  # one writer per member
        _check(member, values)
        exemption = Exemption.objects.create(member=member, created_by=actor, renews=renews, **values)
        stored = _save_scan(exemption, scan)
        changes: dict[str, Any] = {"after": snapshot(exemption, AUDITED_FIELDS)}
        if stored is not None:
            changes["scan"] = stored.filename
        if renews is not None:
            changes["renews"] = renews.pk
        audit_record(actor=actor, action="create", target=exemption, changes=changes)
        _report_upward(exemption)
    return exemption


def _report_upward(exemption: Exemption) -> None:
    """The cell that decided itself reports to the grassroots committee (HD 27-HD/BTCTW §1.1): an
    item in the committee's inbox, with the period and never the reason."""
    member = exemption.member
    if exemption.decided_by_id != member.workplace_cell_id:
        return
    committee = workplace_committee_of(member.workplace_cell)
    if committee.pk == member.workplace_cell_id:
        return
    notify(
        org=committee,
        kind=InboxItem.Kind.EXEMPTION,
        summary=(
            f"{member.workplace_cell.name} báo cáo: đồng chí {member.full_name} được miễn công tác và sinh "
            f"hoạt đảng từ {exemption.start_date:%d/%m/%Y} đến {exemption.end_date:%d/%m/%Y}."
        ),
    )


def exemption_update(*, actor, exemption: Exemption, data: dict, scan=None) -> Exemption:
    """Correct a recorded exemption (not a revoked one)."""
    member = exemption.member
    _require_write(actor, member)
    values = _values(data)
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        if Exemption.objects.filter(pk=exemption.pk, revoked_at__isnull=False).exists():
            raise ServiceError("Lần miễn này đã thôi, không sửa được nữa.")
        _check(member, values, exclude_pk=exemption.pk)
        before = snapshot(exemption, AUDITED_FIELDS)
        for name, value in values.items():
            setattr(exemption, name, value)
        exemption.save()
        changes = diff(before, snapshot(exemption, AUDITED_FIELDS))
        stored = _save_scan(exemption, scan)
        if stored is not None:
            changes["scan"] = [None, stored.filename]
        audit_record(actor=actor, action="update", target=exemption, changes=changes)
    return exemption


def exemption_revoke(*, actor, exemption: Exemption, note: str = "") -> Exemption:
    """End an exemption before its term (the member returns to party work and activities: HD 27
    §1.1, on the member's application). Race-safe: a second revocation is refused."""
    _require_write(actor, exemption.member)
    now = timezone.now()
    with transaction.atomic():
        if not Exemption.objects.filter(pk=exemption.pk, revoked_at__isnull=True).update(revoked_at=now):
            raise ServiceError("Lần miễn này đã được thôi trước đó.")
        exemption.revoked_at = now
        audit_record(
            actor=actor,
            action="update",
            target=exemption,
            changes={"revoked_at": [None, now.isoformat()]},
            note=clean_text(note)[:255] or "Thôi miễn công tác và sinh hoạt đảng",
        )
    return exemption
