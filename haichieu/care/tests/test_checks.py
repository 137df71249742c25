"""Data that needs care (issue 13): each check finds what it names, only among the records the user
may see, and the count is the list."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.care import checks
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "province_staff", "w1_staff", "w1c1_secretary", "w1_viewer", "w2_staff", "r1_staff",
            "r1c1_secretary", "r2_staff"]  # fmt: skip


def found(world, persona, key) -> set[str]:
    return {str(r) for r in checks.check_records(getattr(world, persona), checks.BY_KEY[key])}


def names(*members) -> set[str]:
    return {m.full_name for m in members}


def test_a_duplicate_national_id_shows_only_where_both_records_are_seen(world):
    # m1 (W1) and m3 (W2) carry the same national ID (the test world's default).
    assert found(world, "province_staff", "trung-cccd") == names(world.m1, world.m3)
    assert found(world, "admin", "trung-cccd") == names(world.m1, world.m3)
    # W1's committee sees m1 only: that someone outside its scope holds the ID is not told.
    for persona in ("w1_staff", "w1c1_secretary", "w2_staff", "r1_staff", "r1c1_secretary"):
        assert found(world, persona, "trung-cccd") == set(), persona
    twin = make_member(world.w1c2, "Đặng Văn Hai", national_id=world.m1.national_id)
    assert found(world, "w1_staff", "trung-cccd") == names(world.m1, twin)
    assert found(world, "province_staff", "trung-cccd") == names(world.m1, world.m3, twin)
    assert found(world, "w1c1_secretary", "trung-cccd") == set()  # twin is in W1C2
    make_member(world.w1c2, "Không Có Số", national_id="")
    make_member(world.w1c2, "Cũng Không Số", national_id="")
    assert found(world, "w1_staff", "trung-cccd") == names(world.m1, twin)  # an empty ID is no duplicate


def test_the_database_already_refuses_a_card_twice_and_two_open_links(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_member(world.w1c2, "Số Thẻ Trùng", party_card_number=world.m1.party_card_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        Liaison.objects.create(member=world.m1, workplace_org=world.w1, status=Liaison.Status.DRAFT)


def test_active_members_without_a_residence_commune(world):
    # m2 (W1C2) has no residence commune.
    assert found(world, "w1_staff", "thieu-noi-cu-tru") == names(world.m2)
    assert found(world, "w1c1_secretary", "thieu-noi-cu-tru") == set()
    assert found(world, "w2_staff", "thieu-noi-cu-tru") == set()
    assert found(world, "r1_staff", "thieu-noi-cu-tru") == set()  # the residence side: not its records
    Member.objects.filter(pk=world.m2.pk).update(status=Member.Status.TRANSFERRED)
    assert found(world, "w1_staff", "thieu-noi-cu-tru") == set()  # no longer active


@pytest.mark.parametrize(
    "changes",
    [
        {"date_of_birth": datetime.date(2090, 1, 1)},
        {"admission_date": timezone.localdate() + datetime.timedelta(days=1)},
        {"admission_date": datetime.date(1980, 1, 1)},  # before birth (1985)
        {"admission_date": datetime.date(2002, 12, 31)},  # 17 by year
        {"full_membership_date": datetime.date(2009, 1, 1)},  # before admission (2010)
        {"status": Member.Status.PROBATIONARY},  # with a date of full membership
    ],
)
def test_impossible_member_dates(world, changes):
    assert found(world, "w1_staff", "ngay-vo-ly") == set()
    Member.objects.filter(pk=world.m2.pk).update(**changes)
    assert found(world, "w1_staff", "ngay-vo-ly") == names(world.m2)
    assert found(world, "w2_staff", "ngay-vo-ly") == set()


def test_eighteen_by_year_is_not_impossible(world):
    Member.objects.filter(pk=world.m2.pk).update(admission_date=datetime.date(2003, 1, 1))
    assert found(world, "w1_staff", "ngay-vo-ly") == set()


def test_a_full_member_without_the_date_of_full_membership(world):
    assert found(world, "w1_staff", "thieu-ngay") == set()
    Member.objects.filter(pk=world.m2.pk).update(full_membership_date=None)
    assert found(world, "w1_staff", "thieu-ngay") == names(world.m2)
    Member.objects.filter(pk=world.m2.pk).update(status=Member.Status.PROBATIONARY)
    assert found(world, "w1_staff", "thieu-ngay") == set()


def _dated(link, **extra):
    moment = timezone.now() - datetime.timedelta(days=30)
    values = dict(
        letter_date=moment.date(),
        introduced_at=moment,
        received_at=moment + datetime.timedelta(days=3),
        activated_at=moment + datetime.timedelta(days=5),
    )
    values.update(extra)
    Liaison.objects.filter(pk=link.pk).update(**values)


def test_link_dates_missing_or_out_of_order(world):
    m1_link, m3_link = world.m1.liaisons.get(), world.m3.liaisons.get()
    # The world's active links carry no dates: missing.
    assert found(world, "province_staff", "ngay-ho-so") == {str(m1_link), str(m3_link)}
    assert found(world, "r1_staff", "ngay-ho-so") == {str(m1_link)}  # the residence side sees its link
    assert found(world, "w2_staff", "ngay-ho-so") == {str(m3_link)}
    _dated(m1_link)
    _dated(m3_link)
    assert found(world, "province_staff", "ngay-ho-so") == set()
    _dated(m1_link, received_at=timezone.now() - datetime.timedelta(days=40))  # before the introduction
    assert found(world, "w1_staff", "ngay-ho-so") == {str(m1_link)}
    _dated(m1_link, letter_date=timezone.localdate() + datetime.timedelta(days=2))
    assert found(world, "r1c1_secretary", "ngay-ho-so") == {str(m1_link)}
    assert found(world, "r2_staff", "ngay-ho-so") == set()


def test_open_links_to_a_deactivated_organisation(world):
    assert found(world, "admin", "to-chuc-ngung") == set()
    world.r1c1.is_active = False
    world.r1c1.save(update_fields=["is_active"])
    m1_link = str(world.m1.liaisons.get())
    for persona in ("admin", "province_staff", "w1_staff", "w1c1_secretary", "r1_staff", "r1c1_secretary"):
        assert found(world, persona, "to-chuc-ngung") == {m1_link}, persona
    for persona in ("w2_staff", "r2_staff"):
        assert found(world, persona, "to-chuc-ngung") == set(), persona
    Liaison.objects.filter(member=world.m1).update(status=Liaison.Status.ENDED)
    assert found(world, "admin", "to-chuc-ngung") == set()  # an ended link needs nothing


def test_link_holder_is_the_side_that_holds_the_link(world):
    link = world.m1.liaisons.get()
    assert checks.link_holder(link) == world.r1
    link.status = Liaison.Status.RETURNED
    assert checks.link_holder(link) == world.w1


def test_every_count_is_its_list(world):
    Member.objects.filter(pk=world.m2.pk).update(
        full_membership_date=None, admission_date=datetime.date(1980, 1, 1)
    )
    world.r2c1.is_active = False
    world.r2c1.save(update_fields=["is_active"])
    for persona in PERSONAS:
        user = getattr(world, persona)
        counted = checks.counts(user)
        assert set(counted) == set(checks.BY_KEY)
        for check in checks.CHECKS:
            records = {r.pk for r in checks.check_records(user, check)}
            assert counted[check.key] == len(records), (persona, check.key)
            assert records == {r.pk for side in checks.check_sides(user, check) for r in side}, (
                persona,
                check.key,
            )
    assert checks.counts(world.province_staff) == {
        "trung-cccd": 2, "thieu-noi-cu-tru": 1, "ngay-vo-ly": 1, "thieu-ngay": 1, "ngay-ho-so": 2,
        "to-chuc-ngung": 1,
    }  # fmt: skip


def test_counts_run_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    world.r2c1.is_active = False
    world.r2c1.save(update_fields=["is_active"])
    for user in (world.province_staff, world.w1_staff):  # one side, four sides of links
        checks.counts(user)  # the scope, read once per request
        # the shared member checks, the duplicates, the inactive organisations, each link check
        with django_assert_max_num_queries(5):
            checks.counts(user)


def test_a_member_or_outsider_sees_nothing(world):
    for persona in ("member_user", "outsider"):
        assert set(checks.counts(getattr(world, persona)).values()) == {0}
