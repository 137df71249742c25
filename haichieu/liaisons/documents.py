"""Documents of the two-way link: introduction letters (Mẫu 1-213, 2-213), the digest of
changes of each period and the residence side's tracking book, as Word (python-docx) and Excel (core.exports).

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
from haichieu.core.exports import xlsx_response

from . import rules
from .models import Liaison

# --- introduction letters ----------------------------------------------------------------------
LETTER_TITLE = "GIẤY GIỚI THIỆU"
LETTER_SUBTITLE = "Đảng viên về giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú"
REGULATION = "Quy định số 213-QĐ/TW ngày 02/01/2020 của Bộ Chính trị"
GUIDANCE = "Hướng dẫn số 33-HD/BTCTW của Ban Tổ chức Trung ương"
SECOND_COLUMN = Mm(100)  # tab stop for the second particular on a line ("Giới tính", "Ngày vào Đảng")


def _date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def recipient_name(liaison: Liaison) -> str:
    """The commune committee the letter goes to, even when it is not in the system yet."""
    if liaison.commune_org_id:
        return liaison.commune_org.name
    if liaison.commune_id:
        return f"Đảng ủy {_lower_first(liaison.commune.name)}"
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


def _letter_queryset(liaisons: Iterable[Liaison]) -> Iterable[Liaison]:
    if hasattr(liaisons, "select_related"):
        qs = liaisons.select_related(*Liaison.LETTER_RELATED)
        # In the order of their numbers, unless the caller chose one (PostgreSQL has no natural order).
        return qs if qs.ordered else qs.order_by("letter_number", "pk")
    return liaisons


def introduction_letters_docx(liaisons: Iterable[Liaison]) -> DocxDocument:
    """One introduction letter per liaison (Mẫu 1-213, or Mẫu 2-213 for excused members), a page each.

    Each letter carries the party header with the letter's number ("Số 15-GGT/ĐU"), the member's
    particulars, the request under Regulation 213 and, below a cut line, the return slip the commune
    committee sends back when it receives the member.
    """
    doc = layout.new_document()
    names_by_org: dict[int, dict] = {}
    for index, liaison in enumerate(_letter_queryset(liaisons)):
        issuer = liaison.workplace_org or liaison.member.workplace_cell
        if issuer.pk not in names_by_org:
            names_by_org[issuer.pk] = layout.header_names(issuer)
        _letter(doc, liaison, issuer, names_by_org[issuer.pk], new_page=index > 0)
    return doc


def _letter(doc, liaison: Liaison, issuer, names: dict, *, new_page: bool) -> None:
    member = liaison.member
    label = layout.paragraph(doc, form_name(liaison), italic=True, size=10, align="right", space_after=0)
    # A page break on the letter's first line, not a paragraph of its own: a full page would push
    # that paragraph alone onto a blank page.
    label.paragraph_format.page_break_before = new_page
    layout.party_header_for(
        doc, issuer, number_line=liaison.letter_reference, date=liaison.letter_date, names=names
    )
    layout.paragraph(doc, LETTER_TITLE, bold=True, size=15, align="center", space_after=0)
    layout.paragraph(doc, LETTER_SUBTITLE, bold=True, size=13, align="center", space_after=10)

    recipient = recipient_name(liaison)
    para = layout.paragraph(doc, space_after=6, align="center")
    layout.add_run(para, "Kính gửi: ", bold=True)
    layout.add_run(para, recipient)
    layout.paragraph(
        doc, f"{names['issuer_name']} trân trọng giới thiệu đồng chí:", first_line_indent_mm=10, space_after=4
    )

    para = layout.labelled(doc, "Họ và tên", member.full_name, bold_value=True)
    para.paragraph_format.tab_stops.add_tab_stop(SECOND_COLUMN)
    layout.add_run(para, f"\tGiới tính: {member.get_gender_display()}")
    para = layout.labelled(doc, "Ngày sinh", _date(member.date_of_birth))
    para.paragraph_format.tab_stops.add_tab_stop(SECOND_COLUMN)
    layout.add_run(para, f"\tNgày vào Đảng: {_date(member.admission_date)}")
    layout.labelled(doc, "Ngày chính thức", _date(member.full_membership_date))
    cell = member.workplace_cell
    workplace = liaison.workplace_org.name if liaison.workplace_org_id else ""
    layout.labelled(doc, "Chi bộ sinh hoạt chính thức", ", ".join(p for p in [cell.name, workplace] if p))
    layout.labelled(doc, "Chức vụ", member.position)
    layout.labelled(doc, "Đơn vị công tác", member.workplace_unit or workplace)
    layout.labelled(doc, "Nơi cư trú", residence_address(liaison))
    layout.labelled(doc, "Điện thoại", member.phone)

    request = (
        f"Đề nghị {recipient} tiếp nhận và tạo điều kiện để đồng chí {member.full_name} giữ mối liên hệ "
        f"với tổ chức đảng và nhân dân nơi cư trú theo {REGULATION}."
    )
    layout.paragraph(doc, request, align="justify", first_line_indent_mm=10, space_after=4)
    if liaison.excused:
        reason = member.get_liaison_category_display()
        if member.liaison_category_note:
            reason += f" ({member.liaison_category_note})"
        layout.paragraph(
            doc,
            f"Đồng chí {member.full_name} thuộc diện được giới thiệu về nơi cư trú nhưng được miễn sinh hoạt "
            f"định kỳ với chi bộ nơi cư trú và không lấy ý kiến nhận xét hằng năm, chỉ nhận xét khi có "
            f"yêu cầu của cấp ủy nơi công tác (theo {GUIDANCE}). Lý do: {reason}.",
            italic=True,
            align="justify",
            first_line_indent_mm=10,
            space_after=4,
        )
    else:
        layout.paragraph(
            doc,
            f"Đồng chí {member.full_name} có trách nhiệm liên hệ với chi ủy chi bộ nơi cư trú, tham gia "
            "sinh hoạt định kỳ và chịu sự giám sát, nhận xét của chi ủy chi bộ nơi cư trú.",
            align="justify",
            first_line_indent_mm=10,
            space_after=4,
        )
    layout.signature_block(
        doc,
        on_behalf=layout.on_behalf_for(issuer),
        title="BÍ THƯ",
        recipients=["Như trên,", "Đảng viên,", "Lưu."],
        signing_space=48,
    )
    _return_slip(doc, liaison, recipient, names)


def _return_slip(doc, liaison: Liaison, recipient: str, names: dict) -> None:
    """The part the commune committee cuts off, fills in and sends back to the workplace."""
    cut = layout.paragraph(doc, align="center", space_after=4)
    cut.paragraph_format.space_before = Pt(6)
    layout.add_run(
        cut, f"{'- ' * 14}(cắt theo đường này, gửi lại cấp ủy nơi công tác){' -' * 14}", italic=True, size=9
    )
    layout.paragraph(doc, "PHIẾU BÁO TIẾP NHẬN", bold=True, size=14, align="center", space_after=2)
    para = layout.paragraph(doc, space_after=4, align="center")
    layout.add_run(para, "Kính gửi: ", bold=True)
    layout.add_run(para, names["issuer_name"])
    letter = (
        f"theo giấy giới thiệu {_lower_first(liaison.letter_reference)}" if liaison.letter_reference else ""
    )
    if liaison.letter_date:
        letter += f" ngày {_date(liaison.letter_date)}"
    blank = layout.BLANK
    layout.paragraph(
        doc,
        f"{recipient} đã tiếp nhận đồng chí {liaison.member.full_name} {letter} vào ngày {blank} tháng {blank} "
        f"năm {blank}, phân công sinh hoạt tại chi bộ {blank * 8}",
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


# --- digest of changes (one per period: rules.digest_period) ---------------------------------------------------------------
DIGEST_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ/đơn vị", "Loại biến động", "Ngày", "Nội dung"]
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


def digest_docx(
    *, sender_org, recipient_org, year: int, period: int, notices, date: datetime.date | None = None
) -> DocxDocument:
    """The period's list of changes the workplace committee sends to a commune committee."""
    doc = layout.new_document(landscape=True)
    symbol = f"DS/{sender_org.document_abbreviation}"
    layout.party_header_for(
        doc, sender_org, number_line=f"Số {layout.BLANK}-{symbol}", date=date or timezone.localdate()
    )
    layout.paragraph(doc, digest_title(year, period), bold=True, size=14, align="center", space_after=2)
    para = layout.paragraph(doc, align="center", space_after=8)
    layout.add_run(para, "Kính gửi: ", bold=True)
    layout.add_run(para, recipient_org.name)
    header, rows = digest_rows(notices)
    layout.rows_table(doc, header, rows, widths=DIGEST_WIDTHS)
    layout.paragraph(doc, space_after=6)
    layout.signature_block(
        doc, on_behalf=layout.on_behalf_for(sender_org), recipients=[recipient_org.name + ",", "Lưu."]
    )
    return doc


