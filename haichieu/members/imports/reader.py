"""Opening an uploaded workbook safely and reading its member sheets.

Safety first, before openpyxl sees the file: only a real .xlsx (a zip with xl/workbook.xml, the
spreadsheet content type, no macros: a renamed .xlsm/.xls/.csv is refused), a bounded size once
unpacked, and no document type declaration in any XML part (xlsx never has one; a "billion laughs"
bomb needs one). openpyxl then reads values only (read-only, data_only: cached results, never a
formula), and it uses defusedxml for the parts it streams.

Then the sheets as people keep them: title rows above the header (the header row is the one that
names the most known columns), columns in any order under any of their usual names, a second
header row under grouped headings, merged cells (their value fills the whole range), blank rows
and total rows skipped, a numbering row ("(1) (2) (3)") under the header skipped.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from haichieu.core import ooxml
from haichieu.core.text import fold

from .values import (
    COMPOUND_FIELDS,
    TooLong,
    cell_text,
    header_field,
    is_footer_text,
    is_total_text,
    subheader_field,
)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
# Unpacked, a member list takes about 1 KB a row (the benchmark's 20,000 rows: 20 MB; the template
# saved by Excel a little more): a 50,000-row list fits in 100 MB. More is a zip bomb or a sheet of
# long texts (issue 9, finding 5: 288 MB from a 683 KB file), not a member list.
DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# No field of a member holds more than 255 characters (notes are not imported); a longer cell is
# refused with its row and column, and its text is not kept.
DEFAULT_MAX_CELL_CHARS = 1000
# The header is looked for in the first rows of each sheet.
HEADER_SEARCH_ROWS = 30
# A header row names at least this many known columns, the name among them.
MIN_HEADER_FIELDS = 3
XLSX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def limits() -> tuple[int, int]:
    config = settings.HAICHIEU
    return config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES), config.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def unpacked_limit() -> int:
    return settings.HAICHIEU.get("IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)


def cell_chars_limit() -> int:
    return settings.HAICHIEU.get("IMPORT_MAX_CELL_CHARS", DEFAULT_MAX_CELL_CHARS)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; `message` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def check_upload_size(size: int) -> None:
    max_bytes, _ = limits()
    if size > max_bytes:
        raise ImportFileError(f"Tệp quá lớn ({_mb(size)}): chỉ nhận tệp đến {_mb(max_bytes)}.")
    if size == 0:
        raise ImportFileError("Tệp rỗng.")


# Kept for the tests that cut a declaration between two chunks (the scan is core/ooxml.py).
_SCAN_CHUNK = ooxml.SCAN_CHUNK
BAD_XML = "Tệp có cấu trúc XML không được phép (khai báo DOCTYPE/ENTITY): không nhận vì lý do an toàn."
TOO_BIG_UNPACKED = "Tệp giải nén ra quá lớn: không phải danh sách đảng viên thông thường."


def check_xlsx(path) -> None:
    """Refuse anything but a plain .xlsx workbook, by its content (the name proves nothing)."""
    import os

    check_upload_size(os.path.getsize(path))
    not_xlsx = (
        "Tệp không phải là tệp Excel .xlsx. Hãy mở tệp trong Excel và lưu lại dạng "
        "“Excel Workbook (*.xlsx)” (tệp .xls, .xlsm, .csv không nhận)."
    )
    if not zipfile.is_zipfile(path):
        raise ImportFileError(not_xlsx)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise ImportFileError(
                    "Tệp có chứa macro (.xlsm): không nhận vì lý do an toàn. Hãy lưu lại dạng .xlsx."
                )
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise ImportFileError(not_xlsx)
            # Every XML part whole, streamed, within the unpacked limit (core/ooxml.py).
            try:
                ooxml.scan_xml_parts(archive, unpacked_limit())
            except ooxml.UnpackedTooLarge:
                raise ImportFileError(TOO_BIG_UNPACKED) from None
            except ooxml.DeclaresDtd:
                raise ImportFileError(BAD_XML) from None
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if XLSX_MAIN_TYPE not in content_types:
                raise ImportFileError(
                    "Tệp không phải là sổ làm việc Excel .xlsx thông thường (có thể là .xlsm, .xltx hoặc "
                    "tệp đã đổi tên). Hãy lưu lại dạng “Excel Workbook (*.xlsx)”."
                )
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ImportFileError(not_xlsx) from None


# --- sheets ----------------------------------------------------------------------------------------
@dataclass
class Column:
    index: int  # 0-based
    header: str  # as written in the sheet
    field: str
    more: list[int] = field(default_factory=list)  # the other columns of a digit-per-column group


# Why the reader leaves a row or a sheet out (each one is listed in the preview and the JSON report).
SKIP_TOTAL = (
    "Dòng tổng cộng (chỉ có nhãn “Tổng”/“Cộng” và số liệu, không có họ tên kèm ngày): không phải đảng viên."
)
SKIP_NUMBERING = "Dòng đánh số cột (1, 2, 3… hoặc (1), (2)…): không phải đảng viên."
SKIP_SUBHEADER = "Dòng tiêu đề phụ của bảng: không phải đảng viên."
SKIP_FOOTER = "Ghi chú, người lập biểu, chữ ký hoặc ngày tháng dưới bảng: không phải đảng viên."
SHEET_NO_HEADER = (
    "Không có dòng tiêu đề danh sách đảng viên (cần cột “Họ và tên” và ít nhất hai cột khác như "
    "“Ngày sinh”, “Số thẻ đảng viên”) trong {rows} dòng đầu."
)
SHEET_EMPTY = "Trang tính trống."
SHEET_CHART = "Trang biểu đồ, không có bảng."


@dataclass
class SheetRows:
    title: str
    header_row: int  # as Excel numbers it
    columns: dict[str, Column]  # field -> column
    ignored: list[str] = field(default_factory=list)  # headers not recognised
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, {field: raw value})
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason) of rows left out
    # field -> header of the column that holds it, compound columns included (a register's
    # "Ngày vào Đảng, ngày chính thức" holds both dates).
    headers: dict[str, str] = field(default_factory=dict)
    ended: bool = False  # a note or signature under the table was met
    data_indices: list[int] = field(default_factory=list)  # every known column but the STT
    name_indices: list[int] = field(default_factory=list)  # columns that hold the name
    evidence_indices: list[int] = field(default_factory=list)  # columns of dates and card numbers
    compound: bool = False  # a column holds several fields (the register's layout)

    def header_of(self, field_name: str) -> str | None:
        return self.headers.get(field_name)


@dataclass
class Workbook:
    sheets: list[SheetRows]
    skipped_sheets: list[tuple[str, str]]  # (title, reason)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets)


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range, read straight from the sheet's XML.

    openpyxl's read-only mode does not report merges (they come after the rows in the file).
    """
    ranges = []
    tail = b""
    with archive.open(path.lstrip("/")) as source:
        while chunk := source.read(1 << 20):
            data = tail + chunk
            last = 0
            if b"mergeCell" not in data:  # a plain search skips the cell data ten times faster
                tail = data[-512:]
                continue
            for match in _MERGE_RE.finditer(data):
                ranges.append(range_boundaries(match[1].decode()))
                last = match.end()
            tail = data[max(last, len(data) - 512) :]
    return ranges


