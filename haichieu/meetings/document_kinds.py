"""The minutes of a meeting (biên bản sinh hoạt chi bộ) as a Word template a province can adapt
(haichieu/documents), registered in `MeetingsConfig.ready()`.

The default template is laid out by the python-docx writer `documents.minutes_docx`, fed a context
whose values are the placeholders themselves, so the default template and the layout stay one piece
of code (as liaisons/document_kinds.py does for the letters). The context a document is filled with
comes from `documents.minutes_context`: plain data.
"""

from __future__ import annotations

import datetime

from docx.document import Document as DocxDocument

from haichieu.core import documents as layout
from haichieu.documents import defaults, engine
from haichieu.documents.registry import register

from . import documents
from .models import Attendance, Meeting

MINUTES = "meeting_minutes"
_ph = defaults.ph

COUNTS = {
    "invited": "Số đảng viên được mời",
    "expected": "Số đảng viên phải dự (được mời, trừ người được miễn)",
    "attended": "Số đảng viên tham dự (có mặt, đến muộn, về sớm)",
    "absent": "Số đảng viên vắng (có lý do và không lý do)",
    **{str(status): f"Số đảng viên “{status.label}”" for status in documents.STATUS_ORDER},
    "unmarked": "Số đảng viên chưa được điểm danh",
}
MINUTES_PLACEHOLDERS = {
    "date": "Ngày họp (dd/mm/yyyy), ngày của biên bản",
    "date_line": "Dòng địa danh, ngày tháng: “Hoàn Kiếm, ngày 15 tháng 6 năm 2026”",
    "issuer.superior": "Tên cấp ủy cấp trên của chi bộ",
    "issuer.name": "Tên chi bộ (“Chi bộ tổ dân phố số 1”)",
    "issuer.place": "Địa danh của chi bộ",
    "title": "“BIÊN BẢN”",
    "subject": "“Sinh hoạt chi bộ thường kỳ ngày 15/06/2026”",
    "draft": "Bản dự thảo: buổi sinh hoạt chưa kết thúc (đúng/sai)",
    "meeting.kind": "Loại buổi sinh hoạt (“Sinh hoạt thường kỳ”)",
    "meeting.date": "Ngày họp",
    "meeting.start": "Giờ bắt đầu (“19 giờ 30”)",
    "meeting.time": "Thời gian (“19 giờ 30, ngày 15/06/2026”)",
    "meeting.place": "Địa điểm",
    "meeting.cell": "Tên chi bộ",
    "chair": "Họ tên người chủ trì",
    "recorder": "Họ tên thư ký",
    "agenda[]": "Một dòng nội dung sinh hoạt",
    **{f"counts.{key}": meaning for key, meaning in COUNTS.items()},
    "summary": "Câu tóm tắt: tổng số được mời, tham dự, vắng, miễn",
    "attendance[].label": "Tình hình tham dự (“Vắng có lý do”): một dòng mỗi tình hình có người",
    "attendance[].count": "Số đảng viên của tình hình đó",
    "attendance[].names": "Họ tên các đảng viên đó, lý do vắng trong ngoặc",
    "absent[].full_name": "Họ tên một đảng viên vắng",
    "absent[].status": "“Vắng có lý do” hoặc “Vắng không lý do”",
    "absent[].reason": "Lý do vắng",
    "contributions[].full_name": "Họ tên đảng viên có ý kiến",
    "contributions[].text": "Ý kiến đóng góp của đảng viên đó",
    "conclusion[]": "Một dòng kết luận của chủ trì",
    "closing": "“Buổi sinh hoạt kết thúc lúc … giờ … ngày …”",
}


def minutes_template() -> bytes:
    """The default template: the python-docx layout of a context made of placeholders."""
    ctx = {
        **defaults.header(),
        "number": "",  # minutes are not numbered
        "title": _ph("title"),
        "subject": _ph("subject"),
        "meeting": {key: _ph(f"meeting.{key}") for key in ("kind", "time", "place")},
        "chair": _ph("chair"),
        "recorder": _ph("recorder"),
        "summary": _ph("summary"),
        "closing": _ph("closing"),
    }
    return layout.docx_bytes(documents.minutes_docx(ctx))


def minutes_sample() -> dict:
    """Made-up minutes for the preview and the upload check."""
    day = datetime.date(2026, 6, 15)
    S = Attendance.Status
    counts = dict.fromkeys(COUNTS, 0)
    counts.update(
        invited=6, expected=5, attended=3, absent=2, present=2, late=1, excused=1, unexcused=1, exempt=1
    )
    return {
        "number": "",
        "date": day,
        "date_line": layout.vietnamese_date_line("Hoàn Kiếm", day),
        "issuer": {
            "superior": "Đảng ủy phường Hoàn Kiếm",
            "name": "Chi bộ tổ dân phố số 1",
            "place": "Hoàn Kiếm",
        },
        "title": documents.MINUTES_TITLE,
        "subject": f"{documents.MINUTES_SUBJECT[Meeting.Kind.REGULAR]} ngày 15/06/2026",
        "draft": False,
        "meeting": {
            "kind": Meeting.Kind.REGULAR.label,
            "date": day,
            "start": "19 giờ 30",
            "time": "19 giờ 30, ngày 15/06/2026",
            "place": "Nhà văn hóa tổ dân phố số 1",
            "cell": "Chi bộ tổ dân phố số 1",
        },
        "chair": "Trần Văn Chủ",
        "recorder": "Lê Thị Ghi",
        "agenda": ["1. Thông báo tình hình địa phương.", "2. Góp ý xây dựng chi bộ."],
        "counts": counts,
        "summary": "Tổng số đảng viên được mời: 6 đồng chí; tham dự: 3 đồng chí; vắng: 2 đồng chí; miễn sinh "
        "hoạt: 1 đồng chí.",
        "attendance": [
            {"label": S.PRESENT.label, "count": 2, "names": "Nguyễn Thị Mẫu, Phạm Văn Hưng"},
            {"label": S.LATE.label, "count": 1, "names": "Đỗ Văn Dũng"},
            {"label": S.EXCUSED.label, "count": 1, "names": "Lò Thị Khánh (Ốm)"},
            {"label": S.UNEXCUSED.label, "count": 1, "names": "Mai Văn Lực"},
            {"label": S.EXEMPT.label, "count": 1, "names": "Ngô Thị Mận"},
        ],
        "absent": [
            {"full_name": "Lò Thị Khánh", "status": S.EXCUSED.label, "reason": "Ốm"},
            {"full_name": "Mai Văn Lực", "status": S.UNEXCUSED.label, "reason": ""},
        ],
        "contributions": [{"full_name": "Nguyễn Thị Mẫu", "text": "Đề nghị lắp đèn ngõ 3."}],
        "conclusion": ["Chi bộ thống nhất vận động nhân dân giữ vệ sinh ngõ phố."],
        "closing": "Buổi sinh hoạt kết thúc lúc 21 giờ 05 ngày 15/06/2026.",
    }


def register_kinds() -> None:
    """Register the minutes (from MeetingsConfig.ready)."""
    register(MINUTES, "Biên bản sinh hoạt chi bộ (điểm danh, ý kiến đóng góp, kết luận)", minutes_template,
             MINUTES_PLACEHOLDERS, minutes_sample)  # fmt: skip


def minutes_document(meeting: Meeting, roster: list[Attendance]) -> DocxDocument:
    """The minutes of `meeting`, from the template in force for its cell's province. Raises
    engine.TemplateRenderError (a ServiceError) when a province's template cannot be filled."""
    return engine.render(MINUTES, meeting.cell, [documents.minutes_context(meeting, roster)])
