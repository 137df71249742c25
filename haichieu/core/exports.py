"""The one shared exporter (STYLE.md habit 5): lists are row generators, rendered here as .xlsx or CSV.

A list module builds `header` (Vietnamese column names) and `rows` (an iterable of sequences of
plain values: str, int, Decimal, date, datetime, None); this module writes them. Rows are consumed
one at a time and openpyxl's write-only mode streams them to a temporary file (inline strings, no
shared-string table), so a list of a whole ward or province never sits in memory.

Text that a spreadsheet would read as a formula (= + - @, tab, carriage return at the start) is
prefixed with a single quote: a member named "=HYPERLINK(…)" stays text when the file is opened or
re-saved as CSV (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Rows looked at to size the columns before streaming the rest (only these are held at once).
WIDTH_SAMPLE_ROWS = 100
MIN_WIDTH, MAX_WIDTH = 6, 60
# Exports up to this size stay in memory; larger ones spill to a temporary file on disk.
SPOOL_MAX_BYTES = 8 * 1024 * 1024


def neutralise(value: str) -> str:
    """'=SUM(A1)' -> "'=SUM(A1)": text a spreadsheet will not run as a formula."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def plain_value(value):
    """A value ready for a cell: aware datetimes in local time without tzinfo, text neutralised."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        return value
    if isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    return neutralise(str(value))


def display_text(value) -> str:
    """A value as a person reads it (dd/mm/yyyy dates), for Word tables; not neutralised."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.make_naive(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return str(value)


# --- file names ----------------------------------------------------------------------------------
def ascii_filename(filename: str) -> str:
    """'Sổ theo dõi Đảng ủy.xlsx' -> 'So theo doi Dang uy.xlsx' (for clients without RFC 6266)."""
    text = unicodedata.normalize("NFD", filename.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\/;' else "_" for ch in text)
    return text.strip() or "tai-lieu"


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = ascii_filename(filename)
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def attachment_response(fileobj: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    """Stream `fileobj` (rewound here, closed by Django when sent) as a download named `filename`."""
    fileobj.seek(0)
    response = FileResponse(fileobj, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- xlsx ----------------------------------------------------------------------------------------
def _width(value) -> float:
    if isinstance(value, datetime.datetime):
        return 17
    if isinstance(value, datetime.date):
        return 11
    text = "" if value is None else str(value)
    return max((len(line) for line in text.splitlines()), default=0) + 2


def write_xlsx(
    fileobj: IO[bytes],
    *,
    sheet_title: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    title: str | None = None,
    details: Sequence[str] = (),
) -> int:
    """Write one sheet to `fileobj`; returns the row count.

    With a `title`, the sheet opens with the block offices print above a list: the title, the
    `details` lines (unit, filters: `title_details`), the date of the export, a blank row; then
    the bold header and `rows`.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    # Column widths must be set before the first row is written (write-only mode).
    widths = [_width(name) for name in header]
    for row in sample:
        for i, value in enumerate(row):
            if i < len(widths):
                widths[i] = max(widths[i], _width(plain_value(value)))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)

    # Like the widths, these must be set before the first row is written: frozen header, and on
    # paper A4 landscape, all columns on one page width, the header repeated on every page.
    block = [title, *details, f"Ngày xuất: {timezone.localtime():%d/%m/%Y %H:%M}"] if title else []
    header_row = len(block) + 2 if block else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = f"{header_row}:{header_row}"
    for index, line in enumerate(block):
        cell = WriteOnlyCell(sheet, value=neutralise(line))
        cell.font = Font(bold=True, size=14) if index == 0 else Font(italic=True)
        sheet.append([cell])
    if block:
        sheet.append([])
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=neutralise(str(name)))
        cell.font = bold
        cell.alignment = wrap
        header_cells.append(cell)
    sheet.append(header_cells)

    count = 0
    for row in itertools.chain(sample, rows):
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
        if count == len(sample):
            sample.clear()  # hand the sampled rows back to the garbage collector
    workbook.save(fileobj)
    return count


def _cell(sheet, value):
    value = plain_value(value)
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _sheet_title(title: str) -> str:
    """Excel refuses sheet names over 31 characters or with []:*?/\\."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in title).strip("' ")
    return (cleaned or "Danh sách")[:31]


def xlsx_bytes(
    *,
    sheet_title: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    title: str | None = None,
    details: Sequence[str] = (),
) -> bytes:
    """The .xlsx as bytes (tests, files bundled with other documents)."""
    buffer = io.BytesIO()
    write_xlsx(buffer, sheet_title=sheet_title, header=header, rows=rows, title=title, details=details)
    return buffer.getvalue()


def xlsx_response(
    *,
    filename: str,
    sheet_title: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    title: str | None = None,
    details: Sequence[str] = (),
) -> FileResponse:
    """A download of the list as .xlsx, written to a temporary file and streamed from there.

    The caller (a view) has already scoped `rows` through the access rule and records the export
    in the audit log (DESIGN.md "Data protection").
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES, suffix=".xlsx")
    try:
        write_xlsx(spool, sheet_title=sheet_title, header=header, rows=rows, title=title, details=details)
    except BaseException:
        spool.close()
        raise
    return attachment_response(spool, filename=filename, content_type=XLSX_CONTENT_TYPE)


def title_details(*, unit: str, filters: str = "") -> list[str]:
    """The lines under an export's title: whose list it is and what was chosen on the page."""
    return [f"Đơn vị: {unit}", f"Lọc: {filters or 'không lọc (tất cả)'}"]


# --- csv -----------------------------------------------------------------------------------------
class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(*, header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text line by line: UTF-8 BOM first (so Excel reads Vietnamese), dd/mm/yyyy dates."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(str(name)) for name in header])
    for row in rows:
        yield writer.writerow([neutralise(display_text(value)) for value in row])


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A download of the list as CSV, streamed as the rows are produced."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header=header, rows=rows)), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
