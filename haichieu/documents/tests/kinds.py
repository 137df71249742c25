"""A kind of document defined for the tests: an introduction letter with the party header, the
member's particulars, a numbered list of duties walked from the context, a table row per earlier
link ({%tr %}) and the signature. Registered when this module is imported (the permission walk's
table imports it too), like an app's kind in its AppConfig.ready."""

import datetime

from docx.enum.text import WD_ALIGN_PARAGRAPH

from haichieu.core import documents as layout
from haichieu.documents.registry import register

KIND = "thu_nghiem_gioi_thieu"
LABEL = "Giấy giới thiệu (thử nghiệm)"

PLACEHOLDERS = {
    "number": "Số giấy giới thiệu, ví dụ 15-GGT/ĐU",
    "date": "Ngày ký",
    "issuer.superior": "Cấp ủy cấp trên của nơi cấp giấy",
    "issuer.name": "Cấp ủy cấp giấy",
    "issuer.place": "Địa danh ghi ở dòng ngày tháng",
    "recipient.name": "Cấp ủy nơi nhận",
    "member.full_name": "Họ và tên đảng viên",
    "member.date_of_birth": "Ngày sinh",
    "member.party_card_number": "Số thẻ đảng viên",
    "member.position": "Chức vụ",
    "member.excused": "Đảng viên được miễn sinh hoạt nơi cư trú (đúng/sai)",
    "duties[].text": "Một nhiệm vụ đảng viên vẫn thực hiện",
    "links[].commune": "Nơi cư trú trước đây",
    "links[].period": "Thời gian",
    "signer.title": "Chức danh người ký",
    "signer.name": "Họ tên người ký",
}


def _cell(cell, text, *, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER):
    paragraph = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold = bold or None
    return paragraph


def letter_document(*, receipt_on_letter: bool = False):
    """The letter as python-docx builds it; `receipt_on_letter`: the variant some provinces use, the
    receipt printed lower left on the letter itself instead of a cut-off slip (issue 10)."""
    doc = layout.new_document()
    header = doc.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    _cell(left, "{{ issuer.superior|upper }}")
    _cell(left, "{{ issuer.name|upper }}", bold=True)
    _cell(left, "*")
    _cell(left, "Số {{ number }}")
    _cell(right, layout.PARTY_TITLE, bold=True)
    _cell(right, "{{ issuer.place }}, ngày {{ date }}")
    layout.paragraph(doc, "GIẤY GIỚI THIỆU", bold=True, align="center", size=14)
    layout.paragraph(doc, "Kính gửi: {{ recipient.name }}", align="center")
    layout.paragraph(doc, "{{ issuer.name }} trân trọng giới thiệu đồng chí: {{ member.full_name }}")
    layout.paragraph(
        doc, "Sinh ngày: {{ member.date_of_birth }}; số thẻ đảng viên: {{ member.party_card_number }}"
    )
    layout.paragraph(doc, "Chức vụ: {{ member.position }}")
    layout.paragraph(doc, "{% if member.excused %}Đảng viên được miễn sinh hoạt nơi cư trú.{% endif %}")
    layout.paragraph(doc, "Đồng chí vẫn thực hiện các nhiệm vụ:")
    layout.paragraph(doc, "{%p for duty in duties %}")
    doc.add_paragraph("{{ duty.text }}", style="List Number")
    layout.paragraph(doc, "{%p endfor %}")
    table = doc.add_table(rows=4, cols=2)  # docxtpl: the {%tr %} tags sit in rows of their own
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Nơi cư trú trước đây", "Thời gian"
    table.rows[1].cells[0].text = "{%tr for link in links %}"
    table.rows[2].cells[0].text, table.rows[2].cells[1].text = "{{ link.commune }}", "{{ link.period }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    signature = doc.add_table(rows=1, cols=2)
    receipt, signer = signature.rows[0].cells
    if receipt_on_letter:
        _cell(receipt, "ĐẢNG ỦY (CHI ỦY) NƠI CƯ TRÚ", bold=True)
        _cell(receipt, "Tiếp nhận ngày……")
        _cell(receipt, "Đã giới thiệu về sinh hoạt tại chi bộ……")
        _cell(receipt, "đồng chí {{ member.full_name }}")
        _cell(receipt, "T/M ĐẢNG ỦY", bold=True)
        _cell(receipt, "BÍ THƯ", bold=True)
    _cell(signer, "T/M ĐẢNG ỦY", bold=True)
    _cell(signer, "{{ signer.title }}", bold=True)
    _cell(signer, "{{ signer.name }}", bold=True)
    return doc


def letter_template(*, receipt_on_letter: bool = False) -> bytes:
    return layout.docx_bytes(letter_document(receipt_on_letter=receipt_on_letter))


def sample_context(**member) -> dict:
    return {
        "number": "15-GGT/ĐU",
        "date": datetime.date(2026, 2, 5),
        "issuer": {"superior": "Đảng bộ Thành phố Hà Nội", "name": "Đảng ủy Sở Tài chính", "place": "Hà Nội"},
        "recipient": {"name": "Đảng ủy phường Hoàn Kiếm"},
        "member": {
            "full_name": "Nguyễn Thị Mẫu",
            "date_of_birth": datetime.date(1985, 5, 17),
            "party_card_number": "93000001",
            "position": "Chuyên viên",
            "excused": False,
            **member,
        },
        "duties": [
            {"text": "Gương mẫu thực hiện chủ trương của Đảng, pháp luật của Nhà nước."},
            {"text": "Tham gia sinh hoạt với chi bộ nơi cư trú."},
            {"text": "Giữ mối liên hệ với cấp ủy nơi cư trú."},
        ],
        "links": [{"commune": "Phường Ba Đình", "period": "2015–2020"}],
        "signer": {"title": "BÍ THƯ", "name": "Trần Văn Ký"},
    }


KIND_DEFINITION = register(KIND, LABEL, letter_template, PLACEHOLDERS, sample_context)
