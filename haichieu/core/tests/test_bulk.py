"""core/bulk.py on both databases: the keys it returns, what the rows hold, `in_chunks`."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.core.bulk import IN_CHUNK, bulk_insert, bulk_inserting, in_chunks
from haichieu.core.models import AuditEntry
from haichieu.members.models import Member
from haichieu.members.services import derived_name_fields

pytestmark = pytest.mark.django_db


def member_row(cell, n: int) -> dict:
    return {
        **derived_name_fields(f"Nguyễn Văn Số{'abcdefghij'[n % 10]}"),
        "date_of_birth": datetime.date(1980, 1, 1),
        "gender": Member.Gender.MALE,
        "party_card_number": f"7700{n:05d}",
        "admission_date": datetime.date(2005, 1, 1),
        "workplace_cell": cell,
    }


def test_keys_come_back_in_row_order_and_defaults_are_filled(world):
    rows = [member_row(world.w1c1, n) for n in range(30)]
    pks = bulk_insert(Member, rows)
    assert len(set(pks)) == 30
    stored = dict(Member.objects.filter(pk__in=pks).values_list("pk", "party_card_number"))
    assert [stored[pk] for pk in pks] == [row["party_card_number"] for row in rows]
    member = Member.objects.get(pk=pks[0])
    assert member.status == Member.Status.PROBATIONARY and member.version == 1
    assert member.link_status == "none" and member.created_at is not None
    # The sequence moved past the keys taken: the next ordinary insert gets a new one.
    assert Member.objects.create(**member_row(world.w1c1, 99)).pk not in pks


def test_the_block_runs_with_the_keys_and_the_rows_are_there_after_it(world):
    rows = [member_row(world.w1c1, n) for n in range(5)]
    seen = []
    with bulk_inserting(Member, rows) as pks:
        seen.extend(pks)
    assert seen == pks and Member.objects.filter(pk__in=pks).count() == 5


def test_json_values_are_stored_as_json(world):
    (pk,) = bulk_insert(
        AuditEntry, [{"action": "create", "target_type": "x", "changes": {"after": {"họ tên": "Lê Thị Ánh"}}}]
    )
    assert AuditEntry.objects.get(pk=pk).changes == {"after": {"họ tên": "Lê Thị Ánh"}}


def test_a_failing_row_writes_nothing(world):
    before = Member.objects.count()
    rows = [member_row(world.w1c1, 1), member_row(world.w1c1, 1)]  # the same card twice
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(Member, rows)
    assert Member.objects.count() == before


def test_nothing_to_insert():
    assert bulk_insert(Member, []) == []


def test_in_chunks_finds_every_key_past_one_chunk(world):
    rows = [member_row(world.w1c1, n) for n in range(IN_CHUNK + 20)]
    bulk_insert(Member, rows)
    cards = [row["party_card_number"] for row in rows] + ["không có"]
    found = set()
    for chunk in in_chunks(cards):
        found.update(
            Member.objects.filter(party_card_number__in=chunk).values_list("party_card_number", flat=True)
        )
    assert found == set(cards[:-1])
    assert in_chunks([]) == []


def test_versioned_update_changes_only_the_rows_still_at_their_version(world):
    from haichieu.core.bulk import bulk_update_versioned

    a, b = (
        Member.objects.get(pk=pk) for pk in bulk_insert(Member, [member_row(world.w1c1, n) for n in (1, 2)])
    )
    Member.objects.filter(pk=b.pk).update(version=5)  # someone saved b meanwhile
    now = timezone.now()
    done = bulk_update_versioned(
        Member,
        [
            (a.pk, a.version, {"position": "Trưởng phòng", "workplace_cell": world.w1c2}),
            (b.pk, b.version, {"phone": "0911111111"}),
        ],
        now=now,
    )
    assert done == {a.pk}
    a.refresh_from_db()
    assert (a.position, a.workplace_cell_id, a.version, a.updated_at) == (
        "Trưởng phòng",
        world.w1c2.pk,
        2,
        now,
    )
    assert a.full_name == "Nguyễn Văn Sốb" and a.party_card_number == "770000001"  # left as they were
    b.refresh_from_db()
    assert b.phone == "" and b.version == 5
    assert bulk_update_versioned(Member, [], now=now) == set()


def test_the_cycle_collector_runs_again_after_a_paused_block_even_when_it_fails():
    import gc

    from haichieu.core.bulk import gc_paused

    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    gc.disable()  # paused by someone else: left as it was found
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
