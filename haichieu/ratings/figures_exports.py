"""The rating distribution (ratings/figures.py) as .xlsx, through the shared exporter; each download
is an "export" entry of the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.http import FileResponse

from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response

from . import figures


def distribution_rows(distributions: Iterable) -> Iterator[list]:
    for d in distributions:
        yield [
            d.name, d.members,
            *[value for level in d.levels for value in (level.count, level.share)],
            d.exempt, d.not_rated,
        ]  # fmt: skip


def distribution_export(*, actor, org, year: int, as_of) -> FileResponse:
    """The organisation's distribution and its workplace children's, one row each (the first the
    whole organisation), a count and a share per level of the year's scheme."""
    scheme, levels = figures.levels_of(year)
    header = [
        "Đơn vị", "Đảng viên",
        *[text for level in levels for text in (level.label, f"{level.label} (%)")],
        "Miễn, không xếp loại", "Chưa xếp loại",
    ]  # fmt: skip
    total = figures.distribution(org, year, as_of, levels)
    children = figures.distribution_by_child(org, year, as_of, levels)
    audit_record(
        actor=actor,
        action="export",
        target=org,
        note=f"Số liệu xếp loại chất lượng đảng viên năm {year} (.xlsx)",
    )
    return xlsx_response(
        filename=f"so-lieu-xep-loai-{year}-{org.code.lower()}.xlsx",
        sheet_title=f"Xếp loại {year}",
        header=header,
        rows=distribution_rows([total, *children]),
        title=f"KẾT QUẢ XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM {year}",
        details=title_details(
            unit=org.name,
            filters=f"Năm: {year}; số liệu đến ngày {as_of:%d/%m/%Y}; "
            + (scheme.name if scheme else f"chưa có cách xếp loại năm {year}"),
        ),
    )
