"""The yearly review report (báo cáo sơ kết/tổng kết công tác thực hiện Quy định 213) as a Word
template a province can adapt (haichieu/documents), registered in `ReviewConfig.ready()`.

The text around the figures is the template's own: a province rewrites it (its opening, its
assessment and directions) and keeps the placeholders it wants; the figures, the table of the
children and the lists come from `documents.report_context` (plain data). The default template is
laid out here with python-docx in the party layout (core/documents: header, signature)."""

from __future__ import annotations

import datetime

from docx.document import Document as DocxDocument
from docx.shared import Pt

from haichieu.core import documents as layout
from haichieu.documents import defaults, engine
from haichieu.documents.registry import register

KIND = "review_report"
_ph = defaults.ph

FIGURES = {
    "members": "Tổng số đảng viên (đang sinh hoạt) của tổ chức",
    "working": "Đảng viên đang công tác (thuộc diện Quy định 213)",
    "not_introduced_category": "Đảng viên thuộc diện không giới thiệu (Hướng dẫn 33, điểm 1.2)",
    "to_introduce": "Đảng viên phải giới thiệu về nơi cư trú",
    "introduced": "Đảng viên đã giới thiệu (đã giới thiệu, đã tiếp nhận, đang sinh hoạt)",
    "coverage_rate": "Tỷ lệ đã giới thiệu (“87,5%”)",
    "received": "Đảng viên nơi cư trú đã tiếp nhận",
    "active": "Đảng viên đang sinh hoạt nơi cư trú",
    "returned": "Giấy giới thiệu bị trả lại",
    "not_yet": "Đảng viên chưa giới thiệu",
    "excused": "Đảng viên được miễn sinh hoạt nơi cư trú (Hướng dẫn 33, điểm 1.1)",
    "overdue": "Việc quá hạn (giới thiệu, tiếp nhận, thông báo biến động)",
    "meetings_held": "Số buổi sinh hoạt các chi bộ đã họp trong năm",
    "meetings_expected": "Số buổi theo quy định",
    "attended": "Số lượt dự",
    "expected": "Số lượt phải dự",
    "attendance_rate": "Tỷ lệ tham dự",
    "linked_attended": "Số lượt đảng viên giữ mối liên hệ dự sinh hoạt nơi cư trú",
    "linked_expected": "Số lượt đảng viên giữ mối liên hệ phải dự",
    "linked_rate": "Tỷ lệ dự sinh hoạt nơi cư trú của đảng viên giữ mối liên hệ",
    "comments_on_time": "Phiếu nhận xét trả lời đúng hạn",
    "comments_due": "Phiếu nhận xét đã đến hạn (đã trả lời hoặc quá hạn)",
    "comments_rate": "Tỷ lệ phiếu trả lời đúng hạn",
    "exempt": "Đảng viên được miễn công tác và sinh hoạt đảng trong năm",
    "commended": "Đảng viên được chi bộ nơi cư trú đề nghị biểu dương",
    "score": "Điểm thực hiện Quy định 213 (trên 100)",
}
ROW_KEYS = ["number", "name", "to_introduce", "introduced", "coverage_rate", "meetings", "attendance_rate",
            "comments", "score"]  # fmt: skip
ROW_HEADER = ["STT", "Tổ chức", "Phải giới thiệu", "Đã giới thiệu", "Tỷ lệ", "Buổi họp / quy định",
              "Tỷ lệ dự", "Nhận xét đúng hạn", "Điểm"]  # fmt: skip
ROW_MEANINGS = ["Số thứ tự", "Tên tổ chức trực thuộc", "Phải giới thiệu", "Đã giới thiệu", "Tỷ lệ đã giới thiệu",
                "Số buổi đã họp / theo quy định", "Tỷ lệ tham dự", "Tỷ lệ phiếu nhận xét đúng hạn",
                "Điểm thực hiện Quy định 213"]  # fmt: skip
LISTS = {
    "commended": (["number", "full_name", "cell"], ["STT", "Họ và tên", "Chi bộ nơi công tác"]),
    "not_introduced": (
        ["number", "full_name", "cell", "status"],
        ["STT", "Họ và tên", "Chi bộ", "Tình trạng"],
    ),
    "excused": (["number", "full_name", "cell", "category"], ["STT", "Họ và tên", "Chi bộ", "Trường hợp"]),
    "exempt": (
        ["number", "full_name", "cell", "reason", "period"],
        ["STT", "Họ và tên", "Chi bộ", "Lý do", "Thời gian miễn"],
    ),
}
LIST_WIDTHS = {"commended": [0.9, 4, 5], "not_introduced": [0.9, 3.5, 3.5, 2],
               "excused": [0.9, 3, 3, 3.5], "exempt": [0.9, 3, 3, 2.5, 2.6]}  # fmt: skip
