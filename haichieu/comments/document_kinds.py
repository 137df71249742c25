"""The residence's comment as a Word document a province can adapt (haichieu/documents), issued by
the residential cell: Mẫu 3-213 (or 4-213) with the party header, the criteria ticked on their three
levels, the free text, the cell's signature and the commune committee's confirmation.

As in liaisons/document_kinds.py, the default template is the python-docx layout (`_layout`) fed a
context whose values are the placeholders themselves; a document is the template in force for the
cell's province filled with `comment_context` (plain data)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from docx.document import Document as DocxDocument

from haichieu.core import documents as layout
from haichieu.documents import engine
from haichieu.documents.registry import register

KIND = "residence_comment"
TEMPLATE = "_template"
TICKED, BLANK_BOX = "☒", "☐"
ROW_KEYS = ["number", "label", "level_1", "level_2", "level_3"]
ROW_HEADER = ["STT", "Tiêu chí", "Mức 1", "Mức 2", "Mức 3"]
ROW_WIDTHS = [0.6, 4.2, 2, 2, 2]

PLACEHOLDERS = {
    "number": "Số văn bản (thường để trống)",
    "date": "Ngày nhận xét (dd/mm/yyyy)",
    "date_line": "Dòng địa danh, ngày tháng: “Hoàn Kiếm, ngày 05 tháng 12 năm 2026”",
    "issuer.superior": "Cấp ủy cấp trên của chi bộ (đảng ủy xã, phường)",
    "issuer.name": "Tên chi bộ nơi cư trú",
    "issuer.place": "Địa danh của chi bộ",
    "issuer.on_behalf": "Dòng thay mặt: “T/M CHI ỦY”",
    "form.code": "Số hiệu mẫu: “3-213” hoặc “4-213”",
    "form.title": "Tên mẫu phiếu",
    "recipient.name": "Cấp ủy nơi công tác nhận phiếu",
    "member.full_name": "Họ và tên đảng viên",
    "member.date_of_birth": "Ngày sinh",
    "member.position": "Chức vụ",
    "member.workplace": "Chi bộ, đảng bộ nơi công tác",
    "member.residence": "Nơi cư trú",
    "year": "Năm nhận xét",
    "purpose": "Mục đích lấy ý kiến: “Nhận xét hằng năm”, “Bổ nhiệm”…",
    "portal_reference": "Số hồ sơ trên Cổng dịch vụ công (nếu có)",
    "intro": "Câu mở đầu: “Chi ủy … nhận xét đồng chí … như sau:”",
    **{
        f"rows[].{key}": label
        for key, label in zip(
            ROW_KEYS,
            [
                "Số thứ tự",
                "Tiêu chí",
                "Mức 1 (☒ khi được chọn)",
                "Mức 2 (☒ khi được chọn)",
                "Mức 3 (☒ khi được chọn)",
            ],
            strict=True,
        )
    },  # fmt: skip
    "text": "Nhận xét khác của chi ủy",
    "signer.title": "Chức danh người ký: “BÍ THƯ”",
    "signer.name": "Họ tên người ký cho chi ủy",
    "confirmation.title": "“XÁC NHẬN CỦA ĐẢNG ỦY …”",
    "confirmation.text": "Câu xác nhận của đảng ủy xã, phường (trống khi chưa xác nhận)",
}


def _ph(name: str) -> str:
    return f"{{{{ {name} }}}}"


def _layout(ctx: dict) -> DocxDocument:
    doc = layout.new_document()
    template = ctx.get(TEMPLATE, False)
    layout.party_document_header(
        doc,
        superior_name=ctx["issuer"]["superior"] if not template else "{{ issuer.superior|upper }}",
        issuer_name=ctx["issuer"]["name"] if not template else "{{ issuer.name|upper }}",
        number_line=ctx["number"],
        place=ctx["issuer"]["place"],
        date=ctx["date"],
        date_line=ctx["date_line"],
        upper=not template,
    )
    layout.paragraph(doc, f"Mẫu {ctx['form']['code']}", italic=True, align="right", size=11)
    layout.paragraph(doc, "PHIẾU NHẬN XÉT", bold=True, size=15, align="center", space_after=0)
    layout.paragraph(doc, ctx["form"]["title"], bold=True, size=13, align="center", space_after=8)
    para = layout.paragraph(doc, align="center", space_after=8)
    layout.add_run(para, "Kính gửi: ", bold=True)
    layout.add_run(para, ctx["recipient"]["name"])
    member = ctx["member"]
    layout.labelled(doc, "Họ và tên đảng viên", member["full_name"], bold_value=True)
    layout.labelled(doc, "Ngày sinh", member["date_of_birth"])
    layout.labelled(doc, "Chức vụ", member["position"])
    layout.labelled(doc, "Nơi công tác", member["workplace"])
    layout.labelled(doc, "Nơi cư trú", member["residence"])
    layout.labelled(doc, "Mục đích", ctx["purpose"])
    layout.paragraph(doc, ctx["intro"], align="justify", first_line_indent_mm=10, space_after=6)
    rows = ([row[key] for key in ROW_KEYS] for row in ctx["rows"])
    layout.rows_table(doc, ROW_HEADER, rows, widths=ROW_WIDTHS, font_size=12)
    layout.paragraph(doc, space_after=4)
    layout.paragraph(doc, "Nhận xét khác:", bold=True)
    layout.paragraph(doc, ctx["text"], align="justify", first_line_indent_mm=10, space_after=8)
    left, right = layout.two_columns(doc, left_share=0.5)
    layout._cell_paragraph(left, ctx["confirmation"]["title"], bold=True, size=13, align="center")
    layout._cell_paragraph(left, ctx["confirmation"]["text"], italic=True, size=12, align="center")
    layout._cell_paragraph(right, ctx["issuer"]["on_behalf"], bold=True, size=13, align="center")
    layout._cell_paragraph(right, ctx["signer"]["title"], bold=True, size=13, align="center", space_after=60)
    layout._cell_paragraph(right, ctx["signer"]["name"], bold=True, size=13, align="center")
    return doc


def comment_template() -> bytes:
    first, *rest = ROW_KEYS
    ctx = {
        TEMPLATE: True,
        "number": "{% if number %}{{ number }}{% endif %}",
        "date": None,
        "date_line": _ph("date_line"),
        "issuer": {key: _ph(f"issuer.{key}") for key in ("superior", "name", "place", "on_behalf")},
        "form": {"code": _ph("form.code"), "title": _ph("form.title")},
        "recipient": {"name": _ph("recipient.name")},
        "member": {
            key: _ph(f"member.{key}")
            for key in ("full_name", "date_of_birth", "position", "workplace", "residence")
        },
        "purpose": _ph("purpose"),
        "intro": _ph("intro"),
        "rows": [
            {first: "{%tr for row in rows %}", **dict.fromkeys(rest, "")},
            {key: _ph(f"row.{key}") for key in ROW_KEYS},
            {first: "{%tr endfor %}", **dict.fromkeys(rest, "")},
        ],
        "text": _ph("text"),
        "signer": {"title": _ph("signer.title"), "name": _ph("signer.name")},
        "confirmation": {"title": _ph("confirmation.title"), "text": _ph("confirmation.text")},
    }
    return layout.docx_bytes(_layout(ctx))


def _marks(levels: list[tuple[int, str]], chosen: int | None) -> dict:
    return {f"level_{n}": f"{TICKED if n == chosen else BLANK_BOX} {label}" for n, label in levels}


def comment_sample() -> dict:
    date = datetime.date(2026, 12, 5)
    levels = [
        ("Giữ gìn phẩm chất, đạo đức, lối sống; nêu gương ở nơi cư trú", ["Nêu gương tốt", "Nêu gương", "Chưa nêu gương"], 1),
        ("Tham gia sinh hoạt với chi bộ nơi cư trú", ["Tham gia đầy đủ", "Chưa đầy đủ", "Không tham gia"], 2),
        ("Đề nghị", ["Biểu dương", "Không đề nghị", "Xem xét xử lý"], 2),
    ]  # fmt: skip
    return {
        "number": "",
        "date": date,
        "date_line": layout.vietnamese_date_line("Hoàn Kiếm", date),
        "issuer": {
            "superior": "Đảng ủy phường Hoàn Kiếm",
            "name": "Chi bộ tổ dân phố số 1",
            "place": "Hoàn Kiếm",
            "on_behalf": "T/M CHI ỦY",
        },
        "form": {"code": "3-213", "title": "Nhận xét đảng viên đang công tác giữ mối liên hệ nơi cư trú"},
        "recipient": {"name": "Đảng ủy Sở Tài chính"},
        "member": {
            "full_name": "Nguyễn Thị Mẫu",
            "date_of_birth": datetime.date(1985, 5, 17),
            "position": "Chuyên viên",
            "workplace": "Chi bộ Phòng Ngân sách, Đảng bộ Sở Tài chính",
            "residence": "12 phố Hàng Bạc, Tổ dân phố số 1, Phường Hoàn Kiếm",
        },
        "year": 2026,
        "purpose": "Nhận xét hằng năm",
        "portal_reference": "",
        "intro": "Chi ủy Chi bộ tổ dân phố số 1 nhận xét đồng chí Nguyễn Thị Mẫu năm 2026 như sau:",
        "rows": [
            {"number": n, "label": label, **_marks(list(enumerate(names, start=1)), chosen)}
            for n, (label, names, chosen) in enumerate(levels, start=1)
        ],
        "text": "Đồng chí gương mẫu, tham gia vệ sinh môi trường của tổ dân phố.",
        "signer": {"title": "BÍ THƯ", "name": "Trần Văn Ký"},
        "confirmation": {
            "title": "XÁC NHẬN CỦA ĐẢNG ỦY PHƯỜNG HOÀN KIẾM",
            "text": "Đã xác nhận ngày 06/12/2026",
        },
    }


def register_kinds() -> None:
    """Register the comment (from CommentsConfig.ready)."""
    register(KIND, "Phiếu nhận xét đảng viên của chi bộ nơi cư trú (Mẫu 3-213, 4-213)", comment_template,
             PLACEHOLDERS, comment_sample)  # fmt: skip


def comment_context(request, comment, answered) -> dict:
    """The document's data for one answered request (`answered`: selectors.comment_of's criteria)."""
    cell, member = request.cell, request.member
    names = layout.header_names(cell)
    date = timezone.localdate(comment.written_at)
    commune = request.commune_org
    confirmed = comment.confirmed_at
    signer = comment.written_by
    return {
        "number": "",
        "date": date,
        "date_line": layout.vietnamese_date_line(names["place"], date),
        "issuer": {
            "superior": names["superior_name"],
            "name": names["issuer_name"],
            "place": names["place"],
            "on_behalf": "T/M CHI ỦY",
        },
        "form": {"code": request.form.code, "title": request.form.title},
        "recipient": {"name": layout.issuing_committee_name(request.workplace_org)},
        "member": {
            "full_name": member.full_name,
            "date_of_birth": member.date_of_birth,
            "position": member.position,
            "workplace": f"{member.workplace_cell.name}, {request.workplace_org.name}",
            "residence": ", ".join(
                p for p in (request.liaison.address_street, request.liaison.address_hamlet, cell.name) if p
            ),
        },
        "year": request.year,
        "purpose": request.get_purpose_display(),
        "portal_reference": request.portal_reference,
        "intro": f"Chi ủy {cell.name} nhận xét đồng chí {member.full_name} năm {request.year} như sau:",
        "rows": [
            {"number": n, "label": a.criterion.label, **_marks(a.criterion.levels, a.level)}
            for n, a in enumerate(answered, start=1)
        ],
        "text": comment.text,
        "signer": {"title": "BÍ THƯ", "name": (getattr(signer, "full_name", "") or "") if signer else ""},
        "confirmation": {
            "title": f"XÁC NHẬN CỦA {layout.vn_upper(commune.name)}" if commune else "",
            "text": f"Đã xác nhận ngày {timezone.localdate(confirmed):%d/%m/%Y}" if confirmed else "",
        },
    }


def comment_document(request, comment, answered) -> DocxDocument:
    """The comment from the template in force for the cell's province (engine.TemplateRenderError
    when a province's template cannot be filled)."""
    return engine.render(KIND, request.cell, [comment_context(request, comment, answered)])
