"""`haichieu import_members FILE --org CODE [--dry-run] [--skip-invalid] [--format json] [--user U]`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from haichieu.core.models import AuditEntry
from haichieu.members.models import Member

from .import_files import workbook_bytes, write

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"]
GOOD = [1, "Phạm Văn Dũng", "05/06/1980", "Nam", "93800001", "02/01/2005", "W1C1"]
BAD = [2, "Sai", "05/06/1980", "Nam", "93800002", "02/01/2005", "W1C1"]


def run(*args):
    out = io.StringIO()
    try:
        call_command("import_members", *[str(a) for a in args], stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_json_report_and_exit_status(world, tmp_path):
    path = write(tmp_path, workbook_bytes([HEADER, GOOD]))
    status, out = run(path, "--org", "W1", "--dry-run", "--format", "json")
    assert status == 0
    assert json.loads(out) == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
        "errors": [],
        "skipped_sheets": [],
        "skipped_rows": [],
        "warnings": [],
    }
    assert not Member.objects.filter(party_card_number="93800001").exists()
    status, out = run(path, "--org", "w1", "--format", "json")
    assert status == 0 and json.loads(out)["created"] == 1
    member = Member.objects.get(party_card_number="93800001")
    entry = AuditEntry.objects.get(target_id=str(member.pk), action="create")
    assert entry.actor is None and entry.note == f"Nhập từ tệp {path.name}"
    status, out = run(path, "--org", "W1", "--format", "json")
    assert status == 0 and json.loads(out)["unchanged"] == 1


def test_invalid_rows_apply_nothing_and_exit_non_zero(world, tmp_path):
    path = write(tmp_path, workbook_bytes([HEADER, GOOD, BAD], title="DS"))
    status, out = run(path, "--org", "W1", "--format", "json")
    assert status == 1
    report = json.loads(out)
    assert (report["rows"], report["created"], report["invalid"]) == (2, 0, 1)
    assert report["errors"] == [
        {
            "sheet": "DS",
            "row": 3,
            "column": "Họ và tên",
            "message": "Họ và tên phải có ít nhất họ và tên (hai từ trở lên).",
        }
    ]
    assert not Member.objects.filter(party_card_number="93800001").exists()
    status, out = run(path, "--org", "W1", "--dry-run", "--format", "json")
    assert status == 1
    status, out = run(path, "--org", "W1", "--skip-invalid", "--format", "json")
    assert status == 0 and json.loads(out)["created"] == 1 and json.loads(out)["invalid"] == 1
    assert Member.objects.filter(party_card_number="93800001").exists()


def test_rows_outside_the_org_or_the_users_scope_are_refused(world, tmp_path):
    path = write(tmp_path, workbook_bytes([HEADER, GOOD]))
    status, out = run(path, "--org", "W2", "--format", "json")
    assert status == 1 and json.loads(out)["errors"][0]["column"] == "Chi bộ"
    status, out = run(path, "--org", "TU", "--user", "w2_staff", "--format", "json")
    assert status == 1 and "trong phạm vi của bạn" in json.loads(out)["errors"][0]["message"]
    status, out = run(path, "--org", "TU", "--user", "w1_staff", "--format", "json")
    assert status == 0
    member = Member.objects.get(party_card_number="93800001")
    assert AuditEntry.objects.get(target_id=str(member.pk), action="create").actor == world.w1_staff


def test_a_bad_file_or_argument(world, tmp_path):
    fake = tmp_path / "ds.xlsx"
    fake.write_text("Họ và tên,Ngày sinh\n")
    status, out = run(fake, "--org", "W1", "--format", "json")
    assert status == 1 and json.loads(out)["errors"][0]["message"].startswith("Tệp không phải là tệp Excel")
    assert run(tmp_path / "khong-co.xlsx", "--org", "W1")[0] == 2
    assert run(fake, "--org", "KHONGCO")[0] == 2
    assert run(fake, "--org", "W1", "--user", "khong-co")[0] == 2
    assert run(fake, "--org", "W1", "--user", "w1_viewer")[0] == 2  # may not write members


def test_text_report(world, tmp_path):
    path = write(tmp_path, workbook_bytes([HEADER, GOOD, BAD], title="DS"))
    status, out = run(path, "--org", "W1", "--dry-run")
    assert status == 1
    assert "DS!3 [Họ và tên] Họ và tên phải có ít nhất họ và tên" in out
    assert "Sẽ nhập: 2 dòng" in out


def test_a_cells_own_list_without_a_cell_column_goes_to_that_cell(world, tmp_path):
    """`--org <cell>` on a cell's sheet, which never has a "Chi bộ" column (issue 10, item 10)."""
    header = HEADER[:-1]
    path = write(tmp_path, workbook_bytes([header, GOOD[:-1]]))
    status, out = run(path, "--org", "W1C1", "--format", "json")
    assert status == 0, out
    assert json.loads(out)["created"] == 1
    assert Member.objects.get(party_card_number="93800001").workplace_cell == world.w1c1
    # A committee is not a cell: its rows must still name theirs.
    other = write(
        tmp_path, workbook_bytes([header, [1, "Lê Văn Em", "05/06/1981", "Nam", "93800003", "02/01/2005"]])
    )
    status, out = run(other, "--org", "W1", "--format", "json")
    assert status == 1 and json.loads(out)["invalid"] == 1


def test_a_dry_run_with_invalid_rows_still_counts_the_valid_ones(world, tmp_path):
    path = write(tmp_path, workbook_bytes([HEADER, GOOD, BAD]))
    status, out = run(path, "--org", "W1", "--dry-run", "--format", "json")
    report = json.loads(out)
    assert status == 1
    assert (report["created"], report["updated"], report["unchanged"], report["invalid"]) == (1, 0, 0, 1)
    assert not Member.objects.filter(party_card_number="93800001").exists()


def test_a_bad_email_says_what_is_wrong(world, tmp_path):
    path = write(tmp_path, workbook_bytes([[*HEADER, "Email"], [*GOOD, "dung.at.example"]]))
    status, out = run(path, "--org", "W1", "--format", "json")
    assert status == 1
    assert json.loads(out)["errors"][0]["message"].startswith("Địa chỉ email không hợp lệ")
