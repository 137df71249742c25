"""The files the import hands out: the template to fill in and the error report of an uploaded file."""

import io
from collections import defaultdict

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from haichieu.core.exports import neutralise

from ..exports import MEMBER_COLUMNS
from .reader import read_workbook

TEMPLATE_FILENAME = "mau-nhap-dang-vien.xlsx"
ERROR_HEADER = "Lỗi cần sửa"
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")

# What each column takes, for the instructions sheet: (header, required, how to write it, example).
COLUMN_HELP = [
    ("STT", "Không", "Số thứ tự; chỉ để dễ đọc, không được nhập.", "1"),
    ("Họ và tên", "Bắt buộc", "Họ, tên đệm và tên, có dấu; ít nhất hai từ.", "Nguyễn Thị Thu Hà"),
    ("Ngày sinh", "Bắt buộc", "Ngày theo dạng dd/mm/yyyy (hoặc ô kiểu ngày của Excel).", "17/05/1985"),
    ("Giới tính", "Bắt buộc", "“Nam” hoặc “Nữ”.", "Nữ"),
    (
        "Số thẻ đảng viên",
        "Bắt buộc",
        "4–20 ký tự: chữ số, có thể có dấu chấm, gạch. Dùng để nhận ra "
        "đảng viên đã có: dòng có số thẻ đã có sẽ cập nhật hồ sơ đó, không tạo hồ sơ mới.",
        "93012345",
    ),
    ("Ngày vào Đảng", "Bắt buộc", "dd/mm/yyyy; sau ngày sinh ít nhất 18 năm.", "02/03/2010"),
    (
        "Ngày chính thức",
        "Không",
        "dd/mm/yyyy. Để trống với đảng viên dự bị; có ngày này thì đảng viên mới được ghi là chính thức.",
        "02/03/2011",
    ),
    (
        "Số CCCD",
        "Không",
        "Đúng 12 chữ số. Nên định dạng cột là Văn bản (Text) để Excel giữ số 0 ở đầu.",
        "001085012345",
    ),
    ("Điện thoại", "Không", "10 chữ số bắt đầu bằng 0 (hoặc +84).", "0912345678"),
    ("Email", "Không", "Địa chỉ thư điện tử.", "ha.ntt@example.vn"),
    ("Chức vụ", "Không", "Chức vụ chính quyền, đoàn thể.", "Phó Trưởng phòng"),
    ("Đơn vị công tác", "Không", "Cơ quan, đơn vị nơi đảng viên làm việc.", "Sở Tài chính"),
    (
        "Chi bộ",
        "Bắt buộc với đảng viên mới",
        "Mã chi bộ (xem bảng bên dưới) hoặc tên chi bộ đúng như trong hệ thống.",
        "W1C1",
    ),
    ("Địa chỉ", "Không", "Số nhà, đường phố nơi cư trú.", "Số 12 phố Hàng Bài"),
    ("Thôn/Tổ dân phố", "Không", "Thôn, ấp, bản, tổ dân phố, khu phố.", "Tổ dân phố số 1"),
    (
        "Xã/Phường/Đặc khu",
        "Không",
        "Tên xã, phường, đặc khu sau sắp xếp (từ 01/7/2025); có thể ghi “P. Hoàn Kiếm”, “phường Hoàn Kiếm”.",
        "Phường Hoàn Kiếm",
    ),
    (
        "Tỉnh/Thành phố",
        "Không",
        "Một trong 34 tỉnh, thành phố; có thể ghi “TP Hà Nội”, “Hà Nội”. Nên "
        "ghi khi tên xã/phường trùng với nơi khác.",
        "Thành phố Hà Nội",
    ),
    (
        "Diện giữ mối liên hệ",
        "Không",
        "Diện theo Hướng dẫn 33-HD/BTCTW, ghi đúng tên diện (xem trang Quy định đang áp dụng); để trống: "
        "giới thiệu và sinh hoạt nơi cư trú.",
        "Cán bộ, công chức, viên chức đi học tập trung 12 tháng trong năm",
    ),
    ("Lý do miễn, không giới thiệu", "Không", "Lý do, văn bản của diện miễn hoặc không giới thiệu.", ""),
]
assert [h for h, *_ in COLUMN_HELP] == MEMBER_COLUMNS