LIST_MEANINGS = {
    "number": "Số thứ tự",
    "full_name": "Họ và tên đảng viên",
    "cell": "Chi bộ nơi đảng viên sinh hoạt chính thức",
    "status": "Tình trạng giới thiệu (chưa giới thiệu, bị trả lại…)",
    "category": "Trường hợp được miễn sinh hoạt nơi cư trú",
    "reason": "Lý do được miễn công tác và sinh hoạt đảng",
    "period": "Thời gian miễn (“01/01/2026 – 31/12/2026”)",
}

PLACEHOLDERS = {
    "number": "Số báo cáo (“Số ……-BC/ĐU”)",
    "date": "Ngày báo cáo (dd/mm/yyyy)",
    "date_line": "Dòng địa danh, ngày tháng: “Hoàn Kiếm, ngày 05 tháng 01 năm 2027”",
    "issuer.superior": "Cấp ủy cấp trên của tổ chức báo cáo",
    "issuer.name": "Cấp ủy báo cáo (“Đảng ủy Sở Tài chính”)",
    "issuer.place": "Địa danh của tổ chức",
    "issuer.on_behalf": "Dòng thay mặt: “T/M ĐẢNG ỦY”",
    "kind": "“sơ kết” hoặc “tổng kết”",
    "kind_title": "“SƠ KẾT” hoặc “TỔNG KẾT”",
    "year": "Năm báo cáo",
    "next_year": "Năm sau (phương hướng)",
    "as_of": "Số liệu đến ngày (dd/mm/yyyy)",
    **{f"figures.{key}": meaning for key, meaning in FIGURES.items()},
    **{f"rows[].{key}": meaning for key, meaning in zip(ROW_KEYS, ROW_MEANINGS, strict=True)},
    **{f"{name}[].{key}": LIST_MEANINGS[key] for name, (keys, _) in LISTS.items() for key in keys},
    **{f"more.{name}": "“Và … đồng chí khác”: khi danh sách dài hơn phần in ra" for name in LISTS},
    "signer.title": "Chức danh người ký: “BÍ THƯ”",
    "signer.name": "Họ tên người ký",
}

LIST_TITLES = {
    "commended": "II. ĐẢNG VIÊN ĐƯỢC CHI BỘ NƠI CƯ TRÚ ĐỀ NGHỊ BIỂU DƯƠNG",
    "not_introduced": "III. ĐẢNG VIÊN CHƯA GIỚI THIỆU VỀ NƠI CƯ TRÚ",
    "excused": "IV. ĐẢNG VIÊN ĐƯỢC MIỄN SINH HOẠT NƠI CƯ TRÚ (HƯỚNG DẪN SỐ 33-HD/BTCTW, ĐIỂM 1.1)",
    "exempt": "V. ĐẢNG VIÊN ĐƯỢC MIỄN CÔNG TÁC VÀ SINH HOẠT ĐẢNG TRONG NĂM",
}


def _f(name: str) -> str:
    return _ph(f"figures.{name}")


def _para(doc: DocxDocument, text: str, **kwargs) -> None:
    layout.paragraph(doc, text, align="justify", first_line_indent_mm=10, space_after=4, **kwargs)


def _heading(doc: DocxDocument, text: str) -> None:
    para = layout.paragraph(doc, text, bold=True, space_after=4)
    para.paragraph_format.space_before = Pt(8)  # apart from a table above it


def _loop_table(doc: DocxDocument, items: str, keys: list[str], header: list[str], widths) -> None:
    """A table whose middle row repeats for each of `items`, or "Không có." when there is none."""
    layout.paragraph(doc, f"{{%p if not {items} %}}")
    _para(doc, "Không có.", italic=True)
    layout.paragraph(doc, "{%p else %}")
    rows = ([row[key] for key in keys] for row in defaults.table_loop(keys, items))
    layout.rows_table(doc, header, rows, widths=widths, font_size=11)
    layout.paragraph(doc, "{%p endif %}")


