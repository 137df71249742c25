"""What a user sees in a real browser: their part of the tree, search without diacritics, 404 outside."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_commune_staff_sees_only_their_commune_in_the_tree(world, page, log_in):
    log_in(page, "r1_staff")
    page.get_by_role("link", name="Tổ chức đảng").first.click()
    page.wait_for_load_state()
    tree = page.locator("#org-tree")
    expect(tree).to_contain_text("Đảng ủy phường Hoàn Kiếm")
    # The commune, the user's only root, is shown with its cells.
    expect(tree).to_contain_text("Chi bộ tổ dân phố số 1")
    expect(tree).to_contain_text("Chi bộ tổ dân phố số 2")
    for outside in ("Đảng bộ Thành phố Hà Nội", "Đảng bộ Sở Tài chính", "Đảng ủy phường Ba Đình"):
        expect(page.locator("main")).not_to_contain_text(outside)

    # Searching the tree does not reach outside the commune either.
    page.get_by_label("Tìm tổ chức").fill("ba dinh")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator("#search-results")).to_contain_text("Không tìm thấy tổ chức nào")


def test_the_tree_opens_on_the_province_and_folds_and_unfolds(world, page, log_in):
    log_in(page, "province_staff")
    page.goto("/to-chuc/")
    tree = page.locator("#org-tree")
    root = page.get_by_role("button", name="Mở rộng Đảng bộ Thành phố Hà Nội")
    expect(root).to_have_attribute("aria-expanded", "true")
    expect(root).to_have_text("▾")
    expect(tree.locator(":scope > ul > li > ul > li")).to_have_count(4)  # W1, W2, R1, R2

    # A child of the expanded root loads its own children (htmx) and folds them again.
    committee = page.get_by_role("button", name="Mở rộng Đảng bộ Sở Tài chính")
    expect(committee).to_have_attribute("aria-expanded", "false")
    committee.click()
    expect(committee).to_have_attribute("aria-expanded", "true")
    expect(tree).to_contain_text("Chi bộ Phòng Ngân sách")
    committee.click()
    expect(tree).not_to_contain_text("Chi bộ Phòng Ngân sách")
    expect(committee).to_have_text("▸")

    # The root folds (its children are gone) and unfolds from the children fragment.
    root.click()
    expect(root).to_have_attribute("aria-expanded", "false")
    expect(root).to_have_text("▸")
    expect(tree.locator(":scope > ul > li > ul > li")).to_have_count(0)
    root.click()
    expect(root).to_have_attribute("aria-expanded", "true")
    expect(tree.locator(":scope > ul > li > ul > li")).to_have_count(4)
    expect(tree.locator("li[data-row]")).to_have_count(5)


def test_workplace_staff_finds_a_member_by_typing_without_diacritics(world, page, log_in):
    log_in(page, "w1_staff")
    page.goto("/dang-vien/")
    results = page.locator("#member-results")
    expect(results).to_contain_text("Trần Thị Bình")

    page.locator("#id_q").press_sequentially("nguyen van", delay=20)
    expect(results).not_to_contain_text("Trần Thị Bình")  # htmx swapped the results while typing
    expect(results.get_by_role("link", name="Nguyễn Văn An")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/dang-vien/\?q=nguyen(%20|\+)van&"))  # the search can be bookmarked

    page.locator("#id_q").fill("")
    page.locator("#id_q").press_sequentially("tran thi binh", delay=20)
    expect(results).not_to_contain_text("Nguyễn Văn An")
    results.get_by_role("link", name="Trần Thị Bình").click()
    expect(page.locator("h1")).to_have_text("Trần Thị Bình")


def test_member_of_another_workplace_is_not_found(world, page, log_in):
    log_in(page, "w2_staff")
    response = page.goto(f"/dang-vien/{world.m1.pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_contain_text("Không tìm thấy")
    expect(page.locator("main")).not_to_contain_text("Nguyễn Văn An")
