"""The meeting's paper fallback and exports (issue 11): the printed roster with a signature column
(.docx, the party document header of core/documents.py) and the attendance list (.xlsx, the one
writer of core/exports.py). Both are recorded in the audit log as exports of the meeting."""

from __future__ import annotations

from haichieu.core import documents as layout
from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response

from .models import Attendance, Meeting

ROSTER_HEADER = ("STT", "Họ và tên", "Diện", "Tình hình tham dự", "Ký tên")
ROSTER_WIDTHS = (0.6, 4, 2.4, 2.2, 2.4)
EXPORT_HEADER = (
    "STT",
    "Họ và tên",
    "Diện",
    "Tình hình tham dự",
    "Lý do vắng",
    "Ý kiến đóng góp",
    "Cách ghi nhận",
    "Ghi nhận lúc",
)


def _title(meeting: Meeting) -> str:
    return f"{meeting.get_kind_display()} ngày {meeting.date:%d/%m/%Y}, {meeting.start_time:%H:%M}, tại {meeting.place}"


def roster_docx_response(*, actor, meeting: Meeting, roster: list[Attendance]):
    """The printed roster: one line a member, a blank column to sign in (exempt members marked)."""
    doc = layout.new_document()
    layout.party_header_for(doc, meeting.cell, number_line="", date=meeting.date)
    layout.paragraph(doc, "DANH SÁCH ĐẢNG VIÊN DỰ SINH HOẠT CHI BỘ", bold=True, size=14, align="center")
    layout.paragraph(doc, _title(meeting), italic=True, align="center", space_after=8)
    rows = (
        (
            n,
            a.member.full_name,
            a.get_source_display(),
            "Miễn" if a.status == Attendance.Status.EXEMPT else "",
            "",
        )
        for n, a in enumerate(roster, start=1)
    )
    layout.rows_table(doc, ROSTER_HEADER, rows, widths=ROSTER_WIDTHS, font_size=11)
    audit_record(actor=actor, action="export", target=meeting, note="Danh sách ký tên (.docx)")
    return layout.docx_response(
        doc, f"Danh sách dự sinh hoạt - {meeting.cell.name} - {meeting.date:%d.%m.%Y}.docx"
    )


def attendance_xlsx_response(*, actor, meeting: Meeting, roster: list[Attendance]):
    rows = (
        (
            n,
            a.member.full_name,
            a.get_source_display(),
            a.get_status_display(),
            a.reason,
            a.contribution,
            a.get_method_display(),
            a.marked_at,
        )
        for n, a in enumerate(roster, start=1)
    )
    audit_record(actor=actor, action="export", target=meeting, note="Tình hình tham dự (.xlsx)")
    return xlsx_response(
        filename=f"Tham dự sinh hoạt - {meeting.cell.name} - {meeting.date:%d.%m.%Y}.xlsx",
        sheet_title="Tham dự",
        header=EXPORT_HEADER,
        rows=rows,
        title=f"Tình hình tham dự: {_title(meeting)}",
        details=title_details(unit=meeting.cell.name),
    )