def report_template() -> bytes:
    """The default template: the party layout, the text of the report and its placeholders."""
    doc = layout.new_document()
    layout.header_from_context(doc, {**defaults.header(), "number": _ph("number")})
    layout.paragraph(doc, "BÁO CÁO", bold=True, size=15, align="center", space_after=0)
    layout.paragraph(
        doc,
        f"{_ph('kind_title')} CÔNG TÁC THỰC HIỆN QUY ĐỊNH SỐ 213-QĐ/TW NĂM {_ph('year')}",
        bold=True,
        align="center",
        space_after=0,
    )
    layout.paragraph(doc, "-----", align="center", space_after=6)
    _para(
        doc,
        "Thực hiện Quy định số 213-QĐ/TW ngày 02/01/2020 của Bộ Chính trị về trách nhiệm của đảng viên đang "
        "công tác thường xuyên giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú và Hướng dẫn số "
        f"33-HD/BTCTW ngày 30/10/2020 của Ban Tổ chức Trung ương, {_ph('issuer.name')} báo cáo {_ph('kind')} "
        f"công tác thực hiện Quy định năm {_ph('year')} (số liệu đến ngày {_ph('as_of')}) như sau:",
    )
    _heading(doc, "I. KẾT QUẢ THỰC HIỆN")
    _heading(doc, "1. Giới thiệu đảng viên về nơi cư trú")
    _para(
        doc,
        f"Tổng số đảng viên: {_f('members')} đồng chí; đảng viên đang công tác: {_f('working')} đồng chí, trong "
        f"đó thuộc diện không giới thiệu (Hướng dẫn 33, điểm 1.2): {_f('not_introduced_category')} đồng chí; "
        f"phải giới thiệu về nơi cư trú: {_f('to_introduce')} đồng chí.",
    )
    _para(
        doc,
        f"Đã giới thiệu: {_f('introduced')} đồng chí (đạt {_f('coverage_rate')}), trong đó nơi cư trú đã tiếp "
        f"nhận {_f('received')}, đang sinh hoạt {_f('active')}; giấy giới thiệu bị trả lại: {_f('returned')}; "
        f"chưa giới thiệu: {_f('not_yet')} đồng chí. Việc quá hạn: {_f('overdue')}. Được miễn sinh hoạt nơi cư trú (Hướng dẫn 33, điểm 1.1): "
        f"{_f('excused')} đồng chí.",
    )
    _heading(doc, "2. Sinh hoạt, nhận xét đảng viên ở nơi cư trú")
    _para(
        doc,
        f"Các chi bộ đã sinh hoạt {_f('meetings_held')}/{_f('meetings_expected')} buổi theo quy định; tỷ lệ "
        f"tham dự {_f('attendance_rate')} ({_f('attended')}/{_f('expected')} lượt). Đảng viên giữ mối liên hệ "
        f"dự sinh hoạt với chi bộ nơi cư trú {_f('linked_attended')}/{_f('linked_expected')} lượt "
        f"({_f('linked_rate')}). Phiếu lấy ý kiến nhận xét trả lời đúng hạn: "
        f"{_f('comments_on_time')}/{_f('comments_due')} phiếu ({_f('comments_rate')}). Đảng viên được chi bộ nơi "
        f"cư trú đề nghị biểu dương: {_f('commended')} đồng chí. Đảng viên được miễn công tác và sinh hoạt đảng "
        f"trong năm: {_f('exempt')} đồng chí.",
    )
    _heading(doc, "3. Điểm thực hiện Quy định 213")
    _para(doc, f"Điểm của {_ph('issuer.name')}: {_f('score')}/100. Số liệu của các tổ chức trực thuộc:")
    _loop_table(doc, "rows", ROW_KEYS, ROW_HEADER, [0.9, 3.2, 1.2, 1.2, 1.2, 1.3, 1.1, 1.3, 1])
    for name, (keys, header) in LISTS.items():
        _heading(doc, LIST_TITLES[name])
        _loop_table(doc, name, keys, header, LIST_WIDTHS[name])
        for text in defaults.when(f"more.{name}", _ph(f"more.{name}")):
            _para(doc, text, italic=True)
    _heading(doc, "VI. ĐÁNH GIÁ CHUNG VÀ PHƯƠNG HƯỚNG")
    _para(doc, f"1. Ưu điểm: {layout.BLANK * 8}")
    _para(doc, f"2. Hạn chế, nguyên nhân: {layout.BLANK * 8}")
    _para(doc, f"3. Phương hướng, nhiệm vụ năm {_ph('next_year')}: {layout.BLANK * 8}")
    layout.signature_block(
        doc,
        on_behalf=_ph("issuer.on_behalf"),
        title=_ph("signer.title"),
        name=_ph("signer.name"),
        # A root organisation has no superior to report to: its line is left out ({%p %} takes the
        # whole paragraph, the dash included).
        recipients=[
            "{%p if issuer.superior %}",
            f"{_ph('issuer.superior')} (để báo cáo)",
            "{%p endif %}",
            "Lưu văn phòng.",
        ],  # fmt: skip
    )
    return layout.docx_bytes(doc)