RULES = [
    "Mỗi dòng là một đảng viên. Dòng tiêu đề có thể nằm dưới các dòng tên đơn vị, tiêu đề; các cột có "
    "thể theo thứ tự bất kỳ; dòng trống và dòng “Tổng cộng” được bỏ qua.",
    "Đảng viên đã có (cùng số thẻ đảng viên, hoặc cùng số CCCD khi không ghi số thẻ) được cập nhật, "
    "không tạo trùng. Ô để trống không xóa thông tin đã có.",
    "Nhập lại cùng một tệp không làm thay đổi gì.",
    "Trước khi lưu, hệ thống cho xem trước số đảng viên mới, thay đổi, không đổi và các dòng có lỗi "
    "(trang tính, dòng, cột). Có dòng lỗi thì không nhập gì, trừ khi chọn “chỉ nhập các dòng hợp lệ”.",
    "Chỉ nhập được đảng viên của các chi bộ trong phạm vi quản lý của bạn.",
    "Ngày ghi theo dạng ngày/tháng/năm: 17/05/1985, 17-05-1985, 17.05.1985 hoặc ô kiểu ngày của Excel.",
]


def template_workbook(cells) -> bytes:
    """The template: the member sheet (headers only) and an instructions sheet with the cell codes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đảng viên"
    sheet.append(MEMBER_COLUMNS)
    for i, header in enumerate(MEMBER_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(10, min(len(header) + 4, 30))
        if header in ("Ngày sinh", "Ngày vào Đảng", "Ngày chính thức"):
            sheet.column_dimensions[letter].number_format = "DD/MM/YYYY"
        if header in ("Số thẻ đảng viên", "Số CCCD", "Điện thoại"):
            # Text, so Excel keeps the leading zeros of ID and phone numbers.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = "A2"
    gender = DataValidation(type="list", formula1='"Nam,Nữ"', allow_blank=True)
    gender.error = "Ghi “Nam” hoặc “Nữ”."
    sheet.add_data_validation(gender)
    gender.add(f"D2:D{5000}")

    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["HƯỚNG DẪN NHẬP DANH SÁCH ĐẢNG VIÊN"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append([])
    for rule in RULES:
        guide.append(["•", rule])
    guide.append([])
    guide.append(["Cột", "Bắt buộc", "Cách ghi", "Ví dụ"])
    for cell in guide[guide.max_row]:
        cell.font = _BOLD
    for header, required, how, example in COLUMN_HELP:
        guide.append([header, required, neutralise(how), example])
    guide.append([])
    guide.append(["Mã chi bộ", "Tên chi bộ"])
    for cell in guide[guide.max_row]:
        cell.font = _BOLD
    for cell in cells:
        guide.append([neutralise(cell.code), neutralise(cell.name)])
    for letter, width in (("A", 22), ("B", 26), ("C", 70), ("D", 22)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = _WRAP
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report(path, errors) -> bytes:
    """The uploaded workbook with a column of error messages after the last column of each sheet.

    Values only (data_only): formulas of the original are not carried over.
    """
    by_sheet: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    header_rows = {s.title: s.header_row for s in read_workbook(path).sheets}
    for error in errors:
        # An error of the whole sheet (a column it lacks) goes on its header row.
        row = error.row or header_rows.get(error.sheet, 1)
        by_sheet[error.sheet][row].append(f"{error.column}: {error.message}")
    workbook = load_workbook(path, data_only=True, keep_links=False)
    for sheet in workbook.worksheets:
        messages = by_sheet.get(sheet.title)
        if not messages:
            continue
        column = sheet.max_column + 1
        header_row = header_rows.get(sheet.title, 1)
        header = sheet.cell(row=header_row, column=column, value=ERROR_HEADER)
        header.font = Font(bold=True, color="B02A37")
        if header_row in messages:
            header.value = neutralise(f"{ERROR_HEADER}: " + "; ".join(messages.pop(header_row)))
        sheet.column_dimensions[get_column_letter(column)].width = 60
        for number, texts in messages.items():
            cell = sheet.cell(row=number, column=column, value=neutralise("; ".join(texts)))
            cell.alignment = _WRAP
            cell.fill = _ERROR_FILL
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