class _MergeFiller:
    """Fills the cells of merged ranges with the value of the range's top-left cell, row by row."""

    def __init__(self, ranges):
        self._starting: dict[int, list] = {}
        for bounds in ranges:
            min_col, min_row, max_col, max_row = bounds
            if (min_col, min_row) != (max_col, max_row):
                self._starting.setdefault(min_row, []).append(bounds)
        self._active: list[list] = []  # [min_col, max_col, max_row, value]

    def fill(self, number: int, row: list) -> list:
        if not self._starting and not self._active:
            return row
        for min_col, _min_row, max_col, max_row in self._starting.pop(number, ()):
            value = row[min_col - 1] if len(row) >= min_col else None
            self._active.append([min_col, max_col, max_row, value])
        if self._active:
            self._active = [a for a in self._active if a[2] >= number]
            for min_col, max_col, _max_row, value in self._active:
                if value is None:
                    continue
                if len(row) < max_col:
                    row.extend([None] * (max_col - len(row)))
                for i in range(min_col - 1, max_col):
                    if row[i] is None:
                        row[i] = value
        return row


def _label(value) -> str:
    return cell_text(value) if isinstance(value, str) else ""


# A column that holds the name, so a row with one is a member's.
NAME_FIELDS = ("full_name", "family_middle", "given_name", "name_birth")
# Columns whose value (a date or a number) says the row is a member's when it also has a name.
EVIDENCE_FIELDS = (
    "date_of_birth",
    "admission_date",
    "full_membership_date",
    "party_card_number",
    "name_birth",
    "admission_lines",
    "card_digits",
    "card_lines",
    "birth_date_male",
    "birth_date_female",
)
# A group of columns, one digit each, under one merged heading (a register's card number).
SPREAD_FIELDS = ("card_digits",)


