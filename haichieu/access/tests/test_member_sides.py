"""How the residence sides of a member list are read on PostgreSQL (access.objects.member_sides):
a part of few links as its members' ids, one of more than `_REACH` times the bound by a subquery
per member walked, and in between by ids too (issue 13: a ward's search at 1,000,000 members)."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haichieu.access import objects
from haichieu.liaisons.models import Liaison
from haichieu.members import selectors as member_selectors
from haichieu.members.selectors import member_filter, member_list, member_list_page
from haichieu.testing import make_member

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the sides are read by held_ids on PostgreSQL only"
)


def _r1_with_links(world, n: int) -> None:
    """`n` members of w2 living in r1, linked to its committee (every tenth also to a cell)."""
    for i in range(n):
        member = make_member(world.w2c1, f"Vũ Văn Bảy{i:02d}")
        Liaison.objects.create(
            member=member,
            workplace_org=world.w2,
            commune_org=world.r1,
            cell=world.r1c1 if i % 10 == 0 else None,
            status=Liaison.Status.ACTIVE,
        )


def _bound() -> int:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_member")
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'members_member'::regclass")
        return max(1, round(math.sqrt(max(cursor.fetchone()[0], 0))))


def _all_pages(user, narrow) -> list[int]:
    pks, after = [], ""
    while True:
        page = member_list_page(user, narrow=narrow, after=after, size=4)
        pks += [m.pk for m in page.rows]
        if page.next_cursor is None:
            return pks
        after = page.next_cursor


@pytest.mark.parametrize("query", ["", "bay"])
@pytest.mark.parametrize("reach", ["under", "within", "beyond"])
def test_a_part_within_reach_is_walked_by_its_ids_beyond_it_by_a_subquery(world, monkeypatch, query, reach):
    _r1_with_links(world, 30)
    monkeypatch.setattr(objects, "_PAGE", 1)  # the bound: sqrt(the members) (about 6)
    bound = _bound()
    committee_links = 30 + 1  # and world.m1's
    assert committee_links >= bound
    monkeypatch.setattr(objects, "_REACH", {"under": 10**6, "within": 10, "beyond": 1}[reach])
    if reach == "within":
        assert bound <= committee_links < 10 * bound
    user = world.r1_staff
    narrow = member_filter(user=user, q=query)
    sides = objects.member_sides(user, narrowed=narrow.selective)
    sql = [str(side.query) for side in sides]
    walked_by_subquery = [s for s in sql if "LIMIT 1" in s]
    by_ids = [s for s in sql if "= ANY(" in s or "unnest(" in s]
    if reach == "beyond":  # the committee's part is dense; the cells' (4 links) is not
        assert len(walked_by_subquery) == 1 and len(by_ids) == 1
    else:  # both parts are one side of ids
        assert not walked_by_subquery and len(by_ids) == 1
        # 31 ids, more than the bound: walked even when a search narrows them.
        assert "unnest(" not in by_ids[0]
    expected = list(member_list(user, narrow=narrow).order_by("sort_key", "id").values_list("pk", flat=True))
    assert len(expected) == (30 if query else 31)
    assert _all_pages(user, narrow) == expected


def test_few_ids_narrowed_by_a_search_are_gathered(world, monkeypatch):
    _r1_with_links(world, 3)
    monkeypatch.setattr(objects, "_PAGE", 10**6)  # the bound: far above the links
    user = world.r1_staff
    narrow = member_filter(user=user, q="bay")
    (ids_side,) = [side for side in objects.member_sides(user, narrowed=True) if "unnest(" in str(side.query)]
    assert set(ids_side.values_list("pk", flat=True)) == set(
        Liaison.objects.filter(commune_org=world.r1).values_list("member", flat=True)
    )
    assert _all_pages(user, narrow) == list(
        member_list(user, narrow=narrow).order_by("sort_key", "id").values_list("pk", flat=True)
    )
    # Not narrowed, the same ids are walked.
    assert not any("unnest(" in str(side.query) for side in objects.member_sides(user, narrowed=False))


def test_a_user_above_the_communes_reads_no_part_beyond_the_bound_as_ids(world, monkeypatch):
    """The province's parts hold the province's links: counting them up to _REACH times the bound
    would only find them dense. Its user reads a part over the bound by the subquery."""
    _r1_with_links(world, 30)
    monkeypatch.setattr(objects, "_PAGE", 1)
    monkeypatch.setattr(objects, "_REACH", 10**6)
    _bound()
    province, ward = world.province_staff, world.r1_staff
    assert sum("LIMIT 1" in str(side.query) for side in objects.member_sides(province)) == 1
    assert sum("LIMIT 1" in str(side.query) for side in objects.member_sides(ward)) == 0
    narrow = member_filter(user=province)
    assert _all_pages(province, narrow) == list(
        member_list(province, narrow=narrow).order_by("sort_key", "id").values_list("pk", flat=True)
    )


def _searches(queries) -> int:
    """How many times `queries` read the name search (the planner's estimate, EXPLAIN, aside)."""
    return sum(q["sql"].count("name_folded") for q in queries if not q["sql"].startswith("EXPLAIN"))


@pytest.mark.parametrize("who", ["province_staff", "r1_staff"])
def test_the_page_of_several_sides_reads_a_rare_search_once_for_all_of_them(world, who):
    """A search of few matches is read once, as its members' ids, which each side looks up: neither
    each side nor the page's rows read the search's index again (a rare name at 1,000,000 members:
    6 ms a reading)."""
    _r1_with_links(world, 5)
    user = getattr(world, who)
    narrow = member_filter(user=user, q="bay")
    assert narrow.matches is not None
    assert len(objects.member_sides(user, narrowed=narrow.selective, matches=narrow.matches)) > 1
    with CaptureQueriesContext(connection) as ctx:
        page = member_list_page(user, narrow=narrow, size=3)
    assert _searches(ctx.captured_queries) == 1
    assert [m.pk for m in page.rows] == list(
        member_list(user, narrow=narrow).order_by("sort_key", "id").values_list("pk", flat=True)[:3]
    )
    assert len(_all_pages(user, narrow)) == 5


def test_a_search_of_more_matches_than_its_estimate_is_read_in_each_side(world, monkeypatch):
    """Where the matches turn out more than a gathered search may hold, each side reads the search
    itself (and the page's rows are still taken by id among the sides')."""
    _r1_with_links(world, 5)
    province = world.province_staff
    narrow = member_filter(user=province, q="bay")
    sides = objects.member_sides(province, narrowed=narrow.selective, matches=narrow.matches)
    monkeypatch.setattr(member_selectors, "FEW_MATCHES", 4)
    with CaptureQueriesContext(connection) as ctx:
        page = member_list_page(province, narrow=narrow, size=3)
    assert ctx.captured_queries[-1]["sql"].count("name_folded") == len(sides)
    assert _searches(ctx.captured_queries) == len(sides) + 1  # and the ids it could not hold
    assert [m.pk for m in page.rows] == list(
        member_list(province, narrow=narrow).order_by("sort_key", "id").values_list("pk", flat=True)[:3]
    )


@pytest.mark.parametrize("who", ["province_staff", "r1_staff"])
def test_a_rare_search_tests_its_matches_against_the_parts_without_reading_them(world, monkeypatch, who):
    """The planner's estimate of a search's matches is weighed against what counting the parts
    would read: a rare name's few matches are each tested by the subquery (a province's two parts
    at 1,000,000 members: 11 ms to count them up to the bound and find them dense)."""
    _r1_with_links(world, 5)
    monkeypatch.setattr(objects, "_PAGE", 10**6)  # the bound: far above the links
    _bound()
    user = getattr(world, who)
    narrow = member_filter(user=user, q="bay")
    assert narrow.matches is not None and narrow.matches < 100
    unread = objects.member_sides(user, narrowed=True, matches=narrow.matches)
    assert sum("LIMIT 1" in str(side.query) for side in unread) == 1
    assert not any("ANY(" in str(side.query) or "unnest(" in str(side.query) for side in unread)
    # Without the estimate, the same parts are read as their ids.
    read = objects.member_sides(user, narrowed=True)
    assert not any("LIMIT 1" in str(side.query) for side in read)
    assert sum("unnest(" in str(side.query) for side in read) == 1
    assert _all_pages(user, narrow) == list(
        member_list(user, narrow=narrow).order_by("sort_key", "id").values_list("pk", flat=True)
    )
    assert len(_all_pages(user, narrow)) == 5
    # A search too short for an estimate reads them.
    assert member_filter(user=user, q="ba").matches is None


def test_the_workplace_side_walks_a_search_through_the_list_order_index_alone(world, monkeypatch):
    """The workplace side walks the list's order testing each member's name and cell: both in the
    index, the walk never reads the table (a common name's first 51 matches at 1,000,000 members
    lie 11,070 members into the order, 7 ms reading each row against 1.2 from the index)."""
    monkeypatch.setattr(member_selectors, "FEW_MATCHES", 0)  # walked, as a common name is
    province = world.province_staff
    narrow = member_filter(user=province, q="van")
    workplace = narrow(objects.member_sides(province, narrowed=narrow.selective)[0])
    sql, params = workplace.order_by("sort_key", "id").values("pk")[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using member_sort_name_idx" in plan, plan
