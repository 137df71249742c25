"""Word documents in the party's layout (HD 36-HD/VPTW), with python-docx (STYLE.md habit 5).

Every document starts from `new_document()` (A4, party margins, Times New Roman) and carries the one
header `party_document_header()`: the superior body and the issuing committee with "*" and the
number at top left, "ĐẢNG CỘNG SẢN VIỆT NAM" underlined with place and date at top right. Lists are
rendered from the same header + rows the xlsx exporter writes (`rows_table`).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import IO

from django.http import FileResponse
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .exports import attachment_response, display_text

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
BODY_SIZE = 13
HEADER_SIZE = 14
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
# HD 36-HD/VPTW: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BLANK = "……"
# A context made of placeholders (`{{ member.full_name }}`): the python-docx writers that lay a context
# out then lay out a Word template (haichieu/documents: each kind's default template).
TEMPLATE = "_template"


# --- document and page -------------------------------------------------------------------------
def _set_fonts(element, name: str = FONT) -> None:
    """Name the font for every script (Word picks the East Asian slot for some Vietnamese letters)."""
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), name)


def new_document(*, landscape: bool = False) -> DocxDocument:
    """An empty A4 document with party margins, Times New Roman 13 pt, Vietnamese proofing language."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    _set_fonts(normal.element)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.0
    section = doc.sections[0]
    set_orientation(section, landscape=landscape)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    return doc


def set_orientation(section, *, landscape: bool) -> None:
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height


def text_width(doc: DocxDocument) -> int:
    """Width between the margins of the last section, in EMU."""
    section = doc.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def page_break(doc: DocxDocument) -> None:
    doc.add_page_break()


def paragraph(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    align: str = "left",
    space_after: float | None = None,
    first_line_indent_mm: float | None = None,
):
    """One paragraph with one run; `container` is the document or a table cell."""
    para = container.add_paragraph()
    para.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if space_after is not None:
        para.paragraph_format.space_after = Pt(space_after)
    if first_line_indent_mm is not None:
        para.paragraph_format.first_line_indent = Mm(first_line_indent_mm)
    if text:
        add_run(para, text, bold=bold, italic=italic, underline=underline, size=size)
    return para


def add_run(para, text: str, *, bold=False, italic=False, underline=False, size: float | None = None):
    run = para.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    run.underline = underline or None
    if size:
        run.font.size = Pt(size)
    return run


def labelled(container, label: str, value: str, *, bold_value: bool = False):
    """'Label: value' on one line, the label plain, a blank dotted line when the value is empty."""
    para = paragraph(container, space_after=2)
    add_run(para, f"{label}: ")
    add_run(para, value or BLANK * 4, bold=bold_value and bool(value))
    return para


# --- tables ------------------------------------------------------------------------------------
def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _fixed_widths(table, widths: Sequence[int]) -> None:
    """Column widths Word (cell widths) and LibreOffice (grid) both honour."""
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _cell_paragraph(cell, text: str = "", **kwargs):
    """The cell's first (empty) paragraph the first time, a new one after."""
    first = cell.paragraphs[0]
    if not first.runs and not getattr(cell, "_used", False):
        cell._used = True
        para = first
        para.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[kwargs.pop("align", "left")]
        space_after = kwargs.pop("space_after", 0)
        para.paragraph_format.space_after = Pt(space_after)
        if text:
            add_run(para, text, **kwargs)
        return para
    kwargs.setdefault("space_after", 0)
    return paragraph(cell, text, **kwargs)


