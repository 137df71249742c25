"""The documents of the two-way link as Word templates a province can adapt (haichieu/documents).

Three kinds, registered in `LiaisonsConfig.ready()`: the introduction letter with its return slip
(Mẫu 1-213 / 2-213), the notice of a period's changes with the list attached, and the tracking book.
Each default template is laid out by the same python-docx writers as before (`documents._letter`…),
fed a context whose values are the placeholders themselves ("{{ member.full_name }}"), so the
default template and the layout stay one piece of code. The contexts a document is filled with come
from `documents.letter_context`, `digest_context` and `tracking_book_context`: plain data.
"""

from __future__ import annotations

import datetime

from docx.document import Document as DocxDocument

from haichieu.core import documents as layout
from haichieu.documents import defaults, engine
from haichieu.documents.registry import register
from haichieu.members.models import Member

from . import documents

LETTER = "introduction_letter"
NOTICE = "digest_notice"
TRACKING_BOOK = "tracking_book"

_HEADER = {
    "number": "Số văn bản, ví dụ “Số 15-GGT/ĐU” (trống khi văn bản không đánh số)",
    "date": "Ngày ban hành (dd/mm/yyyy)",
    "date_line": "Dòng địa danh, ngày tháng: “Hà Nội, ngày 05 tháng 02 năm 2026”",
    "issuer.superior": "Tên cấp ủy cấp trên của nơi ban hành",
    "issuer.name": "Tên cấp ủy ban hành (“Đảng ủy Sở Tài chính”)",
    "issuer.place": "Địa danh của nơi ban hành",
    "issuer.on_behalf": "Dòng thay mặt: “T/M ĐẢNG ỦY”, “T/M CHI BỘ”",
}
_SIGNED = {
    "signer.title": "Chức danh người ký: “BÍ THƯ” hoặc “PHÓ BÍ THƯ”",
    "signer.name": "Họ tên người ký",
    "recipients[]": "Một dòng “Nơi nhận”",
}

LETTER_PLACEHOLDERS = {
    **_HEADER,
    "form": "Mẫu giấy: “Mẫu 1-213” hoặc “Mẫu 2-213” (đảng viên miễn sinh hoạt nơi cư trú)",
    "recipient.name": "Cấp ủy nơi nhận: “Đảng ủy phường Hoàn Kiếm”",
    "member.full_name": "Họ và tên đảng viên",
    "member.gender": "Giới tính",
    "member.date_of_birth": "Ngày sinh",
    "member.admission_date": "Ngày vào Đảng",
    "member.full_membership_date": "Ngày chính thức",
    "member.cell": "Chi bộ sinh hoạt chính thức, đảng bộ",
    "member.position": "Chức vụ",
    "member.workplace_unit": "Đơn vị công tác",
    "member.residence": "Nơi cư trú (địa chỉ)",
    "member.phone": "Điện thoại",
    "request": "Câu đề nghị tiếp nhận theo Quy định 213",
    "excused": "Đảng viên được miễn sinh hoạt nơi cư trú (đúng/sai)",
    "excused_reason": "Lý do được miễn sinh hoạt nơi cư trú (diện theo HD 33)",
    "duty_text[]": "Một đoạn về trách nhiệm của đảng viên ở nơi cư trú (đảng viên được miễn: điều được "
    "miễn và các nhiệm vụ vẫn thực hiện)",
    "duties[].text": "Một nhiệm vụ vẫn thực hiện của đảng viên được miễn (khoản, điều của Quy định 213)",
    "receipt.text": "Câu phiếu báo tiếp nhận: “Đảng ủy phường … đã tiếp nhận đồng chí … theo giấy giới "
    "thiệu số … ngày …”",
    **_SIGNED,
}

DIGEST_ROW = {
    "number": "Số thứ tự",
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "position": "Chức vụ, đơn vị",
    "kind": "Loại biến động",
    "date": "Ngày biến động",
    "details": "Nội dung",
}
NOTICE_PLACEHOLDERS = {
    **_HEADER,
    "recipient.name": "Cấp ủy nơi nhận: “Đảng ủy phường Hoàn Kiếm”",
    "title": "“THÔNG BÁO”",
    "subject": "Trích yếu: “Về đảng viên có biến động quý 4/2026”",
    "body": "Nội dung thông báo",
    "list_title": "Tên danh sách kèm theo",
    "attached_to": "“(Kèm theo Thông báo số … ngày … của …)”",
    **{f"rows[].{key}": meaning for key, meaning in DIGEST_ROW.items()},
    **_SIGNED,
}

