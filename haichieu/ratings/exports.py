"""The list for the rating meeting as .xlsx (workplace side only), through the shared exporter."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.http import FileResponse

from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response

COLUMNS = [
    "STT", "Họ và tên", "Ngày sinh", "Chi bộ", "Chức vụ", "Điểm", "Xếp loại", "Ghi chú",
    "Nhận xét nơi cư trú: đề nghị", "Nhận xét nơi cư trú: các tiêu chí", "Cần xem lại",
]  # fmt: skip
EXEMPT_TEXT = "Miễn công tác và sinh hoạt đảng: không xếp loại"
NOT_RATED_TEXT = "Chưa xếp loại"
# The comment columns when the comment has not reached the workplace (ratings.selectors.ResidenceComment).
COMMENT_STATE_TEXT = {
    "none": "Chưa lấy ý kiến",
    "pending": "Chưa có nhận xét",
    "awaiting": "Chưa có nhận xét (chờ đảng ủy xác nhận)",
    "overdue": "Quá hạn, chưa có nhận xét",
}


def level_text(member) -> str:
    """What the list says in the level column: the level, the exempt mark, or not yet rated."""
    rating = member.rating
    if (rating is not None and rating.exempt) or (rating is None and member.is_exempt):
        return EXEMPT_TEXT
    return rating.level.label if rating is not None else NOT_RATED_TEXT


def comment_cells(member) -> list[str]:
    """The residence comment's columns: the proposal, the levels in one line, the flags."""
    comment = member.residence_comment
    state = comment.state if comment is not None else "none"
    if state != "answered":
        return [COMMENT_STATE_TEXT[state], "", ""]
    return [comment.proposal, comment.summary, "\n".join(f.text for f in comment.flags)]


def meeting_rows(members: Iterable) -> Iterator[list]:
    for n, m in enumerate(members, start=1):
        rating = m.rating
        yield [
            n,
            m.full_name,
            m.date_of_birth,
            m.workplace_cell.name,
            m.position,
            rating.score if rating is not None else None,
            level_text(m),
            rating.note if rating is not None else "",
            *comment_cells(m),
        ]


def meeting_list_export(*, actor, members: Iterable, org, year: int, scheme_name: str) -> FileResponse:
    """The members of `org` to rate in `year`, with their score and level and the residence's comment
    beside them: its proposal, its levels, the flags where it and the facts disagree (the rating
    meeting)."""
    audit_record(
        actor=actor,
        action="export",
        target_type="ratings.rating",
        target_repr=f"Danh sách xếp loại chất lượng đảng viên năm {year} ({org})",
    )
    return xlsx_response(
        filename=f"xep-loai-dang-vien-{year}-{org.code.lower()}.xlsx",
        sheet_title=f"Xếp loại {year}",
        header=COLUMNS,
        rows=meeting_rows(members),
        title=f"DANH SÁCH ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM {year}",
        details=title_details(unit=org.name, filters=f"Năm: {year}; {scheme_name}"),
    )
