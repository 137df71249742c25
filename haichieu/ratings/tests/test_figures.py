"""The rating distribution (ratings/figures.py) on a committee with known numbers: the count and share
of each level of the year's scheme, exempt members apart, as of two days; the drill-down worst first;
the queries do not grow with the members."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haichieu.exemptions.models import Exemption
from haichieu.ratings import figures
from haichieu.ratings.models import Rating, RatingLevel
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

YEAR = 2025  # a year with a scheme (the data migration): four levels, 1 the highest


def rate(member, order: int | None, day: datetime.date):
    """Record `member`'s rating at the level of `order` (None: exempt) on `day`."""
    level = None if order is None else RatingLevel.objects.get(scheme__year=YEAR, order=order)
    rating = Rating.objects.create(
        member=member, year=YEAR, score=None if level is None else Decimal("80"), level=level,
        exempt=level is None, rated_at=timezone.now(),
    )  # fmt: skip
    Rating.objects.filter(pk=rating.pk).update(
        rated_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    )


@pytest.fixture
def committee(world):
    """W1's seven members: in W1C1 m1 (level 1, 20/12), p and q (level 2, q on 10/01 of the next
    year); in W1C2 m2 (level 4), r (not rated), s (an exemption covering the year, not rated) and t
    (rated exempt). W2's m3 (level 3) is another committee's."""
    w = world
    p, q = make_member(w.w1c1, "Kiều Văn P"), make_member(w.w1c1, "Tạ Thị Q")
    r, s, t = (make_member(w.w1c2, name) for name in ("Lò Văn R", "Hà Thị S", "Vi Văn T"))
    dec = datetime.date(YEAR, 12, 20)
    rate(w.m1, 1, dec)
    rate(p, 2, dec)
    rate(q, 2, datetime.date(YEAR + 1, 1, 10))
    rate(w.m2, 4, dec)
    rate(t, None, dec)
    rate(w.m3, 3, dec)
    Exemption.objects.create(
        member=s, reason="far_work", decided_by=w.w1, decided_on=datetime.date(YEAR, 2, 1),
        start_date=datetime.date(YEAR, 2, 1), end_date=datetime.date(YEAR, 12, 31),
    )  # fmt: skip
    return w


def _numbers(d):
    return d.members, d.rated, d.exempt, d.not_rated, [(lv.count, lv.share) for lv in d.levels]


def test_the_distribution_per_level_with_exempt_members_apart(committee):
    w = committee
    jan = datetime.date(YEAR + 1, 1, 31)
    assert _numbers(figures.distribution(w.w1, YEAR, jan)) == (
        7, 4, 2, 1, [(1, 25.0), (2, 50.0), (0, 0.0), (1, 25.0)]
    )  # fmt: skip
    # On 31/12 q was not rated yet.
    assert _numbers(figures.distribution(w.w1, YEAR, datetime.date(YEAR, 12, 31))) == (
        7, 3, 2, 2, [(1, 33.3), (1, 33.3), (0, 0.0), (1, 33.3)]
    )  # fmt: skip
    # Before anyone was rated: no share, the exemption still known.
    before = figures.distribution(w.w1, YEAR, datetime.date(YEAR, 12, 1))
    assert _numbers(before) == (7, 0, 1, 6, [(0, None)] * 4) and before.mean_order is None
    levels = figures.distribution(w.province, YEAR, jan).levels
    assert [lv.order for lv in levels] == [1, 2, 3, 4]
    assert [lv.count for lv in levels] == [1, 2, 1, 1]  # the province adds W2's m3


def test_the_drill_down_worst_first(committee):
    w = committee
    rows = figures.distribution_by_child(w.w1, YEAR, datetime.date(YEAR + 1, 1, 31))
    assert [(d.org_id, _numbers(d)) for d in rows] == [
        (w.w1c2.pk, (4, 1, 2, 1, [(0, 0.0), (0, 0.0), (0, 0.0), (1, 100.0)])),
        (w.w1c1.pk, (3, 3, 0, 0, [(1, 33.3), (2, 66.7), (0, 0.0), (0, 0.0)])),
    ]
    # The province: workplace committees only (a commune rates nobody).
    rows = figures.distribution_by_child(w.province, YEAR, datetime.date(YEAR + 1, 1, 31))
    assert [d.org_id for d in rows] == [w.w2.pk, w.w1.pk]  # m3 at level 3 weighs more than W1's mean
    assert rows[0].mean_order == 3 and rows[1].mean_order == 2.25


def test_a_year_without_a_scheme_has_no_levels(committee):
    assert figures.distribution(committee.w1, 2001, datetime.date(2002, 1, 1)).levels == ()


