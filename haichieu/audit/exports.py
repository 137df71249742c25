"""Downloads of the audit pages, each recorded in the audit log (DESIGN.md "Data protection"):
the organisation department's audit log as .xlsx, a member's own data as .xlsx or JSON."""

from __future__ import annotations

import json

from django.db import models
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.text import capfirst

from haichieu.access import scope_name
from haichieu.core.audit import audit_record, audit_value, target_label
from haichieu.core.exports import content_disposition, plain_value, title_details, xlsx_response
from haichieu.core.models import AuditEntry

from .selectors import OwnData

# --- the audit log -------------------------------------------------------------------------------
AUDIT_COLUMNS = [
    "Thời điểm",
    "Tên đăng nhập",
    "Họ và tên",
    "Thao tác",
    "Loại đối tượng",
    "Mã đối tượng",
    "Đối tượng",
    "Thay đổi",
    "Ghi chú",
    "Địa chỉ IP",
]


def audit_rows(entries):
    for entry in entries.iterator(chunk_size=2000):
        yield [
            entry.at,
            entry.actor_repr,
            entry.actor.full_name if entry.actor is not None else "",
            entry.get_action_display(),
            target_label(entry.target_type),
            entry.target_id,
            entry.target_repr,
            json.dumps(entry.changes, ensure_ascii=False) if entry.changes else "",
            entry.note,
            entry.ip_address or "",
        ]


def audit_log_export(*, actor, entries, query: str = "", filters: str = "") -> FileResponse:
    """The audit log as the page lists it (scope and filters), every page of it; the export is
    itself an entry of the log."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target_type=AuditEntry._meta.label_lower,
        target_repr="Nhật ký truy cập hồ sơ đảng viên",
        note=query,
    )
    return xlsx_response(
        filename="nhat-ky-truy-cap.xlsx",
        sheet_title="Nhật ký",
        header=AUDIT_COLUMNS,
        rows=audit_rows(entries),
        title="NHẬT KÝ TRUY CẬP HỒ SƠ ĐẢNG VIÊN",
        details=title_details(unit=scope_name(actor), filters=filters),
    )


# --- a member's own data -------------------------------------------------------------------------
# Kept out of the download: keys and fields the app derives for itself (search, order, versions).
_SKIPPED = {"id", "name_folded", "sort_key", "version", "user", "member"}
# Links to other records, given by their number (their text would name the member again).
_BY_NUMBER = {"previous", "liaison"}
# Fields whose models give no Vietnamese name.
_LABELS = {
    "created_at": "Ngày tạo",
    "updated_at": "Cập nhật lần cuối",
    "introduced_at": "Thời điểm giới thiệu",
    "received_at": "Thời điểm tiếp nhận",
    "activated_at": "Thời điểm chi bộ xác nhận",
    "returned_at": "Thời điểm trả lại",
    "ended_at": "Thời điểm kết thúc",
    "direction": "Chiều",
    "liaison": "Số hồ sơ giữ mối liên hệ",
    "created_by": "Người lập",
}


def _fields(obj: models.Model) -> list[tuple[str, str, object, object]]:
    """(name, Vietnamese label, value for JSON, value for a person) of each field of `obj` kept."""
    result = []
    for field in obj._meta.concrete_fields:
        if field.name in _SKIPPED:
            continue
        label = _LABELS.get(field.name) or capfirst(str(field.verbose_name))
        if field.name in _BY_NUMBER:
            value = getattr(obj, field.attname)
            result.append((field.name, label, value, value))
            continue
        value = getattr(obj, field.name)
        shown = getattr(obj, f"get_{field.name}_display")() if field.choices else value
        if isinstance(field, models.BooleanField):
            shown = "Có" if value else "Không"
        result.append((field.name, label, audit_value(value), shown))
    return result


def _sections(data: OwnData):
    """(section title, key, object) of everything the download holds, in order."""
    yield "Hồ sơ đảng viên", "member", data.member
    for i, liaison in enumerate(data.liaisons, start=1):
        yield f"Hồ sơ giữ mối liên hệ {i} (số {liaison.pk})", "liaisons", liaison
    for i, notice in enumerate(data.notices, start=1):
        yield f"Thông báo biến động {i} (số {notice.pk})", "notices", notice


OWN_DATA_COLUMNS = ["Mục", "Thông tin", "Giá trị"]


def own_data_rows(data: OwnData):
    for title, _, obj in _sections(data):
        for _, label, _, shown in _fields(obj):
            yield [title, label, plain_value(shown) if shown not in (None, "") else ""]


def own_data_json(data: OwnData) -> dict:
    result: dict = {"exported_at": timezone.now().isoformat(), "member": {}, "liaisons": [], "notices": []}
    for _, key, obj in _sections(data):
        values = {name: value for name, _, value, _ in _fields(obj)}
        if key == "member":
            result["member"] = values
        else:
            result[key].append(values)
    return result


def own_data_export(*, actor, data: OwnData, fmt: str) -> HttpResponse:
    """A member's own data (the record, the links, the change notices) as .xlsx or JSON, on the
    member's request (Law 91/2025/QH15); the download is recorded like any export."""
    audit_record(
        actor=actor, action=AuditEntry.Action.EXPORT, target=data.member, note=f"Dữ liệu của tôi ({fmt})"
    )
    name = f"du-lieu-cua-toi-{data.member.party_card_number}"
    if fmt == "json":
        body = json.dumps(own_data_json(data), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = content_disposition(f"{name}.json")
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return xlsx_response(
        filename=f"{name}.xlsx",
        sheet_title="Dữ liệu của tôi",
        header=OWN_DATA_COLUMNS,
        rows=own_data_rows(data),
        title=f"DỮ LIỆU VỀ ĐẢNG VIÊN {data.member.full_name.upper()}",
    )
