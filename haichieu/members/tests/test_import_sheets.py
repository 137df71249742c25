"""The sheets people really have: each messy case read right, or reported with sheet, row and column."""

import datetime
import unicodedata

import pytest
from django.core.management import call_command

from haichieu.members.imports import members_import
from haichieu.members.models import Member

from .import_files import template_row, workbook_bytes, write

pytestmark = pytest.mark.django_db

MESSY_HEADER = [
    "STT",
    "  HỌ TÊN ",
    "Ngày tháng năm sinh",
    "Nam/Nữ",
    "Số thẻ ĐV",
    "Ngày vào Đảng (*)",
    "Ngày chính thức",
    "CCCD/CMND",
    "SĐT",
    "Chi bộ",
    "Ghi chú riêng",
]


def _import(world, tmp_path, rows, *, user=None, apply=True, **kwargs):
    path = write(
        tmp_path, workbook_bytes(rows, **{k: v for k, v in kwargs.items() if k in ("merges", "title")})
    )
    return members_import(actor=user or world.w1_staff, path=path, apply=apply, source_name=path.name)


def _row(name="Phạm Văn Dũng", card="93500001", **over):
    values = dict(
        stt=1,
        name=name,
        born="05/06/1980",
        gender="Nam",
        card=card,
        admitted="02/01/2005",
        full="02/01/2006",
        nid="001080001234",
        phone="0912345678",
        cell="W1C1",
        note="",
    )
    values.update(over)
    return list(values.values())


def test_title_rows_any_order_synonyms_stt_blank_and_total_rows(world, tmp_path):
    rows = [
        ["ĐẢNG BỘ SỞ TÀI CHÍNH", None, None, "ĐẢNG CỘNG SẢN VIỆT NAM"],
        [],
        ["DANH SÁCH ĐẢNG VIÊN NĂM 2026"],
        MESSY_HEADER,
        _row(),
        [],
        [None, None, None, None, None, None],
        _row("Hoàng Thị Mai", "93500002", stt=2, gender="Nữ", full=None, nid=None),
        ["Tổng cộng", "2 đảng viên"],
        [None, "Tổng số: 2"],
    ]
    result = _import(world, tmp_path, rows)
    assert (result.created, result.invalid, result.errors) == (2, 0, [])
    assert result.ignored_columns == ["Danh sách: Ghi chú riêng"]
    mai = Member.objects.get(party_card_number="93500002")
    assert mai.gender == "female" and mai.status == Member.Status.PROBATIONARY
    assert Member.objects.get(party_card_number="93500001").status == Member.Status.FULL


def test_columns_in_another_order_and_header_spelling(world, tmp_path):
    rows = [
        ["so the dang vien", "GIOI TINH", "ho  va  ten", "ngay sinh", "Ngày vào đảng", "Chi Bộ"],
        ["93500003", "nữ", "Đỗ Thị Lan", "1/2/1990", "3/4/2015", "w1c2"],
    ]
    result = _import(world, tmp_path, rows)
    assert result.created == 1, result.errors
    lan = Member.objects.get(party_card_number="93500003")
    assert (lan.full_name, lan.date_of_birth, lan.workplace_cell) == (
        "Đỗ Thị Lan",
        datetime.date(1990, 2, 1),
        world.w1c2,
    )


