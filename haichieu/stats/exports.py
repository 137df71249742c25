"""The statistics page as .xlsx: one row for the organisation, then one per child, worst first."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import FileResponse

from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response

from .figures import Figures, exemption_reasons


def columns() -> list[str]:
    return [
        "Tổ chức",
        "Đảng viên",
        "Đảng viên đang công tác",
        "Thuộc diện giới thiệu",
        "Đã giới thiệu (chờ tiếp nhận)",
        "Đã tiếp nhận",
        "Đang sinh hoạt",
        "Bị trả lại",
        "Chưa giới thiệu",
        "Miễn sinh hoạt nơi cư trú (HD 33)",
        "Không giới thiệu (HD 33)",
        "Tỷ lệ đã giới thiệu (%)",
        "Quá hạn giới thiệu",
        "Quá hạn tiếp nhận",
        "Danh sách biến động quá hạn gửi",
        "Chi bộ",
        "Buổi sinh hoạt đã họp",
        "Buổi sinh hoạt theo quy định",
        "Chi bộ chưa họp đủ",
        "Tỷ lệ tham dự (%)",
        *(f"Miễn công tác: {label}" for _, label in exemption_reasons()),
    ]


def row(figures: Figures) -> list:
    return [
        figures.org.name,
        figures.members,
        figures.working,
        figures.coverage["to_introduce"],
        figures.introduced,
        figures.received,
        figures.active,
        figures.returned,
        figures.not_yet,
        figures.excused,
        figures.not_introduced,
        figures.coverage_rate,
        figures.introduction_overdue,
        figures.reception_overdue,
        figures.digests_overdue,
        figures.cells,
        figures.meetings_held,
        figures.meetings_expected,
        figures.cells_below,
        figures.attendance_rate,
        *(figures.exemptions.get(value, 0) for value, _ in exemption_reasons()),
    ]


def rows(total: Figures, children: list[Figures]) -> Iterator[list]:
    yield row(total)
    for child in children:
        yield row(child)


def dashboard_export(*, actor, total: Figures, children: list[Figures]) -> FileResponse:
    day = f"{total.on:%d/%m/%Y}"
    audit_record(actor=actor, action="export", target=total.org, note=f"Thống kê đến ngày {day} (.xlsx)")
    return xlsx_response(
        filename=f"Thống kê - {total.org.name} - {total.on:%d-%m-%Y}.xlsx",
        sheet_title="Thống kê",
        header=columns(),
        rows=rows(total, children),
        title=f"THỐNG KÊ THỰC HIỆN QUY ĐỊNH 213-QĐ/TW ĐẾN NGÀY {day}",
        details=title_details(
            unit=total.org.name,
            filters="dòng đầu: toàn đảng bộ; các dòng sau: tổ chức trực thuộc, yếu nhất trước",
        ),
    )
