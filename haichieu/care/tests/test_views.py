"""The care pages and the home card (issue 13)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haichieu.care import checks
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db


def test_overview_counts_what_the_user_may_see(world, client_for):
    response = client_for(world.w1_staff).get(reverse("care:overview"))
    assert response.status_code == 200
    rows = dict((check.key, count) for check, count in response.context["rows"])
    assert rows == checks.counts(world.w1_staff)
    assert rows["thieu-noi-cu-tru"] == 1 and rows["trung-cccd"] == 0
    html = response.content.decode()
    for check in checks.CHECKS:
        assert check.label in html and reverse("care:check", args=[check.key]) in html


@pytest.mark.parametrize("persona", ["member_user", "outsider"])
def test_overview_is_404_for_who_reads_no_list(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("care:overview")).status_code == 404
    assert client.get(reverse("care:check", args=["trung-cccd"])).status_code == 404


def test_an_unknown_check_is_404(world, client_for):
    assert client_for(world.w1_staff).get(reverse("care:check", args=["khong-co"])).status_code == 404


def test_a_check_lists_its_records_with_the_page_that_fixes_them(world, client_for):
    response = client_for(world.w1_staff).get(reverse("care:check", args=["thieu-noi-cu-tru"]))
    html = response.content.decode()
    assert world.m2.full_name in html and reverse("members:update", args=[world.m2.pk]) in html
    assert world.m1.full_name not in html
    assert checks.BY_KEY["thieu-noi-cu-tru"].how_to in html
    links = client_for(world.r1_staff).get(reverse("care:check", args=["ngay-ho-so"])).content.decode()
    assert reverse("liaisons:detail", args=[world.m1.liaisons.get().pk]) in links
    assert world.m3.full_name not in links
    assert "Đảng ủy phường Hoàn Kiếm" in links  # the side that holds the link, and fixes it


def test_a_duplicate_names_no_record_outside_the_scope(world, client_for):
    html = client_for(world.w1_staff).get(reverse("care:check", args=["trung-cccd"])).content.decode()
    assert world.m3.full_name not in html and world.m1.full_name not in html
    html = client_for(world.province_staff).get(reverse("care:check", args=["trung-cccd"])).content.decode()
    assert world.m3.full_name in html and world.m1.full_name in html
    assert world.m1.national_id not in html and world.m1.masked_national_id in html  # masked in lists


def test_pages_and_query_count_constant_in_page_size(world, client_for):
    for number in range(60):
        make_member(world.w1c2, f"Nguyễn Văn Số {'abcdefghij'[number // 10]}{'abcdefghij'[number % 10]}")
    client = client_for(world.w1_staff)
    url = reverse("care:check", args=["thieu-noi-cu-tru"])

    def queries(size):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"size": size})
        return len(ctx.captured_queries), response

    (one, _), (fifty, response) = queries(1), queries(50)
    assert one == fifty
    first = response.context["page"]
    assert len(first.rows) == 50 and first.total == 61 and first.next_cursor
    second = client.get(url, {"size": 50, "after": first.next_cursor}).context["page"]
    assert len(second.rows) == 11
    assert {m.pk for m in first.rows}.isdisjoint(m.pk for m in second.rows)
    links = client_for(world.province_staff)
    url = reverse("care:check", args=["ngay-ho-so"])
    with CaptureQueriesContext(connection) as one_link:
        links.get(url, {"size": 1})
    with CaptureQueriesContext(connection) as two_links:
        links.get(url, {"size": 50})
    assert len(one_link.captured_queries) == len(two_links.captured_queries)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"after": "không-phải-vị-trí"}, "Không đọc được vị trí trang"),
        ({"before": "x"}, "Không đọc được vị trí trang"),
        ({"size": "-5"}, "Số dòng mỗi trang"),
        ({"size": "mười"}, "Số dòng mỗi trang"),
    ],
)
def test_malformed_parameters_get_a_message(world, client_for, query, message):
    response = client_for(world.w1_staff).get(reverse("care:check", args=["thieu-noi-cu-tru"]), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and world.m2.full_name in html  # and the first page


def test_the_home_card_shows_the_total(world, client_for):
    html = client_for(world.w1_staff).get(reverse("home")).content.decode()
    assert 'id="home-care"' in html and reverse("care:overview") in html
    total = sum(checks.counts(world.w1_staff).values())
    assert total and f'<span class="badge text-bg-danger">{total}</span>' in html
    assert 'id="home-care"' not in client_for(world.member_user).get(reverse("home")).content.decode()
