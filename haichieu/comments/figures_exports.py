"""The comments' figures as .xlsx, through the shared exporter (core/exports.py); each download is
an "export" entry of the audit log."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.http import FileResponse

from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response
from haichieu.organizations.models import Organization

from . import figures

TIMELINESS_COLUMNS = [
    "Bảng", "Đơn vị", "Số phiếu", "Đã trả lời", "Trả lời đúng hạn", "Trả lời trễ hạn",
    "Quá hạn, chưa trả lời", "Chưa trả lời, còn hạn", "Tỷ lệ đúng hạn (%)",
]  # fmt: skip
CRITERIA_COLUMNS = ["Mẫu", "Tiêu chí", "Mức", "Số đảng viên", "Tỷ lệ (%)"]


def place_heading(org: Organization) -> str:
    return "Theo chi bộ nơi cư trú" if org.is_residential else "Theo đảng ủy xã, phường nơi cư trú"


def timeliness_rows(org: Organization, year: int, as_of: datetime.date) -> Iterator[list]:
    def line(heading, t):
        return [
            heading,
            t.name,
            t.requests,
            t.answered,
            t.on_time,
            t.late,
            t.overdue,
            t.pending,
            t.on_time_rate,
        ]

    yield line("Tổng cộng", figures.timeliness_total(org, year, as_of))
    for t in figures.timeliness_by_place(org, year, as_of):
        yield line(place_heading(org), t)
    for t in figures.timeliness_by_child(org, year, as_of):
        yield line("Theo tổ chức trực thuộc", t)


def criteria_rows(org: Organization, year: int, as_of: datetime.date) -> Iterator[list]:
    for form in figures.criterion_shares(org, year, as_of):
        for c in form.criteria:
            for label, count, share in c.levels:
                yield [form.code, c.label, label, count, share]


def _details(org: Organization, year: int, as_of: datetime.date) -> list[str]:
    return title_details(unit=org.name, filters=f"Năm: {year}; số liệu đến ngày {as_of:%d/%m/%Y}")


def timeliness_export(*, actor, org: Organization, year: int, as_of: datetime.date) -> FileResponse:
    audit_record(
        actor=actor, action="export", target=org, note=f"Số liệu nhận xét đúng hạn năm {year} (.xlsx)"
    )
    return xlsx_response(
        filename=f"nhan-xet-dung-han-{year}-{org.code.lower()}.xlsx",
        sheet_title=f"Đúng hạn {year}",
        header=TIMELINESS_COLUMNS,
        rows=timeliness_rows(org, year, as_of),
        title=f"SỐ LIỆU TRẢ LỜI PHIẾU LẤY Ý KIẾN NHẬN XÉT NĂM {year}",
        details=_details(org, year, as_of),
    )


def criteria_export(*, actor, org: Organization, year: int, as_of: datetime.date) -> FileResponse:
    audit_record(
        actor=actor, action="export", target=org, note=f"Tỷ lệ theo tiêu chí nhận xét năm {year} (.xlsx)"
    )
    return xlsx_response(
        filename=f"nhan-xet-tieu-chi-{year}-{org.code.lower()}.xlsx",
        sheet_title=f"Tiêu chí {year}",
        header=CRITERIA_COLUMNS,
        rows=criteria_rows(org, year, as_of),
        title=f"KẾT QUẢ NHẬN XÉT ĐẢNG VIÊN THEO TIÊU CHÍ NĂM {year}",
        details=_details(org, year, as_of),
    )
