"""Issue 15, items 2 and 7 in a real browser: the organisation chooser suggests as one types, and a
new commune of a linked member asks whether it is a move."""

import pytest
from playwright.sync_api import expect

from haichieu.liaisons.models import Liaison

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_organisation_chooser_suggests_within_scope_and_filters(world, page, log_in):
    log_in(page, "w1_staff")
    page.goto("/dang-vien/")
    chooser = page.get_by_label("Tổ chức")
    chooser.press_sequentially("ngan sach", delay=30)
    options = page.locator("#org-options option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "W1C1")
    chooser.fill("W1C1")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("#member-results")).to_contain_text("Nguyễn Văn An")
    expect(page.locator("#member-results")).not_to_contain_text("Trần Thị Bình")


def test_a_new_commune_of_a_linked_member_asks_then_records_the_move(world, page, log_in):
    log_in(page, "w1_staff")
    page.goto(f"/dang-vien/{world.m1.pk}/sua/")
    page.get_by_label("Xã/phường/đặc khu cư trú").select_option(label="Phường Ba Đình")
    page.get_by_role("button", name="Lưu").click()
    choice = page.get_by_label("Đổi xã/phường cư trú là")
    expect(choice).to_be_visible()
    choice.select_option("move")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("main")).to_contain_text("ghi nhận chuyển nơi cư trú")
    expect(page.get_by_role("button", name="Giới thiệu về nơi cư trú")).to_be_visible()
    assert list(Liaison.objects.filter(member=world.m1).order_by("pk").values_list("status", flat=True)) == [
        "ended",
        "draft",
    ]
