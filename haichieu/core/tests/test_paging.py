"""core/paging.py: one keyset pager for every list, on both databases."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haichieu.core.paging import CANDIDATE_COST, Held, IdsIn, Page, held_ids, keyset_page
from haichieu.members.models import Member
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

KEY = ("sort_key", "id")


@pytest.fixture
def members(world):
    """Nine members of w1c1 and six of w2c1, each with a distinct name."""
    made = [make_member(world.w1c1, f"Lý Văn Tư{chr(ord('a') + i)}") for i in range(9)]
    made += [make_member(world.w2c1, f"Lý Thị Năm{chr(ord('a') + i)}") for i in range(6)]
    return made


def walk(qs, *, size, sides=(), key=KEY) -> list[Page]:
    pages = [keyset_page(qs, key=key, size=size, sides=sides)]
    while pages[-1].next_cursor:
        pages.append(keyset_page(qs, key=key, size=size, sides=sides, after=pages[-1].next_cursor))
    return pages


def pks(page: Page) -> list[int]:
    return [row.pk for row in page.rows]


def test_pages_forward_cover_the_list_once_in_order(members):
    qs = Member.objects.filter(pk__in=[m.pk for m in members])
    pages = walk(qs, size=4)
    assert [len(p.rows) for p in pages] == [4, 4, 4, 3]
    assert sum((pks(p) for p in pages), []) == list(qs.order_by(*KEY).values_list("pk", flat=True))
    assert pages[0].prev_cursor is None and all(p.prev_cursor for p in pages[1:])


def test_pages_backward_give_the_same_pages(members):
    qs = Member.objects.filter(pk__in=[m.pk for m in members])
    pages = walk(qs, size=4)
    back = keyset_page(qs, key=KEY, size=4, before=pages[2].prev_cursor)
    assert pks(back) == pks(pages[1]) and back.next_cursor and back.prev_cursor
    first = keyset_page(qs, key=KEY, size=4, before=pages[1].prev_cursor)
    assert pks(first) == pks(pages[0]) and first.prev_cursor is None


def test_descending_key(members):
    qs = Member.objects.filter(pk__in=[m.pk for m in members])
    pages = walk(qs, size=6, key=("-sort_key", "-id"))
    assert sum((pks(p) for p in pages), []) == list(
        qs.order_by("-sort_key", "-id").values_list("pk", flat=True)
    )


def test_a_key_across_a_relation_reads_the_cursor_from_the_related_row(members):
    qs = Member.objects.filter(pk__in=[m.pk for m in members]).select_related("workplace_cell")
    pages = walk(qs, size=5, key=("workplace_cell__path", "id"))
    assert [len(p.rows) for p in pages] == [5, 5, 5]
    assert pages[0].next_cursor == f"{pages[0].rows[-1].workplace_cell.path}.{pages[0].rows[-1].pk}"


@pytest.mark.parametrize(
    "cursor", ["x.y", "abc", ".5", "5.", "1.2.3", "\x00.1", "2026-13-45.1", "1." + "9" * 30]
)
def test_a_cursor_that_names_no_key_answers_the_first_page(members, cursor):
    qs = Member.objects.filter(pk__in=[m.pk for m in members])
    first = keyset_page(qs, key=KEY, size=4)
    assert keyset_page(qs, key=("-sort_key", "-id"), size=4, after=cursor).rows is not None
    dated = keyset_page(qs, key=("date_of_birth", "id"), size=4, after=cursor)
    assert len(dated.rows) == 4
    if cursor.count(".") != 1 or not all(cursor.split(".")) or "\x00" in cursor:
        assert pks(keyset_page(qs, key=KEY, size=4, after=cursor)) == pks(first)


def test_sides_merge_to_the_pages_of_their_union(world, members):
    # The two sides overlap: members of w1c1 whose name holds "tu" come from both.
    union = Member.objects.filter(pk__in=[m.pk for m in members])
    sides = [union.filter(workplace_cell=world.w1c1), union.filter(name_folded__contains="ly")]
    expected = walk(union, size=4)
    merged = walk(union, size=4, sides=sides)
    assert [pks(p) for p in merged] == [pks(p) for p in expected]
    assert [p.next_cursor for p in merged] == [p.next_cursor for p in expected]
    back = keyset_page(union, key=KEY, size=4, sides=sides, before=merged[2].prev_cursor)
    assert pks(back) == pks(expected[1])


def test_sides_cost_one_query_on_postgresql_else_one_each_and_one_more_whatever_the_page_size(world, members):
    union = Member.objects.filter(pk__in=[m.pk for m in members])
    sides = [union.filter(workplace_cell=world.w1c1), union.filter(workplace_cell=world.w2c1)]
    expected = 1 if connection.features.supports_slicing_ordering_in_compound else 3
    for size in (1, 50):
        with CaptureQueriesContext(connection) as ctx:
            page = keyset_page(union, key=KEY, size=size, sides=sides)
        assert len(ctx.captured_queries) == expected and len(page.rows) == min(size, 15)
    with CaptureQueriesContext(connection) as ctx:
        keyset_page(union, key=KEY, size=50, sides=sides[:1])
    assert len(ctx.captured_queries) == 1


def test_load_shapes_the_rows(members):
    qs = Member.objects.filter(pk__in=[m.pk for m in members])
    page = keyset_page(qs, key=KEY, size=4, load=lambda page: page.values("id", "sort_key"))
    assert isinstance(page.rows[0], dict)
    assert page.next_cursor == f"{page.rows[-1]['sort_key']}.{page.rows[-1]['id']}"
    second = keyset_page(qs, key=KEY, size=4, after=page.next_cursor)
    assert pks(second) == pks(walk(qs, size=4)[1])


def test_mixed_directions_are_refused(members):
    with pytest.raises(ValueError):
        keyset_page(Member.objects.all(), key=("sort_key", "-id"), size=4)


def test_held_ids_tells_dense_sides_from_the_ids_of_the_others_on_postgresql(world, members):
    from haichieu.liaisons.models import Liaison

    for member in members[:3]:
        Liaison.objects.create(member=member, commune_org=world.r1, status=Liaison.Status.ACTIVE)
        Liaison.objects.create(member=member, commune_org=world.r1, status=Liaison.Status.ENDED)
    links = Liaison.objects.filter(member__in=members)
    sides = [links.filter(status=Liaison.Status.ACTIVE), links, links.none()]
    if connection.vendor != "postgresql":
        assert held_ids(sides, among=Member, page=50, field="member") is None
        return
    with connection.cursor() as cursor:  # the bound is sqrt(page x the members PostgreSQL counts)
        cursor.execute("ANALYZE members_member")
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'members_member'::regclass")
        counted = max(cursor.fetchone()[0], 0)
    linked = sorted(m.pk for m in members[:3])
    for page in (1, 10**6):
        bound = max(1, round(math.sqrt(page * counted)))
        expected = [linked if 3 < bound else None, linked if 6 < bound else None, []]
        assert held_ids(sides, among=Member, page=page, field="member") == (expected, bound), (page, counted)
    assert held_ids(sides, among=Member, page=1, field="member").parts[1] is None  # six links: dense
    # `reach` reads the ids of parts up to that many times the bound; the bound stays.
    bound = max(1, round(math.sqrt(counted)))
    for reach in (1, 2, 7):
        expected = [linked if 3 < reach * bound else None, linked if 6 < reach * bound else None, []]
        answer = held_ids(sides, among=Member, page=1, field="member", reach=reach)
        assert answer == Held(expected, bound), (reach, counted)
    # A count already known tells a side dense or not without reading it: a count at the bound
    # makes even the side of three links dense; a count under it gathers the side's ids.
    bound = max(1, round(math.sqrt(10**6 * counted)))
    known = held_ids(sides, among=Member, page=10**6, field="member", counts=[bound, None, 0])
    assert known.parts == [None, linked if 6 < bound else None, []]
    assert held_ids(sides, among=Member, page=10**6, field="member", counts=[3, 6, None]).parts[:2] == [
        linked,
        linked,
    ]
    # … and at `reach` times the bound, not under it.
    known = held_ids(
        sides, among=Member, page=10**6, field="member", counts=[2 * bound - 1, 2 * bound, None], reach=2
    )
    assert known.parts[:2] == [linked, None]


def test_held_ids_reads_no_part_that_would_cost_more_than_testing_the_candidates(world, members):
    """A search's few matches are tested against a part sooner than the part is counted: such a
    part is answered dense (None), whatever it holds; an empty one stays empty."""
    from haichieu.liaisons.models import Liaison

    for member in members[:3]:
        Liaison.objects.create(member=member, commune_org=world.r1, status=Liaison.Status.ACTIVE)
    links = Liaison.objects.filter(member__in=members)
    sides = [links, links.none()]
    if connection.vendor != "postgresql":
        assert held_ids(sides, among=Member, page=50, field="member", candidates=1) is None
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_member")
    linked = sorted(m.pk for m in members[:3])
    page = 10**6  # the bound: far above the three links
    bound = held_ids(sides, among=Member, page=page, field="member").bound
    assert held_ids(sides, among=Member, page=page, field="member").parts == [linked, []]
    few = (bound - 1) // CANDIDATE_COST  # testing them costs less than counting up to the bound
    assert held_ids(sides, among=Member, page=page, field="member", candidates=few).parts == [None, []]
    many = -(-bound // CANDIDATE_COST)
    assert held_ids(sides, among=Member, page=page, field="member", candidates=many).parts == [linked, []]
    # `reach` times the bound is what the count could read.
    answer = held_ids(sides, among=Member, page=page, field="member", candidates=many, reach=2)
    assert answer.parts == [None, []]
    # A count already known is weighed the same way.
    answer = held_ids(sides, among=Member, page=page, field="member", candidates=few, counts=[3, None])
    assert answer.parts == [None, []]


@pytest.mark.parametrize("gather", [False, True])
@pytest.mark.parametrize("ids", [[], [0], "some"])
def test_ids_in_is_pk_in(members, ids, gather):
    ids = [m.pk for m in members[::3]] if ids == "some" else ids
    assert list(Member.objects.filter(IdsIn(ids, gather=gather)).order_by("pk")) == list(
        Member.objects.filter(pk__in=ids).order_by("pk")
    )
