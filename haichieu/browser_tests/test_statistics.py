"""The statistics page in a browser (issue 13): the charts are drawn by the app's own Chart.js
without breaking the Content-Security-Policy (the fixtures fail the test on a CSP violation, a
JavaScript error or a missing asset), and a row of the drill-down opens the page one level down."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_see_the_charts_and_drill_down(world, page, log_in, horizontal_overflow):
    log_in(page, "w1_staff")
    page.locator("#nav-statistics").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Thống kê thực hiện Quy định 213: Đảng bộ Sở Tài chính")
    # Chartkick puts a canvas in each chart's box once Chart.js has drawn it.
    expect(page.locator("#chart-coverage canvas")).to_have_count(1)
    # No meeting closed yet: the box says so in Vietnamese instead of drawing an empty chart.
    expect(page.locator("#chart-attendance")).to_contain_text("Chưa có số liệu")
    expect(page.locator("#statistics-monthly tbody tr")).to_have_count(12)
    page.locator("#statistics-children").get_by_role("link", name="Chi bộ Phòng Ngân sách").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Thống kê thực hiện Quy định 213: Chi bộ Phòng Ngân sách")
    expect(page.get_by_role("link", name="Lên cấp trên: Đảng bộ Sở Tài chính")).to_be_visible()
    assert horizontal_overflow(page) <= 0