def digest_filename(*, recipient_org, year: int, period: int, ext: str) -> str:
    return f"Biến động {rules.digest_period_title(year, period).lower()} - {recipient_org.name}.{ext}"


def digest_xlsx(*, sender_org, recipient_org, year: int, period: int, notices):
    """The digest as an .xlsx download (FileResponse)."""
    header, rows = digest_rows(notices)
    return xlsx_response(
        filename=digest_filename(recipient_org=recipient_org, year=year, period=period, ext="xlsx"),
        sheet_title="Biến động",
        title=f"{digest_title(year, period)} — {sender_org.name} gửi {recipient_org.name}",
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
    "Ngày tiếp nhận",
    "Ngày kết thúc",
    "Lý do kết thúc",
]
TRACKING_BOOK_WIDTHS = [1.3, 4.2, 1.6, 3.2, 4.2, 4, 2.6, 2.4, 2.4, 3]


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
                _local_date(liaison.received_at),
                liaison.end_date,
                liaison.get_end_reason_display() if liaison.end_reason else "",
            )

    return list(TRACKING_BOOK_HEADER), rows()


def tracking_book_docx(
    org, start: datetime.date, end: datetime.date, liaisons, *, date: datetime.date | None = None
) -> DocxDocument:
    """The register of a commune committee or residential cell for [start, end], landscape."""
    doc = layout.new_document(landscape=True)
    layout.party_header_for(doc, org, number_line="", date=date or timezone.localdate())
    layout.paragraph(doc, TRACKING_BOOK_TITLE, bold=True, size=14, align="center", space_after=2)
    layout.paragraph(
        doc, f"Từ ngày {_date(start)} đến ngày {_date(end)}", italic=True, align="center", space_after=8
    )
    header, rows = tracking_book_rows(liaisons)
    layout.rows_table(doc, header, rows, widths=TRACKING_BOOK_WIDTHS, font_size=10.5)
    return doc


def tracking_book_filename(org, start: datetime.date, end: datetime.date, ext: str) -> str:
    return f"Sổ theo dõi đảng viên 213 - {org.name} - {start:%d.%m.%Y}-{end:%d.%m.%Y}.{ext}"


def tracking_book_xlsx(org, start: datetime.date, end: datetime.date, liaisons):
    """The tracking book as an .xlsx download (FileResponse)."""
    header, rows = tracking_book_rows(liaisons)
    return xlsx_response(
        filename=tracking_book_filename(org, start, end, "xlsx"),
        sheet_title="Sổ theo dõi",
        title=f"{TRACKING_BOOK_TITLE} — {org.name} (từ {_date(start)} đến {_date(end)})",
        header=header,
        rows=rows,
    )