BOOK_ROW = {
    "number": "Số thứ tự",
    "full_name": "Họ và tên",
    "birth_year": "Năm sinh",
    "position": "Chức vụ",
    "workplace": "Nơi công tác",
    "placed": "Chi bộ/tổ nhóm nơi cư trú",
    "phone": "Điện thoại",
    "follower": "Người theo dõi (họ tên, điện thoại)",
    "received_on": "Ngày tiếp nhận",
    "end_date": "Ngày kết thúc",
    "end_reason": "Lý do kết thúc",
}
BOOK_PLACEHOLDERS = {
    **_HEADER,
    "title": "Tên sổ",
    "period": "“Từ ngày … đến ngày …”",
    "start": "Từ ngày",
    "end": "Đến ngày",
    **{f"rows[].{key}": meaning for key, meaning in BOOK_ROW.items()},
}


# --- contexts made of placeholders: the writers lay them out as the default templates ------------
_ph, _loop, _header_placeholders, _table_loop = (
    defaults.ph,
    defaults.loop,
    defaults.header,
    defaults.table_loop,
)


def letter_template() -> bytes:
    member = {
        key: _ph(f"member.{key}", blank=key not in ("full_name", "gender"))
        for key in [key.split(".", 1)[1] for key in LETTER_PLACEHOLDERS if key.startswith("member.")]
    }
    ctx = {
        **_header_placeholders(),
        "form": _ph("form"),
        "recipient": {"name": _ph("recipient.name")},
        "member": member,
        "request": _ph("request"),
        "excused": False,
        "duty_text": _loop("duty_text", "text", _ph("text")),
        "signer": {"title": _ph("signer.title"), "name": _ph("signer.name")},
        "recipients": _loop("recipients", "line", _ph("line")),
        "receipt": {"text": _ph("receipt.text")},
    }
    doc = layout.new_document()
    documents._letter(doc, ctx, new_page=False)
    return layout.docx_bytes(doc)


def notice_template() -> bytes:
    ctx = {
        **_header_placeholders(),
        "recipient": {"name": _ph("recipient.name")},
        "title": _ph("title"),
        "subject": _ph("subject"),
        "body": _ph("body"),
        "list_title": _ph("list_title"),
        "attached_to": _ph("attached_to"),
        "header": list(documents.DIGEST_HEADER),
        "rows": _table_loop(documents.DIGEST_KEYS),
        "signer": {"title": _ph("signer.title"), "name": _ph("signer.name")},
        "recipients": _loop("recipients", "line", _ph("line")),
    }
    return layout.docx_bytes(documents._digest_document(ctx))


def tracking_book_template() -> bytes:
    ctx = {
        **_header_placeholders(),
        "number": "",  # a register has no number
        "title": _ph("title"),
        "period": _ph("period"),
        "header": list(documents.TRACKING_BOOK_HEADER),
        "rows": _table_loop(documents.TRACKING_BOOK_KEYS),
    }
    return layout.docx_bytes(documents._tracking_book_document(ctx))


# --- made-up data for the previews and the upload check -----------------------------------------
def _sample_header(number: str, place: str = "Hà Nội") -> dict:
    date = datetime.date(2026, 2, 5)
    return {
        "number": number,
        "date": date,
        "date_line": layout.vietnamese_date_line(place, date),
        "issuer": {
            "superior": "Đảng bộ Thành phố Hà Nội",
            "name": "Đảng ủy Sở Tài chính" if place == "Hà Nội" else "Đảng ủy phường Hoàn Kiếm",
            "place": place,
            "on_behalf": "T/M ĐẢNG ỦY",
        },
    }


def letter_sample() -> dict:
    name = "Nguyễn Thị Mẫu"
    reason = Member.LiaisonCategory.MOBILE.label
    return {
        **_sample_header("Số 15-GGT/ĐU"),
        "form": "Mẫu 2-213",
        "recipient": {"name": "Đảng ủy phường Hoàn Kiếm"},
        "member": {
            "full_name": name,
            "gender": "Nữ",
            "date_of_birth": datetime.date(1985, 5, 17),
            "admission_date": datetime.date(2010, 3, 2),
            "full_membership_date": datetime.date(2011, 3, 2),
            "cell": "Chi bộ Phòng Ngân sách, Đảng bộ Sở Tài chính",
            "position": "Chuyên viên",
            "workplace_unit": "Phòng Ngân sách, Sở Tài chính",
            "residence": "12 phố Hàng Bạc, Tổ dân phố số 2, Phường Hoàn Kiếm, Thành phố Hà Nội",
            "phone": "0912345678",
        },
        "request": (
            f"Đề nghị Đảng ủy phường Hoàn Kiếm tiếp nhận và tạo điều kiện để đồng chí {name} giữ mối liên hệ "
            f"với tổ chức đảng và nhân dân nơi cư trú theo {documents.REGULATION}."
        ),
        "excused": True,
        "excused_reason": reason,
        "duty_text": documents._duty_text(name, excused=True, reason=reason),
        "duties": [{"text": duty} for duty in documents.EXCUSED_DUTIES],
        "signer": {"title": "BÍ THƯ", "name": "Trần Văn Ký"},
        "recipients": list(documents.LETTER_RECIPIENTS),
        "receipt": {
            "text": f"Đảng ủy phường Hoàn Kiếm đã tiếp nhận đồng chí {name} theo giấy giới thiệu số "
            "15-GGT/ĐU ngày 05/02/2026"
        },
    }


