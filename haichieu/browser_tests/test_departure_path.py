"""Issue 10, item 6: "no longer lives here" goes through the commune committee (QĐ 213, Art. 4).

With the three demo logins: the residential cell's secretary (`chibotdp`) reports that a member no
longer lives there, and the link stays; the ward committee (`phuong`) finds the report on its home
page and queue and confirms it; the workplace committee (`coquan`) finds the notice in its inbox.
Only the setup reads the database (which member to report); everything else goes through the pages.
"""

import re

import pytest
from playwright.sync_api import expect

from haichieu.accounts.models import Role
from haichieu.demo.accounts import DEMO_PASSWORD
from haichieu.liaisons.models import ChangeNotice, DepartureReport, Liaison
from haichieu.members.models import Member

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Đã chuyển đến nơi ở mới ở tỉnh khác"


def _role_org(username: str):
    return Role.objects.select_related("organization").get(user__username=username).organization


@pytest.fixture
def departure_demo():
    """The demo, and an active link of a member of coquan's committee in chibotdp's cell."""
    from django.core.management import call_command

    call_command("seed_demo", members=300, verbosity=0)
    workplace, ward, cell = _role_org("coquan"), _role_org("phuong"), _role_org("chibotdp")
    links = Liaison.objects.filter(
        workplace_org=workplace, commune_org=ward, cell=cell, status=Liaison.Status.ACTIVE
    ).select_related("member")
    # A name that appears once in the demo, so that its row is found by name alone.
    liaison = next(
        (
            li
            for li in links.order_by("pk")
            if Member.objects.filter(full_name=li.member.full_name).count() == 1
        ),
        None,
    )
    assert liaison is not None, "the demo has no active link from coquan's committee in chibotdp's cell"
    return {"workplace": workplace, "ward": ward, "cell": cell, "liaison": liaison, "member": liaison.member}


def _log_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()


def _accept_confirmations(page, asked: list[str]) -> None:
    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)


def test_the_cell_reports_the_ward_confirms_the_workplace_is_told(departure_demo, page, log_in):
    member, cell, ward = departure_demo["member"], departure_demo["cell"], departure_demo["ward"]
    liaison = departure_demo["liaison"]
    asked: list[str] = []
    _accept_confirmations(page, asked)

    # --- the cell secretary reports; the link stays ----------------------------------------------
    log_in(page, "chibotdp", DEMO_PASSWORD)  # a cell's secretary lands on the cell
    expect(page.locator("h1")).to_have_text(cell.name)
    page.get_by_label("Tìm đảng viên trong chi bộ").fill(member.full_name)  # htmx: the roster alone
    page.locator("#cell-roster").get_by_role("link", name=member.full_name, exact=True).click()
    expect(page.locator("h1")).to_have_text(member.full_name)
    expect(page.locator("#departure")).to_contain_text(f"Chi bộ báo {ward.name}")
    page.get_by_label("Ghi chú").fill(NOTE)
    page.get_by_role("button", name="Báo đảng ủy xác nhận").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        f"Đã báo {ward.name} đồng chí {member.full_name} không còn cư trú tại địa phương"
    )
    assert asked == [f"Báo đảng ủy đồng chí {member.full_name} không còn cư trú tại địa phương?"]
    expect(page.locator("h1")).to_have_text(cell.name)
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=member.full_name, exact=True))
    expect(row).to_contain_text("Đã báo không còn cư trú, chờ đảng ủy xác nhận")
    assert Liaison.objects.get(pk=liaison.pk).status == Liaison.Status.ACTIVE
    _log_out(page)

    # --- the ward committee sees it waiting and confirms -----------------------------------------
    log_in(page, "phuong", DEMO_PASSWORD)
    page.goto("/")
    card = page.locator("#home-departures")
    expect(card).to_contain_text("1 chờ xác nhận")
    card.click()
    expect(page.locator("h1")).to_have_text(f"Chi bộ báo đảng viên không còn cư trú — {ward.name}")
    report_row = page.locator("#departures tr[data-row]")
    expect(report_row).to_have_count(1)
    expect(report_row).to_contain_text(member.full_name)
    expect(report_row).to_contain_text(cell.name)
    expect(report_row).to_contain_text(NOTE)
    report_row.get_by_role("link", name="Xem, xác nhận").click()
    expect(page.locator("#departure-report")).to_contain_text(NOTE)
    page.get_by_role("button", name="Xác nhận và thông báo nơi công tác").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        f"Đã xác nhận đồng chí {member.full_name} không còn cư trú tại địa phương"
    )
    expect(page.locator("#departures")).to_contain_text("Không có báo cáo nào đang chờ xác nhận.")
    page.goto("/")
    expect(page.locator("#home-departures")).not_to_contain_text("chờ xác nhận")
    _log_out(page)

    # --- the workplace committee has the notice in its inbox -------------------------------------
    log_in(page, "coquan", DEMO_PASSWORD)
    page.locator("#nav-inbox").click()
    item = page.locator("#inbox-items > li").filter(has_text=f"đồng chí {member.full_name} không còn cư trú")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Đảng viên không còn cư trú")
    expect(item).to_contain_text(ward.name)
    expect(item).to_contain_text("Đề nghị cho biết nơi cư trú mới")
    expect(item).to_have_class(re.compile("list-group-item-warning"))  # unread

    # What the pages showed is what was stored.
    ended = Liaison.objects.get(pk=liaison.pk)
    assert (ended.status, ended.end_reason) == (Liaison.Status.ENDED, Liaison.EndReason.NO_LONGER_RESIDES)
    assert DepartureReport.objects.get(liaison=liaison).state == DepartureReport.State.CONFIRMED
    notice = ChangeNotice.objects.get(liaison=liaison, kind=ChangeNotice.Kind.NO_LONGER_RESIDES)
    assert (notice.sender_org, notice.recipient_org) == (ward, departure_demo["workplace"])
