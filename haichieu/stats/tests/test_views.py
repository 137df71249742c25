"""The statistics page (issue 13): what it shows, its drill-down links, the day chosen, malformed
values, the .xlsx of the page, the navigation, the charts served by the app, and its query count."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from haichieu.accounts.models import Role
from haichieu.core.models import AuditEntry
from haichieu.stats.summary import statistics_refresh
from haichieu.stats.tests.known import TODAY, more_children
from haichieu.testing import make_member, make_org, make_user

pytestmark = pytest.mark.django_db

URL = reverse("statistics:dashboard")


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_province_page_shows_its_figures_and_its_children_worst_first(province, client_for):
    w = province
    response = client_for(w.province_staff).get(URL)
    assert response.status_code == 200
    page = _text(response)
    assert "Thống kê thực hiện Quy định 213: Đảng bộ Thành phố Hà Nội" in page
    assert 'Tỷ lệ đã giới thiệu</dt><dd class="col-5">50,0% (3/6)' in page
    assert 'Quá hạn giới thiệu về nơi cư trú</dt><dd class="col-5"><span class="text-danger">3</span>' in page
    assert "3/4 lượt" in page  # attendance
    rows = re.findall(r'<tr data-row>\s*<td><a href="([^"]+)">([^<]+)</a>', response.content.decode())
    assert rows[0] == (f"{URL}?org={w.w1.pk}", "Đảng bộ Sở Tài chính")  # 25 %: the worst
    assert {name for _, name in rows} == {w.w1.name, w.w2.name, w.r1.name, w.r2.name}
    assert "đếm trực tiếp" in page  # no summary yet


def test_each_row_opens_the_same_page_one_level_down_with_the_same_day(province, client_for):
    w = province
    client = client_for(w.province_staff)
    page = client.get(URL, {"org": w.province.pk, "ngay": "30/06/2026"}).content.decode()
    assert f'href="{URL}?org={w.w1.pk}&amp;ngay=30%2F06%2F2026"' in page
    down = client.get(URL, {"org": w.w1.pk, "ngay": "30/06/2026"})
    assert down.status_code == 200
    text = _text(down)
    assert "Đảng bộ Sở Tài chính" in text and "Số liệu tính đến hết ngày 30/06/2026" in text
    assert (
        f'href="{URL}?org={w.province.pk}&amp;ngay=30%2F06%2F2026"' in down.content.decode()
    )  # one level up


def test_an_earlier_day_gives_the_figures_then(province, client_for):
    w = province
    page = _text(client_for(w.province_staff).get(URL, {"ngay": "30/06/2026"}))
    assert 'Tỷ lệ đã giới thiệu</dt><dd class="col-5">40,0% (2/5)' in page
    assert "1/2 lượt" in page


def test_the_summary_says_how_fresh_it_is(province, client_for):
    statistics_refresh(on=TODAY)
    page = _text(client_for(province.province_staff).get(URL))
    assert re.search(r"<strong>số liệu đến \d\d:\d\d</strong> ngày \d\d/\d\d/\d{4}", page)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2026", "Ngày “31/02/2026” không hợp lệ"),
        ("hôm qua", "Ngày “hôm qua” không hợp lệ"),
        ("01/01/3100", "không hợp lệ"),
        ("01/01/2027", "Ngày 01/01/2027 chưa đến"),
    ],
)
def test_a_malformed_or_future_day_gets_a_message_and_today(province, client_for, value, message):
    response = client_for(province.province_staff).get(URL, {"ngay": value})
    assert response.status_code == 400
    page = _text(response)
    assert message in page and "đang hiển thị số liệu hôm nay" in page
    assert "50,0% (3/6)" in page


def test_a_malformed_organisation_gets_a_message_and_the_users_own(province, client_for):
    response = client_for(province.w1_staff).get(URL, {"org": "abc"})
    assert response.status_code == 400
    assert "Mã tổ chức không hợp lệ" in _text(response) and "Đảng bộ Sở Tài chính" in _text(response)


def test_the_users_other_organisations_are_linked_whichever_is_shown(province, client_for):
    w = province
    user = make_user("two_roles", (Role.Kind.STAFF, w.w1), (Role.Kind.VIEWER, w.w2))
    for shown, other in ((w.w1, w.w2), (w.w2, w.w1)):
        page = _text(client_for(user).get(URL, {"org": shown.pk}))
        assert "Tổ chức khác của bạn" in page and f'?org={other.pk}"' in page
        assert f'?org={shown.pk}">' not in page.split("Tổ chức khác của bạn")[1].split("</p>")[0]


def test_the_day_written_as_a_date_input_sends_it(province, client_for):
    page = _text(client_for(province.province_staff).get(URL, {"ngay": "2026-06-30"}))
    assert "Số liệu tính đến hết ngày 30/06/2026" in page


def test_an_organisation_outside_the_scope_is_404(province, client_for):
    w = province
    assert client_for(w.w1_staff).get(URL, {"org": w.w2.pk}).status_code == 404
    assert (
        client_for(w.w1_staff).get(reverse("statistics:dashboard_xlsx"), {"org": w.w2.pk}).status_code == 404
    )
    assert client_for(w.outsider).get(URL).status_code == 404
    # The committee's own page has no link up to the province it cannot read.
    page = client_for(w.w1_staff).get(URL).content.decode()
    assert f"org={w.province.pk}" not in page


def test_the_export_has_the_page_rows_and_is_logged(province, client_for):
    w = province
    response = client_for(w.province_staff).get(reverse("statistics:dashboard_xlsx"), {"ngay": "30/06/2026"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row and row[0] == "Tổ chức")
    rows = values[header + 1 :]
    columns = values[header]
    assert [row[0] for row in rows] == [w.province.name, w.w1.name, w.w2.name, w.r1.name, w.r2.name]
    # R1 and R2 are both at 100 %, none overdue: R1's attendance (50 %) is the lower.
    province_row = dict(zip(columns, rows[0], strict=True))
    assert province_row["Đảng viên"] == 7 and province_row["Tỷ lệ đã giới thiệu (%)"] == 40
    assert province_row["Miễn công tác: Tuổi cao, sức khỏe yếu"] == 1
    assert AuditEntry.objects.filter(action="export", note__contains="30/06/2026").exists()


def test_the_navigation_links_the_page_for_staff_only(province, client_for):
    w = province
    assert 'id="nav-statistics"' in client_for(w.w1_staff).get(reverse("home")).content.decode()
    assert 'id="nav-statistics"' in client_for(w.r1_staff).get(reverse("home")).content.decode()
    for persona in ("r1c1_secretary", "member_user", "outsider"):
        assert (
            'id="nav-statistics"' not in client_for(getattr(w, persona)).get(reverse("home")).content.decode()
        )


def test_the_charts_come_from_the_app_with_their_data_and_no_inline_script(province, client_for):
    page = client_for(province.province_staff).get(URL).content.decode()
    for src in (
        "/static/chartkick/Chart.bundle.js",
        "/static/chartkick/chartkick.js",
        "/static/statistics/charts.js",
    ):
        assert f'<script src="{src}"></script>' in page
    tags = re.findall(r"<script[^>]*>", page)
    assert all(" src=" in tag or 'type="application/json"' in tag for tag in tags), tags
    assert '<script id="chart-coverage-data" type="application/json">' in page
    for src in ("/static/chartkick/Chart.bundle.js", "/static/chartkick/chartkick.js"):
        assert client_for(province.province_staff).get(src).status_code == 200
    # The same figures as a table.
    assert 'id="statistics-monthly"' in page and "<td>03/2026</td>" in page


def test_the_page_queries_do_not_grow_with_the_children(province, client_for, django_assert_max_num_queries):
    w = province
    client = client_for(w.province_staff)
    client.get(URL, {"org": w.w1.pk})
    with django_assert_max_num_queries(30) as few:
        client.get(URL, {"org": w.w1.pk})
    more_children(w, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"org": w.w1.pk})
    assert response.content.decode().count("<tr data-row>") == 8


@pytest.fixture
def two_a_page(settings):
    """A drill-down page of two children (the province has four: W1, W2, R1, R2 worst first)."""
    settings.HAICHIEU = {**settings.HAICHIEU, "DRILLDOWN_PAGE_SIZE": 2}


def _rows(response) -> list[str]:
    return re.findall(r'<tr data-row>\s*<td><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_the_children_are_paged_worst_first_over_all_of_them(province, client_for, two_a_page):
    w = province
    client = client_for(w.province_staff)
    first = client.get(URL, {"ngay": "30/06/2026"})
    assert _rows(first) == [w.w1.name, w.w2.name]  # the two worst of the four, not of a page
    page = first.content.decode()
    assert "Trang 1/2" in page and "4 tổ chức trực thuộc" in page
    # The next page keeps the organisation and the day.
    assert f'href="?org={w.province.pk}&amp;ngay=30%2F06%2F2026&amp;trang=2"' in page
    second = client.get(URL, {"ngay": "30/06/2026", "trang": "2"})
    assert _rows(second) == [w.r1.name, w.r2.name]
    assert f'href="?org={w.province.pk}&amp;ngay=30%2F06%2F2026"' in second.content.decode()  # back to 1
    assert _rows(client.get(URL, {"ngay": "30/06/2026", "trang": "9"})) == [w.r1.name, w.r2.name]  # the last


def test_a_malformed_page_number_gets_a_message_and_the_first_page(province, client_for, two_a_page):
    w = province
    response = client_for(w.province_staff).get(URL, {"ngay": "30/06/2026", "trang": "abc"})
    assert response.status_code == 400
    assert "Số trang “abc” không hợp lệ" in _text(response)
    assert _rows(response) == [w.w1.name, w.w2.name]


def test_the_export_has_every_child_whatever_the_page(province, client_for, two_a_page):
    w = province
    response = client_for(w.province_staff).get(
        reverse("statistics:dashboard_xlsx"), {"ngay": "30/06/2026", "trang": "2"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[0].value for row in sheet.iter_rows()]
    assert names[names.index("Tổ chức") + 1 :] == [
        w.province.name,
        w.w1.name,
        w.w2.name,
        w.r1.name,
        w.r2.name,
    ]


def test_a_page_of_children_runs_the_same_queries_whatever_their_number(
    province, client_for, two_a_page, django_assert_max_num_queries
):
    w = province
    client = client_for(w.province_staff)
    more_children(w, 1)  # three children: more than a page
    client.get(URL, {"org": w.w1.pk})
    with django_assert_max_num_queries(30) as few:
        client.get(URL, {"org": w.w1.pk})
    more_children(w, 5, start=1)  # eight children: four pages
    for number in ("1", "3"):
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(URL, {"org": w.w1.pk, "trang": number})
        assert response.content.decode().count("<tr data-row>") == 2


def test_with_the_summary_the_children_are_ranked_before_their_figures_are_counted(
    province, client_for, two_a_page, django_assert_max_num_queries
):
    """Refreshed today, the children are ranked from the kept counts and the summary (two grouped
    queries), then only the page's children get their figures: the same order as every child's
    figures sorted, the same rows; the queries do not grow with the children."""
    from haichieu.stats import figures

    w = province
    statistics_refresh(on=TODAY)
    assert [f.org.pk for f in figures.children_figures(w.province)] == figures.ranked_children(
        w.province, on=TODAY
    )
    client = client_for(w.province_staff)
    first, second = client.get(URL), client.get(URL, {"trang": "2"})
    ranked = [f.org.name for f in figures.children_figures(w.province)]
    assert _rows(first) + _rows(second) == ranked
    assert "đếm trực tiếp" not in _text(first)
    more_children(w, 1)  # three children: more than a page, ranked
    statistics_refresh(on=TODAY)
    client.get(URL, {"org": w.w1.pk})
    with django_assert_max_num_queries(30) as few:
        client.get(URL, {"org": w.w1.pk})
    more_children(w, 5, start=1)
    statistics_refresh(on=TODAY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"org": w.w1.pk, "trang": "3"})
    assert response.content.decode().count("<tr data-row>") == 2


def test_more_than_a_page_of_children_keep_the_refresh_order_and_the_page_says_so(
    province, client_for, two_a_page
):
    """Ranked from the summary, the order is the refresh's (models.OverdueSummary.rank): a child
    whose coverage changed since keeps its place, under a line that says the order is as of the
    refresh, until the next refresh ranks it again; the rows' figures are today's."""
    from haichieu.members.models import Member
    from haichieu.stats import figures

    w = province
    statistics_refresh(on=TODAY)
    client = client_for(w.province_staff)
    refreshed = [f.org.name for f in figures.children_figures(w.province)]
    assert refreshed[0] == w.w1.name  # 25 %: the worst
    # Every working member of W1 now active where they live, and W2 has a new member to introduce:
    # today W2 is the worst.
    Member.objects.filter(workplace_cell__in=[w.w1c1, w.w1c2]).update(link_status=Member.LinkStatus.ACTIVE)
    make_member(w.w2c1, "Lê Văn Mới")
    live = [f.org.name for f in figures.children_figures(w.province)]
    assert live[0] == w.w2.name
    first = client.get(URL)
    assert _rows(first) + _rows(client.get(URL, {"trang": "2"})) == refreshed
    text = re.sub(r"<[^>]+>", "", _text(first))
    assert "Thứ tự xếp theo số liệu đến" in text and "giữ chỗ cũ đến lần cập nhật sau" in text
    assert '<td class="text-end">100,0%</td>' in re.search(
        r"<tr data-row>.*?</tr>", first.content.decode(), re.S
    ).group(0)  # W1's row: today's coverage
    statistics_refresh(on=TODAY)
    again = client.get(URL)
    assert _rows(again) + _rows(client.get(URL, {"trang": "2"})) == live


def test_a_page_of_children_ranks_them_live_and_says_nothing_of_the_order(province, client_for):
    w = province
    statistics_refresh(on=TODAY)
    response = client_for(w.province_staff).get(URL)  # four children: one page
    assert "Thứ tự xếp theo" not in _text(response)


def test_a_child_made_or_moved_in_since_the_refresh_comes_last_and_one_moved_out_is_gone(
    province, client_for, two_a_page
):
    from haichieu.organizations.models import Organization
    from haichieu.organizations.services import organization_move
    from haichieu.stats import figures

    w = province
    statistics_refresh(on=TODAY)
    refreshed = [f.org.name for f in figures.children_figures(w.province)]
    new = make_org(w.province, "ZZ", "Đảng bộ Ánh Sáng Mới", Organization.Kind.GRASSROOTS)
    make_member(make_org(new, "ZZC1", "Chi bộ Ánh Sáng"), "Trần Văn Chưa")  # 0 %: the worst today
    w.w2.refresh_from_db()
    organization_move(actor=w.province_staff, org=w.w2, new_parent=w.w1)
    client = client_for(w.province_staff)
    rows = sum((_rows(client.get(URL, {"trang": str(n)})) for n in (1, 2)), [])
    assert rows == [name for name in refreshed if name != w.w2.name] + [new.name]