def report_sample() -> dict:
    """A made-up report for the preview and the upload check."""
    day = datetime.date(2027, 1, 8)
    return {
        "number": f"Số {layout.BLANK}-BC/ĐU",
        "date": day,
        "date_line": layout.vietnamese_date_line("Hà Nội", day),
        "issuer": {
            "superior": "Đảng bộ Thành phố Hà Nội",
            "name": "Đảng ủy Sở Tài chính",
            "place": "Hà Nội",
            "on_behalf": "T/M ĐẢNG ỦY",
        },
        "kind": "tổng kết",
        "kind_title": "TỔNG KẾT",
        "year": 2026,
        "next_year": 2027,
        "as_of": datetime.date(2026, 12, 31),
        "figures": {
            "members": 120,
            "working": 112,
            "not_introduced_category": 2,
            "to_introduce": 110,
            "introduced": 104,
            "coverage_rate": "94,5%",
            "received": 30,
            "active": 70,
            "returned": 1,
            "not_yet": 6,
            "excused": 8,
            "overdue": 2,
            "meetings_held": 38,
            "meetings_expected": 40,
            "attended": 170,
            "linked_attended": 150,
            "linked_expected": 170,
            "linked_rate": "88,2%",
            "expected": 190,
            "attendance_rate": "89,5%",
            "comments_on_time": 95,
            "comments_due": 100,
            "comments_rate": "95,0%",
            "exempt": 3,
            "commended": 12,
            "score": "91,2",
        },  # fmt: skip
        "rows": [
            {
                "number": 1,
                "name": "Chi bộ Văn phòng Sở",
                "to_introduce": 50,
                "introduced": 46,
                "coverage_rate": "92,0%",
                "meetings": "—",
                "attendance_rate": "88,0%",
                "comments": "94,0%",
                "score": "90,1",
            },
            {
                "number": 2,
                "name": "Chi bộ Phòng Ngân sách",
                "to_introduce": 60,
                "introduced": 58,
                "coverage_rate": "96,7%",
                "meetings": "—",
                "attendance_rate": "91,0%",
                "comments": "96,0%",
                "score": "93,4",
            },
        ],  # fmt: skip
        "commended": [{"number": 1, "full_name": "Nguyễn Thị Mẫu", "cell": "Chi bộ Phòng Ngân sách"}],
        "not_introduced": [
            {
                "number": 1,
                "full_name": "Trần Văn Chưa",
                "cell": "Chi bộ Văn phòng Sở",
                "status": "Chưa giới thiệu",
            }
        ],
        "excused": [
            {
                "number": 1,
                "full_name": "Lê Thị Học",
                "cell": "Chi bộ Văn phòng Sở",
                "category": "Học tập tập trung",
            }
        ],  # fmt: skip
        "exempt": [
            {
                "number": 1,
                "full_name": "Phạm Văn Lão",
                "cell": "Chi bộ Phòng Ngân sách",
                "reason": "Tuổi cao, sức khỏe yếu",
                "period": "01/01/2026 – 31/12/2026",
            }
        ],  # fmt: skip
        "more": {"commended": "", "not_introduced": "", "excused": "", "exempt": ""},
        "signer": {"title": "BÍ THƯ", "name": "Trần Văn Ký"},
    }


def register_kinds() -> None:
    """Register the report (from ReviewConfig.ready)."""
    register(KIND, "Báo cáo sơ kết, tổng kết công tác thực hiện Quy định 213 (số liệu, danh sách)",
             report_template, PLACEHOLDERS, report_sample)  # fmt: skip


def report_document(org, context: dict) -> DocxDocument:
    """The report of `org` from the template in force for its province. Raises
    engine.TemplateRenderError (a ServiceError) when a province's template cannot be filled."""
    return engine.render(KIND, org, [context])
