"""The planner's estimate of a name search, which chooses how the member list reads it
(members.selectors `_estimated_matches`, issue 13)."""

import pytest
from django.db import connection

from haichieu.members import selectors
from haichieu.testing import make_member

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="an estimate of PostgreSQL's")


def test_names_are_sampled_finely_enough_for_a_rare_fragment_to_stay_rare(db):
    """At the default 100 histogram entries a rare fragment found in one of them is estimated at 1 %
    of the members (8,573 of 1,000,000 for 218 names), past FEW_MATCHES: the list then walks its
    order for it (700 ms instead of 32)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute"
            " WHERE attrelid = 'members_member'::regclass AND attname = 'name_folded'"
        )
        (target,) = cursor.fetchone()
    assert target is not None and target >= 1000


def test_a_search_is_estimated_by_the_planner_and_short_ones_are_not(world):
    for i in range(30):
        make_member(world.w2c1, f"Nguyễn Văn Số{i:02d}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_member")
    common, rare = selectors._estimated_matches("nguyen van"), selectors._estimated_matches("quach thi")
    assert common is not None and rare is not None
    assert rare < common
    assert selectors._estimated_matches("ng") is None
