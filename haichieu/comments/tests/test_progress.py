"""The comment round's progress page (issue 13, scale): per commune committee this year's counts come
from the statistics summary (stats.figures.comment_progress) when the user reads one subtree, and
they are the live count's (selectors.progress) for every kind of user: the same requests (the access
rule's sides), the same rules (figures.progress_counts). One commune's cells, another year, several
subtrees and the superuser are counted live."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haichieu.accounts.models import Role
from haichieu.comments import selectors, services
from haichieu.comments.figures import NO_COMMUNE
from haichieu.comments.models import CommentRequest
from haichieu.liaisons.models import Liaison
from haichieu.organizations.models import Organization
from haichieu.stats import figures as statistics
from haichieu.stats.models import OverdueSummary
from haichieu.stats.summary import statistics_refresh
from haichieu.testing import make_member, make_org, make_user

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2026
OPENED = D(2026, 11, 20)
DEADLINE = D(2026, 12, 15)
ON = D(2026, 12, 3)  # the figures' "today": before DEADLINE, after EARLY
EARLY = D(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(statistics, "today", lambda: ON)


def _link(member, commune, cell, workplace):
    Liaison.objects.create(
        member=member, workplace_org=workplace, commune_org=commune, cell=cell, status="active"
    )


@pytest.fixture
def round_(world):
    return _round(world)


def _round(world):
    """The world's m1 (W1C1 → R1C1) and m3 (W2C1 → R2C1), three of W1C2 living in R1C2, two of W2C1
    in R1C1 and one of W1C1 in R2C1: the province's round of YEAR, then
    R1C2: one answered, one awaiting the commune (its deadline EARLY: overdue), one pending;
    R1C1: m1 overdue (EARLY); W2's two pending; R2C1: m3 answered, W1C1's pending, its commune
    taken off the request (no commune committee: the row "not on the software")."""
    w = world
    r1c2 = [make_member(w.w1c2, f"Đảng Viên {n}") for n in range(3)]
    w2_in_r1 = [make_member(w.w2c1, f"Người Ở {n}") for n in range(2)]
    w1_in_r2 = make_member(w.w1c1, "Vũ Văn Xa")
    for member in r1c2:
        _link(member, w.r1, w.r1c2, w.w1)
    for member in w2_in_r1:
        _link(member, w.r1, w.r1c1, w.w2)
    _link(w1_in_r2, w.r2, w.r2c1, w.w1)
    services.open_comment_round(actor=w.admin, org=w.province, year=YEAR, deadline=DEADLINE, today=OPENED)
    first, second, _ = CommentRequest.objects.filter(member__in=r1c2).order_by("member_id")
    CommentRequest.objects.filter(pk=first.pk).update(state="answered")
    CommentRequest.objects.filter(pk=second.pk).update(state="awaiting_confirmation", deadline=EARLY)
    CommentRequest.objects.filter(member=w.m1).update(deadline=EARLY)
    CommentRequest.objects.filter(member=w.m3).update(state="answered")
    CommentRequest.objects.filter(member=w1_in_r2).update(commune_org=None)
    return w


def _rows(rows):
    return {row.org_id: (row.name, row.answered, row.pending, row.overdue) for row in rows}


def _users(w):
    two_sides = make_user("two_sides", (Role.Kind.STAFF, w.w2), (Role.Kind.STAFF, w.r1))
    return {
        "province_staff": (w.province_staff, True),
        "w1_staff": (w.w1_staff, True),
        "w1c1_secretary": (w.w1c1_secretary, True),
        "w2_staff": (w.w2_staff, True),
        "r1_staff": (w.r1_staff, True),
        "r1c1_secretary": (w.r1c1_secretary, True),
        "r2_staff": (w.r2_staff, True),
        "admin": (w.admin, False),  # every request: counted live
        "two_sides": (two_sides, False),  # two subtrees: counted live
    }


def test_the_summary_s_progress_is_the_live_count_for_every_user(round_):
    w = round_
    statistics_refresh(on=ON)
    for name, (user, kept) in _users(w).items():
        rows, summary_at = statistics.comment_progress(user, year=YEAR)
        assert (summary_at is not None) == kept, name
        assert _rows(rows) == _rows(selectors.progress(user, year=YEAR, today=ON)), name
    # The numbers themselves (the fixture's), so that both cannot be wrong alike.
    rows, _ = statistics.comment_progress(w.province_staff, year=YEAR)
    assert _rows(rows) == {
        w.r1.pk: (w.r1.name, 1, 3, 2),  # R1C2 1/1/1 (awaiting, EARLY: overdue); R1C1 m1 overdue, W2's two
        w.r2.pk: (w.r2.name, 1, 0, 0),  # m3
        None: (NO_COMMUNE, 0, 1, 0),  # W1C1's member in R2C1, no commune on the request
    }
    assert [row.org_id for row in rows][-1] is None  # last, as PostgreSQL sorts the live rows
    rows, _ = statistics.comment_progress(w.w2_staff, year=YEAR)  # its members, wherever they live
    assert _rows(rows) == {w.r1.pk: (w.r1.name, 0, 2, 0), w.r2.pk: (w.r2.name, 1, 0, 0)}
    rows, _ = statistics.comment_progress(w.r1c1_secretary, year=YEAR)  # its cell's, not R1C2's
    assert _rows(rows) == {w.r1.pk: (w.r1.name, 0, 2, 1)}
    rows, _ = statistics.comment_progress(w.r2_staff, year=YEAR)  # by its cell, whatever the commune
    assert _rows(rows) == {w.r2.pk: (w.r2.name, 1, 0, 0), None: (NO_COMMUNE, 0, 1, 0)}


def test_a_request_seen_on_two_sides_is_counted_once(round_):
    """R1's staff see R1C1's requests by their cell and by their commune; W1's staff see a member of
    W1 living in R1 once though its cell and commune are both R1's: each organisation of the three
    sides gets the request once."""
    w = round_
    statistics_refresh(on=ON)
    rows, _ = statistics.comment_progress(w.r1_staff, year=YEAR)
    assert [row.total for row in rows] == [6]
    rows, _ = statistics.comment_progress(w.w1_staff, year=YEAR)
    assert _rows(rows) == {w.r1.pk: (w.r1.name, 1, 1, 2), None: (NO_COMMUNE, 0, 1, 0)}


def test_the_summary_is_read_for_this_year_s_communes_only_and_says_when_it_was_made(round_):
    w = round_
    statistics_refresh(on=ON)
    CommentRequest.objects.filter(member=w.m1).update(state="answered")
    rows, summary_at = statistics.comment_progress(w.province_staff, year=YEAR)
    assert summary_at is not None and _rows(rows)[w.r1.pk][1:] == (1, 3, 2)  # as it was at the refresh
    live = _rows(selectors.progress(w.province_staff, year=YEAR, today=ON))
    assert live[w.r1.pk][1:] == (2, 3, 1)
    # One commune's cells: live.
    cells, summary_at = statistics.comment_progress(w.province_staff, year=YEAR, commune=w.r1)
    assert summary_at is None
    assert _rows(cells) == {w.r1c1.pk: (w.r1c1.name, 1, 2, 0), w.r1c2.pk: (w.r1c2.name, 1, 1, 1)}
    # Another year: live (none).
    assert statistics.comment_progress(w.province_staff, year=YEAR - 1) == ([], None)
    # The next refresh counts the answer.
    statistics_refresh(on=ON)
    rows, _ = statistics.comment_progress(w.province_staff, year=YEAR)
    assert _rows(rows)[w.r1.pk][1:] == (2, 3, 1)


def test_a_summary_of_another_day_or_without_the_progress_is_not_read(world):
    """Nor one made before the year's round opened: the round's requests show at once (counted)."""
    statistics_refresh(on=ON)
    w = _round(world)
    rows, summary_at = statistics.comment_progress(w.province_staff, year=YEAR)
    assert summary_at is None and sum(row.total for row in rows) == 8
    statistics_refresh(on=ON - datetime.timedelta(days=1))
    assert statistics.comment_progress(w.province_staff, year=YEAR)[1] is None
    statistics_refresh(on=ON)
    for summary in OverdueSummary.objects.all():  # made before the summary kept the progress
        summary.comments.pop("progress")
        summary.save(update_fields=["comments"])
    rows, summary_at = statistics.comment_progress(w.province_staff, year=YEAR)
    assert summary_at is None and sum(row.total for row in rows) == 8


def test_one_commune_s_cells_are_the_same_whether_the_user_reads_the_commune_or_not(round_):
    """The province and R1's staff read R1 whole (its index alone); W2's staff and R1C1's secretary
    see some of its requests (tested against their sides)."""
    w = round_
    province = _rows(selectors.progress(w.province_staff, year=YEAR, today=ON, commune=w.r1))
    assert province == _rows(selectors.progress(w.r1_staff, year=YEAR, today=ON, commune=w.r1))
    assert province == {w.r1c1.pk: (w.r1c1.name, 0, 2, 1), w.r1c2.pk: (w.r1c2.name, 1, 1, 1)}
    assert _rows(selectors.progress(w.w2_staff, year=YEAR, today=ON, commune=w.r1)) == {
        w.r1c1.pk: (w.r1c1.name, 0, 2, 0)
    }
    assert _rows(selectors.progress(w.r1c1_secretary, year=YEAR, today=ON, commune=w.r1)) == {
        w.r1c1.pk: (w.r1c1.name, 0, 2, 1)
    }


def _page_queries(client, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("comments:progress"), {"year": YEAR, **params})
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_page_says_where_its_numbers_come_from_in_a_constant_number_of_queries(round_, client_for):
    w = round_
    client = client_for(w.province_staff)
    live_queries, html = _page_queries(client)
    assert "Đếm trực tiếp" in html
    statistics_refresh(on=ON)
    kept_queries, html = _page_queries(client)
    assert "Số liệu đến" in html and w.r1.name in html and NO_COMMUNE in html
    drill_queries, html = _page_queries(client, commune=w.r1.pk)
    assert "Đếm trực tiếp" in html and w.r1c2.name in html
    # More communes and requests: the same queries.
    commune = make_org(w.province, "R3", "Đảng ủy xã Mới", Organization.Kind.GRASSROOTS, residential=True)
    cell = make_org(commune, "R3C1", "Chi bộ thôn Mới", residential=True)
    for n in range(3):
        _link(make_member(w.w1c2, f"Thêm {n}"), commune, cell, w.w1)
    services.open_comment_round(actor=w.admin, org=w.province, year=YEAR, deadline=DEADLINE, today=OPENED)
    assert _page_queries(client)[0] == kept_queries
    statistics_refresh(on=ON)
    queries, html = _page_queries(client)
    assert queries == kept_queries and commune.name in html
    assert _page_queries(client, commune=commune.pk)[0] == drill_queries
    OverdueSummary.objects.all().delete()
    assert _page_queries(client)[0] == live_queries
