"""The audit pages on a phone: the organisation department's log, a member's "who opened my record"."""

import pytest
from playwright.sync_api import expect

from haichieu.browser_tests.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_read_the_log_and_the_member_sees_who_opened_the_record(
    world, phone_page, new_page, log_in, horizontal_overflow
):
    world.w1_staff.full_name = "Trần Thị Tổ Chức"
    world.w1_staff.save(update_fields=["full_name"])
    page = phone_page
    log_in(page, "w1_staff")
    page.goto(f"/dang-vien/{world.m1.pk}/")  # a logged read

    page.get_by_role("button", name="Mở menu").tap()
    page.locator("#nav-audit").tap()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Nhật ký truy cập hồ sơ đảng viên")
    expect(page.locator("#audit-entries")).to_contain_text("Nguyễn Văn An")
    expect(page.locator("#audit-entries")).to_contain_text("Xem hồ sơ đầy đủ")
    assert horizontal_overflow(page) <= 0, "audit log"

    page.get_by_placeholder("Họ tên hoặc số thẻ đảng viên").fill("tran thi binh")
    page.get_by_role("button", name="Lọc").tap()
    expect(page.locator("#audit-entries")).to_contain_text("Không có mục nào.")
    # The dates are the browser's date pickers, which send no impossible day; a link still may.
    expect(page.locator("#id_start")).to_have_attribute("type", "date")
    page.goto("/nhat-ky/?start=32/01/2026")
    expect(page.locator("#filter-errors")).to_contain_text(
        "Từ ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."
    )
    assert horizontal_overflow(page) <= 0, "audit log with an error"

    member = new_page(**PHONE)
    log_in(member, "member_user")
    member.get_by_role("link", name="Ai đã xem hồ sơ của tôi").tap()
    expect(member.locator("#own-reads")).to_contain_text("Trần Thị Tổ Chức")
    expect(member.locator("#own-reads")).to_contain_text("Đảng bộ Sở Tài chính")
    assert horizontal_overflow(member) <= 0, "who opened my record"
    with member.expect_download() as download:
        member.get_by_role("link", name="Tải dữ liệu của tôi (.xlsx)").tap()
    assert download.value.suggested_filename == f"du-lieu-cua-toi-{world.m1.party_card_number}.xlsx"
