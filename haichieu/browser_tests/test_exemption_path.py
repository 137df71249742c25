"""Exemptions through the pages (issue 11): the workplace committee records an exemption for one of its
members who keeps a link with a residential cell; the residential cell's secretary sees "miễn … đến
<date>" and never the reason; the member is left off the invitations of the cell's next meeting
inside the period (and invited again to one after it). Only the setup reads the database."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PRIVATE = "Điều trị ung thư tại Bệnh viện K"


def _log_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()


def _plan(page, cell, day: datetime.date) -> None:
    """The cell secretary plans a meeting of `cell` on `day` through the form."""
    page.goto(reverse("meetings:create", args=[cell.pk]))
    page.locator("#id_date").fill(f"{day:%d/%m/%Y}")
    page.locator("#id_start_time").fill("19:30")
    page.locator("#id_place").fill("Nhà văn hóa tổ dân phố số 1")
    page.locator("#id_agenda").fill("Thông báo tình hình địa phương.")
    with page.expect_navigation():
        page.get_by_role("button", name="Lập kế hoạch và gửi giấy mời").click()
    expect(page.locator("#roster")).to_be_visible()


def test_the_workplace_records_an_exemption_the_residence_sees_only_its_end(world, page, log_in):
    today = datetime.date.today()
    until = today + datetime.timedelta(days=60)
    member = world.m1  # works in W1C1, linked to the residential cell R1C1

    # --- the workplace committee records it through the form -------------------------------------
    log_in(page, "w1_staff")
    page.get_by_role("link", name="Miễn sinh hoạt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Miễn công tác và sinh hoạt đảng")
    page.goto(reverse("exemptions:member", args=[member.pk]))
    page.get_by_role("link", name="Ghi việc miễn").click()
    page.locator("#id_reason").select_option("treatment")
    page.locator("#id_reason_details").fill(PRIVATE)
    page.locator("#id_applied_on").fill(f"{today:%d/%m/%Y}")
    page.locator("#id_decided_on").fill(f"{today:%d/%m/%Y}")
    page.locator("#id_start_date").fill(f"{today:%d/%m/%Y}")
    page.locator("#id_end_date").fill(f"{until:%d/%m/%Y}")
    page.locator("#id_contact").fill("0912 345 678")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#exemption-in-force")).to_contain_text(f"Đang miễn đến {until:%d/%m/%Y}")
    expect(page.locator("#exemptions")).to_contain_text("Điều trị bệnh dài ngày")
    _log_out(page)

    # --- the residential cell's secretary: "miễn … đến <date>", never the reason -----------------
    log_in(page, "r1c1_secretary")
    shown = f"Miễn công tác và sinh hoạt đảng đến {until:%d/%m/%Y}"
    for url in (
        reverse("liaisons:residence_cell", args=[world.r1c1.pk]),
        reverse("members:detail", args=[member.pk]),
    ):
        page.goto(url)
        expect(page.get_by_text(shown).first).to_be_visible()
        text = page.content()
        for private in (PRIVATE, "Điều trị bệnh dài ngày", "ung thư"):
            assert private not in text, (url, private)
    assert page.goto(reverse("exemptions:member", args=[member.pk])).status == 404

    # --- the cell's next meeting does not invite the member; one after the period does -----------
    _plan(page, world.r1c1, today + datetime.timedelta(days=7))
    expect(page.locator("#roster")).not_to_contain_text(member.full_name)
    _plan(page, world.r1c1, until + datetime.timedelta(days=7))
    expect(page.locator("#roster")).to_contain_text(member.full_name)
