"""The yearly list of exemptions as .xlsx (workplace side: the reason is the workplace's to know)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse

from haichieu.access import scope_name
from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response

COLUMNS = [
    "STT",
    "Họ và tên",
    "Chi bộ",
    "Lý do",
    "Ngày làm đơn",
    "Ngày chi bộ đề nghị",
    "Cấp quyết định",
    "Số quyết định",
    "Ngày quyết định",
    "Miễn từ ngày",
    "Miễn đến ngày",
    "Liên hệ trong thời gian miễn",
    "Thôi miễn ngày",
]


def year_rows(exemptions: QuerySet) -> Iterator[list]:
    for n, e in enumerate(exemptions.defer("reason_details").iterator(chunk_size=2000), start=1):
        yield [
            n,
            e.member.full_name,
            e.member.workplace_cell.name,
            e.get_reason_display(),
            e.applied_on,
            e.cell_proposal_on,
            e.decided_by.name,
            e.decision_number,
            e.decided_on,
            e.start_date,
            e.end_date,
            e.contact,
            e.revoked_at.date() if e.revoked_at else None,
        ]


def year_export(*, actor, exemptions: QuerySet, org, year: int) -> FileResponse:
    """The exemptions whose period overlaps `year`, of `org` (or the user's whole scope)."""
    audit_record(
        actor=actor,
        action="export",
        target_type="exemptions.exemption",
        target_repr=f"Danh sách miễn công tác và sinh hoạt đảng năm {year} ({org or 'toàn bộ phạm vi'})",
    )
    return xlsx_response(
        filename=f"mien-sinh-hoat-{year}-{org.code.lower() if org else 'pham-vi'}.xlsx",
        sheet_title=f"Miễn sinh hoạt {year}",
        header=COLUMNS,
        rows=year_rows(exemptions),
        title=f"DANH SÁCH ĐẢNG VIÊN ĐƯỢC MIỄN CÔNG TÁC VÀ SINH HOẠT ĐẢNG NĂM {year}",
        details=title_details(unit=org.name if org else scope_name(actor), filters=f"Năm: {year}"),
    )
