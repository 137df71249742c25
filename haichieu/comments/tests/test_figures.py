"""The comments' figures (comments/figures.py) on a province with known numbers: answered on time
per commune and per cell, the drill-down, the criterion shares, as of several days; the as-of rules
agree with the state rules on today; the queries do not grow with the rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haichieu.comments import figures, rules
from haichieu.comments.models import Comment, CommentAnswer, CommentForm, CommentRequest
from haichieu.liaisons.models import Liaison
from haichieu.organizations.models import Organization
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

YEAR = 2026  # the year of the forms the data migration loads
MADE = datetime.date(2026, 11, 1)
DEADLINE = datetime.date(2026, 11, 30)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_request(
    member, *, cell, commune, workplace, answered=None, deadline=DEADLINE, levels=None, form=None
):
    """A yearly request for `member` made on MADE, answered (sent to the workplace) on `answered`
    with `levels` {criterion key: level} (every other criterion at level 1)."""
    link = Liaison.objects.filter(member=member).first() or Liaison.objects.create(
        member=member, workplace_org=workplace, commune_org=commune, cell=cell, status=Liaison.Status.ACTIVE
    )
    form = form or CommentForm.objects.in_force(YEAR, CommentForm.Audience.REGULAR)
    request = CommentRequest.objects.create(
        member=member, liaison=link, cell=cell, commune_org=commune, workplace_org=workplace, form=form,
        year=YEAR, purpose="yearly", deadline=deadline,
        state="answered" if answered else "pending",
    )  # fmt: skip
    CommentRequest.objects.filter(pk=request.pk).update(
        created_at=_at(MADE), answered_at=_at(answered, 16) if answered else None
    )
    if answered:
        comment = Comment.objects.create(request=request, text="Nhận xét.")
        CommentAnswer.objects.bulk_create(
            CommentAnswer(comment=comment, criterion=c, level=(levels or {}).get(c.key, 1))
            for c in form.criteria.all()
        )
    return request


@pytest.fixture
def province(world):
    """W1's five members (a–e) and W2's m3, living in R1C1 and R2C1:
    a: W1C1 → R1C1, answered 20/11 (on time)      b: W1C1 → R1C1, answered 30/11, the deadline day
    c: W1C2 → R1C1, answered 05/12 (late)          d: W1C2 → R2C1, not answered (overdue from 01/12)
    e: W1C1 → R2C1, not answered, deadline 20/12   m3: W2C1 → R2C1, answered 15/11 (on time)
    On the first criterion ("example"): a and b at level 1, c at level 2, m3 at level 3."""
    w = world
    a, b, e = (make_member(w.w1c1, name) for name in ("Ngô Văn A", "Đinh Văn B", "Phan Thị E"))
    c, d = (make_member(w.w1c2, name) for name in ("Hồ Văn C", "Mai Thị D"))
    r1, r2 = dict(cell=w.r1c1, commune=w.r1, workplace=w.w1), dict(cell=w.r2c1, commune=w.r2, workplace=w.w1)
    make_request(a, **r1, answered=datetime.date(2026, 11, 20), levels={"example": 1})
    make_request(b, **r1, answered=DEADLINE, levels={"example": 1})
    make_request(c, **r1, answered=datetime.date(2026, 12, 5), levels={"example": 2})
    make_request(d, **r2)
    make_request(e, **r2, deadline=datetime.date(2026, 12, 20))
    make_request(
        w.m3,
        cell=w.r2c1,
        commune=w.r2,
        workplace=w.w2,
        answered=datetime.date(2026, 11, 15),
        levels={"example": 3},
    )
    return w


AS_OF = datetime.date(2026, 12, 10)


def _numbers(t):
    return (t.requests, t.answered, t.on_time, t.late, t.overdue, t.pending, t.on_time_rate)


def test_a_workplace_committee_sees_its_members_requests_answered_on_time_per_commune(province):
    w = province
    assert _numbers(figures.timeliness_total(w.w1, YEAR, AS_OF)) == (5, 3, 2, 1, 1, 1, 50.0)
    by_commune = figures.timeliness_by_place(w.w1, YEAR, AS_OF)
    # Worst first: Ba Đình answered nothing of what was due.
    assert [(t.org_id, _numbers(t)) for t in by_commune] == [
        (w.r2.pk, (2, 0, 0, 0, 1, 1, 0.0)),
        (w.r1.pk, (3, 3, 2, 1, 0, 0, 66.7)),
    ]


def test_the_figures_as_of_an_earlier_day(province):
    w = province
    # 25/11: only a's comment had come back; the others were within their deadline.
    assert _numbers(figures.timeliness_total(w.w1, YEAR, datetime.date(2026, 11, 25))) == (
        5,
        1,
        1,
        0,
        0,
        4,
        100.0,
    )
    # 01/12: b answered on the deadline day is on time; d, past its deadline, is overdue.
    assert _numbers(figures.timeliness_total(w.w1, YEAR, datetime.date(2026, 12, 1))) == (
        5,
        2,
        2,
        0,
        2,
        1,
        50.0,
    )
    # Before the round was opened there was nothing.
    assert _numbers(figures.timeliness_total(w.w1, YEAR, datetime.date(2026, 10, 31))) == (
        0,
        0,
        0,
        0,
        0,
        0,
        None,
    )
    assert figures.timeliness_by_place(w.w1, YEAR, datetime.date(2026, 10, 31)) == []


def test_a_residence_committee_sees_its_cells(province):
    w = province
    # R2C1 answers d, e (W1) and m3 (W2): one on time, one overdue, one pending.
    assert [(t.org_id, _numbers(t)) for t in figures.timeliness_by_place(w.r2, YEAR, AS_OF)] == [
        (w.r2c1.pk, (3, 1, 1, 0, 1, 1, 50.0))
    ]
    assert _numbers(figures.timeliness_total(w.r1c1, YEAR, AS_OF)) == (3, 3, 2, 1, 0, 0, 66.7)
    assert _numbers(figures.timeliness_total(w.r1c2, YEAR, AS_OF)) == (0, 0, 0, 0, 0, 0, None)


def test_the_drill_down_counts_each_child_on_its_own_side_worst_first(province):
    w = province
    rows = figures.timeliness_by_child(w.w1, YEAR, AS_OF)
    assert [(t.org_id, _numbers(t)) for t in rows] == [
        (w.w1c2.pk, (2, 1, 0, 1, 1, 0, 0.0)),
        (w.w1c1.pk, (3, 2, 2, 0, 0, 1, 100.0)),
    ]
    # The province: workplace committees by their members, communes by their cells.
    rows = {t.org_id: _numbers(t) for t in figures.timeliness_by_child(w.province, YEAR, AS_OF)}
    assert rows == {
        w.w1.pk: (5, 3, 2, 1, 1, 1, 50.0),
        w.w2.pk: (1, 1, 1, 0, 0, 0, 100.0),
        w.r1.pk: (3, 3, 2, 1, 0, 0, 66.7),
        w.r2.pk: (3, 1, 1, 0, 1, 1, 50.0),
    }
    order = [t.org_id for t in figures.timeliness_by_child(w.province, YEAR, AS_OF)]
    assert set(order[:2]) == {w.w1.pk, w.r2.pk} and order[2:] == [w.r1.pk, w.w2.pk]


def test_the_share_of_each_level_of_each_criterion(province):
    w = province
    forms = figures.criterion_shares(w.w1, YEAR, AS_OF)
    assert [f.code for f in forms] == ["3-213", "4-213"]  # the year's two forms, Mẫu 4 with nothing
    regular, excused = forms
    example = regular.criteria[0]
    assert example.key == "example" and example.level_labels[0] == "Nêu gương tốt"
    assert example.counts == (2, 1, 0) and example.shares == (66.7, 33.3, 0.0)
    assert regular.answered == 3 and [c.counts for c in regular.criteria[1:]] == [(3, 0, 0)] * 5
    assert excused.answered == 0 and excused.criteria[0].shares == (None, None, None)
    # As of 25/11 only a's comment had come back; the province counts W2's m3 as well.
    assert figures.criterion_shares(w.w1, YEAR, datetime.date(2026, 11, 25))[0].criteria[0].counts == (
        1,
        0,
        0,
    )
    assert figures.criterion_shares(w.province, YEAR, AS_OF)[0].criteria[0].shares == (50.0, 25.0, 25.0)
    # A residential cell counts the comments it wrote.
    assert figures.criterion_shares(w.r2c1, YEAR, AS_OF)[0].criteria[0].counts == (0, 0, 1)


def test_the_as_of_rules_agree_with_the_state_rules_on_today(world):
    today = timezone.localdate()
    days = datetime.timedelta
    r1 = dict(cell=world.r1c1, commune=world.r1, workplace=world.w1)
    for n, (answered, deadline) in enumerate(
        [(today - days(3), today - days(1)), (today, today), (None, today - days(1)), (None, today)]
    ):
        make_request(make_member(world.w1c1, f"Lý Văn {n}"), **r1, answered=answered, deadline=deadline)
    qs = CommentRequest.objects.all()
    for state_q, dated_q, expected in [
        (rules.answered_q(), rules.answered_by_q(today), 2),
        (rules.overdue_q(today), rules.overdue_on_q(today), 1),
        (rules.pending_q(today), rules.pending_on_q(today), 1),
    ]:
        assert set(qs.filter(state_q)) == set(qs.filter(dated_q)) and qs.filter(dated_q).count() == expected


def test_the_queries_do_not_grow_with_the_rows(province):
    w = province

    def count(org):
        with CaptureQueriesContext(connection) as ctx:
            figures.timeliness_total(org, YEAR, AS_OF)
            figures.timeliness_by_place(org, YEAR, AS_OF)
            figures.timeliness_by_child(org, YEAR, AS_OF)
            figures.criterion_shares(org, YEAR, AS_OF)
        return len(ctx.captured_queries)

    before = count(w.province)
    for n in range(6):
        member = make_member(w.w2c1, f"Trương Văn {n}")
        make_request(member, cell=w.r1c2, commune=w.r1, workplace=w.w2, answered=datetime.date(2026, 11, 10))
    assert count(w.province) == before <= 9


# --- the page ---------------------------------------------------------------------------------------
@pytest.fixture
def january(monkeypatch):
    """Today is 15/01/2027 for the pages (a figures page refuses a day after today): the year-end
    report made in January about December."""
    day = datetime.date(2027, 1, 15)
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else day

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return day


def _page(client, **query):
    return client.get(reverse("comments:figures"), query)


def test_the_page_shows_the_known_numbers_and_the_drill_down(province, client_for, january):
    w = province
    client = client_for(w.w1_staff)
    response = _page(client, org=w.w1.pk, year=YEAR, as_of="10/12/2026")
    assert response.status_code == 200
    html = response.content.decode()
    places = html[
        html.index('id="figures-places"') : html.index("</table>", html.index('id="figures-places"'))
    ]
    # Ba Đình first (worst), then Hoàn Kiếm with 66,7%.
    assert places.index(w.r2.name) < places.index(w.r1.name) and "66,7%" in places
    children = html[html.index('id="figures-children"') :]
    assert children.index(w.w1c2.name) < children.index(w.w1c1.name)
    assert f"?org={w.w1c2.pk}&amp;year={YEAR}&amp;as_of=10/12/2026" in children
    assert "Nêu gương tốt: <strong>66,7%</strong>" in html
    assert 'data-chart="' in html and "chartkick/Chart.bundle.js" in html and "<script>" not in html
    assert reverse("ratings:figures") in html  # the rating distribution of the same organisation
    # The date picker's own format is read too.
    assert _page(client, org=w.w1.pk, year=YEAR, as_of="2026-11-25").context["total"].answered == 1


def test_the_page_defaults_to_the_top_of_the_scope_this_year_today(province, client_for):
    response = _page(client_for(province.r1c1_secretary))
    assert response.status_code == 200
    assert response.context["org"] == province.r1c1
    assert response.context["as_of"] == timezone.localdate()
    assert reverse("ratings:figures") not in response.content.decode()  # residence: no rating


@pytest.mark.parametrize(
    "query, message",
    [
        ({"org": "abc"}, "Mã tổ chức trên địa chỉ trang không hợp lệ"),
        ({"org": "1" * 30}, "Mã tổ chức trên địa chỉ trang không hợp lệ"),
        ({"year": "20x6"}, "Năm không hợp lệ"),
        ({"year": "99999"}, "Năm không hợp lệ"),
        ({"as_of": "31/02/2026"}, "Ngày lấy số liệu không hợp lệ"),
        ({"as_of": "01/01/2999"}, "Ngày lấy số liệu sau hôm nay"),
    ],
)
def test_a_malformed_value_is_a_message_not_an_error(province, client_for, query, message):
    response = _page(client_for(province.w1_staff), **query)
    assert response.status_code == 200 and message in response.content.decode()
    assert response.context["org"] == province.w1


def test_an_organisation_outside_the_scope_is_404_on_get_and_post(province, client_for):
    w = province
    client = client_for(w.w1_staff)
    for name in ("comments:figures", "comments:figures_timeliness_xlsx", "comments:figures_criteria_xlsx"):
        for org in (w.w2, w.r1, w.province):
            assert client.get(reverse(name), {"org": org.pk}).status_code == 404
            assert client.post(f"{reverse(name)}?org={org.pk}").status_code == 404
        assert client.post(f"{reverse(name)}?org={w.w1.pk}").status_code == 405
    assert client_for(w.outsider).get(reverse("comments:figures")).status_code == 404


def test_the_exports_carry_the_page_figures_and_are_logged(province, client_for, january):
    from haichieu.core.models import AuditEntry

    w = province
    client = client_for(w.w1_staff)
    query = {"org": w.w1.pk, "year": YEAR, "as_of": "10/12/2026"}
    response = client.get(reverse("comments:figures_timeliness_xlsx"), query)
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    assert ["Tổng cộng", w.w1.name, 5, 3, 2, 1, 1, 1, 50] in rows
    assert ["Theo đảng ủy xã, phường nơi cư trú", w.r2.name, 2, 0, 0, 0, 1, 1, 0] in rows
    assert ["Theo tổ chức trực thuộc", w.w1c1.name, 3, 2, 2, 0, 0, 1, 100] in rows
    rows = _xlsx_rows(client.get(reverse("comments:figures_criteria_xlsx"), query))
    assert [
        "3-213",
        "Giữ gìn phẩm chất, đạo đức, lối sống; nêu gương ở nơi cư trú",
        "Nêu gương tốt",
        2,
        66.7,
    ] in rows
    assert rows[-1][0] == "4-213" and rows[-1][3] == 0  # Mẫu 4: no answer, no share
    assert AuditEntry.objects.filter(action="export", actor=w.w1_staff).count() == 2


def _xlsx_rows(response):
    import io

    from openpyxl import load_workbook

    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def test_the_page_costs_the_same_queries_for_few_and_many_rows(
    province, client_for, january, django_assert_max_num_queries
):
    w = province
    client = client_for(w.province_staff)
    query = {"org": w.province.pk, "year": YEAR, "as_of": "10/12/2026"}
    with CaptureQueriesContext(connection) as few:
        assert _page(client, **query).status_code == 200
    few_queries = len(few.captured_queries)
    from haichieu.testing import make_org

    for n in range(5):  # five more committees under the province, each with a cell and a request
        committee = make_org(w.province, f"WX{n}", f"Đảng bộ thêm {n}", Organization.Kind.GRASSROOTS)
        member = make_member(make_org(committee, f"WX{n}C1", f"Chi bộ thêm {n}"), f"Đàm Văn {n}")
        make_request(
            member, cell=w.r1c2, commune=w.r1, workplace=committee, answered=datetime.date(2026, 11, 10)
        )
    assert len(_page(client, **query).context["children"]) == 9
    with django_assert_max_num_queries(few_queries):
        assert _page(client, **query).status_code == 200


def test_the_progress_page_links_to_the_figures(province, client_for):
    html = client_for(province.w1_staff).get(reverse("comments:progress"), {"year": YEAR}).content.decode()
    assert f"{reverse('comments:figures')}?year={YEAR}" in html
