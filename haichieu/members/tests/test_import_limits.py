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


# --- finding 5: what a small upload may cost ----------------------------------------------------------
@pytest.fixture
def import_dir(settings, tmp_path):
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_DIR": str(tmp_path / "uploads")}
    return tmp_path / "uploads"


def _upload(client, data: bytes, name="danh-sach.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data)})


def _token(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rstrip("/").split("/")[-1]


def _hostile_rows(rows: int, length: int) -> list:
    """The review's file in small: every cell of every row a different long text."""
    return [HEADER] + [[f"{n}-{i}-" + "A" * length for i in range(len(HEADER))] for n in range(rows)]


def test_a_cell_longer_than_the_limit_makes_its_row_invalid_and_is_not_kept(world, tmp_path):
    long_position = "Chuyên viên " + "x" * 1000
    rows = [
        HEADER + ["Chức vụ"],
        GOOD + [long_position],
        [2, "Hoàng Thị Mai", "01/01/1990", "Nữ", "93700003", "01/01/2015", "W1C1", "Phó phòng"],
    ]
    result = members_import(actor=world.w1_staff, path=write(tmp_path, workbook_bytes(rows)))
    assert (result.created, result.invalid) == (1, 1)
    [error] = result.errors
    assert (error.sheet, error.row, error.column) == ("Danh sách", 2, "Chức vụ")
    assert error.message == (
        "Ô quá dài (1.012 ký tự; mỗi ô tối đa 1.000 ký tự): giá trị không được đọc, hãy sửa ô này."
    )


def test_the_cell_limit_is_a_setting(world, tmp_path, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_CELL_CHARS": 12}
    result = members_import(actor=world.w1_staff, path=write(tmp_path, workbook_bytes([HEADER, GOOD])))
    assert result.invalid == 1 and result.errors[0].column == "Họ và tên"
    assert "(13 ký tự; mỗi ô tối đa 12 ký tự)" in result.errors[0].message


def test_the_unpacked_limit_is_a_setting(world, tmp_path, settings):
    data = workbook_bytes([HEADER, GOOD])
    path = write(tmp_path, data)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_UNPACKED_BYTES": unpacked - 1}
    assert members_import(actor=world.w1_staff, path=path).file_error.startswith("Tệp giải nén ra quá lớn")
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_UNPACKED_BYTES": unpacked}
    assert members_import(actor=world.w1_staff, path=path).created == 1


def test_a_hostile_file_answers_briefly_and_its_preview_stores_each_text_once(world, client_for, import_dir):
    """3,500 rows × 17 cells of 4,800 characters made a 58.5 MB preview; here 40 rows × 7 of 1,200."""
    client = client_for(world.w1_staff)
    token = _token(_upload(client, workbook_bytes(_hostile_rows(40, 1200))))
    stored = next(import_dir.rglob(f"{token}.json"))
    text = stored.read_text()
    assert "A" * 100 not in text  # no long value kept
    assert text.count("Ô quá dài") <= 3  # each message once (they differ by the length they give)
    assert len(text.encode()) < 5_000
    from django.urls import reverse

    html = client.get(reverse("members:import_preview", args=[token])).content.decode()
    assert 'data-count="invalid">40<' in html and "Ô quá dài (1.204 ký tự" in html


def test_a_long_unknown_value_is_quoted_short(world, tmp_path):
    """Messages that quote a value (a cell or commune not found) quote at most 60 characters of it."""
    rows = [
        HEADER,
        [1, "Phạm Văn Dũng", "05/06/1980", "Nam", "93700001", "02/01/2005", "Chi bộ " + "y" * 900],
    ]
    [error] = members_import(actor=world.w1_staff, path=write(tmp_path, workbook_bytes(rows))).errors
    assert error.message.startswith("Không tìm thấy chi bộ “Chi bộ yyy") and "y" * 60 not in error.message
    assert "…”" in error.message


def test_a_user_keeps_at_most_three_previews_the_oldest_removed(world, import_dir, settings):
    import os
    import time

    from django.test import Client
    from django.urls import reverse

    first, other_session, someone_else = Client(), Client(), Client()
    first.force_login(world.w1_staff)
    other_session.force_login(world.w1_staff)
    someone_else.force_login(world.w2_staff)
    tokens = []
    for n, client in enumerate([first, other_session, first, other_session]):
        tokens.append(_token(_upload(client, workbook_bytes([HEADER, GOOD]), f"ds{n}.xlsx")))
        for path in (import_dir / str(world.w1_staff.pk)).glob(f"{tokens[-1]}.*"):
            os.utime(path, (time.time() - 100 + n, time.time() - 100 + n))  # in upload order
    waiting = sorted(p.stem for p in (import_dir / str(world.w1_staff.pk)).glob("*.xlsx"))
    assert waiting == sorted(tokens[1:])
    assert first.get(reverse("members:import_preview", args=[tokens[0]])).status_code == 404
    assert other_session.get(reverse("members:import_preview", args=[tokens[1]])).status_code == 200
    # Another user's uploads are not counted against this one.
    _token(_upload(someone_else, workbook_bytes([HEADER, GOOD])))
    assert len(list((import_dir / str(world.w1_staff.pk)).glob("*.xlsx"))) == 3
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_PENDING": 1}
    _token(_upload(first, workbook_bytes([HEADER, GOOD])))
    assert len(list((import_dir / str(world.w1_staff.pk)).glob("*.xlsx"))) == 1
