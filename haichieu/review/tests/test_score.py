"""The 213 score (issue 13): each component's numerator and denominator on a known data set
(tests/data.py), the weights from the settings, the page that shows how it is made, the children
ranked lowest first, and a query count that does not grow with the tree."""

import copy

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from haichieu.review import score, selectors

from . import data
from .conftest import ON

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(world, on_day):
    return data.build(world)


def _parts(s: score.Score) -> dict:
    return {p.component.key: (p.numerator, p.denominator) for p in s.parts}


def test_each_component_counts_its_duty_done_in_time_for_each_organisation(world, known):
    table = selectors.score_table(world.province, year=data.YEAR, on=ON)
    # The province: every member (W1: m1 of m1, m2; W2: m3; W3: A, B, C of A, B, C, D), R1's four
    # receptions (A, D in time), W1's three lists (one in time), its members' two requests (m1's in
    # time) and linked members' three marks (two present).
    assert _parts(table.total) == {
        "coverage": (5, 7), "receptions": (2, 4), "notices": (1, 3), "comments": (1, 2), "attendance": (2, 3),
    }  # fmt: skip
    rows = {s.org.code: _parts(s) for s in table.children}
    assert rows["W1"] == {"coverage": (1, 2), "receptions": (0, 0), "notices": (1, 3), "comments": (1, 1),
                          "attendance": (1, 2)}  # fmt: skip
    assert rows["W2"] == {"coverage": (1, 1), "receptions": (0, 0), "notices": (0, 0), "comments": (0, 1),
                          "attendance": (1, 1)}  # fmt: skip
    assert rows["W3"] == {"coverage": (3, 4), "receptions": (0, 0), "notices": (0, 0), "comments": (0, 0),
                          "attendance": (0, 0)}  # fmt: skip
    # R1 is scored on the residence's duties: receptions, its cells' comments and meetings.
    assert rows["R1"] == {"coverage": (0, 0), "receptions": (2, 4), "notices": (0, 0), "comments": (1, 1),
                          "attendance": (1, 2)}  # fmt: skip
    assert rows["R2"] == {"coverage": (0, 0), "receptions": (0, 0), "notices": (0, 0), "comments": (0, 1),
                          "attendance": (1, 1)}  # fmt: skip


def test_the_comments_and_attendance_components_read_the_statistics_summary_made_today(
    world, known, monkeypatch
):
    """Refreshed today, the comment requests and the linked members' marks come from the statistics
    summary (the same numbers on both sides, five queries fewer); until the next refresh a new mark
    is not counted."""
    from haichieu.meetings.models import Attendance
    from haichieu.stats import figures
    from haichieu.stats.summary import statistics_refresh

    monkeypatch.setattr(figures, "today", lambda: ON)
    live = selectors.score_table(world.province, year=data.YEAR, on=ON)
    statistics_refresh(on=ON)
    kept = selectors.score_table(world.province, year=data.YEAR, on=ON)
    assert kept.figures[world.province.pk].linked_kept
    assert _parts(kept.total) == _parts(live.total)
    assert [(s.org.code, _parts(s)) for s in kept.children] == [
        (s.org.code, _parts(s)) for s in live.children
    ]
    Attendance.objects.filter(source=Attendance.Source.LIAISON).update(status=Attendance.Status.PRESENT)
    assert _parts(selectors.score_table(world.province, year=data.YEAR, on=ON).total)["attendance"] == (2, 3)
    statistics_refresh(on=ON)
    assert _parts(selectors.score_table(world.province, year=data.YEAR, on=ON).total)["attendance"] == (3, 3)


