"""The sheets offices really keep (issue 16): nothing dropped or misread in silence, the party
register's layout, grouped headers, the end of the table. Every file is made here, with invented
people."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from haichieu.members.imports import members_import
from haichieu.members.imports.reader import SKIP_FOOTER, SKIP_NUMBERING, SKIP_SUBHEADER, SKIP_TOTAL
from haichieu.members.models import Member

from .import_files import workbook_bytes, write

pytestmark = pytest.mark.django_db

SPLIT_HEADER = [
    "STT",
    "Họ đệm",
    "Tên",
    "Ngày sinh",
    "Giới tính",
    "Số thẻ đảng viên",
    "Ngày vào Đảng",
    "Chi bộ",
]
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"]


def _import(world, tmp_path, rows, *, apply=True, merges=(), title="Danh sách", **kwargs):
    path = write(tmp_path, workbook_bytes(rows, merges=merges, title=title))
    return members_import(actor=world.w1_staff, path=path, apply=apply, source_name=path.name, **kwargs)


def _member(stt, name, card, born="05/06/1980", gender="Nam", admitted="02/01/2005"):
    return [stt, name, born, gender, card, admitted, "W1C1"]


def run(*args):
    out = io.StringIO()
    try:
        call_command("import_members", *[str(a) for a in args], stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


# --- 1. members are never taken for total rows ------------------------------------------------------
def test_a_given_name_cong_or_a_name_tong_is_a_member_and_a_total_row_is_listed(world, tmp_path):
    rows = [
        SPLIT_HEADER,
        [1, "Hoàng Trung", "Công", "01/02/1985", "Nam", "93160001", "03/02/2010", "W1C1"],
        [2, "Lê Văn", "Cống", "01/03/1986", "Nam", "93160002", "03/02/2011", "W1C1"],
        ["Cộng", None, 2, None, None, None, None, None],
    ]
    result = _import(world, tmp_path, rows)
    assert (result.created, result.invalid) == (2, 0), result.errors
    assert set(
        Member.objects.filter(party_card_number__startswith="9316").values_list("full_name", flat=True)
    ) == {
        "Hoàng Trung Công",
        "Lê Văn Cống",
    }
    assert result.skipped_rows == [{"sheet": "Danh sách", "row": 4, "reason": SKIP_TOTAL}]


def test_names_beginning_tong_are_members_and_total_labels_are_read_whole(world, tmp_path):
    rows = [
        HEADER,
        _member(1, "Tống Sơn Hà", "93160011"),
        _member(2, "Tống Công Minh", "93160012"),
        _member(3, "Tổng Văn Bình", "93160013"),  # an unusual name, but a name with its dates
        ["Tổng cộng", "3 đảng viên", None, "Nam: 3"],
        [None, "Tổng số: 3"],
        [None, "TONG CONG: 3"],
    ]
    result = _import(world, tmp_path, rows)
    assert (result.created, result.invalid) == (3, 0), result.errors
    assert [(r["row"], r["reason"]) for r in result.skipped_rows] == [
        (5, SKIP_TOTAL),
        (6, SKIP_TOTAL),
        (7, SKIP_TOTAL),
    ]


# --- 3. a year alone is no date; numbers are dates only when plausible serials ----------------------
def test_a_birth_year_alone_is_refused_with_its_own_message_never_read_as_1905(world, tmp_path):
    header = ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"]
    rows = [
        header,
        _member(1, "Đinh Văn Một", "93160021", born=1957),
        _member(2, "Đinh Văn Hai", "93160022", born="1958"),
        _member(3, "Đinh Văn Ba", "93160023", born=datetime.datetime(1905, 5, 10)),  # 1957 in a date cell
        _member(4, "Đinh Văn Bốn", "93160024", born=7),
        _member(5, "Đinh Văn Năm", "93160025", born=29377),  # a serial: 5 June 1980
    ]
    result = _import(world, tmp_path, rows, apply=False)
    assert (result.created, result.invalid) == (1, 4)
    year_only = "Chỉ ghi năm ({}), thiếu ngày và tháng: hãy ghi đủ ngày/tháng/năm theo dạng dd/mm/yyyy."
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "Năm sinh", year_only.format(1957)),
        (3, "Năm sinh", year_only.format(1958)),
        (4, "Năm sinh", year_only.format(1957)),
        (5, "Năm sinh", "Số “7” không phải là ngày. Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."),
    ]


# --- 4. nothing ignored in silence -----------------------------------------------------------------------
def test_contact_phone_and_email_columns_are_read(world, tmp_path):
    header = [*HEADER, "Điện thoại liên hệ", "Email liên hệ"]
    rows = [header, [*_member(1, "Kiều Thị Lan", "93160031", gender="Nữ"), 912345678, "lan.kt@example.vn"]]
    result = _import(world, tmp_path, rows)
    assert result.created == 1 and result.ignored_columns == [], result.errors
    lan = Member.objects.get(party_card_number="93160031")
    assert (lan.phone, lan.email) == ("0912345678", "lan.kt@example.vn")


def test_a_card_number_that_lost_its_leading_zero_is_reported(world, tmp_path):
    rows = [
        HEADER,
        _member(1, "Mạc Văn Một", "01160041"),
        _member(2, "Mạc Văn Hai", "01160042"),
        _member(3, "Mạc Văn Ba", 1160043),  # typed 01160043 into a number cell
    ]
    result = _import(world, tmp_path, rows, apply=False)
    assert (result.created, result.invalid) == (2, 1)
    [error] = result.errors
    assert (error.row, error.column) == (4, "Số thẻ đảng viên")
    assert error.message.startswith("Số thẻ ngắn hơn các số thẻ khác trong cột (8 chữ số)")


def test_a_missing_required_column_is_reported_once_for_the_sheet(world, tmp_path):
    header = ["STT", "Họ và tên", "Ngày sinh", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"]
    rows = [header] + [
        [n, f"Ông Văn {name}", "01/01/1980", f"9316005{n}", "01/01/2005", "W1C1"]
        for n, name in enumerate(["An", "Bình", "Cường", "Dũng"], start=1)
    ]
    result = _import(world, tmp_path, rows, apply=False)
    assert result.invalid == 4
    assert [(e.sheet, e.row, e.column, e.message) for e in result.errors] == [
        (
            "Danh sách",
            None,
            "Giới tính",
            "Trang tính không có cột “Giới tính”, bắt buộc với đảng viên mới: 4 dòng đảng viên mới không "
            "nhập được. Hãy thêm cột này.",
        )
    ]
    # The error report puts it on the header row, next to the headers.
    from openpyxl import load_workbook

    from haichieu.members.imports import error_report

    path = tmp_path / "danh-sach.xlsx"
    sheet = load_workbook(io.BytesIO(error_report(path, result.errors))).active
    assert sheet.cell(row=1, column=7).value.startswith("Lỗi cần sửa: Giới tính: Trang tính không có cột")


# --- 8. the end of the table ---------------------------------------------------------------------------
def test_notes_signatures_and_dates_under_the_table_are_not_members(world, tmp_path):
    rows = [
        HEADER,
        _member(1, "Quách Văn Nam", "93160061"),
        _member(2, "Quách Thị Nga", "93160062", gender="Nữ"),
        [],
        [None, "Ghi chú: danh sách gồm 2 đồng chí, không kể đảng viên miễn sinh hoạt."],
        [None, None, None, None, "Hà Nội, ngày 5 tháng 6 năm 2024"],
        [None, "Người lập biểu", None, None, "T/M CHI BỘ"],
        [None, None, None, None, "BÍ THƯ"],
        [None, "(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên)"],
        [],
        [None, "Nguyễn Văn Lập", None, None, "Trần Thị Thư"],
    ]
    result = _import(world, tmp_path, rows)
    assert (result.rows, result.created, result.invalid) == (2, 2, 0), result.errors
    assert [(r["row"], r["reason"]) for r in result.skipped_rows] == [
        (n, SKIP_FOOTER) for n in (5, 6, 7, 8, 9, 11)
    ]


def test_a_member_row_with_a_position_like_a_signature_is_still_a_member(world, tmp_path):
    header = [*HEADER, "Chức vụ"]
    rows = [
        header,
        [*_member(1, "Vương Văn Bí", "93160071"), "Bí thư"],
        [*_member(2, "Vương Thị Ba", "93160072"), ""],
    ]
    result = _import(world, tmp_path, rows)
    assert (result.created, result.skipped_rows) == (2, []), result.errors


# --- 9. reporting ----------------------------------------------------------------------------------------
def test_cross_field_rules_are_reported_with_the_field_errors(world, tmp_path):
    header = [*HEADER, "Email"]
    rows = [
        header,
        [*_member(1, "Tôn Văn Sớm", "93160081", born="01/01/1990", admitted="01/01/1985"), "sai@"],
    ]
    result = _import(world, tmp_path, rows, apply=False)
    assert sorted((e.column, e.message) for e in result.errors) == [
        ("Email", "Địa chỉ email không hợp lệ: hãy nhập theo dạng ten@coquan.vn."),
        ("Ngày vào Đảng", "Ngày vào Đảng phải sau ngày sinh."),
    ]


def test_json_lists_the_sheets_and_rows_skipped_and_why(world, tmp_path):
    data = workbook_bytes(
        [HEADER, _member(1, "Lạc Văn Một", "93160091"), ["Tổng cộng", 1]],
        title="DS",
        more_sheets={"Bìa": [["DANH SÁCH ĐẢNG VIÊN"], ["Năm 2026"]], "Trống": []},
    )
    path = write(tmp_path, data)
    status, out = run(path, "--org", "W1", "--dry-run", "--format", "json")
    report = json.loads(out)
    assert status == 0 and report["created"] == 1
    assert [s["sheet"] for s in report["skipped_sheets"]] == ["Bìa", "Trống"]
    assert report["skipped_sheets"][0]["reason"].startswith("Không có dòng tiêu đề danh sách đảng viên")
    assert report["skipped_sheets"][1]["reason"] == "Trang tính trống."
    assert report["skipped_rows"] == [{"sheet": "DS", "row": 3, "reason": SKIP_TOTAL}]


def test_a_dry_run_skipping_invalid_rows_fails_when_no_row_could_be_imported(world, tmp_path):
    bad = write(tmp_path, workbook_bytes([HEADER, _member(1, "Sai", "93160101")]), "sai.xlsx")
    status, out = run(bad, "--org", "W1", "--dry-run", "--skip-invalid", "--format", "json")
    assert status == 1 and json.loads(out)["invalid"] == 1
    status, _ = run(bad, "--org", "W1", "--skip-invalid")
    assert status == 1
    mixed = write(
        tmp_path,
        workbook_bytes([HEADER, _member(1, "Sai", "93160102"), _member(2, "Lạc Văn Hai", "93160103")]),
    )
    status, out = run(mixed, "--org", "W1", "--dry-run", "--skip-invalid", "--format", "json")
    assert status == 0 and json.loads(out)["created"] == 1


# --- 6. two-row grouped headers ---------------------------------------------------------------------------
def test_grouped_headers_map_every_sub_column_and_the_birth_date_column_gives_the_sex(world, tmp_path):
    rows = [
        ["DANH SÁCH ĐOÀN VIÊN LÀ ĐẢNG VIÊN"],
        ["STT", "Họ và tên", None, "Ngày tháng năm sinh", None, "Ngày vào Đảng", None, "Số thẻ đảng viên"],
        [None, "Họ đệm", "Tên", "Nam", "Nữ", "Ngày kết nạp", "Ngày chính thức", None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
        [1, "Cù Văn", "Bảo", "12/03/1979", None, "15/04/2004", "15/04/2005", "93160201"],
        [2, "Cù Thị", "Hằng", None, datetime.datetime(1984, 2, 1), "20/10/2009", None, "93160202"],
    ]
    merges = ["A1:H1", "A2:A3", "B2:C2", "D2:E2", "F2:G2", "H2:H3"]
    path = write(tmp_path, workbook_bytes(rows, merges=merges))
    result = members_import(actor=world.w1_staff, path=path, default_cell=world.w1c1, apply=True)
    assert (result.rows, result.created, result.errors) == (2, 2, [])
    assert result.skipped_rows == [{"sheet": "Danh sách", "row": 4, "reason": SKIP_NUMBERING}]
    bao = Member.objects.get(party_card_number="93160201")
    assert (bao.full_name, bao.gender, bao.date_of_birth, bao.admission_date, bao.full_membership_date) == (
        "Cù Văn Bảo",
        "male",
        datetime.date(1979, 3, 12),
        datetime.date(2004, 4, 15),
        datetime.date(2005, 4, 15),
    )
    hang = Member.objects.get(party_card_number="93160202")
    assert (hang.gender, hang.date_of_birth, hang.status) == (
        "female",
        datetime.date(1984, 2, 1),
        "probationary",
    )


def test_a_sub_header_row_under_the_header_is_not_data(world, tmp_path):
    rows = [
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Ghi chú"],
        [None, "Họ và tên", "Ngày sinh", "Nam/Nữ", None, "Ngày kết nạp", "Nam"],
        [1, "Cù Văn Đức", "12/03/1979", "Nam", "93160211", "15/04/2004", None],
    ]
    path = write(tmp_path, workbook_bytes(rows))
    result = members_import(actor=world.w1_staff, path=path, default_cell=world.w1c1, apply=False)
    assert (result.created, result.invalid) == (1, 0), result.errors
    assert result.skipped_rows == [{"sheet": "Danh sách", "row": 2, "reason": SKIP_SUBHEADER}]


# --- 7. header variants and the old 9-digit identity card -------------------------------------------------
def test_header_variants_of_real_files_and_the_old_identity_card(world, tmp_path):
    header = [
        "TT",
        "Họ tên khai sinh",
        "Sinh năm",
        "Giới tính",
        "Thời gian vào Đảng",
        "Số thẻ đảng viên/Số lý lịch",
        "Số CMND/CCCD",
        "Điện thoại liên hệ",
        "Email liên hệ",
        "Địa chỉ thường trú",
        "Thuộc chi bộ",
    ]
    rows = [
        header,
        [1, "Lò Văn Páo", "03/04/1970", "Nam", "05/06/1995", "93160301/12345", "012345678", "0987654321",
         "pao.lv@example.vn", "Bản Mường, xã Tả Phìn", "W1C1"],
        [2, "Lò Thị Xuân", "04/05/1975", "Nữ", "06/07/2000", 93160302, "001175012345", None, None, None, "W1C1"],
    ]  # fmt: skip
    result = _import(world, tmp_path, rows)
    assert (result.created, result.ignored_columns) == (2, []), result.errors
    pao = Member.objects.get(party_card_number="93160301")
    assert (pao.old_identity_card_number, pao.national_id, pao.phone, pao.email, pao.address_street) == (
        "012345678",
        "",
        "0987654321",
        "pao.lv@example.vn",
        "Bản Mường, xã Tả Phìn",
    )
    xuan = Member.objects.get(party_card_number="93160302")
    assert (xuan.national_id, xuan.old_identity_card_number) == ("001175012345", "")


# --- 5. the party register as offices keep it --------------------------------------------------------------
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu"]
GIVEN = ["An", "Bình", "Chi", "Dung", "Giang", "Hà", "Khánh", "Linh", "Mai", "Ngọc", "Phúc", "Quân", "Sơn",
         "Tâm", "Uyên", "Vinh", "Xuân", "Yến", "Hải"]  # fmt: skip


def _register_members(count):
    """Invented members: (name, sex, birth, admission, full membership or None, card)."""
    people = []
    for n in range(count):
        born = datetime.date(1950 + n, (n % 12) + 1, (n * 7) % 28 + 1)
        admitted = datetime.date(1975 + n, ((n + 5) % 12) + 1, (n * 5) % 28 + 1)
        full = None if n % 6 == 5 else admitted.replace(year=admitted.year + 1)
        name = f"{FAMILY[n % 10]} {MIDDLE[n % 5]} {GIVEN[n]}"
        people.append(
            (name, "Nữ" if n % 3 == 1 else "Nam", born, admitted, full, f"{(n * 37) % 100:02d}1602{n:02d}")
        )
    return people


def _register_rows(people):
    """Sổ danh sách đảng viên: a title, the header in lines, a numbering row, one row a member with
    several lines in a cell, the card's digits one a column (record-number digit on a second line)."""
    header = [
        "STT",
        "HỌ VÀ TÊN\nHọ tên khai sinh",
        "Nam nữ, dân tộc, tôn giáo",
        "Quê quán",
        "Ngày vào Đảng, ngày chính thức",
        "Số thẻ đảng viên, số LL đảng viên",
        *[None] * 7,
    ]
    rows = [["SỔ DANH SÁCH ĐẢNG VIÊN"], ["Chi bộ Phòng Ngân sách"], header, list(range(1, 14))]
    for n, (name, sex, born, admitted, full, card) in enumerate(people, start=1):
        dates = admitted.strftime("%d/%m/%Y") + (f"\n{full.strftime('%d/%m/%Y')}" if full else "")
        record = f"{n:08d}"
        # A digit alone is a number in Excel; the record-number digit makes the cell text.
        digits = [int(c) if n % 4 == 0 else f"{c}\n{r}" for c, r in zip(card, record, strict=True)]
        rows.append(
            [n, f"{name}\n{born.strftime('%d/%m/%Y')}", f"{sex}\nKinh\nKhông", "Hà Nội", dates, *digits]
        )
    rows += [
        [],
        [None, "Người lập biểu", None, None, "T/M CHI BỘ"],
        [None, "Lã Văn Lập", None, None, "Bí thư"],
    ]
    return rows


