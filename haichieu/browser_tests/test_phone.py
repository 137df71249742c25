"""A cell secretary's phone at a meeting: 375 px wide, nothing may scroll sideways, the menu folds."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_fit_a_phone_and_the_menu_collapses(world, phone_page, log_in, horizontal_overflow):
    page = phone_page
    log_in(page, "w1_staff")
    assert horizontal_overflow(page) <= 0, "home page"

    nav_link = page.locator("#mainnav").get_by_role("link", name="Đảng viên")
    expect(nav_link).to_be_hidden()
    page.get_by_role("button", name="Mở menu").tap()
    expect(nav_link).to_be_visible()
    nav_link.tap()
    page.wait_for_load_state()
    expect(page.locator("#member-results")).to_contain_text("Nguyễn Văn An")
    assert horizontal_overflow(page) <= 0, "member list"

    page.locator("#member-results").get_by_role("link", name="Nguyễn Văn An").tap()
    expect(page.locator("h1")).to_have_text("Nguyễn Văn An")
    assert horizontal_overflow(page) <= 0, "member detail"

    page.goto("/to-chuc/")  # the committee, the user's only root, is shown with its cells
    expect(page.locator("#org-tree")).to_contain_text("Chi bộ Phòng Ngân sách")
    assert horizontal_overflow(page) <= 0, "tree"

    page.goto(f"/dang-vien/{world.m1.pk}/sua/")
    page.get_by_label("Họ và tên").fill("An")
    page.get_by_role("button", name="Lưu").tap()
    expect(page.locator(".invalid-feedback")).to_contain_text("Họ và tên phải có ít nhất")
    assert horizontal_overflow(page) <= 0, "member form with errors"

    # Saved: the history speaks Vietnamese (labels and dd/mm/yyyy), not field names.
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Anh")
    page.get_by_label("Ngày sinh").fill("07/09/1985")
    page.get_by_role("button", name="Lưu").tap()
    history = page.locator("#history")
    expect(history).to_contain_text("Họ và tên: Nguyễn Văn An → Nguyễn Văn Anh")
    expect(history).to_contain_text("Ngày sinh: 17/05/1985 → 07/09/1985")
    expect(history).not_to_contain_text("full_name")
    assert horizontal_overflow(page) <= 0, "member detail with history"
