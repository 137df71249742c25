"""Issue 15, items 8 and 9 at 375 px: the residential cell secretary's path from sign-in to "no longer
lives here" in three page loads, and the notices page (cards, a page per notice, date pickers)."""

import datetime

import pytest
from playwright.sync_api import expect

from haichieu.accounts.models import Role
from haichieu.browser_tests.conftest import PHONE
from haichieu.browser_tests.test_accessibility import AXE, axe_violations
from haichieu.demo.accounts import DEMO_PASSWORD
from haichieu.liaisons.models import ChangeNotice, DepartureReport, Liaison
from haichieu.members.models import Member

pytestmark = pytest.mark.django_db(transaction=True)


def _no_axe_violation(page, where: str) -> None:
    """axe-core's WCAG A/AA rules on the page, when it is installed (test_accessibility.py skips
    without it; these paths run anyway)."""
    if AXE.is_file():
        assert axe_violations(page, AXE) == [], where


def _count_loads(page) -> list[str]:
    """The URLs of the documents the page loads from now on (htmx requests and pushState are not)."""
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    return loads


@pytest.fixture
def cell_demo():
    from django.core.management import call_command

    call_command("seed_demo", members=300, verbosity=0)
    cell = Role.objects.select_related("organization").get(user__username="chibotdp").organization
    links = Liaison.objects.filter(cell=cell, status=Liaison.Status.ACTIVE).select_related("member")
    liaison = next(
        li for li in links.order_by("pk") if Member.objects.filter(full_name=li.member.full_name).count() == 1
    )
    return cell, liaison


def test_the_cell_secretary_reports_a_departure_in_three_page_loads(cell_demo, new_page, horizontal_overflow):
    cell, liaison = cell_demo
    name = liaison.member.full_name
    page = new_page(**PHONE, bypass_csp=True)  # axe-core is injected from its local file
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("chibotdp")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    loads = _count_loads(page)

    # 1: signing in lands on the own cell.
    page.get_by_role("button", name="Đăng nhập").tap()
    expect(page.locator("h1")).to_have_text(cell.name)
    assert horizontal_overflow(page) <= 0, "the cell's page"
    search = page.get_by_label("Tìm đảng viên trong chi bộ")
    expect(search).to_be_visible()
    expect(page.get_by_role("link", name="Không còn cư trú")).to_have_count(0)  # not on every row
    # htmx listens once the page's scripts have run: typing before that would search nothing.
    page.wait_for_load_state("load")
    with page.expect_response(lambda response: "q=" in response.url):
        search.fill(name)  # the server searches; htmx swaps the roster
    row = page.locator("#cell-roster tr[data-row]").filter(has_text=name)
    expect(row).to_have_count(1)
    expect(row.locator("[data-follower]")).to_be_visible()  # the follower, at phone width
    expect(page.locator("#live-status")).to_contain_text("Đã cập nhật kết quả")
    _no_axe_violation(page, "the cell's page, searched")

    # 2: the member's page, with the report's form.
    row.get_by_role("link", name=name, exact=True).tap()
    expect(page.locator("h1")).to_have_text(name)
    assert horizontal_overflow(page) <= 0, "the link's page"
    _no_axe_violation(page, "the link's page")
    page.locator("#departure").get_by_label("Ghi chú").fill("Đã chuyển đi nơi khác")

    # 3: sent; back on the cell, the row says it waits for the ward.
    page.get_by_role("button", name="Báo đảng ủy xác nhận").tap()
    expect(page.get_by_role("alert").first).to_contain_text(f"đồng chí {name} không còn cư trú")
    expect(page.locator("h1")).to_have_text(cell.name)
    assert len(loads) <= 3, loads
    assert DepartureReport.objects.filter(liaison=liaison, state="pending").count() == 1


def test_the_notices_page_at_phone_width(world, new_page, log_in, horizontal_overflow):
    notice = ChangeNotice.objects.create(
        member=world.m1,
        kind="long_absence",
        direction="to_residence",
        sender_org=world.w1,
        recipient_org=world.r1,
        event_date=datetime.date(2026, 11, 3),
        details="Đi công tác dài ngày ở tỉnh Lào Cai.",
    )
    page = new_page(**PHONE, bypass_csp=True)  # axe-core is injected from its local file
    log_in(page, "w1_staff")
    page.goto("/lien-he/thong-bao/")
    assert horizontal_overflow(page) <= 0, "notices"
    _no_axe_violation(page, "notices")
    card = page.locator("#notice-cards li").filter(has_text=world.m1.full_name)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Đảng bộ Sở Tài chính")  # the sender, and the content
    expect(card).to_contain_text("Lào Cai")
    expect(page.locator("#notices")).to_be_hidden()  # the table is for wider screens

    # Real date pickers: a day chosen there is a filter the server reads.
    start = page.get_by_label("Từ ngày")
    expect(start).to_have_attribute("type", "date")
    start.fill("2026-11-04")
    page.get_by_role("button", name="Lọc").tap()
    expect(page.locator("#notice-cards")).to_contain_text("Chưa có thông báo biến động nào.")
    start.fill("2026-11-03")
    page.get_by_role("button", name="Lọc").tap()
    expect(start).to_have_value("2026-11-03")

    page.locator("#notice-cards li").filter(has_text=world.m1.full_name).get_by_role("link").tap()
    expect(page.locator("h1")).to_contain_text(world.m1.full_name)
    expect(page.locator("#notice-details")).to_have_text("Đi công tác dài ngày ở tỉnh Lào Cai.")
    assert page.url.endswith(f"/lien-he/thong-bao/{notice.pk}/")
    assert horizontal_overflow(page) <= 0, "a notice"
    _no_axe_violation(page, "a notice")