def test_the_party_register_layout_imports_every_member_as_written(world, tmp_path):
    people = _register_members(19)
    rows = _register_rows(people)
    path = write(tmp_path, workbook_bytes(rows, merges=["A1:M1", "F3:M3"], title="Sổ ĐV"))
    result = members_import(actor=world.w1_staff, path=path, default_cell=world.w1c1, apply=True)
    assert (result.rows, result.created, result.invalid) == (19, 19, 0), result.errors[:3]
    assert [(r["row"], r["reason"]) for r in result.skipped_rows] == [
        (4, SKIP_NUMBERING),
        (25, SKIP_FOOTER),
        (26, SKIP_FOOTER),
    ]
    stored = {
        m.party_card_number: m for m in Member.objects.filter(party_card_number__in=[p[5] for p in people])
    }
    assert len(stored) == 19
    for name, sex, born, admitted, full, card in people:
        member = stored[card]
        assert (
            member.full_name,
            member.gender,
            member.date_of_birth,
            member.admission_date,
            member.full_membership_date,
            member.workplace_cell_id,
        ) == (name, "female" if sex == "Nữ" else "male", born, admitted, full, world.w1c1.pk)


# --- 2. day and month swapped by an English-locale Excel ----------------------------------------------------
def _swapped_rows():
    """Dates typed d/m into an English-locale Excel: day ≤ 12 became Excel dates with day and month
    swapped (8/6/1980 → 6 August), day ≥ 13 stayed text."""
    return [
        HEADER,
        _member(1, "Tạ Văn Một", "93160401", born=datetime.datetime(1980, 8, 6)),  # meant 8 June
        _member(2, "Tạ Văn Hai", "93160402", born="15/06/1981"),
        _member(3, "Tạ Văn Ba", "93160403", born=datetime.datetime(1982, 1, 3)),  # meant 1 March
        _member(4, "Tạ Văn Bốn", "93160404", born="23/11/1983"),
    ]


