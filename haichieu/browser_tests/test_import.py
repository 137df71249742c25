"""The Excel import in the browser, on the seeded demo: upload → preview → confirm, as workplace staff."""

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from playwright.sync_api import expect

from haichieu.core.models import AuditEntry
from haichieu.demo.accounts import DEMO_PASSWORD
from haichieu.members.exports import MEMBER_COLUMNS
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings, tmp_path):
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_DIR": str(tmp_path / "uploads")}
    call_command("seed_demo", members=300, verbosity=0)


def _sheet(path, cell_code):
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH ĐẢNG VIÊN"])
    sheet.append(MEMBER_COLUMNS)
    sheet.append(
        [
            1,
            "Phùng Thị Nhập",
            "12/03/1988",
            "Nữ",
            "97000001",
            "01/02/2012",
            "01/02/2013",
            "",
            "",
            "",
            "Chuyên viên",
            "",
            cell_code,
        ]
    )
    sheet.append([2, "Sai", "12/03/1988", "Nam", "97000002", "01/02/2012", "", "", "", "", "", "", cell_code])
    book.save(path)


def test_workplace_staff_import_a_list_with_a_bad_row(demo, page, log_in, tmp_path):
    cell = Organization.objects.filter(
        kind=Organization.Kind.CELL, is_residential=False, path__startswith=_committee_path()
    ).first()
    path = tmp_path / "danh-sach.xlsx"
    _sheet(path, cell.code)

    log_in(page, "coquan", DEMO_PASSWORD)
    page.goto("/dang-vien/nhap/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("h1")).to_contain_text("Xem trước")
    expect(page.locator("main")).to_contain_text("Họ và tên phải có ít nhất họ và tên")
    assert not Member.objects.filter(party_card_number="97000001").exists()  # nothing before confirming

    page.get_by_label("Chỉ nhập các dòng hợp lệ").check()
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator(".alert-success")).to_contain_text("1 đảng viên mới")
    member = Member.objects.get(party_card_number="97000001")
    assert member.workplace_cell == cell and not Member.objects.filter(party_card_number="97000002").exists()
    assert AuditEntry.objects.filter(action="create", target_id=str(member.pk)).exists()


def _committee_path() -> str:
    from haichieu.accounts.models import Role

    return Role.objects.select_related("organization").get(user__username="coquan").organization.path


def test_a_large_import_runs_in_the_background_with_its_progress_bar(demo, settings, page, log_in, tmp_path):
    """Above JOB_IMPORT_ROWS the confirmation hands the import to the worker: the progress page polls
    (htmx) until the worker has run it, then says so and links to the list."""
    settings.HAICHIEU = {**settings.HAICHIEU, "JOB_IMPORT_ROWS": 1, "WORKER_HEARTBEAT_SECONDS": 3600}
    cell = Organization.objects.filter(
        kind=Organization.Kind.CELL, is_residential=False, path__startswith=_committee_path()
    ).first()
    path = tmp_path / "danh-sach-lon.xlsx"
    _sheet(path, cell.code)

    log_in(page, "coquan", DEMO_PASSWORD)
    page.goto("/dang-vien/nhap/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("#import-background")).to_contain_text("chạy nền")
    page.get_by_label("Chỉ nhập các dòng hợp lệ").check()
    page.get_by_role("button", name="Xác nhận nhập").click()

    expect(page.locator("#job-state")).to_have_text("Đang chờ")
    expect(page.locator("#job-bar")).to_be_visible()
    assert not Member.objects.filter(party_card_number="97000001").exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    expect(page.locator("#job-state")).to_have_text("Hoàn thành", timeout=10_000)
    expect(page.locator("#job-message")).to_contain_text("1 đảng viên mới")
    expect(page.locator("#job-bar")).to_have_attribute("value", "100")
    page.locator("#job-link").click()
    expect(page.locator("h1")).to_contain_text("Đảng viên")
    member = Member.objects.get(party_card_number="97000001")
    assert AuditEntry.objects.filter(
        action="create", target_id=str(member.pk), actor__username="coquan"
    ).exists()