def _find_header(rows: list[tuple[int, list]]) -> tuple[int, dict[str, Column], list[str]] | None:
    """The row that names the most known columns, read with the row above it for grouped headings:
    a heading merged over sub-columns gives each sub-column its meaning ("Ngày tháng năm sinh" over
    "Nam" | "Nữ", "Ngày vào Đảng" over "Ngày kết nạp" | "Ngày chính thức")."""
    best = None
    previous: list = []
    for number, row in rows:
        columns: dict[str, Column] = {}
        ignored = []
        width = max(len(row), len(previous))
        for i in range(width):
            text = _label(row[i]) if i < len(row) else ""
            parent = _label(previous[i]) if i < len(previous) else ""
            if not text and not parent:
                continue
            name, header = None, text or parent
            if text and parent and parent != text:
                name = subheader_field(parent, text)
                if name is not None:
                    header = f"{parent} – {text}"
            if name is None:
                name = header_field(text or parent)
                header = text or parent
            if name is None and text and parent:
                name = header_field(parent)
                header = f"{parent} – {text}"
            if name and name not in columns:
                columns[name] = Column(i, header, name)
            elif name in SPREAD_FIELDS and ([columns[name].index, *columns[name].more])[-1] == i - 1:
                columns[name].more.append(i)
            elif not name:
                ignored.append(header)
        named = any(n in columns for n in ("full_name", "name_birth")) or {
            "family_middle",
            "given_name",
        } <= set(columns)
        score = len(columns)
        if named and score >= MIN_HEADER_FIELDS and (best is None or score > best[0]):
            best = (score, number, columns, ignored)
        previous = row
    if best is None:
        return None
    return best[1], best[2], best[3]


_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


def _is_numbering_row(row: list) -> bool:
    values = [cell_text(v) for v in row if v is not None and cell_text(v)]
    return len(values) >= 3 and all(_NUMBERING.match(v) for v in values)


def _is_subheader_row(row: list, sheet: SheetRows) -> bool:
    """A second header row under the one found ("Nam" | "Nữ", "Họ đệm" | "Tên" under their heading):
    text only, each cell a header, its column's heading repeated by a merge, or a numbering."""
    headers = {c.index: c.header for c in sheet.columns.values()}
    seen = False
    for i, value in enumerate(row):
        if value is None:
            continue
        if not isinstance(value, str):
            return False
        text = cell_text(value)
        if not text:
            continue
        seen = True
        if not (
            header_field(text)
            or text == headers.get(i)
            or fold(text) in ("nam", "nu")
            or _NUMBERING.match(text)
        ):
            return False
    return seen


def _is_blank(row: list, sheet: SheetRows) -> bool:
    """No value under any known column but the STT (a pre-numbered empty row is blank too)."""
    width = len(row)
    for index in sheet.data_indices:
        if index < width:
            value = row[index]
            if value is not None and not (value.__class__ is str and not value.strip()):
                return False
    return True


def _is_total(value) -> bool:
    return value.__class__ is str and value.lstrip()[:1] in "TtCc" and is_total_text(value)


def _member_like(row: list, sheet: SheetRows) -> bool:
    """A name (not a total label) and a date or a card number: the row is a member's, whatever else
    it holds — a given name "Công" or a name "Tống Sơn…" is not a total row."""
    width = len(row)
    for i in sheet.name_indices:
        if i < width:
            value = row[i]
            if value.__class__ is str and value.strip() and not _is_total(value):
                break
    else:
        return False
    for i in sheet.evidence_indices:
        if i < width:
            value = row[i]
            if value is not None and (value.__class__ is not str or any(c.isdigit() for c in value)):
                return True
    return False


def _skip_reason(row: list, sheet: SheetRows) -> str | None:
    """Why a row that is not a member's is left out: a total row, or the notes and signatures under
    the table (everything below them that is not a member's). None: the row is read (and reported)."""
    if sheet.ended:
        return SKIP_FOOTER
    width = len(row)
    labels = [row[i] for i in sheet.name_indices if i < width] + row[:3]
    if any(_is_total(value) for value in labels):
        return SKIP_TOTAL
    if any(value.__class__ is str and is_footer_text(value) for value in row):
        sheet.ended = True
        return SKIP_FOOTER
    return None