def test_a_column_with_the_swap_signature_is_warned_and_can_be_read_as_day_month(world, tmp_path):
    result = _import(world, tmp_path, _swapped_rows(), apply=False)
    assert result.created == 4
    assert [(w["sheet"], w["column"]) for w in result.warnings] == [("Danh sách", "Ngày sinh")]
    assert result.warnings[0]["message"].startswith("Mọi ngày Excel lưu kiểu ngày trong cột này có ngày ≤ 12")
    path = write(tmp_path, workbook_bytes(_swapped_rows()), "dm.xlsx")
    status, out = run(path, "--org", "W1", "--day-month", "--format", "json")
    assert status == 0 and json.loads(out)["warnings"] == []
    births = dict(
        Member.objects.filter(party_card_number__startswith="931604").values_list(
            "party_card_number", "date_of_birth"
        )
    )
    assert births == {
        "93160401": datetime.date(1980, 6, 8),
        "93160402": datetime.date(1981, 6, 15),
        "93160403": datetime.date(1982, 3, 1),
        "93160404": datetime.date(1983, 11, 23),
    }


def test_a_sound_date_column_is_not_warned(world, tmp_path):
    rows = [
        HEADER,
        _member(1, "Tạ Văn Năm", "93160411", born=datetime.datetime(1980, 8, 16)),
        _member(2, "Tạ Văn Sáu", "93160412", born="15/06/1981"),
        _member(3, "Tạ Văn Bảy", "93160413", born=datetime.datetime(1982, 1, 3)),
    ]
    assert _import(world, tmp_path, rows, apply=False).warnings == []


