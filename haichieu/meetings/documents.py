"""The meeting's paper fallback, exports and minutes (issue 11): the printed roster with a signature
column (.docx, the party document header of core/documents.py), the attendance list (.xlsx, the one
writer of core/exports.py) and the minutes (biên bản sinh hoạt chi bộ: `minutes_context`, laid out by
`minutes_docx`, filled from the template in force through document_kinds.py). Each download is
recorded in the audit log as an export of the meeting."""

from __future__ import annotations

import datetime

from django.utils import timezone
from docx.document import Document as DocxDocument

from haichieu.core import documents as layout
from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response
from haichieu.documents import defaults

from .models import Attendance, Meeting

S = Attendance.Status

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


# --- the minutes (biên bản sinh hoạt chi bộ) -------------------------------------------------------
MINUTES_TITLE = "BIÊN BẢN"
MINUTES_SUBJECT = {
    Meeting.Kind.REGULAR: "Sinh hoạt chi bộ thường kỳ",
    Meeting.Kind.THEMATIC: "Sinh hoạt chi bộ chuyên đề",
    Meeting.Kind.EXTRAORDINARY: "Sinh hoạt chi bộ bất thường",
}
DRAFT_NOTE = "(DỰ THẢO: buổi sinh hoạt chưa kết thúc)"
NO_CONTRIBUTIONS = "Không có ý kiến đóng góp được ghi nhận."
UNMARKED = "Chưa điểm danh"
DOTS = defaults.DOTS
# The order of the attendance lines: those who took part, those absent, those not expected.
STATUS_ORDER = (S.PRESENT, S.LATE, S.LEFT_EARLY, S.EXCUSED, S.UNEXCUSED, S.EXEMPT)


def _clock(value: datetime.time | datetime.datetime) -> str:
    return f"{value:%H} giờ {value:%M}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _named(attendance: Attendance) -> str:
    return (
        f"{attendance.member.full_name} ({attendance.reason})"
        if attendance.reason
        else attendance.member.full_name
    )


def minutes_context(meeting: Meeting, roster: list[Attendance], *, names: dict | None = None) -> dict:
    """The minutes of `meeting` as plain data: time, place, kind, chair and recorder, the agenda, the
    attendance (counts and names, an absence with its reason), each member's contribution, the
    conclusion. `roster` is `selectors.roster(meeting)`. Before the meeting closes it is a draft."""
    names = names or layout.header_names(meeting.cell)
    by_status: dict[str, list[Attendance]] = {status: [] for status in (*STATUS_ORDER, "")}
    for attendance in roster:
        by_status.setdefault(attendance.status, []).append(attendance)
    count = {status: len(found) for status, found in by_status.items()}
    attended = sum(count[s] for s in Attendance.ATTENDED)
    absent = count[S.EXCUSED] + count[S.UNEXCUSED]
    counts = {
        "invited": len(roster),
        "expected": attended + absent,
        "attended": attended,
        "absent": absent,
        **{str(status): count[status] for status in STATUS_ORDER},
        "unmarked": count[""],
    }
    rows = [
        {"label": label, "count": count[status], "names": ", ".join(_named(a) for a in by_status[status])}
        for status, label in [*((s, s.label) for s in STATUS_ORDER), ("", UNMARKED)]
        if count[status]
    ]
    summary = (
        f"Tổng số đảng viên được mời: {len(roster)} đồng chí; tham dự: {attended} đồng chí; vắng: {absent} "
        f"đồng chí; miễn sinh hoạt: {count[S.EXEMPT]} đồng chí."
    )
    if count[""]:
        summary += f" Chưa điểm danh: {count['']} đồng chí."
    closed = meeting.state == Meeting.State.CLOSED and meeting.closed_at
    if closed:
        end = timezone.localtime(meeting.closed_at)
        closing = f"Buổi sinh hoạt kết thúc lúc {_clock(end)} ngày {end:%d/%m/%Y}."
    else:
        closing = f"Buổi sinh hoạt kết thúc lúc {layout.BLANK} giờ {layout.BLANK} ngày {layout.BLANK}."
    return {
        "number": "",  # minutes are not numbered
        "date": meeting.date,
        "date_line": layout.vietnamese_date_line(names["place"], meeting.date),
        "issuer": {
            "superior": names["superior_name"],
            "name": names["issuer_name"],
            "place": names["place"],
        },
        "title": MINUTES_TITLE,
        "subject": f"{MINUTES_SUBJECT[Meeting.Kind(meeting.kind)]} ngày {meeting.date:%d/%m/%Y}",
        "draft": not closed,
        "meeting": {
            "kind": meeting.get_kind_display(),
            "date": meeting.date,
            "start": _clock(meeting.start_time),
            "time": f"{_clock(meeting.start_time)}, ngày {meeting.date:%d/%m/%Y}",
            "place": meeting.place,
            "cell": meeting.cell.name,
        },
        "chair": meeting.chair,
        "recorder": meeting.recorder,
        "agenda": _lines(meeting.agenda),
        "counts": counts,
        "summary": summary,
        "attendance": rows,
        "absent": [
            {"full_name": a.member.full_name, "status": a.get_status_display(), "reason": a.reason}
            for a in roster
            if a.status in (S.EXCUSED, S.UNEXCUSED)
        ],
        "contributions": [
            {"full_name": a.member.full_name, "text": " ".join(_lines(a.contribution))}
            for a in roster
            if a.contribution.strip()
        ],
        "conclusion": _lines(meeting.conclusion),
        "closing": closing,
    }