def notice_sample() -> dict:
    return {
        **_sample_header("Số 3-TB/ĐU"),
        "recipient": {"name": "Đảng ủy phường Hoàn Kiếm"},
        "title": documents.NOTICE_TITLE,
        "subject": "Về đảng viên có biến động quý 4/2025",
        "body": f"Thực hiện {documents.REGULATION}, Đảng ủy Sở Tài chính thông báo danh sách đảng viên có "
        "biến động quý 4/2025 (danh sách kèm theo) để Đảng ủy phường Hoàn Kiếm biết, phối hợp quản lý.",
        "list_title": "DANH SÁCH ĐẢNG VIÊN CÓ BIẾN ĐỘNG QUÝ IV NĂM 2025",
        "attached_to": "(Kèm theo Thông báo số 3-TB/ĐU ngày 05/02/2026 của Đảng ủy Sở Tài chính)",
        "header": list(documents.DIGEST_HEADER),
        "rows": [
            {
                "number": 1,
                "full_name": "Nguyễn Thị Mẫu",
                "date_of_birth": datetime.date(1985, 5, 17),
                "position": "Phó Trưởng phòng, Sở Tài chính",
                "kind": "Thay đổi chức vụ",
                "date": datetime.date(2025, 11, 3),
                "details": "Chức vụ mới: Phó Trưởng phòng.",
            }
        ],
        "signer": {"title": "PHÓ BÍ THƯ", "name": "Trần Văn Ký"},
        "recipients": ["Đảng ủy phường Hoàn Kiếm,", "Lưu."],
    }


def tracking_book_sample() -> dict:
    return {
        **_sample_header("", place="Hoàn Kiếm"),
        "title": documents.TRACKING_BOOK_TITLE,
        "period": "Từ ngày 01/01/2025 đến ngày 31/12/2025",
        "start": datetime.date(2025, 1, 1),
        "end": datetime.date(2025, 12, 31),
        "header": list(documents.TRACKING_BOOK_HEADER),
        "rows": [
            {
                "number": 1,
                "full_name": "Nguyễn Thị Mẫu",
                "birth_year": 1985,
                "position": "Chuyên viên",
                "workplace": "Sở Tài chính",
                "placed": "Chi bộ tổ dân phố số 2",
                "phone": "0912345678",
                "follower": "Trần Văn Theo, 0987654321",
                "received_on": datetime.date(2025, 3, 10),
                "end_date": None,
                "end_reason": "",
            }
        ],
    }


def register_kinds() -> None:
    """Register the three kinds (from LiaisonsConfig.ready)."""
    register(LETTER, "Giấy giới thiệu đảng viên về nơi cư trú (Mẫu 1-213, 2-213) và phiếu báo tiếp nhận",
             letter_template, LETTER_PLACEHOLDERS, letter_sample)  # fmt: skip
    register(NOTICE, "Thông báo đảng viên có biến động, kèm danh sách", notice_template, NOTICE_PLACEHOLDERS,
             notice_sample)  # fmt: skip
    register(TRACKING_BOOK, "Sổ theo dõi đảng viên giữ mối liên hệ nơi cư trú", tracking_book_template,
             BOOK_PLACEHOLDERS, tracking_book_sample)  # fmt: skip


# --- the documents, from the template in force for the issuer's province -------------------------
def letters_document(liaisons, *, progress=None) -> DocxDocument:
    """The introduction letters of `liaisons` (a batch: one per page), from the template in force for
    the first letter's issuing committee's province (a batch is one province's: its staff's scope).
    Raises engine.TemplateRenderError (a ServiceError) when a province's template cannot be filled.
    `progress(done, total)` hears of each letter written (the worker's bar)."""
    found = list(documents.letter_queryset(liaisons))
    if not found:
        raise ValueError("no letters to render")
    return engine.render(
        LETTER, documents.letter_issuer(found[0]), documents.letter_contexts(found), progress=progress
    )


def notice_document(*, sender_org, **kwargs) -> DocxDocument:
    """The notice of a period's changes (digest_context's arguments), from the sender's template."""
    return engine.render(NOTICE, sender_org, [documents.digest_context(sender_org=sender_org, **kwargs)])


def tracking_book_document(org, start, end, liaisons, *, date=None) -> DocxDocument:
    """The tracking book of `org`, from the template in force for its province."""
    context = documents.tracking_book_context(org, start, end, liaisons, date=date)
    return engine.render(TRACKING_BOOK, org, [context])
