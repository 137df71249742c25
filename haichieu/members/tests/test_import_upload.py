"""The browser flow (upload → preview → confirm) and the upload's safety limits."""

import io
import stat

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from haichieu.core.models import AuditEntry
from haichieu.members.exports import MEMBER_COLUMNS
from haichieu.members.imports import check_xlsx, members_import
from haichieu.members.imports.reader import ImportFileError
from haichieu.members.models import Member

from .import_files import BOMB_SHEET, BOMB_WORKBOOK_PART, rewrite_zip, workbook_bytes, write

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"]
GOOD = [1, "Phạm Văn Dũng", "05/06/1980", "Nam", "93700001", "02/01/2005", "W1C1"]
BAD = [2, "Sai", "05/06/1980", "Nam", "93700002", "02/01/2005", "W1C1"]
ALSO_GOOD = [3, "Hoàng Thị Mai", "01/01/1990", "Nữ", "93700003", "01/01/2015", "W1C2"]


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_DIR": str(tmp_path / "uploads")}
    return tmp_path / "uploads"


def _upload(client, data: bytes, name="danh-sach.xlsx", **fields):
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data), **fields})


def _token(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rstrip("/").split("/")[-1]


def test_upload_preview_confirm_writes_nothing_before_the_confirmation(world, client_for, import_dir):
    client = client_for(world.w1_staff)
    assert client.get(reverse("members:import")).status_code == 200
    count, entries = Member.objects.count(), AuditEntry.objects.count()
    token = _token(_upload(client, workbook_bytes([["DANH SÁCH"], HEADER, GOOD, ALSO_GOOD])))
    page = client.get(reverse("members:import_preview", args=[token]))
    html = page.content.decode()
    assert 'data-count="created">2<' in html and 'data-count="invalid">0<' in html
    assert Member.objects.count() == count and AuditEntry.objects.count() == entries
    # The waiting file is private to the server's user.
    [stored] = import_dir.rglob("*.xlsx")
    assert stored.parent == import_dir / str(world.w1_staff.pk)  # each user's uploads apart
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600 and stat.S_IMODE(import_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.with_suffix(".json").stat().st_mode) == 0o600
    response = client.post(reverse("members:import_confirm", args=[token]))
    assert response.status_code == 302 and response["Location"] == reverse("members:list")
    assert Member.objects.count() == count + 2
    assert not list(import_dir.rglob(f"{token}*"))  # done: the file is gone
    assert client.get(reverse("members:import_preview", args=[token])).status_code == 404
    # The same file again: nothing to do.
    token = _token(_upload(client, workbook_bytes([["DANH SÁCH"], HEADER, GOOD, ALSO_GOOD])))
    html = client.get(reverse("members:import_preview", args=[token])).content.decode()
    assert 'data-count="unchanged">2<' in html and "Không có gì để nhập" in html


def test_invalid_rows_are_listed_and_stop_the_import_unless_only_valid_rows_are_chosen(world, client_for):
    client = client_for(world.w1_staff)
    token = _token(_upload(client, workbook_bytes([HEADER, GOOD, BAD, ALSO_GOOD], title="Chi bộ 1")))
    html = client.get(reverse("members:import_preview", args=[token])).content.decode()
    assert 'data-count="invalid">1<' in html
    assert (
        "<td>Chi bộ 1</td><td>3</td><td>Họ và tên</td><td>Họ và tên phải có ít nhất họ và tên (hai từ trở lên).</td>"
        in html
    )
    assert "chỉ nhập các dòng hợp lệ".lower() in html.lower()
    count = Member.objects.count()
    response = client.post(reverse("members:import_confirm", args=[token]))
    assert response["Location"] == reverse("members:import_preview", args=[token])
    assert Member.objects.count() == count
    response = client.post(reverse("members:import_confirm", args=[token]), {"skip_invalid": "1"})
    assert response["Location"] == reverse("members:list")
    assert Member.objects.count() == count + 2


def test_the_error_report_is_the_original_sheet_with_an_error_column(world, client_for):
    client = client_for(world.w1_staff)
    rows = [["ĐẢNG BỘ SỞ TÀI CHÍNH"], [], HEADER, GOOD, BAD]
    token = _token(_upload(client, workbook_bytes(rows, title="DS", merges=["A1:G1"])))
    response = client.get(reverse("members:import_errors", args=[token]))
    assert response.status_code == 200 and "danh-sach-loi.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )["DS"]
    assert sheet["A1"].value == "ĐẢNG BỘ SỞ TÀI CHÍNH" and "A1:G1" in {
        str(r) for r in sheet.merged_cells.ranges
    }
    assert sheet["H3"].value == "Lỗi cần sửa"
    assert sheet["H4"].value is None
    assert sheet["H5"].value == "Họ và tên: Họ và tên phải có ít nhất họ và tên (hai từ trở lên)."
    assert [c.value for c in sheet[5]][:7] == BAD
    assert AuditEntry.objects.filter(action="export", target_repr__startswith="Báo cáo lỗi nhập").exists()


def test_a_file_changed_after_the_preview_is_refused(world, client_for, import_dir):
    client = client_for(world.w1_staff)
    token = _token(_upload(client, workbook_bytes([HEADER, GOOD])))
    (import_dir / str(world.w1_staff.pk) / f"{token}.xlsx").write_bytes(
        workbook_bytes([HEADER, GOOD, ALSO_GOOD])
    )
    count = Member.objects.count()
    response = client.post(reverse("members:import_confirm", args=[token]))
    assert response["Location"] == reverse("members:import")
    assert Member.objects.count() == count


def test_another_users_upload_is_not_found(world, client_for, client):
    client_for(world.w1_staff)
    token = _token(_upload(client, workbook_bytes([HEADER, GOOD])))
    client.logout()
    client.force_login(world.province_staff)
    for name in ("members:import_preview", "members:import_errors"):
        assert client.get(reverse(name, args=[token])).status_code == 404
    assert client.post(reverse("members:import_confirm", args=[token])).status_code == 404


def test_the_template_has_the_columns_and_instructions(world, client_for):
    response = client_for(world.w1_staff).get(reverse("members:import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Đảng viên", "Hướng dẫn"]
    assert [c.value for c in workbook["Đảng viên"][1]] == MEMBER_COLUMNS
    guide = "\n".join(str(c.value) for row in workbook["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "dd/mm/yyyy" in guide and "W1C1" in guide and "Chi bộ Phòng Ngân sách" in guide
    assert "W2C1" not in guide  # another committee's cells are not listed


def test_the_filled_in_template_imports(world, client_for, tmp_path):
    data = client_for(world.w1_staff).get(reverse("members:import_template")).content
    workbook = load_workbook(io.BytesIO(data))
    workbook["Đảng viên"].append(
        [
            1,
            "Phạm Văn Dũng",
            "05/06/1980",
            "Nam",
            "93700001",
            "02/01/2005",
            None,
            None,
            None,
            None,
            None,
            None,
            "W1C1",
        ]
    )
    path = tmp_path / "mau.xlsx"
    workbook.save(path)
    result = members_import(actor=world.w1_staff, path=path, apply=True)
    assert (result.created, result.errors) == (1, [])
    assert [s["sheet"] for s in result.skipped_sheets] == ["Hướng dẫn"]


# --- upload safety -------------------------------------------------------------------------------
def _xlsm(data: bytes) -> bytes:
    content_types = rewrite_zip(data)  # a copy to read the parts from
    import zipfile

    types = (
        zipfile.ZipFile(io.BytesIO(content_types))
        .read("[Content_Types].xml")
        .replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    )
    return rewrite_zip(
        data, replace={"[Content_Types].xml": types}, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}
    )


@pytest.mark.parametrize(
    "make, name, message",
    [
        (lambda d: _xlsm(d), "danh-sach.xlsx", "Tệp có chứa macro (.xlsm)"),
        (
            lambda d: rewrite_zip(
                d, replace={"[Content_Types].xml": rewrite_zip_types(d, b"macroEnabled.main+xml")}
            ),
            "danh-sach.xlsx",
            "Tệp không phải là sổ làm việc Excel .xlsx thông thường",
        ),
        (
            lambda d: "Họ và tên,Ngày sinh\nNguyễn Văn A,01/01/1980\n".encode(),
            "danh-sach.xlsx",
            "Tệp không phải là tệp Excel .xlsx",
        ),
        (
            lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000,
            "danh-sach.xls",
            "Tệp không phải là tệp Excel .xlsx",
        ),
        (
            lambda d: rewrite_zip(d, replace={"xl/worksheets/sheet1.xml": BOMB_SHEET}),
            "bom.xlsx",
            "Tệp có cấu trúc XML không được phép",
        ),
        (
            lambda d: rewrite_zip(d, replace={"xl/workbook.xml": BOMB_WORKBOOK_PART}),
            "bom.xlsx",
            "Tệp có cấu trúc XML không được phép",
        ),
    ],
)
def test_only_real_xlsx_files_are_accepted(world, client_for, make, name, message):
    data = make(workbook_bytes([HEADER, GOOD]))
    response = _upload(client_for(world.w1_staff), data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Member.objects.filter(party_card_number="93700001").exists()


def rewrite_zip_types(data: bytes, main_type: bytes) -> bytes:
    import zipfile

    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    return types.replace(b"spreadsheetml.sheet.main+xml", main_type)


def test_openpyxl_itself_refuses_entities_with_defusedxml(tmp_path):
    """Defence in depth: even past our check, openpyxl streams sheets and strings through defusedxml."""
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl import xml

    assert xml.DEFUSEDXML is True
    path = write(
        tmp_path,
        rewrite_zip(workbook_bytes([HEADER, GOOD]), replace={"xl/worksheets/sheet1.xml": BOMB_SHEET}),
    )
    with pytest.raises((DefusedXmlException, ValueError)) as refused:
        workbook = openpyxl.load_workbook(path, read_only=True)
        list(workbook.active.iter_rows(values_only=True))
    error = refused.value
    assert isinstance(error, DefusedXmlException) or isinstance(
        error.__cause__ or error.__context__, DefusedXmlException
    )
    with pytest.raises(ImportFileError):
        check_xlsx(path)
    # The workbook part goes through lxml without entity resolution: the name is not expanded.
    path = write(
        tmp_path,
        rewrite_zip(workbook_bytes([HEADER, GOOD]), replace={"xl/workbook.xml": BOMB_WORKBOOK_PART}),
        "b.xlsx",
    )
    try:
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
    except Exception:  # refused outright is fine too
        names = []
    assert all(len(name) < 100 for name in names)


def test_oversize_files_are_refused(world, client_for, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_BYTES": 4000}
    data = workbook_bytes([HEADER, GOOD] + [[n, f"Người Thứ {n}"] for n in range(2, 500)])
    assert len(data) > 4000
    response = _upload(client_for(world.w1_staff), data)
    assert "Tệp quá lớn" in response.content.decode() and "chỉ nhận tệp đến" in response.content.decode()


@pytest.mark.parametrize("extra_rows", [40, 4000])  # a bit over the limit; far over (refused by its length)
def test_an_oversize_upload_is_not_kept_while_it_arrives(world, client_for, settings, import_dir, extra_rows):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_BYTES": 4000}
    settings.FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
    written = []
    real = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        written.append(len(raw_data))
        return real(self, raw_data, start)

    data = workbook_bytes(
        [HEADER, GOOD] + [[n, f"Người Thứ {n}", f"Ghi chú {n * 7919}"] for n in range(extra_rows)]
    )
    assert len(data) > 4000
    from unittest import mock

    with mock.patch.object(TemporaryFileUploadHandler, "receive_data_chunk", spy):
        response = _upload(client_for(world.w1_staff), data)
    page = response.content.decode()
    assert response.status_code == 200 and "Tệp quá lớn" in page and "Hãy chọn tệp" not in page
    # One error, said once at the field and once in the error summary that links to it.
    doc = lxml.html.fromstring(page)
    assert doc.get_element_by_id("id_file_error").text_content().count("Tệp quá lớn") == 1
    (summary,) = doc.xpath("//*[@data-error-summary]")
    (item,) = summary.xpath(".//li")
    assert "Tệp quá lớn" in item.text_content() and item.xpath(".//a/@href") == ["#id_file"]
    assert page.count("Tệp quá lớn") == 2
    assert written == [] and not any(import_dir.rglob("*.xlsx"))  # never written to disk, here or by Django


def test_the_upload_still_needs_the_csrf_token(world, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.w1_staff)
    data = workbook_bytes([HEADER, GOOD])
    response = strict.post(reverse("members:import"), {"file": SimpleUploadedFile("a.xlsx", data)})
    assert response.status_code == 403
    assert not Member.objects.filter(party_card_number="93700001").exists()


def test_too_many_rows_are_refused(world, client_for, settings, tmp_path):
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_ROWS": 3}
    rows = [HEADER] + [
        [n, "Phạm Văn Dũng", "05/06/1980", "Nam", f"9370{n:04d}", "02/01/2005", "W1C1"] for n in range(1, 5)
    ]
    response = _upload(client_for(world.w1_staff), workbook_bytes(rows))
    assert "Tệp có quá nhiều dòng: mỗi lần chỉ nhập được đến 3 dòng" in response.content.decode()
    # Blank rows count too: a sheet of a million empty rows is refused before it is walked.
    sparse = workbook_bytes([HEADER, GOOD])
    from openpyxl import load_workbook as load

    workbook = load(io.BytesIO(sparse))
    workbook.active.cell(row=1_000_000, column=1, value="x")
    path = tmp_path / "sparse.xlsx"
    workbook.save(path)
    result = members_import(actor=world.w1_staff, path=path)
    assert result.file_error.startswith("Tệp có quá nhiều dòng")


def test_formulas_are_never_run_and_quoted_text_comes_back(world, tmp_path):
    rows = [
        HEADER + ["Chức vụ"],
        GOOD + ['\'=HYPERLINK("http://x")'],
        ALSO_GOOD + ["=1+1"],  # a formula without a cached result: read as empty
    ]
    result = members_import(actor=world.w1_staff, path=write(tmp_path, workbook_bytes(rows)), apply=True)
    assert result.created == 2, result.errors
    assert Member.objects.get(party_card_number="93700001").position == '=HYPERLINK("http://x")'
    assert Member.objects.get(party_card_number="93700003").position == ""


def test_people_who_cannot_write_members_cannot_import(world, client_for):
    client = client_for(world.w1_viewer)
    assert client.get(reverse("members:import")).status_code == 404
    assert _upload(client, workbook_bytes([HEADER, GOOD])).status_code == 404