def test_the_receptions_and_notices_components_read_the_statistics_summary_made_today(
    world, known, monkeypatch
):
    """Refreshed today, the receptions and change notices due and done in time come from the summary
    too (at 1,000,000 members their live count read every link and notice of the province): the
    same numbers, no query of links or notices; a reception since is counted at the next refresh."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from haichieu.liaisons.models import Liaison
    from haichieu.stats import figures
    from haichieu.stats.summary import statistics_refresh

    monkeypatch.setattr(figures, "today", lambda: ON)
    live = selectors.score_table(world.province, year=data.YEAR, on=ON)
    statistics_refresh(on=ON)
    with CaptureQueriesContext(connection) as queries:
        kept = selectors.score_table(world.province, year=data.YEAR, on=ON)
    assert not [
        q for q in queries.captured_queries if '"liaisons_' in q["sql"] and "coveragecount" not in q["sql"]
    ]
    for key in ("receptions", "notices"):
        assert _parts(kept.total)[key] == _parts(live.total)[key]
        assert [(s.org.code, _parts(s)[key]) for s in kept.children] == [
            (s.org.code, _parts(s)[key]) for s in live.children
        ]
    late = Liaison.objects.filter(commune_org__path__startswith=world.province.path, received_at__isnull=True)
    late = late.exclude(status=Liaison.Status.DRAFT).filter(receive_due__year=data.YEAR).first()
    if late is not None:
        before = _parts(selectors.score_table(world.province, year=data.YEAR, on=ON).total)["receptions"]
        Liaison.objects.filter(pk=late.pk).update(received_at=timezone.now())
        assert (
            _parts(selectors.score_table(world.province, year=data.YEAR, on=ON).total)["receptions"] == before
        )


def test_the_score_shares_the_weights_of_the_components_that_count_and_ranks_the_children(world, known):
    table = selectors.score_table(world.province, year=data.YEAR, on=ON)
    # (30·5/7 + 15·2/4 + 15·1/3 + 20·1/2 + 20·2/3) / 100
    assert table.total.value == pytest.approx(
        (30 * 5 / 7 + 15 / 2 + 15 / 3 + 20 / 2 + 20 * 2 / 3) * 100 / 100
    )
    values = {s.org.code: s.value for s in table.children}
    assert values["W1"] == pytest.approx((30 * 50 + 15 * 100 / 3 + 20 * 100 + 20 * 50) / 85)  # 58.8
    assert values["W2"] == pytest.approx((30 * 100 + 20 * 0 + 20 * 100) / 70)  # 71.4
    assert values["W3"] == pytest.approx(75.0)  # coverage alone counts
    assert values["R1"] == pytest.approx((15 * 50 + 20 * 100 + 20 * 50) / 55)  # 68.2
    assert values["R2"] == pytest.approx(2000 / 40)  # 50
    assert [s.org.code for s in table.children] == ["R2", "W1", "R1", "W2", "W3"]
    w1 = next(s for s in table.children if s.org.code == "W1")
    shares = {p.component.key: round(p.share_of_score, 2) for p in w1.parts}
    assert shares == {
        "coverage": 35.29,
        "receptions": 0.0,
        "notices": 17.65,
        "comments": 23.53,
        "attendance": 23.53,
    }
    assert sum(p.points for p in w1.parts) == pytest.approx(w1.value)


def test_the_weights_are_settings_a_zero_weight_leaves_the_component_out(world, known, settings):
    review = copy.deepcopy(settings.HAICHIEU["REVIEW"])
    review.update(SCORE_COVERAGE=0, SCORE_ATTENDANCE=60)
    settings.HAICHIEU = {**settings.HAICHIEU, "REVIEW": review}
    w3 = selectors.score_table(known["w3"], year=data.YEAR, on=ON).total
    assert w3.value is None  # coverage was all it had
    w1 = selectors.score_table(world.w1, year=data.YEAR, on=ON).total
    assert w1.value == pytest.approx((15 * 100 / 3 + 20 * 100 + 60 * 50) / 95)


def test_an_earlier_day_counts_the_duties_due_or_done_by_then(world, known):
    # On 30/04: A (in time) and B (late, 20/04) were due; C and D not yet (D's return came on 01/05).
    table = selectors.score_table(world.r1, year=data.YEAR, on=data.D(data.YEAR, 4, 30))
    assert _parts(table.total)["receptions"] == (1, 2)
    assert _parts(table.total)["attendance"] == (0, 0)  # no meeting held yet
    w1 = selectors.score_table(world.w1, year=data.YEAR, on=data.D(data.YEAR, 4, 30)).total
    assert _parts(w1)["notices"] == (1, 1)  # period 1's list, due 15/04, sent 10/04


def test_the_page_shows_how_each_component_is_made_and_links_the_children(world, known, client_for):
    client = client_for(world.province_staff)
    page = client.get(reverse("review:score", args=[world.province.pk, data.YEAR])).content.decode()
    assert "Điểm: <strong>57,3</strong>/100" in page
    assert 'data-component="receptions"' in page and "giấy đã đến hạn tiếp nhận" in page
    assert reverse("review:score", args=[world.r2.pk, data.YEAR]) in page
    assert page.index("Đảng ủy phường Ba Đình") < page.index("Đảng bộ Sở Tài chính")  # R2 (50) before W1
    assert reverse("liaisons:rules") + "#score_coverage" in page


def test_the_rules_page_lists_the_weights_with_their_source(world, client_for):
    page = client_for(world.province_staff).get(reverse("liaisons:rules")).content.decode()
    assert "Điểm thực hiện Quy định 213 của tổ chức đảng" in page
    assert 'data-rule="SCORE_COVERAGE"' in page and "trọng số 30" in page
    assert set(settings.HAICHIEU["REVIEW"]) == {c.setting for c in score.COMPONENTS}


def test_outside_the_scope_the_page_and_the_report_are_404(world, known, client_for):
    for user in (world.w2_staff, world.r1_staff, world.member_user, world.outsider):
        client = client_for(user)
        for name in ("review:score", "review:report"):
            url = reverse(name, args=[world.w1.pk, data.YEAR])
            assert client.get(url).status_code == 404, (user, name)
            assert client.post(url).status_code == 404, (user, name)


def test_the_page_runs_the_same_queries_whatever_the_number_of_children(
    world, known, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.province_staff)
    url = reverse("review:score", args=[world.province.pk, data.YEAR])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    from haichieu.organizations.models import Organization
    from haichieu.testing import make_org

    for n in range(6):
        org = make_org(world.province, f"WX{n}", f"Đảng bộ Công ty số {n}", Organization.Kind.GRASSROOTS)
        make_org(org, f"WX{n}C", f"Chi bộ Công ty số {n}")
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_staff_find_the_page_in_the_menu_and_it_opens_on_their_organisation(world, client_for, on_day):
    client = client_for(world.w1_staff)
    home = client.get("/").content.decode()
    assert 'id="nav-review"' in home
    response = client.get(reverse("review:start"))
    assert response.status_code == 302
    assert response.url == reverse("review:score", args=[world.w1.pk, 2026])
    page = client.get(response.url).content.decode()
    assert 'id="nav-review"' in page and 'aria-current="page" href="/so-ket/"' in page
    assert 'id="nav-review"' not in client_for(world.r1c1_secretary).get("/").content.decode()


def test_the_score_exports_to_xlsx_with_each_components_numbers_audited(world, known, client_for):
    import io

    from openpyxl import load_workbook

    from haichieu.core.models import AuditEntry

    response = client_for(world.province_staff).get(
        reverse("review:score_xlsx", args=[world.province.pk, data.YEAR])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in values if r and r[0] == "Tổ chức")
    body = values[values.index(header) + 1 :]
    assert [r[0] for r in body] == [
        "Đảng bộ Thành phố Hà Nội", "Đảng ủy phường Ba Đình", "Đảng bộ Sở Tài chính", "Đảng ủy phường Hoàn Kiếm",
        "Đảng bộ Công ty Điện lực", "Đảng bộ Trường Đại học",
    ]  # fmt: skip
    assert body[0][1] == 57.3 and body[0][2:5] == [5, 7, 71.4]
    assert body[2][1] == 58.8 and body[2][5:8] == [0, 0, None]  # W1 receives no introduction
    assert AuditEntry.objects.filter(
        action="export", note__contains="Điểm thực hiện Quy định 213 năm 2026"
    ).exists()


def test_a_cells_page_scores_its_own_duties_and_has_no_children(world, known, client_for):
    table = selectors.score_table(world.r1c1, year=data.YEAR, on=ON)
    assert table.children == []
    assert _parts(table.total) == {"coverage": (0, 0), "receptions": (0, 0), "notices": (0, 0), "comments": (1, 1),
                                   "attendance": (1, 2)}  # fmt: skip
    assert table.total.value == pytest.approx(75.0)
    page = client_for(world.r1c1_secretary).get(reverse("review:score", args=[world.r1c1.pk, data.YEAR]))
    assert page.status_code == 200 and 'id="score-children"' not in page.content.decode()


def test_a_letter_withdrawn_before_its_deadline_is_not_the_communes_to_answer(world, known):
    from haichieu.liaisons.models import Liaison
    from haichieu.testing import make_member

    def ended(name, day):
        Liaison.objects.create(
            member=make_member(world.w2c1, name), workplace_org=world.w2, commune_org=world.r1,
            status=Liaison.Status.ENDED, end_reason=Liaison.EndReason.WITHDRAWN, receive_due=data.D(data.YEAR, 7, 1),
            ended_at=data.moment(day),
        )  # fmt: skip

    ended("Hà Văn Rút", data.D(data.YEAR, 6, 20))  # withdrawn in time: not counted
    ended("Hồ Thị Muộn", data.D(data.YEAR, 7, 20))  # ended after the deadline passed unanswered: late
    r1 = selectors.score_table(world.r1, year=data.YEAR, on=ON).total
    assert _parts(r1)["receptions"] == (2, 5)


@pytest.fixture
def two_a_page(settings):
    """A page of two children (the province has five: R2, W1, R1, W2, W3 lowest first)."""
    settings.HAICHIEU = {**settings.HAICHIEU, "DRILLDOWN_PAGE_SIZE": 2}


def _codes(world, response) -> list[str]:
    import re

    ids = [int(pk) for pk in re.findall(r'<tr data-row data-org="(\d+)">', response.content.decode())]
    by_pk = {org.pk: org.code for org in (world.w1, world.w2, world.r1, world.r2)}
    return [by_pk.get(pk, "W3") for pk in ids]


def test_the_children_are_paged_lowest_first_over_all_of_them(world, known, client_for, two_a_page):
    client = client_for(world.province_staff)
    url = reverse("review:score", args=[world.province.pk, data.YEAR])
    first = client.get(url)
    assert _codes(world, first) == ["R2", "W1"]
    page = first.content.decode()
    assert "Trang 1/3" in page and "5 tổ chức trực thuộc" in page
    assert 'href="?trang=2"' in page
    assert _codes(world, client.get(url, {"trang": "2"})) == ["R1", "W2"]
    assert _codes(world, client.get(url, {"trang": "3"})) == ["W3"]
    malformed = client.get(url, {"trang": "-1"})
    assert malformed.status_code == 400 and "Số trang “-1” không hợp lệ" in malformed.content.decode()
    assert _codes(world, malformed) == ["R2", "W1"]


def test_the_export_has_every_child_whatever_the_page(world, known, client_for, two_a_page):
    import io

    from openpyxl import load_workbook

    response = client_for(world.province_staff).get(
        reverse("review:score_xlsx", args=[world.province.pk, data.YEAR]), {"trang": "2"}
    )
    names = [
        r[0]
        for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    ]
    assert len(names[names.index("Tổ chức") + 1 :]) == 6  # the province and its five children


def test_a_page_of_children_runs_the_same_queries_whatever_their_number(
    world, known, client_for, two_a_page, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from haichieu.organizations.models import Organization
    from haichieu.testing import make_org

    client = client_for(world.province_staff)
    url = reverse("review:score", args=[world.province.pk, data.YEAR])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        org = make_org(world.province, f"WX{n}", f"Đảng bộ Công ty số {n}", Organization.Kind.GRASSROOTS)
        make_org(org, f"WX{n}C", f"Chi bộ Công ty số {n}")
    for number in ("1", "4"):
        with django_assert_max_num_queries(len(few)):
            response = client.get(url, {"trang": number})
        assert response.content.decode().count("<tr data-row") == 2