def test_no_header_name_means_two_fields():
    from haichieu.members.imports.values import HEADER_SYNONYMS, header_key

    seen: dict[str, str] = {}
    for name, headers in HEADER_SYNONYMS.items():
        for header in headers:
            assert seen.setdefault(header_key(header), name) == name, header


# --- the preview ------------------------------------------------------------------------------------------
@pytest.fixture
def import_dir(settings, tmp_path):
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_DIR": str(tmp_path / "uploads")}
    return tmp_path / "uploads"


def test_the_preview_lists_skipped_rows_warns_of_swapped_dates_and_reads_again_as_day_month(
    world, client_for, import_dir
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(world.w1_staff)
    rows = [*_swapped_rows(), ["Tổng cộng", 4], [None, "Người lập biểu"]]
    data = workbook_bytes(rows, more_sheets={"Ghi chú": [["Danh sách kèm theo công văn"]]})
    response = client.post(reverse("members:import"), {"file": SimpleUploadedFile("dm.xlsx", data)})
    token = response["Location"].rstrip("/").split("/")[-1]
    preview = reverse("members:import_preview", args=[token])
    html = client.get(preview).content.decode()
    assert 'id="import-skipped-sheets"' in html and "“Ghi chú”: Không có dòng tiêu đề" in html
    assert f"<td>6</td><td>{SKIP_TOTAL}</td>" in html and f"<td>7</td><td>{SKIP_FOOTER}</td>" in html
    assert 'id="import-warnings"' in html and "cột “Ngày sinh”" in html
    assert Member.objects.filter(party_card_number__startswith="931604").count() == 0
    response = client.post(preview, {"day_month": "1"})
    assert response.status_code == 302 and response["Location"] == preview
    html = client.get(preview).content.decode()
    assert 'id="import-warnings"' not in html and 'id="import-day-month"' in html
    assert Member.objects.filter(party_card_number__startswith="931604").count() == 0  # still a preview
    client.post(reverse("members:import_confirm", args=[token]))
    assert Member.objects.get(party_card_number="93160401").date_of_birth == datetime.date(1980, 6, 8)


def test_another_users_preview_cannot_be_read_again(world, client_for, import_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(world.w1_staff)
    response = client.post(
        reverse("members:import"), {"file": SimpleUploadedFile("dm.xlsx", workbook_bytes(_swapped_rows()))}
    )
    token = response["Location"].rstrip("/").split("/")[-1]
    client.logout()
    other = client_for(world.province_staff)
    assert other.post(reverse("members:import_preview", args=[token]), {"day_month": "1"}).status_code == 404
