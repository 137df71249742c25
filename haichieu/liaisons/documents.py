"""Documents of the two-way link: introduction letters (Mẫu 1-213, 2-213), the notice of the
changes of each period and the residence side's tracking book, as Word and Excel (core.exports).

Each Word document is first a context of plain data (`letter_context`, `digest_context`,
`tracking_book_context`); the python-docx writers here lay a context out, and the same writers,
given placeholders, lay out the default Word templates the downloads are filled from
(`document_kinds.py`, haichieu/documents).

Lists are built once as header + row generators (`digest_rows`, `tracking_book_rows`); the xlsx
writer and the Word table render the same rows. Callers pass querysets already scoped by the
access rule (`selectors.digest_notices`, `selectors.tracking_book`, `liaisons_visible_to`) and
record the download in the audit log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.utils import timezone
from docx.document import Document as DocxDocument
from docx.shared import Mm, Pt

from haichieu.core import documents as layout
from haichieu.core.exports import xlsx_bytes, xlsx_response

from . import rules
from .models import Liaison

# A context made of placeholders (document_kinds.py): the writers below then lay out a Word template.
TEMPLATE = layout.TEMPLATE

# --- introduction letters ----------------------------------------------------------------------
LETTER_TITLE = "GIẤY GIỚI THIỆU"
LETTER_SUBTITLE = "Đảng viên về giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú"
REGULATION = "Quy định số 213-QĐ/TW ngày 02/01/2020 của Bộ Chính trị"
GUIDANCE = "Hướng dẫn số 33-HD/BTCTW của Ban Tổ chức Trung ương"
SECOND_COLUMN = Mm(100)  # tab stop for the second particular on a line ("Giới tính", "Ngày vào Đảng")
# HD 33-HD/BTCTW §1.1: a member excused from residence meetings still carries out Art. 1 clause 1 and
# Art. 2 clauses 1, 2, 5, 6, 7 of QĐ 213. Art. 1.1 as restated by party schools (giữ mối liên hệ…);
# the text of Art. 2's clauses was not found verbatim in the sources read: cited by number only.
EXCUSED_DUTIES = (
    "khoản 1 Điều 1 (thường xuyên giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú; gần gũi, "
    "gắn bó với nhân dân)",
    "các khoản 1, 2, 5, 6, 7 Điều 2",
)
LETTER_RECIPIENTS = ("Như trên,", "Đảng viên,", "Lưu.")


def _date(value: datetime.date | str | None) -> str:
    """dd/mm/yyyy; a text (a Word template's placeholder) as it is."""
    if isinstance(value, str):
        return value
    return value.strftime("%d/%m/%Y") if value else ""


def recipient_name(liaison: Liaison) -> str:
    """The commune committee the letter goes to (not the organisation: HD 12-HD/BTCTW §4.2), even
    when it is not in the system yet."""
    if liaison.commune_org_id:
        return layout.issuing_committee_name(liaison.commune_org)
    if liaison.commune_id:
        return layout.commune_committee_name(liaison.commune)
    return "Đảng ủy xã/phường/đặc khu nơi cư trú"


def residence_address(liaison: Liaison) -> str:
    """The residence the link was made for (as recorded on the liaison), else the member's record."""
    if liaison.commune_id:
        parts = [liaison.address_street, liaison.address_hamlet, liaison.commune.name]
        parts.append(liaison.commune.province.name)
        return ", ".join(p for p in parts if p)
    return liaison.member.residence_address


def form_name(liaison: Liaison) -> str:
    return "Mẫu 2-213" if liaison.excused else "Mẫu 1-213"


def letter_queryset(liaisons: Iterable[Liaison]) -> Iterable[Liaison]:
    if hasattr(liaisons, "select_related"):
        qs = liaisons.select_related(*Liaison.LETTER_RELATED)
        # In the order of their numbers, unless the caller chose one (PostgreSQL has no natural order).
        return qs if qs.ordered else qs.order_by("letter_number", "pk")
    return liaisons


def letter_issuer(liaison: Liaison):
    return liaison.workplace_org or liaison.member.workplace_cell


def letter_contexts(liaisons: Iterable[Liaison]) -> list[dict]:
    """`letter_context` of each liaison, the header names read once per issuing committee."""
    names_by_org: dict[int, dict] = {}
    contexts = []
    for liaison in letter_queryset(liaisons):
        issuer = letter_issuer(liaison)
        if issuer.pk not in names_by_org:
            names_by_org[issuer.pk] = layout.header_names(issuer)
        contexts.append(letter_context(liaison, issuer=issuer, names=names_by_org[issuer.pk]))
    return contexts


def letter_context(liaison: Liaison, *, issuer=None, names: dict | None = None) -> dict:
    """Everything an introduction letter (Mẫu 1-213 / 2-213) and its return slip print, as plain data.

    The letter goes to the commune committee ("Kính gửi: Đảng ủy phường …"), is dated at the issuer's
    place (`core.documents.issuer_place`), and is signed by the title and name chosen when it was
    issued (kept on the liaison). An excused member's letter says what is waived and which duties of
    QĐ 213 still apply (HD 33 §1.1).
    """
    issuer = issuer or letter_issuer(liaison)
    names = names or layout.header_names(issuer)
    member = liaison.member
    recipient = recipient_name(liaison)
    cell = member.workplace_cell
    workplace = liaison.workplace_org.name if liaison.workplace_org_id else ""
    full_name = member.full_name
    excused_reason = ""
    if liaison.excused:
        excused_reason = member.get_liaison_category_display()
        if member.liaison_category_note:
            excused_reason += f" ({member.liaison_category_note})"
    letter_ref = liaison.letter_reference
    return {
        "form": form_name(liaison),
        "number": letter_ref,
        "date": liaison.letter_date,
        "date_line": layout.vietnamese_date_line(names["place"], liaison.letter_date),
        "issuer": {
            "superior": names["superior_name"],
            "name": names["issuer_name"],
            "place": names["place"],
            "on_behalf": layout.on_behalf_for(issuer),
        },
        "recipient": {"name": recipient},
        "member": {
            "full_name": full_name,
            "gender": member.get_gender_display(),
            "date_of_birth": member.date_of_birth,
            "admission_date": member.admission_date,
            "full_membership_date": member.full_membership_date,
            "cell": ", ".join(p for p in [cell.name, workplace] if p),
            "position": member.position,
            "workplace_unit": member.workplace_unit or workplace,
            "residence": residence_address(liaison),
            "phone": member.phone,
        },
        "request": (
            f"Đề nghị {recipient} tiếp nhận và tạo điều kiện để đồng chí {full_name} giữ mối liên hệ "
            f"với tổ chức đảng và nhân dân nơi cư trú theo {REGULATION}."
        ),
        "excused": liaison.excused,
        "excused_reason": excused_reason,
        "duty_text": _duty_text(full_name, excused=liaison.excused, reason=excused_reason),
        "duties": [{"text": duty} for duty in (EXCUSED_DUTIES if liaison.excused else ())],
        "signer": {"title": liaison.signer_title, "name": liaison.signer_name},
        "recipients": list(LETTER_RECIPIENTS),
        "receipt": {
            "text": (
                f"{recipient} đã tiếp nhận đồng chí {full_name} "
                + (f"theo giấy giới thiệu {layout.lower_first(letter_ref)}" if letter_ref else "")
                + (f" ngày {_date(liaison.letter_date)}" if liaison.letter_date else "")
            ),
        },
    }


def _duty_text(full_name: str, *, excused: bool, reason: str) -> list[str]:
    """The paragraphs on what the member does at the residence (an excused member: what is waived,
    then the duties that still apply, HD 33 §1.1)."""
    if not excused:
        return [
            f"Đồng chí {full_name} có trách nhiệm liên hệ với chi ủy chi bộ nơi cư trú, tham gia sinh hoạt "
            "định kỳ và chịu sự giám sát, nhận xét của chi ủy chi bộ nơi cư trú."
        ]
    return [
        f"Đồng chí {full_name} thuộc diện được giới thiệu về nơi cư trú nhưng được miễn sinh hoạt định kỳ "
        f"với chi bộ nơi cư trú và không lấy ý kiến nhận xét hằng năm, chỉ nhận xét khi có yêu cầu của "
        f"cấp ủy nơi công tác (theo {GUIDANCE}). Lý do: {reason}.",
        f"Đồng chí {full_name} vẫn thực hiện trách nhiệm, nhiệm vụ quy định tại {EXCUSED_DUTIES[0]} và "
        f"{EXCUSED_DUTIES[1]} Quy định số 213-QĐ/TW (điểm 1.1 {GUIDANCE}).",
    ]


def introduction_letters_docx(liaisons: Iterable[Liaison]) -> DocxDocument:
    """One introduction letter per liaison (Mẫu 1-213, or Mẫu 2-213 for excused members), a page each.

    Each letter carries the party header with the letter's number ("Số 15-GGT/ĐU"), the member's
    particulars, the request under Regulation 213 and, below a cut line, the return slip the commune
    committee sends back when it receives the member.
    """
    doc = layout.new_document()
    for index, context in enumerate(letter_contexts(liaisons)):
        _letter(doc, context, new_page=index > 0)
    return doc


def _letter(doc, ctx: dict, *, new_page: bool) -> None:
    member = ctx["member"]
    label = layout.paragraph(doc, ctx["form"], italic=True, size=10, align="right", space_after=0)
    # A page break on the letter's first line, not a paragraph of its own: a full page would push
    # that paragraph alone onto a blank page.
    label.paragraph_format.page_break_before = new_page
    _header_from(doc, ctx)
    layout.paragraph(doc, LETTER_TITLE, bold=True, size=15, align="center", space_after=0)
    layout.paragraph(doc, LETTER_SUBTITLE, bold=True, size=13, align="center", space_after=10)

    para = layout.paragraph(doc, space_after=6, align="center")
    layout.add_run(para, "Kính gửi: ", bold=True)
    layout.add_run(para, ctx["recipient"]["name"])
    layout.paragraph(
        doc,
        f"{ctx['issuer']['name']} trân trọng giới thiệu đồng chí:",
        first_line_indent_mm=10,
        space_after=4,
    )

    para = layout.labelled(doc, "Họ và tên", member["full_name"], bold_value=True)
    para.paragraph_format.tab_stops.add_tab_stop(SECOND_COLUMN)
    layout.add_run(para, f"\tGiới tính: {member['gender']}")
    para = layout.labelled(doc, "Ngày sinh", _date(member["date_of_birth"]))
    para.paragraph_format.tab_stops.add_tab_stop(SECOND_COLUMN)
    layout.add_run(para, f"\tNgày vào Đảng: {_date(member['admission_date'])}")
    layout.labelled(doc, "Ngày chính thức", _date(member["full_membership_date"]))
    layout.labelled(doc, "Chi bộ sinh hoạt chính thức", member["cell"])
    layout.labelled(doc, "Chức vụ", member["position"])
    layout.labelled(doc, "Đơn vị công tác", member["workplace_unit"])
    layout.labelled(doc, "Nơi cư trú", member["residence"])
    layout.labelled(doc, "Điện thoại", member["phone"])

    layout.paragraph(doc, ctx["request"], align="justify", first_line_indent_mm=10, space_after=4)
    for text in ctx["duty_text"]:
        layout.paragraph(
            doc, text, italic=ctx["excused"], align="justify", first_line_indent_mm=10, space_after=4
        )
    layout.signature_block(
        doc,
        on_behalf=ctx["issuer"]["on_behalf"],
        title=ctx["signer"]["title"],
        name=ctx["signer"]["name"],
        recipients=ctx["recipients"],
        signing_space=40 if ctx["signer"]["name"] else 48,
    )
    _return_slip(doc, ctx)


def _return_slip(doc, ctx: dict) -> None:
    """The part the commune committee cuts off, fills in and sends back to the workplace."""
    cut = layout.paragraph(doc, align="center", space_after=4)
    cut.paragraph_format.space_before = Pt(6)
    layout.add_run(
        cut, f"{'- ' * 14}(cắt theo đường này, gửi lại cấp ủy nơi công tác){' -' * 14}", italic=True, size=9
    )
    layout.paragraph(doc, "PHIẾU BÁO TIẾP NHẬN", bold=True, size=14, align="center", space_after=2)
    para = layout.paragraph(doc, space_after=4, align="center")
    layout.add_run(para, "Kính gửi: ", bold=True)
    layout.add_run(para, ctx["issuer"]["name"])
    blank = layout.BLANK
    layout.paragraph(
        doc,
        f"{ctx['receipt']['text']} vào ngày {blank} tháng {blank} năm {blank}, phân công sinh hoạt tại "
        f"chi bộ {blank * 8}",
        align="justify",
        first_line_indent_mm=10,
        space_after=2,
    )
    layout.paragraph(
        doc, f"Cấp ủy viên theo dõi: {blank * 5}  Điện thoại: {blank * 3}", first_line_indent_mm=10
    )
    layout.signature_block(
        doc,
        on_behalf="T/M ĐẢNG ỦY",
        title="BÍ THƯ",
        date_line=layout.vietnamese_date_line(blank * 2, None),
        signing_space=30,
    )


def introduction_letters_filename(liaisons) -> str:
    items = list(liaisons[:2])
    if len(items) == 1:
        return f"Giấy giới thiệu - {items[0].member.full_name}.docx"
    return "Giấy giới thiệu đảng viên về nơi cư trú.docx"


# --- digest of changes (one per period: rules.digest_period), issued as a numbered notice -------
NOTICE_TITLE = "THÔNG BÁO"
DIGEST_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ/đơn vị", "Loại biến động", "Ngày", "Nội dung"]
DIGEST_KEYS = ["number", "full_name", "date_of_birth", "position", "kind", "date", "details"]
DIGEST_WIDTHS = [1.2, 4.5, 2.4, 4.5, 3.6, 2.4, 7]


def digest_title(year: int, period: int) -> str:
    return f"DANH SÁCH ĐẢNG VIÊN CÓ BIẾN ĐỘNG {rules.digest_period_title(year, period)}"


def _position_and_unit(member, workplace_org=None) -> str:
    unit = member.workplace_unit or (workplace_org.name if workplace_org is not None else "")
    return ", ".join(p for p in [member.position, unit] if p)


def digest_rows(notices) -> tuple[list[str], Iterator[tuple]]:
    """Header and rows of the digest; `notices` comes from `selectors.digest_notices`."""
    if hasattr(notices, "select_related"):
        notices = notices.select_related("member", "sender_org")

    def rows():
        for number, notice in enumerate(_iterate(notices), start=1):
            member = notice.member
            yield (
                number,
                member.full_name,
                member.date_of_birth,
                _position_and_unit(member, notice.sender_org),
                notice.get_kind_display(),
                notice.event_date,
                notice.details,
            )

    return list(DIGEST_HEADER), rows()


def digest_context(
    *,
    sender_org,
    recipient_org,
    year: int,
    period: int,
    notices,
    digest=None,
    date: datetime.date | None = None,
) -> dict:
    """The period's notice of changes (QĐ 213: "thông báo") and the list attached, as plain data.

    Once sent, `digest` (the `Digest` row) holds its number ("Số 3-TB/ĐU"), date and signer, and every
    download prints them; before, the number is left blank for the draft and the date is today.
    """
    names = layout.header_names(sender_org)
    recipient = layout.issuing_committee_name(recipient_org)
    if digest is not None and digest.number:
        number = digest.reference
        date = digest.issued_on
        signer = {"title": digest.signer_title, "name": digest.signer_name}
    else:
        symbol = f"{rules.rules()['NOTICE_SYMBOL']}/{sender_org.document_abbreviation}"
        number = f"Số {layout.BLANK}-{symbol}"
        date = date or timezone.localdate()
        signer = {"title": "BÍ THƯ", "name": ""}
    label = rules.digest_period_label(year, period)
    _, rows = digest_rows(notices)
    return {
        "number": number,
        "date": date,
        "date_line": layout.vietnamese_date_line(names["place"], date),
        "issuer": {
            "superior": names["superior_name"],
            "name": names["issuer_name"],
            "place": names["place"],
            "on_behalf": layout.on_behalf_for(sender_org),
        },
        "recipient": {"name": recipient},
        "title": NOTICE_TITLE,
        "subject": f"Về đảng viên có biến động {label}",
        "body": (
            f"Thực hiện {REGULATION}, {names['issuer_name']} thông báo danh sách đảng viên của "
            f"{names['issuer_name']} cư trú trên địa bàn có biến động {label} (danh sách kèm theo) để "
            f"{recipient} biết, phối hợp quản lý."
        ),
        "list_title": digest_title(year, period),
        "attached_to": (
            f"(Kèm theo Thông báo {layout.lower_first(number)} ngày {_date(date)} của {names['issuer_name']})"
        ),
        "header": list(DIGEST_HEADER),
        "rows": [dict(zip(DIGEST_KEYS, row, strict=True)) for row in rows],
        "signer": signer,
        "recipients": [recipient + ",", "Lưu."],
    }


def digest_docx(
    *,
    sender_org,
    recipient_org,
    year: int,
    period: int,
    notices,
    digest=None,
    date: datetime.date | None = None,
) -> DocxDocument:
    """The period's notice of changes the workplace committee sends to a commune committee, with the
    list attached on its own (landscape) page."""
    ctx = digest_context(
        sender_org=sender_org,
        recipient_org=recipient_org,
        year=year,
        period=period,
        notices=notices,
        digest=digest,
        date=date,
    )
    return _digest_document(ctx)


def _digest_document(ctx: dict) -> DocxDocument:
    doc = layout.new_document()
    _header_from(doc, ctx)
    layout.paragraph(doc, ctx["title"], bold=True, size=15, align="center", space_after=0)
    layout.paragraph(doc, ctx["subject"], bold=True, size=14, align="center", space_after=8)
    para = layout.paragraph(doc, align="center", space_after=8)
    layout.add_run(para, "Kính gửi: ", bold=True)
    layout.add_run(para, ctx["recipient"]["name"])
    layout.paragraph(doc, ctx["body"], align="justify", first_line_indent_mm=10, space_after=6)
    layout.signature_block(
        doc,
        on_behalf=ctx["issuer"]["on_behalf"],
        title=ctx["signer"]["title"],
        name=ctx["signer"]["name"],
        recipients=ctx["recipients"],
    )
    section = doc.add_section()
    layout.set_orientation(section, landscape=True)
    layout.paragraph(doc, ctx["list_title"], bold=True, size=14, align="center", space_after=0)
    layout.paragraph(doc, ctx["attached_to"], italic=True, align="center", space_after=8)
    rows = ([row[key] for key in DIGEST_KEYS] for row in ctx["rows"])
    layout.rows_table(doc, ctx["header"], rows, widths=DIGEST_WIDTHS)
    return doc


_header_from = layout.header_from_context


def digest_filename(*, recipient_org, year: int, period: int, ext: str) -> str:
    return f"Biến động {rules.digest_period_title(year, period).lower()} - {recipient_org.name}.{ext}"


def digest_xlsx(*, sender_org, recipient_org, year: int, period: int, notices):
    """The digest as an .xlsx download (FileResponse)."""
    header, rows = digest_rows(notices)
    return xlsx_response(
        filename=digest_filename(recipient_org=recipient_org, year=year, period=period, ext="xlsx"),
        sheet_title="Biến động",
        title=f"{digest_title(year, period)} — {layout.issuing_committee_name(sender_org)} gửi "
        f"{layout.issuing_committee_name(recipient_org)}",
        header=header,
        rows=rows,
    )


# --- tracking book (residence side) --------------------------------------------------------------
TRACKING_BOOK_TITLE = "SỔ THEO DÕI ĐẢNG VIÊN GIỮ MỐI LIÊN HỆ NƠI CƯ TRÚ"
TRACKING_BOOK_HEADER = [
    "STT",
    "Họ và tên",
    "Năm sinh",
    "Chức vụ",
    "Nơi công tác",
    "Chi bộ/tổ nhóm nơi cư trú",
    "Điện thoại",
    "Người theo dõi",
    "Ngày tiếp nhận",
    "Ngày kết thúc",
    "Lý do kết thúc",
]
TRACKING_BOOK_WIDTHS = [1.3, 3.8, 1.4, 2.8, 3.6, 3.4, 2.6, 3, 2.2, 2.2, 2.6]


def follower_text(name: str, phone: str) -> str:
    """The follower as the book prints it (Người theo dõi): "name, phone", either alone, or ""."""
    return ", ".join(part for part in (name, phone) if part)


def _iterate(queryset) -> Iterator:
    """Rows one chunk at a time from the database (a whole ward streams without a list in memory)."""
    return queryset.iterator(chunk_size=2000) if hasattr(queryset, "iterator") else iter(queryset)


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def tracking_book_rows(liaisons) -> tuple[list[str], Iterator[tuple]]:
    """Header and rows of the tracking book; `liaisons` comes from `selectors.tracking_book`."""

    def rows():
        for number, liaison in enumerate(_iterate(liaisons), start=1):
            member = liaison.member
            workplace = member.workplace_unit or (
                liaison.workplace_org.name if liaison.workplace_org_id else ""
            )
            placed = " / ".join(p.name for p in (liaison.cell, liaison.group) if p is not None)
            yield (
                number,
                member.full_name,
                member.date_of_birth.year,
                member.position,
                workplace,
                placed,
                member.phone,
                follower_text(liaison.follower_name, liaison.follower_phone),
                _local_date(liaison.received_at),
                liaison.end_date,
                liaison.get_end_reason_display() if liaison.end_reason else "",
            )

    return list(TRACKING_BOOK_HEADER), rows()


TRACKING_BOOK_KEYS = [
    "number", "full_name", "birth_year", "position", "workplace", "placed", "phone", "follower",
    "received_on", "end_date", "end_reason",
]  # fmt: skip


def tracking_book_context(
    org, start: datetime.date, end: datetime.date, liaisons, *, date: datetime.date | None = None
) -> dict:
    """The register of a commune committee or residential cell for [start, end], as plain data; dated
    at the committee's own place (a ward's book: "Hoàn Kiếm, ngày …")."""
    names = layout.header_names(org)
    date = date or timezone.localdate()
    header, rows = tracking_book_rows(liaisons)
    return {
        "number": "",
        "date": date,
        "date_line": layout.vietnamese_date_line(names["place"], date),
        "issuer": {
            "superior": names["superior_name"],
            "name": names["issuer_name"],
            "place": names["place"],
            "on_behalf": layout.on_behalf_for(org),
        },
        "title": TRACKING_BOOK_TITLE,
        "period": f"Từ ngày {_date(start)} đến ngày {_date(end)}",
        "start": start,
        "end": end,
        "header": header,
        "rows": [dict(zip(TRACKING_BOOK_KEYS, row, strict=True)) for row in rows],
    }


def tracking_book_docx(
    org, start: datetime.date, end: datetime.date, liaisons, *, date: datetime.date | None = None
) -> DocxDocument:
    """The register of a commune committee or residential cell for [start, end], landscape."""
    return _tracking_book_document(tracking_book_context(org, start, end, liaisons, date=date))


def _tracking_book_document(ctx: dict) -> DocxDocument:
    doc = layout.new_document(landscape=True)
    _header_from(doc, ctx)
    layout.paragraph(doc, ctx["title"], bold=True, size=14, align="center", space_after=2)
    layout.paragraph(doc, ctx["period"], italic=True, align="center", space_after=8)
    rows = ([row[key] for key in TRACKING_BOOK_KEYS] for row in ctx["rows"])
    layout.rows_table(doc, ctx["header"], rows, widths=TRACKING_BOOK_WIDTHS, font_size=10.5)
    return doc


def tracking_book_filename(org, start: datetime.date, end: datetime.date, ext: str) -> str:
    return f"Sổ theo dõi đảng viên 213 - {org.name} - {start:%d.%m.%Y}-{end:%d.%m.%Y}.{ext}"


def _tracking_book_sheet(org, start: datetime.date, end: datetime.date, liaisons) -> dict:
    header, rows = tracking_book_rows(liaisons)
    return {
        "sheet_title": "Sổ theo dõi",
        "title": f"{TRACKING_BOOK_TITLE} — {org.name} (từ {_date(start)} đến {_date(end)})",
        "header": header,
        "rows": rows,
    }


def tracking_book_xlsx(org, start: datetime.date, end: datetime.date, liaisons) -> bytes:
    """The tracking book as an .xlsx, as bytes (the download's, or the job's result: liaisons/jobs.py)."""
    return xlsx_bytes(**_tracking_book_sheet(org, start, end, liaisons))
