"""What an upload may cost (issue 9, findings 5 and 11): the XML check reads every part whole,
long cells and big unpacked sizes are refused, previews store each value once and are capped per user."""

import io
import zipfile

import pytest

from haichieu.members.imports import check_xlsx, members_import
from haichieu.members.imports.reader import ImportFileError

from .import_files import rewrite_zip, workbook_bytes, write

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"]
GOOD = [1, "Phạm Văn Dũng", "05/06/1980", "Nam", "93700001", "02/01/2005", "W1C1"]
DECLARATION = b'<!DOCTYPE lolz [<!ENTITY lol "lol">]>'


def _with_sheet_prefix(padding: bytes, declaration: bytes = DECLARATION) -> bytes:
    """The workbook with `padding` and a DOCTYPE before its sheet's XML (openpyxl writes no XML
    declaration, so whitespace may come first)."""
    data = workbook_bytes([HEADER, GOOD])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    return rewrite_zip(data, replace={"xl/worksheets/sheet1.xml": padding + declaration + sheet})


def test_a_doctype_after_70_kb_of_whitespace_is_found(tmp_path):
    """The check read the first 64 KiB of each part: this passed it (finding 11)."""
    path = write(tmp_path, _with_sheet_prefix(b" " * 70_000))
    with pytest.raises(ImportFileError) as refused:
        check_xlsx(path)
    assert refused.value.message.startswith("Tệp có cấu trúc XML không được phép")


def test_a_doctype_split_between_two_chunks_is_found(tmp_path):
    from haichieu.members.imports import reader

    for cut in (1, 4, 8):  # "<!DOCTYPE" split after its first, fourth and eighth byte
        padding = b" " * (reader._SCAN_CHUNK - cut)
        path = write(tmp_path, _with_sheet_prefix(padding, b"<!DOCTYPE worksheet>"), f"split{cut}.xlsx")
        with pytest.raises(ImportFileError):
            check_xlsx(path)


def test_the_xml_check_stops_at_the_unpacked_limit(tmp_path, settings):
    """A part whose declared size lies is still read no further than the limit."""
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_UNPACKED_BYTES": 200_000}
    path = write(tmp_path, _with_sheet_prefix(b" " * 300_000))
    with pytest.raises(ImportFileError) as refused:
        check_xlsx(path)
    assert refused.value.message.startswith("Tệp giải nén ra quá lớn")


def test_a_clean_workbook_still_passes(world, tmp_path):
    path = write(tmp_path, workbook_bytes([HEADER, GOOD]))
    check_xlsx(path)
    assert members_import(actor=world.w1_staff, path=path).created == 1