def _attendance_line(row: dict) -> str:
    return f"- {row['label']}: {row['count']} đồng chí" + (f": {row['names']}" if row["names"] else "") + "."


def _contribution_line(item: dict) -> str:
    return f"- Đồng chí {item['full_name']}: {item['text']}"


# The list paragraphs of the minutes: context key -> (loop variable, the Jinja text of one item, the
# Python text of one item, what is printed when the list is empty). The default template and the
# python-docx layout print the same (test_minutes checks it).
_MINUTES_LISTS = {
    "attendance": (
        "row",
        "- {{ row.label }}: {{ row.count }} đồng chí{% if row.names %}: {{ row.names }}{% endif %}.",
        _attendance_line,
        None,
    ),
    "agenda": ("line", "{{ line }}", str, DOTS),
    "contributions": (
        "item",
        "- Đồng chí {{ item.full_name }}: {{ item.text }}",
        _contribution_line,
        NO_CONTRIBUTIONS,
    ),
    "conclusion": ("line", "{{ line }}", str, DOTS),
}


def _list_paragraphs(doc, ctx: dict, key: str) -> None:
    """A paragraph for each item of `ctx[key]`, or the list's empty text; for a template's context the
    same as docxtpl paragraph tags ({%p for %} … {%p if not … %})."""
    item, jinja_text, python_text, empty = _MINUTES_LISTS[key]
    if ctx.get(layout.TEMPLATE):
        texts = defaults.loop(key, item, jinja_text) + (defaults.when(f"not {key}", empty) if empty else [])
    else:
        texts = [python_text(value) for value in ctx[key]] or ([empty] if empty else [])
    for text in texts:
        layout.paragraph(doc, text, align="justify", first_line_indent_mm=10 if key != "attendance" else None)


def _comrade(ctx: dict, key: str) -> str:
    """'đồng chí …' before a name (the dots of an empty value come from `labelled`)."""
    if ctx.get(layout.TEMPLATE):
        return f"{{% if {key} %}}đồng chí {{{{ {key} }}}}{{% else %}}{DOTS}{{% endif %}}"
    return f"đồng chí {ctx[key]}" if ctx[key] else ""


def _heading(doc, text: str) -> None:
    layout.paragraph(doc, text, bold=True, space_after=3)


def minutes_docx(ctx: dict) -> DocxDocument:
    """The minutes laid out in the party layout (HD 36-HD/VPTW): the header of the cell, the title,
    then time and place, who took part, the agenda, the contributions, the conclusion and the two
    signatures (the recorder at the left, the chair at the right)."""
    template = ctx.get(layout.TEMPLATE, False)
    doc = layout.new_document()
    layout.header_from_context(doc, ctx)
    layout.paragraph(doc, ctx["title"], bold=True, size=15, align="center", space_after=0)
    layout.paragraph(doc, ctx["subject"], bold=True, size=14, align="center", space_after=2)
    if template:
        for text in defaults.when("draft", DRAFT_NOTE):
            layout.paragraph(doc, text, italic=True, align="center")
    elif ctx["draft"]:
        layout.paragraph(doc, DRAFT_NOTE, italic=True, align="center")
    layout.paragraph(doc, space_after=4)
    _heading(doc, "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN")
    layout.labelled(doc, "Thời gian", ctx["meeting"]["time"])
    layout.labelled(doc, "Địa điểm", ctx["meeting"]["place"])
    layout.labelled(doc, "Hình thức", ctx["meeting"]["kind"])
    layout.labelled(doc, "Chủ trì", _comrade(ctx, "chair"))
    layout.labelled(doc, "Thư ký", _comrade(ctx, "recorder"))
    layout.paragraph(doc, ctx["summary"], align="justify")
    _list_paragraphs(doc, ctx, "attendance")
    _heading(doc, "II. NỘI DUNG SINH HOẠT")
    _list_paragraphs(doc, ctx, "agenda")
    _heading(doc, "III. Ý KIẾN ĐÓNG GÓP CỦA ĐẢNG VIÊN")
    _list_paragraphs(doc, ctx, "contributions")
    _heading(doc, "IV. KẾT LUẬN CỦA CHỦ TRÌ")
    _list_paragraphs(doc, ctx, "conclusion")
    layout.paragraph(doc, ctx["closing"], align="justify", first_line_indent_mm=10, space_after=8)
    layout.signatures_side_by_side(doc, ("THƯ KÝ", ctx["recorder"]), ("CHỦ TRÌ", ctx["chair"]))
    return doc


def minutes_filename(meeting: Meeting) -> str:
    return f"Biên bản sinh hoạt - {meeting.cell.name} - {meeting.date:%d.%m.%Y}.docx"


def minutes_response(*, actor, meeting: Meeting, doc: DocxDocument):
    """The minutes' download, recorded in the audit log."""
    draft = " (dự thảo)" if meeting.state != Meeting.State.CLOSED else ""
    audit_record(actor=actor, action="export", target=meeting, note=f"Biên bản sinh hoạt{draft} (.docx)")
    return layout.docx_response(doc, minutes_filename(meeting))