def test_grouped_two_row_header_with_merged_cells_and_a_numbering_row(world, tmp_path):
    rows = [
        ["DANH SÁCH ĐẢNG VIÊN"],
        [
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Số thẻ đảng viên",
            "Ngày vào Đảng",
            "Nơi cư trú",
            None,
        ],
        [None, None, None, None, None, None, "Xã/Phường", "Tỉnh/Thành phố"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
        [1, "Vũ Văn Hải", "10/10/1975", "Nam", "93500004", "01/01/2000", "P. Hoàn Kiếm", "TP Hà Nội"],
    ]
    merges = ["A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:H2"]
    path = write(tmp_path, workbook_bytes(rows, merges=merges))
    result = members_import(actor=world.w1_staff, path=path, default_cell=world.w1c1, apply=True)
    assert (result.rows, result.created, result.errors) == (1, 1, [])
    hai = Member.objects.get(party_card_number="93500004")
    assert hai.residence_commune_id == "00070" and hai.residence_province_id == "01"


def test_merged_cell_down_a_column_fills_every_row(world, tmp_path):
    rows = [
        ["Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"],
        ["Lý Văn Một", "01/01/1980", "Nam", "93500011", "01/01/2005", "Chi bộ Văn phòng Sở"],
        ["Lý Văn Hai", "01/01/1981", "Nam", "93500012", "01/01/2006", None],
        ["Lý Văn Ba", "01/01/1982", "Nam", "93500013", "01/01/2007", None],
    ]
    result = _import(world, tmp_path, rows, merges=["F2:F4"])
    assert result.created == 3, result.errors
    assert set(
        Member.objects.filter(full_name__startswith="Lý").values_list("workplace_cell", flat=True)
    ) == {world.w1c2.pk}


@pytest.mark.parametrize(
    "written, expected",
    [
        (datetime.datetime(1980, 6, 5), datetime.date(1980, 6, 5)),
        (29377, datetime.date(1980, 6, 5)),  # an Excel serial number in a cell formatted as a number
        ("05/06/1980", datetime.date(1980, 6, 5)),
        ("5/6/80", datetime.date(1980, 6, 5)),
        ("05-06-1980", datetime.date(1980, 6, 5)),
        ("05.06.1980", datetime.date(1980, 6, 5)),
        (" 5 / 6 / 1980 ", datetime.date(1980, 6, 5)),
        ("ngày 5 tháng 6 năm 1980", datetime.date(1980, 6, 5)),
        ("1980-06-05", datetime.date(1980, 6, 5)),
    ],
)
def test_dates_as_excel_dates_or_vietnamese_text(world, tmp_path, written, expected):
    result = _import(world, tmp_path, [MESSY_HEADER, _row(born=written)])
    assert result.created == 1, result.errors
    assert Member.objects.get(party_card_number="93500001").date_of_birth == expected


def test_a_wrong_date_is_reported_where_it_is(world, tmp_path):
    rows = [
        ["DANH SÁCH"],
        [],
        MESSY_HEADER,
        _row(born="31/02/1980"),
        _row("Đào Văn Bốn", "93500002", nid=None, admitted="khoảng 2005"),
    ]
    result = _import(world, tmp_path, rows, title="Chi bộ 1")
    assert result.invalid == 2 and not result.applied
    assert [(e.sheet, e.row, e.column, e.message) for e in result.errors] == [
        ("Chi bộ 1", 4, "Ngày tháng năm sinh", "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."),
        ("Chi bộ 1", 5, "Ngày vào Đảng (*)", "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."),
    ]
    assert not Member.objects.filter(party_card_number__in=["93500001", "93500002"]).exists()


def test_numbers_that_lost_their_leading_zeros(world, tmp_path):
    rows = [
        MESSY_HEADER,
        _row(card=93500001, nid=1080001234, phone=912345678),  # 10-digit ID: Hà Nội's 001 lost two zeros
        _row("Phan Thị Hoa", 93500002.0, nid=12345678901, phone="912 345 679"),
        _row("Phan Văn Khoa", "93500003", nid=None, phone=84912345670),
    ]
    result = _import(world, tmp_path, rows)
    assert result.created == 3, result.errors
    by_card = {m.party_card_number: m for m in Member.objects.filter(full_name__startswith="P")}
    assert (by_card["93500001"].national_id, by_card["93500001"].phone) == ("001080001234", "0912345678")
    assert (by_card["93500002"].national_id, by_card["93500002"].phone) == ("012345678901", "0912345679")
    assert by_card["93500003"].phone == "+84912345670"


def test_decomposed_unicode_and_stray_spaces_are_stored_nfc(world, tmp_path):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    rows = [MESSY_HEADER, _row("\u00a0" + decomposed.replace(" ", "  \u200b") + " ", "93500021")]
    result = _import(world, tmp_path, rows)
    assert result.created == 1, result.errors
    member = Member.objects.get(party_card_number="93500021")
    assert member.full_name == "Nguyễn Thị Ánh" and unicodedata.is_normalized("NFC", member.full_name)
    assert member.name_folded == "nguyen thi anh"


def test_split_name_columns(world, tmp_path):
    rows = [
        ["STT", "Họ và tên đệm", "Tên", "Ngày sinh", "Giới tính", "Số thẻ", "Ngày kết nạp", "Mã chi bộ"],
        [1, "Trịnh Đình", "Quang", "02/02/1979", "Nam", "93500031", "02/02/2004", "W1C1"],
    ]
    result = _import(world, tmp_path, rows)
    assert result.created == 1, result.errors
    assert Member.objects.get(party_card_number="93500031").full_name == "Trịnh Đình Quang"


PLACE_HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số thẻ đảng viên",
    "Ngày vào Đảng",
    "Chi bộ",
    "Xã/Phường/Đặc khu",
    "Tỉnh/Thành phố",
]


def _place_row(card, commune, province):
    return ["Hà Văn Năm", "01/01/1980", "Nam", card, "01/01/2005", "W1C1", commune, province]