def two_columns(doc: DocxDocument, *, left_share: float = 0.45):
    """A borderless two-column table across the text width: (left cell, right cell)."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borderless(table)
    width = text_width(doc)
    left = int(width * left_share)
    _fixed_widths(table, [left, width - left])
    row = table.rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a header or signature stays whole
    return row.cells


def rows_table(
    doc: DocxDocument,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    widths: Sequence[float] | None = None,
    font_size: float = 11,
):
    """A grid table: bold header repeated on every page, then the rows (dates as dd/mm/yyyy).

    `widths` are relative shares of the text width (e.g. [1, 5, 2]); equal columns without them.
    """
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    shares = list(widths or [1] * len(header))
    total = sum(shares)
    width = text_width(doc)
    _fixed_widths(table, [int(width * share / total) for share in shares])
    head = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    head._tr.get_or_add_trPr().append(repeat)
    for cell, name in zip(head.cells, header, strict=False):
        _cell_paragraph(cell, name, bold=True, size=font_size, align="center")
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            text = display_text(value)
            align = (
                "center" if isinstance(value, int | datetime.date) and not isinstance(value, bool) else "left"
            )
            _cell_paragraph(cell, text, size=font_size, align=align)
    return table


# --- party document header, date line, signature -----------------------------------------------
def vietnamese_date_line(place: str, date: datetime.date | None) -> str:
    """'Hà Nội, ngày 05 tháng 02 năm 2026' (HD 36: days below 10 and months 1, 2 take a leading 0)."""
    place = place or BLANK
    if date is None:
        return f"{place}, ngày {BLANK} tháng {BLANK} năm {BLANK}"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def vn_upper(text: str) -> str:
    """Upper case keeping the diacritics ('Đảng ủy' -> 'ĐẢNG ỦY')."""
    return (text or "").upper()


def party_document_header(
    doc: DocxDocument,
    *,
    superior_name: str,
    issuer_name: str,
    number_line: str,
    place: str,
    date: datetime.date | None,
    date_line: str | None = None,
    upper: bool = True,
):
    """The header of a party document (HD 36-HD/VPTW) as a borderless two-column table.

    Left: the superior body (upper case), the issuing committee (upper case, bold), "*", the number.
    Right: "ĐẢNG CỘNG SẢN VIỆT NAM" (bold, underlined), then place and date (italic).
    `date_line` replaces the one made of place and date; `upper=False` writes the names as given (a
    Word template's placeholders, which upper-case themselves).
    """
    case = vn_upper if upper else str
    left, right = two_columns(doc, left_share=0.45)
    if superior_name:
        _cell_paragraph(left, case(superior_name), size=HEADER_SIZE, align="center")
    _cell_paragraph(left, case(issuer_name), bold=True, size=HEADER_SIZE, align="center")
    _cell_paragraph(left, "*", size=HEADER_SIZE, align="center")
    if number_line:
        _cell_paragraph(left, number_line, size=HEADER_SIZE, align="center")
    # HD 36: the party title in upper case, 15 pt, bold, underlined.
    _cell_paragraph(right, PARTY_TITLE, bold=True, underline=True, size=15, align="center", space_after=12)
    if date_line is None:
        date_line = vietnamese_date_line(place, date)
    _cell_paragraph(right, date_line, italic=True, size=HEADER_SIZE, align="center")
    paragraph(doc, space_after=6)
    return left, right


def signature_block(
    doc: DocxDocument,
    *,
    on_behalf: str = "T/M ĐẢNG ỦY",
    title: str = "BÍ THƯ",
    name: str = "",
    recipients: Sequence[str] = (),
    date_line: str = "",
    signing_space: float = 60,
):
    """'Nơi nhận' at the left (when given); at the right the date line (when given), who signs for the
    committee, room for the signature (`signing_space` points) and the signer's name."""
    left, right = two_columns(doc, left_share=0.45)
    if recipients:
        _cell_paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12)
        for line in recipients:
            _cell_paragraph(left, f"- {line}", size=11)
    if date_line:
        _cell_paragraph(right, date_line, italic=True, size=BODY_SIZE, align="center", space_after=2)
    if on_behalf:
        _cell_paragraph(right, on_behalf, bold=True, size=HEADER_SIZE, align="center")
    _cell_paragraph(right, title, bold=True, size=HEADER_SIZE, align="center", space_after=signing_space)
    if name:
        _cell_paragraph(right, name, bold=True, size=HEADER_SIZE, align="center")
    return left, right


def header_from_context(doc: DocxDocument, ctx: dict) -> None:
    """The party header of a document's context (`number`, `date`, `date_line`, `issuer.superior`,
    `issuer.name`, `issuer.place`); a template's context (TEMPLATE) upper-cases the names in Jinja."""
    template = ctx.get(TEMPLATE, False)
    party_document_header(
        doc,
        superior_name=ctx["issuer"]["superior"] if not template else "{{ issuer.superior|upper }}",
        issuer_name=ctx["issuer"]["name"] if not template else "{{ issuer.name|upper }}",
        number_line=ctx["number"],
        place=ctx["issuer"]["place"],
        date=ctx["date"],
        date_line=ctx["date_line"],
        upper=not template,
    )


def signatures_side_by_side(
    doc: DocxDocument, left: tuple[str, str], right: tuple[str, str], *, signing_space: float = 60
):
    """Two signers on one line, each a (title, name): minutes signed by the recorder (left) and the
    chair (right)."""
    cells = two_columns(doc, left_share=0.5)
    for cell, (title, name) in zip(cells, (left, right), strict=True):
        _cell_paragraph(cell, title, bold=True, size=HEADER_SIZE, align="center", space_after=signing_space)
        _cell_paragraph(cell, name, bold=True, size=HEADER_SIZE, align="center")
    return cells


