"""The liaison lists as .xlsx: the coverage list, the inbox and the change notices.

One function per list, next to its columns and its row generator (STYLE.md habit 5: lists are row
generators, written by the shared exporter core.exports). The view passes the queryset it lists,
already scoped by the access rule and filtered; the export is recorded in the audit log here, so
no list leaves without its entry (DESIGN.md "Data protection"). Rows are streamed in chunks.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse

from haichieu.access import scope_name
from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response

from . import rules, selectors

EXPORT_CHUNK = 2000

# --- coverage (workplace side) -------------------------------------------------------------------
COVERAGE_COLUMNS = [
    "STT",
    "Họ và tên",
    "Chi bộ",
    "Diện",
    "Xã/phường cư trú",
    "Tình trạng giới thiệu",
    "Giấy giới thiệu",
    "Hạn tiếp nhận",
    "Chi bộ nơi cư trú",
    "Quá hạn",
]


def coverage_rows(qs: QuerySet, today: datetime.date) -> Iterator[list]:
    """The coverage list as rows: members in chunks, each chunk's current liaisons in one query."""
    members = (
        qs.select_related("workplace_cell", "residence_commune")
        .only(*selectors.COVERAGE_FIELDS)
        .order_by("sort_key", "pk")
    )
    chunk: list = []
    n = 0
    for member in members.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(member)
        if len(chunk) == EXPORT_CHUNK:
            yield from _coverage_chunk(chunk, n, today)
            n += len(chunk)
            chunk = []
    yield from _coverage_chunk(chunk, n, today)


def _coverage_chunk(members, offset, today):
    current = selectors.current_liaisons(m.pk for m in members) if members else {}
    for n, member in enumerate(members, start=offset + 1):
        liaison = current.get(member.pk) or {}
        commune = liaison.get("commune_org_name") or liaison.get("commune_name")
        if not commune and member.residence_commune_id:
            commune = member.residence_commune.name
        yield [
            n,
            member.full_name,
            member.workplace_cell.name,
            member.get_liaison_category_display(),
            commune or "",
            liaison.get("status_label", "Chưa có hồ sơ"),
            liaison.get("letter_reference", ""),
            liaison.get("receive_due"),
            liaison.get("cell_name") or "",
            rules.overdue_reason(member, liaison or None, today),
        ]


def coverage_export(
    *, actor, members: QuerySet, org, today: datetime.date, query: str = "", filters: str = ""
) -> FileResponse:
    """The coverage list (`members`: the page's members under every filter, `org`: the organisation
    filtered on or None), every page of it."""
    audit_record(
        actor=actor,
        action="export",
        target_type="liaisons.liaison",
        target_repr=f"Danh sách giữ mối liên hệ ({org or 'toàn bộ phạm vi'})",
        note=query,
    )
    return xlsx_response(
        filename=f"giu-moi-lien-he-{org.code.lower() if org else 'pham-vi'}.xlsx",
        sheet_title="Giữ mối liên hệ",
        header=COVERAGE_COLUMNS,
        rows=coverage_rows(members, today),
        title="DANH SÁCH ĐẢNG VIÊN GIỮ MỐI LIÊN HỆ NƠI CƯ TRÚ",
        details=title_details(unit=org.name if org else scope_name(actor), filters=filters),
    )


# --- inbox ---------------------------------------------------------------------------------------
INBOX_COLUMNS = ["STT", "Ngày đến", "Loại", "Nơi nhận", "Nội dung", "Chi tiết", "Hạn xử lý", "Đã đọc lúc"]


def inbox_rows(items: QuerySet) -> Iterator[list]:
    """Rows of `items` (selectors.inbox_for, ordered)."""
    for n, item in enumerate(items.iterator(chunk_size=EXPORT_CHUNK), start=1):
        yield [
            n,
            item.created_at,
            item.get_kind_display(),
            item.recipient_org.name,
            item.summary,
            item.notice.details if item.notice_id else "",
            item.due_date,
            item.read_at,
        ]


def inbox_export(*, actor, items: QuerySet) -> FileResponse:
    audit_record(actor=actor, action="export", target_type="liaisons.inboxitem", target_repr="Văn bản đến")
    return xlsx_response(
        filename="van-ban-den.xlsx",
        sheet_title="Văn bản đến",
        header=INBOX_COLUMNS,
        rows=inbox_rows(items),
        title="VĂN BẢN ĐẾN",
        details=title_details(unit=scope_name(actor)),
    )


# --- change notices ------------------------------------------------------------------------------
NOTICE_COLUMNS = [
    "STT",
    "Ngày biến động",
    "Họ và tên",
    "Loại biến động",
    "Nơi gửi",
    "Nơi nhận",
    "Nội dung",
    "Ngày gửi",
]


def notice_rows(notices: QuerySet) -> Iterator[list]:
    """Rows of `notices` (already scoped, filtered and ordered)."""
    for n, notice in enumerate(notices.iterator(chunk_size=EXPORT_CHUNK), start=1):
        yield [
            n,
            notice.event_date,
            notice.member.full_name,
            notice.get_kind_display(),
            notice.sender_org.name,
            notice.recipient_org.name if notice.recipient_org_id else "",
            notice.details,
            notice.created_at,
        ]


def notices_export(*, actor, notices: QuerySet, query: str = "", filters: str = "") -> FileResponse:
    audit_record(
        actor=actor,
        action="export",
        target_type="liaisons.changenotice",
        target_repr="Danh sách thông báo biến động",
        note=query,
    )
    return xlsx_response(
        filename="thong-bao-bien-dong.xlsx",
        sheet_title="Biến động",
        header=NOTICE_COLUMNS,
        rows=notice_rows(notices),
        title="DANH SÁCH THÔNG BÁO BIẾN ĐỘNG",
        details=title_details(unit=scope_name(actor), filters=filters),
    )