def load_all_units():
    """Every official unit; the world's Hà Nội units carry the same official codes ("01", "00070")."""
    call_command("load_units", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize(
    "commune, province, expected",
    [
        ("Phường Hoàn Kiếm", "Thành phố Hà Nội", ("00070", "01")),
        ("P. Hoàn Kiếm", "TP Hà Nội", ("00070", "01")),
        ("phường  hoàn kiếm", "Hà Nội", ("00070", "01")),
        ("P.Hoàn Kiếm", None, ("00070", "01")),
        ("Hoàn Kiếm", "tp. hà nội", ("00070", "01")),
        ("Ba Đình", "Hà Nội", ("00004", "01")),
        (None, "Tp. HCM", (None, "79")),
        (None, "Tỉnh Khánh Hoà", (None, "56")),
    ],
)
def test_communes_and_provinces_as_people_write_them(world, tmp_path, commune, province, expected):
    load_all_units()
    result = _import(world, tmp_path, [PLACE_HEADER, _place_row("93500041", commune, province)])
    assert result.created == 1, result.errors
    member = Member.objects.get(party_card_number="93500041")
    assert (member.residence_commune_id, member.residence_province_id) == expected


@pytest.mark.parametrize(
    "commune, province, message",
    [
        (
            "Hoàng Mai",
            None,
            "Có 2 xã/phường tên “Hoàng Mai” (Nghệ An, Thành phố Hà Nội): hãy ghi tỉnh/thành phố",
        ),
        ("Ba Đình", None, "Có 2 xã/phường tên “Ba Đình” (Thanh Hóa, Thành phố Hà Nội)"),
        ("Phường Hoàn Kiếm", "Nghệ An", "Không tìm thấy xã/phường/đặc khu “Phường Hoàn Kiếm” thuộc Nghệ An."),
        ("Quận Hoàn Kiếm", "Hà Nội", "Không tìm thấy xã/phường/đặc khu “Quận Hoàn Kiếm”"),
        (None, "Hà Tây", "Không tìm thấy tỉnh/thành phố “Hà Tây”"),
    ],
)
def test_unknown_or_ambiguous_places_are_reported(world, tmp_path, commune, province, message):
    load_all_units()
    result = _import(world, tmp_path, [PLACE_HEADER, _place_row("93500042", commune, province)])
    assert result.invalid == 1
    error = result.errors[0]
    assert error.message.startswith(message), error.message
    assert error.column == ("Tỉnh/Thành phố" if commune is None else "Xã/Phường/Đặc khu")


def test_cell_by_code_or_name_within_scope_only(world, tmp_path):
    rows = [
        PLACE_HEADER[:6],
        ["Hà Văn Một", "01/01/1980", "Nam", "93500051", "01/01/2005", "chi bo phong ngan sach"],
        ["Hà Văn Hai", "01/01/1980", "Nam", "93500052", "01/01/2005", "W2C1"],  # another committee's cell
        ["Hà Văn Ba", "01/01/1980", "Nam", "93500053", "01/01/2005", "Chi bộ không có"],
    ]
    result = _import(world, tmp_path, rows, apply=False)
    assert result.created == 1 and result.invalid == 2
    assert [e.message for e in result.errors] == [
        "Không tìm thấy chi bộ “W2C1” trong phạm vi của bạn (ghi mã hoặc tên chi bộ).",
        "Không tìm thấy chi bộ “Chi bộ không có” trong phạm vi của bạn (ghi mã hoặc tên chi bộ).",
    ]


def test_template_columns_read_as_they_are(world, tmp_path):
    from haichieu.members.exports import MEMBER_COLUMNS

    row = template_row(
        **{
            "STT": 1,
            "Họ và tên": "Tạ Thu Trang",
            "Ngày sinh": datetime.date(1990, 1, 1),
            "Giới tính": "Nữ",
            "Số thẻ đảng viên": "93500061",
            "Ngày vào Đảng": datetime.date(2015, 1, 1),
            "Email": "trang@example.vn",
            "Chức vụ": "Chuyên viên",
            "Đơn vị công tác": "Phòng Ngân sách",
            "Chi bộ": "W1C1",
            "Địa chỉ": "Số 1 Tràng Tiền",
            "Thôn/Tổ dân phố": "Tổ dân phố số 3",
        }
    )
    result = _import(world, tmp_path, [MEMBER_COLUMNS, row])
    assert result.created == 1, result.errors
    trang = Member.objects.get(party_card_number="93500061")
    assert (trang.email, trang.workplace_unit, trang.address_street, trang.address_hamlet) == (
        "trang@example.vn",
        "Phòng Ngân sách",
        "Số 1 Tràng Tiền",
        "Tổ dân phố số 3",
    )


def test_a_sheet_without_a_member_header_is_skipped_and_a_file_without_any_is_refused(world, tmp_path):
    data = workbook_bytes(
        [["Ghi chú"], ["Danh sách gửi kèm"]], title="Bìa", more_sheets={"DS": [MESSY_HEADER, _row()]}
    )
    path = write(tmp_path, data)
    result = members_import(actor=world.w1_staff, path=path, apply=True)
    assert (result.sheets, result.created) == (["DS"], 1)
    assert result.skipped_sheets == [
        {
            "sheet": "Bìa",
            "reason": "Không có dòng tiêu đề danh sách đảng viên (cần cột “Họ và tên” và ít nhất hai cột khác "
            "như “Ngày sinh”, “Số thẻ đảng viên”) trong 30 dòng đầu.",
        }
    ]
    empty = write(tmp_path, workbook_bytes([["Họ và tên", "Ghi chú"], ["Nguyễn Văn A", "x"]]), "khong.xlsx")
    result = members_import(actor=world.w1_staff, path=empty)
    assert result.file_error.startswith("Không tìm thấy dòng tiêu đề của danh sách đảng viên")