# --- names from the organisation tree ----------------------------------------------------------
_COMMITTEE_PREFIXES = ("Đảng ủy", "Tỉnh ủy", "Thành ủy", "Chi ủy", "Chi bộ")


def _strip_prefix(text: str, prefix: str) -> str | None:
    if text.lower().startswith(prefix.lower() + " "):
        return text[len(prefix) + 1 :]
    return None


def issuing_committee_name(org) -> str:
    """The committee that signs for an organisation: 'Đảng bộ Sở Tài chính' -> 'Đảng ủy Sở Tài chính'.

    A provincial party organisation signs as its Tỉnh ủy/Thành ủy; a cell as itself.
    """
    name = org.name
    rest = _strip_prefix(name, "Đảng bộ")
    if rest is None:
        return name
    if org.kind == "provincial":
        for word, committee in (("Tỉnh", "Tỉnh ủy"), ("Thành phố", "Thành ủy")):
            tail = _strip_prefix(rest, word)
            if tail is not None:
                return f"{committee} {tail}"
    return f"Đảng ủy {rest}"


def on_behalf_for(org) -> str:
    """'T/M ĐẢNG ỦY', 'T/M CHI BỘ'…: the line above the signer's title."""
    name = issuing_committee_name(org)
    for prefix in _COMMITTEE_PREFIXES:
        if name.lower().startswith(prefix.lower()):
            return f"T/M {vn_upper(prefix)}"
    return "T/M ĐẢNG ỦY"


def place_name(unit_name: str) -> str:
    """The place in a date line from an administrative unit's name: 'Thành phố Hà Nội' -> 'Hà Nội',
    'Tỉnh Hưng Yên' -> 'Hưng Yên', 'Phường Hoàn Kiếm' -> 'Hoàn Kiếm', 'Xã La Bằng' -> 'La Bằng'."""
    for prefix in ("Thành phố", "Tỉnh", "Đảng bộ", "Phường", "Xã", "Đặc khu"):
        rest = _strip_prefix(unit_name, prefix)
        if rest is not None:
            return place_name(rest)
    return unit_name


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def commune_committee_name(commune) -> str:
    """The committee of a commune that has no organisation in the system: 'Phường Ngọc Hà' ->
    'Đảng ủy phường Ngọc Hà' (letters go to the committee, HD 12-HD/BTCTW §4.2)."""
    return f"Đảng ủy {lower_first(commune.name)}"


def issuer_place(org, ancestors: Sequence = ()) -> str:
    """The place in the date line of a document `org` issues (issue 10).

    The organisation's own `place_name` when it has one; else the nearest of it and its `ancestors`
    (nearest first) that names a place: its own place name, its commune ('Phường Hoàn Kiếm' ->
    'Hoàn Kiếm': a ward committee and its cells date their documents at the ward), or its province
    ('Thành phố Hà Nội' -> 'Hà Nội'); failing all, the name of a provincial root; else blank.
    """
    nodes = [org, *ancestors]
    for node in nodes:
        if node.place_name:
            return node.place_name
        if node.commune_id:
            return place_name(node.commune.name)
        if node.province_id:
            return place_name(node.province.name)
    root = nodes[-1]
    return place_name(root.name) if root.kind == "provincial" else ""


def header_names(org) -> dict:
    """superior_name, issuer_name and place (`issuer_place`) for a document issued by `org` (one query)."""
    nodes = list(
        type(org)
        .objects.filter(path__in=[*org.ancestor_paths(), org.path])
        .select_related("province", "commune")
        .order_by("-depth")
    )
    own = nodes[0] if nodes and nodes[0].pk == org.pk else org
    ancestors = [node for node in nodes if node.pk != org.pk]
    parent = ancestors[0] if ancestors else None
    return {
        "superior_name": parent.name if parent else "",
        "issuer_name": issuing_committee_name(org),
        "place": issuer_place(own, ancestors),
    }


def party_header_for(doc: DocxDocument, org, *, number_line: str, date: datetime.date | None, names=None):
    """`party_document_header` for a document issued by `org` (names from `header_names`)."""
    names = names or header_names(org)
    return party_document_header(doc, number_line=number_line, date=date, **names)


# --- output --------------------------------------------------------------------------------------
def docx_bytes(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def docx_response(doc: DocxDocument, filename: str) -> FileResponse:
    """A download of the document (the view has checked access and records it in the audit log)."""
    buffer: IO[bytes] = io.BytesIO()
    doc.save(buffer)
    return attachment_response(buffer, filename=filename, content_type=DOCX_CONTENT_TYPE)