def read_workbook(path) -> Workbook:
    """Every sheet with a recognisable header, as rows of raw values by field. Call `check_xlsx` first."""
    _, max_rows = limits()
    max_chars = cell_chars_limit()
    too_many = (
        f"Tệp có quá nhiều dòng: mỗi lần chỉ nhập được đến {max_rows:,} dòng. Hãy chia thành nhiều tệp."
    ).replace(",", ".")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise ImportFileError(
            "Không đọc được tệp Excel: tệp bị hỏng hoặc không đúng định dạng .xlsx."
        ) from None
    sheets: list[SheetRows] = []
    skipped: list[tuple[str, str]] = []
    raw_rows = 0
    data_rows = 0
    try:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "_worksheet_path"):  # chart sheets
                skipped.append((worksheet.title, SHEET_CHART))
                continue
            worksheet.reset_dimensions()  # never trust the stored size: read what is there
            filler = _MergeFiller(_merged_ranges(workbook._archive, worksheet._worksheet_path))

            def filled(worksheet=worksheet, filler=filler):
                nonlocal raw_rows
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    raw_rows += 1
                    if raw_rows > max_rows * 2 + HEADER_SEARCH_ROWS:
                        raise ImportFileError(too_many)
                    yield number, filler.fill(number, list(values))

            stream = filled()
            head = list(itertools.islice(stream, HEADER_SEARCH_ROWS))
            sheet = _start_sheet(worksheet.title, head)
            if sheet is None:
                empty = all(v is None or (isinstance(v, str) and not v.strip()) for _, r in head for v in r)
                skipped.append(
                    (
                        worksheet.title,
                        SHEET_EMPTY if empty else SHEET_NO_HEADER.format(rows=HEADER_SEARCH_ROWS),
                    )
                )
                continue
            probe = 2  # the rows right under the header may be a sub-header or a numbering row
            for number, row in itertools.chain(((n, r) for n, r in head if n > sheet.header_row), stream):
                if probe and not _is_blank(row, sheet):
                    probe -= 1
                    if _is_numbering_row(row):
                        sheet.skipped.append((number, SKIP_NUMBERING))
                        continue
                    if _is_subheader_row(row, sheet):
                        sheet.skipped.append((number, SKIP_SUBHEADER))
                        continue
                data_rows += _take(sheet, number, row, max_chars)
                if data_rows > max_rows:
                    raise ImportFileError(too_many)
            sheets.append(sheet)
    finally:
        workbook.close()
    if not sheets:
        raise ImportFileError(
            "Không tìm thấy dòng tiêu đề của danh sách đảng viên (cần có ít nhất cột “Họ và tên” và hai "
            "cột khác như “Ngày sinh”, “Số thẻ đảng viên”). Hãy dùng tệp mẫu."
        )
    return Workbook(sheets=sheets, skipped_sheets=skipped)


def _start_sheet(title: str, head: list[tuple[int, list]]) -> SheetRows | None:
    found = _find_header(head)
    if found is None:
        return None
    header_row, columns, ignored = found
    sheet = SheetRows(title=title, header_row=header_row, columns=columns, ignored=ignored)
    for name, column in columns.items():
        sheet.headers.setdefault(name, column.header)
        for part in COMPOUND_FIELDS.get(name, ()):
            sheet.headers.setdefault(part, column.header)
    sheet.data_indices = [i for n, c in columns.items() if n != "row_number" for i in (c.index, *c.more)]
    sheet.name_indices = [columns[n].index for n in NAME_FIELDS if n in columns]
    sheet.evidence_indices = [
        i for n in EVIDENCE_FIELDS if n in columns for i in (columns[n].index, *columns[n].more)
    ]
    sheet.compound = bool(columns.keys() & COMPOUND_FIELDS.keys())
    return sheet


def _take(sheet: SheetRows, number: int, row: list, max_chars: int) -> int:
    """Keep the row's values by field; a text longer than `max_chars` is kept as its length only.

    Blank rows are left out; so are total rows and what is written under the table, which are
    listed in `sheet.skipped` with the reason."""
    if _is_blank(row, sheet):
        return 0
    if not _member_like(row, sheet):
        reason = _skip_reason(row, sheet)
        if reason is not None:
            sheet.skipped.append((number, reason))
            return 0
    width = len(row)
    values = {}
    for name, c in sheet.columns.items():
        if name == "row_number":
            continue
        if c.more:
            values[name] = [row[i] if i < width else None for i in (c.index, *c.more)]
            continue
        value = row[c.index] if c.index < width else None
        if value.__class__ is str and len(value) > max_chars:
            value = TooLong(len(value))
        values[name] = value
    sheet.rows.append((number, values))
    return 1
