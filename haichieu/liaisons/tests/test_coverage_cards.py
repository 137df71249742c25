"""Counts and filters agree (issue 15.4): every figure of the coverage summary links to the list it
counts, and that list holds the same number; the pager says "Trang x/y" and the total, and shows no
buttons for a single page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from haichieu.liaisons import services
from haichieu.liaisons.models import ChangeNotice, Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db
CARD = re.compile(r'data-card="(\w+)" data-count="(\d+)" href="\?([^"]*)"')


@pytest.fixture
def varied(world):
    """Members in every link status and HD 33 rule, one retired in a residential cell."""
    hk = Commune.objects.get(code="00070")
    old = datetime.date(2015, 1, 1)

    def member(name, cell=None, **extra):
        return make_member(cell or world.w1c1, name, residence_commune=hk, admission_date=old, **extra)

    for i in range(3):
        member(f"Chưa Có {i}")
    member("Trại Văn Lính", liaison_category="barracks")
    member("Kín Văn Mật", liaison_category="secret")
    member("Hưu Văn Trí", cell=world.r1c1)
    sent = member("Gửi Văn Đi", cell=world.w1c2)
    back = member("Trả Văn Về")
    services.liaison_introduce(actor=world.w1_staff, members=[sent, back])
    services.liaison_return(
        actor=world.r1_staff, liaison=Liaison.objects.get(member=back), reason=Liaison.ReturnReason.DUPLICATE
    )
    services.member_record_event(  # m1 moves: a draft to Ba Đình, recorded today
        actor=world.w1_staff,
        member=world.m1,
        kind=ChangeNotice.Kind.RESIDENCE_CHANGE,
        event_date=timezone.localdate(),
        new_commune=Commune.objects.get(code="00004"),
    )


def _cards(client, params=None) -> list[tuple[str, int, str]]:
    body = client.get(reverse("liaisons:coverage"), params or {}).content.decode()
    return [(name, int(count), href.replace("&amp;", "&")) for name, count, href in CARD.findall(body)]


@pytest.mark.parametrize(
    "user, org", [("province_staff", None), ("w1_staff", None), ("province_staff", "W1C1")]
)
def test_every_card_counts_the_list_it_links_to(world, client_for, varied, user, org):
    client = client_for(getattr(world, user))
    cards = _cards(client, {"org": org} if org else None)
    assert {name for name, _, _ in cards} == {
        "covered", "all", "to_introduce", "none", "draft", "returned", "introduced", "received", "active",
        "excused", "not_introduced",
    }  # fmt: skip
    for name, count, query in cards:
        assert (f"org={org}" in query) == bool(org)
        listed = client.get(f"{reverse('liaisons:coverage')}?{query}&size=200").context["page"]
        assert (name, listed.total, len(listed.rows)) == (name, count, count)
    if user == "province_staff" and org is None:
        counts = {name: count for name, count, _ in cards}
        # Without a link: m2, three others, the barracks and the secret one (every category); to
        # introduce: those but the secret one, the returned one and the moved m1's draft.
        assert (counts["to_introduce"], counts["none"], counts["draft"], counts["returned"]) == (7, 6, 1, 1)
        assert counts["not_introduced"] == 1 and counts["excused"] == 1 and counts["covered"] == 2


def test_a_move_recorded_today_is_not_overdue(world, client_for, varied):
    rows = client_for(world.w1_staff).get(reverse("liaisons:coverage"), {"link": "draft"}).context["rows"]
    assert [(row["member"], row["overdue"]) for row in rows] == [(world.m1, "")]
    body = client_for(world.w1_staff).get(reverse("liaisons:coverage"), {"link": "none"}).content.decode()
    assert "Quá hạn giới thiệu" in body  # admitted in 2015, never linked


def test_the_hd33_figures_are_explained_from_the_settings(world, client_for, settings):
    body = client_for(world.w1_staff).get(reverse("liaisons:coverage")).content.decode()
    assert "Tính riêng (HD 33)" in body and "Hướng dẫn 33-HD/BTCTW" in body
    # The labels of the settings' categories, as HD 33 words them (Member.LiaisonCategory).
    assert (
        "đi học tập trung 12 tháng trong năm" in body
        and "ở đơn vị thường trực sẵn sàng chiến đấu không giới thiệu" in body
    )
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "RULES": {**settings.HAICHIEU["RULES"], "EXCUSED_CATEGORIES": ["barracks"]},
    }
    body = client_for(world.w1_staff).get(reverse("liaisons:coverage")).content.decode()
    assert "đi học tập trung 12 tháng trong năm" not in body


def test_the_pager_says_where_it_is_and_hides_for_one_page(world, client_for, varied):
    client = client_for(world.province_staff)
    one = client.get(reverse("liaisons:coverage"), {"link": "draft"}).content.decode()
    assert "1 kết quả" in one and "Trang sau" not in one and "Trang 1/" not in one
    total = Member.objects.filter(
        status__in=Member.ACTIVE_STATUSES, workplace_cell__is_residential=False
    ).count()
    first = client.get(reverse("liaisons:coverage"), {"size": 4})
    body = first.content.decode()
    pages = -(-total // 4)
    assert f"Trang 1/{pages} · {total} kết quả" in body
    following = re.search(r'href="\?([^"]*after=[^"]*)"', body).group(1).replace("&amp;", "&")
    second = client.get(f"{reverse('liaisons:coverage')}?{following}").content.decode()
    assert f"Trang 2/{pages} · {total} kết quả" in second
    back = re.search(r'href="\?([^"]*before=[^"]*)"', second).group(1).replace("&amp;", "&")
    assert f"Trang 1/{pages}" in client.get(f"{reverse('liaisons:coverage')}?{back}").content.decode()


def test_the_unfiltered_list_takes_its_total_from_the_kept_counts_and_a_filtered_one_counts(
    world, client_for, varied
):
    """Under the organisation alone the pager's total is the coverage card's (kept counts): no COUNT
    over the province's members, which took 840 ms at 1,000,000. A name filter still counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.province_staff)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("liaisons:coverage"), {"size": 4}).content.decode()
    member_counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and '"members_member"' in q["sql"]]
    assert member_counts == []
    total = Member.objects.filter(
        status__in=Member.ACTIVE_STATUSES, workplace_cell__is_residential=False
    ).count()
    assert f"· {total} kết quả" in body
    member = Member.objects.filter(
        workplace_cell__is_residential=False, status__in=Member.ACTIVE_STATUSES
    ).first()
    with CaptureQueriesContext(connection) as queries:
        named = client.get(reverse("liaisons:coverage"), {"q": member.full_name}).content.decode()
    assert any("COUNT(" in q["sql"] and '"members_member"' in q["sql"] for q in queries)
    assert member.full_name in named
