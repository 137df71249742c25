"""The sheets offices really keep (issue 16): nothing dropped or misread in silence, the party
register's layout, grouped headers, the end of the table. Every file is made here, with invented
people."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from haichieu.members.imports import members_import
from haichieu.members.imports.reader import SKIP_FOOTER, SKIP_TOTAL
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
