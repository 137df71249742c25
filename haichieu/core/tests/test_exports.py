import datetime
import io
import weakref
import zoneinfo
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from haichieu.core import exports

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Cập nhật", "Phụ cấp"]
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def read(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_header_bold_dates_real_and_title_row():
    aware = datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC)
    data = exports.xlsx_bytes(
        sheet_title="Danh sách",
        title="DANH SÁCH ĐẢNG VIÊN",
        header=HEADER,
        rows=[(1, "Nguyễn Văn An", datetime.date(1985, 5, 17), "Chuyên viên", aware, Decimal("1.5"))],
    )
    sheet = read(data)
    assert sheet.title == "Danh sách"
    assert sheet["A1"].value == "DANH SÁCH ĐẢNG VIÊN" and sheet["A1"].font.b
    assert sheet["A2"].value.startswith("Ngày xuất: ")
    assert [c.value for c in sheet[4]] == HEADER
    assert all(c.font.b for c in sheet[4])
    assert sheet.freeze_panes == "A5"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$4:$4"
    born, updated = sheet["C5"], sheet["E5"]
    assert (
        born.is_date and born.value == datetime.datetime(1985, 5, 17) and born.number_format == "DD/MM/YYYY"
    )
    # Aware datetimes come out in the deployment's time zone (Asia/Ho_Chi_Minh, UTC+7).
    assert updated.is_date and updated.value == datetime.datetime(2026, 11, 20, 8, 30)
    assert updated.number_format == "DD/MM/YYYY HH:MM"
    assert sheet["A5"].value == 1 and sheet["F5"].value == 1.5
    assert sheet.column_dimensions["B"].width >= len("Nguyễn Văn An")


def test_formula_like_text_stays_text():
    nasty = ['=HYPERLINK("http://x.example","bấm")', "+84912345678", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]
    data = exports.xlsx_bytes(
        sheet_title="x", header=["=Cột", "b"], rows=[[value, "an toàn"] for value in nasty]
    )
    sheet = read(data)
    assert sheet["A1"].value == "'=Cột"
    for row, value in enumerate(nasty, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s" and cell.value == "'" + value
    assert sheet["B2"].value == "an toàn"
    assert b"<f>" not in data  # no formula anywhere in the file


def test_sheet_title_is_made_valid():
    sheet = read(
        exports.xlsx_bytes(sheet_title="Quý 4/2026: [biến động] của đảng bộ rất dài", header=["a"], rows=[])
    )
    assert sheet.title == "Quý 4-2026- -biến động- của đản"


def test_response_streams_a_few_thousand_rows_without_keeping_them():
    """Rows are consumed one by one: a row is freed soon after it is written (no list is built)."""
    alive = []

    class Row(list):
        pass

    def rows():
        for i in range(1, 3001):
            row = Row(
                [
                    i,
                    f"Đảng viên số {i}",
                    datetime.date(1980, 1, 1) + datetime.timedelta(days=i),
                    "Chuyên viên",
                ]
            )
            alive.append(weakref.ref(row))
            if i > 300:
                assert alive[i - 300]() is None, "the exporter kept an old row"
            yield row

    response = exports.xlsx_response(
        filename="Danh sách đảng viên.xlsx", sheet_title="Đảng viên", header=HEADER[:4], rows=rows()
    )
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Danh sach dang vien.xlsx\"; filename*=UTF-8''Danh%20s%C3%A1ch%20%C4%91%E1%BA%A3ng%20vi%C3%AAn.xlsx"
    )
    data = streamed(response)
    assert int(response["Content-Length"]) == len(data)
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3001 and values[-1][:2] == (3000, "Đảng viên số 3000")


def test_ascii_names_need_no_extended_parameter():
    assert exports.content_disposition("report.xlsx") == 'attachment; filename="report.xlsx"'
    assert exports.ascii_filename('Sổ "đặc biệt"/Đảng ủy.xlsx') == "So _dac biet__Dang uy.xlsx"


def test_csv_has_bom_dd_mm_yyyy_and_neutralised_text():
    response = exports.csv_response(
        filename="Biến động.csv", header=["Họ và tên", "Ngày"], rows=[("=1+1", datetime.date(2026, 2, 5))]
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text == "\ufeffHọ và tên,Ngày\r\n'=1+1,05/02/2026\r\n"
    assert "filename*=UTF-8''Bi%E1%BA%BFn" in response["Content-Disposition"]


def test_display_text_for_word_tables():
    assert exports.display_text(datetime.date(2026, 1, 2)) == "02/01/2026"
    assert (
        exports.display_text(datetime.datetime(2026, 1, 1, 20, 0, tzinfo=datetime.UTC)) == "02/01/2026 03:00"
    )
    assert exports.display_text(None) == "" and exports.display_text("-5") == "-5"


@pytest.mark.parametrize("value", ["", "Nguyễn", "5-2"])
def test_ordinary_text_is_untouched(value):
    assert exports.neutralise(value) == value


def test_title_block_names_the_unit_the_filters_and_the_date(settings):
    """Offices print lists with the unit, what was chosen and the date above the table (issue 15,
    item 10); the header row follows the block."""
    data = exports.xlsx_bytes(
        sheet_title="Danh sách",
        title="DANH SÁCH ĐẢNG VIÊN",
        details=["Đơn vị: Đảng bộ Sở Tài chính", "Lọc: Tìm: =An"],
        header=HEADER,
        rows=[(1, "Nguyễn Văn An", None, "", None, None)],
    )
    sheet = read(data)
    assert [sheet[f"A{n}"].value for n in (1, 2, 3)] == [
        "DANH SÁCH ĐẢNG VIÊN",
        "Đơn vị: Đảng bộ Sở Tài chính",
        "Lọc: Tìm: =An",
    ]
    assert sheet["A4"].value.startswith("Ngày xuất: ") and sheet["A5"].value is None
    assert [c.value for c in sheet[6]] == HEADER and sheet.freeze_panes == "A7"
    assert sheet["B7"].value == "Nguyễn Văn An"
