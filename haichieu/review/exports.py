"""The score page as .xlsx (issue 13: everything exports): one row for the organisation, then one per
child, lowest first; for each component its numerator, denominator and rate, then the score."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import FileResponse

from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response

from .score import COMPONENTS, Score
from .selectors import ScoreTable


def columns() -> list[str]:
    header = ["Tổ chức", "Điểm"]
    for c in COMPONENTS:
        header += [f"{c.label}: {c.numerator}", f"{c.label}: {c.denominator}", f"{c.label}: tỷ lệ (%)"]
    return header


def row(score: Score) -> list:
    value = score.value
    cells: list = [score.org.name, round(value, 1) if value is not None else None]
    for part in score.parts:
        rate = part.rate
        cells += [part.numerator, part.denominator, round(rate, 1) if rate is not None else None]
    return cells


def rows(table: ScoreTable) -> Iterator[list]:
    yield row(table.total)
    for child in table.children:
        yield row(child)


def score_export(*, actor, table: ScoreTable) -> FileResponse:
    org, day = table.total.org, f"{table.on:%d/%m/%Y}"
    audit_record(
        actor=actor, action="export", target=org, note=f"Điểm thực hiện Quy định 213 năm {table.year} (.xlsx)"
    )
    weights = ", ".join(f"{p.component.label} {p.weight}" for p in table.total.parts)
    return xlsx_response(
        filename=f"Điểm thực hiện Quy định 213 năm {table.year} - {org.name}.xlsx",
        sheet_title="Điểm 213",
        header=columns(),
        rows=rows(table),
        title=f"ĐIỂM THỰC HIỆN QUY ĐỊNH 213-QĐ/TW NĂM {table.year} (SỐ LIỆU ĐẾN NGÀY {day})",
        details=title_details(
            unit=org.name,
            filters=f"dòng đầu: toàn đảng bộ; các dòng sau: tổ chức trực thuộc, điểm thấp nhất trước; trọng số: {weights}",
        ),
    )