def test_the_queries_do_not_grow_with_the_members(committee):
    w = committee

    def count():
        with CaptureQueriesContext(connection) as ctx:
            figures.distribution(w.province, YEAR, datetime.date(YEAR + 1, 1, 31))
            figures.distribution_by_child(w.province, YEAR, datetime.date(YEAR + 1, 1, 31))
        return len(ctx.captured_queries)

    before = count()
    for n in range(6):
        rate(make_member(w.w2c1, f"Lương Văn {n}"), 1 + n % 4, datetime.date(YEAR, 12, 1))
    assert count() == before <= 9


# --- the page ---------------------------------------------------------------------------------------
JAN = "31/01/2026"


def _page(client, **query):
    return client.get(reverse("ratings:figures"), query)


def test_the_page_shows_the_distribution_and_the_drill_down(committee, client_for):
    w = committee
    client = client_for(w.w1_staff)
    response = _page(client, org=w.w1.pk, year=YEAR, as_of=JAN)
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('id="figures-distribution"') :]
    assert "7 đảng viên, đã xếp loại 4, miễn 2, chưa xếp loại 1" in table
    assert '<td class="text-end">2</td><td class="text-end">50,0%</td>' in table
    children = html[html.index('id="figures-children"') :]
    assert children.index(w.w1c2.name) < children.index(w.w1c1.name)
    assert f"?org={w.w1c2.pk}&amp;year={YEAR}&amp;as_of={JAN}" in children
    assert 'data-chart="' in html and "<script>" not in html
    # The default: the top of the user's workplace scope.
    assert _page(client, year=YEAR, as_of=JAN).context["org"] == w.w1


def test_the_residence_side_and_other_organisations_get_404_on_get_and_post(committee, client_for):
    w = committee
    for user, org in [(w.w1_staff, w.w2), (w.w1_staff, w.r1), (w.r1_staff, w.r1), (w.w1c1_secretary, w.w1)]:
        client = client_for(user)
        for name in ("ratings:figures", "ratings:figures_xlsx"):
            assert client.get(reverse(name), {"org": org.pk}).status_code == 404
            assert client.post(f"{reverse(name)}?org={org.pk}").status_code == 404
    # A residence user with no organisation named: nothing of the workplace to show.
    assert _page(client_for(w.r1c1_secretary)).status_code == 404
    assert client_for(w.w1_staff).post(f"{reverse('ratings:figures')}?org={w.w1.pk}").status_code == 405


def test_a_malformed_value_is_a_message(committee, client_for):
    response = _page(client_for(committee.w1_staff), org="1x", year="abcd", as_of="32/01/2026")
    html = response.content.decode()
    assert response.status_code == 200 and response.context["org"] == committee.w1
    assert "Mã tổ chức trên địa chỉ trang không hợp lệ" in html and "Năm không hợp lệ" in html
    assert "Ngày lấy số liệu không hợp lệ" in html


def test_the_export_has_the_page_rows(committee, client_for):
    import io

    from openpyxl import load_workbook

    from haichieu.core.models import AuditEntry

    w = committee
    response = client_for(w.w1_staff).get(
        reverse("ratings:figures_xlsx"), {"org": w.w1.pk, "year": YEAR, "as_of": JAN}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [w.w1.name, 7, 1, 25, 2, 50, 0, 0, 1, 25, 2, 1] in rows
    assert [w.w1c2.name, 4, 0, 0, 0, 0, 0, 0, 1, 100, 2, 1] in rows
    assert AuditEntry.objects.filter(action="export", actor=w.w1_staff).exists()


def test_the_page_costs_the_same_queries_for_few_and_many_children(
    committee, client_for, django_assert_max_num_queries
):
    from haichieu.organizations.models import Organization
    from haichieu.testing import make_org

    w = committee
    client = client_for(w.province_staff)
    query = {"org": w.province.pk, "year": YEAR, "as_of": JAN}
    with CaptureQueriesContext(connection) as few:
        assert _page(client, **query).status_code == 200
    few_queries = len(few.captured_queries)
    for n in range(5):
        committee_n = make_org(w.province, f"WY{n}", f"Đảng bộ mới {n}", Organization.Kind.GRASSROOTS)
        rate(
            make_member(make_org(committee_n, f"WY{n}C1", f"Chi bộ mới {n}"), f"Chu Văn {n}"),
            2,
            datetime.date(YEAR, 12, 1),
        )
    assert len(_page(client, **query).context["children"]) == 7
    with django_assert_max_num_queries(few_queries):
        assert _page(client, **query).status_code == 200


def test_the_organisation_page_links_to_both_figures(world, client_for):
    client = client_for(world.w1_staff)
    page = client.get(reverse("organizations:detail", args=[world.w1.pk])).content.decode()
    assert f'href="{reverse("ratings:figures")}?org={world.w1.pk}"' in page
    assert f'href="{reverse("comments:figures")}?org={world.w1.pk}"' in page
    residence = (
        client_for(world.r1_staff).get(reverse("organizations:detail", args=[world.r1.pk])).content.decode()
    )
    assert 'id="org-comment-figures"' in residence and 'id="org-rating-figures"' not in residence
