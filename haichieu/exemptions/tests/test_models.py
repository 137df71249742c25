import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.exemptions.models import Exemption

pytestmark = pytest.mark.django_db

D = datetime.date


def _exemption(world, start, end, **extra):
    return Exemption.objects.create(
        member=world.m1,
        reason=Exemption.Reason.FAR_WORK,
        decided_by=world.w1,
        decided_on=start,
        start_date=start,
        end_date=end,
        **extra,
    )


def test_in_force_on_counts_the_first_and_last_day_and_not_a_revoked_one(world):
    kept = _exemption(world, D(2026, 1, 1), D(2026, 6, 30))
    _exemption(world, D(2026, 1, 1), D(2026, 12, 31), revoked_at=timezone.now())
    in_force = Exemption.objects.in_force_on
    assert list(in_force(D(2026, 1, 1))) == [kept]
    assert list(in_force(D(2026, 6, 30))) == [kept]
    assert not in_force(D(2025, 12, 31)).exists() and not in_force(D(2026, 7, 1)).exists()


def test_a_period_ending_before_it_starts_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        _exemption(world, D(2026, 6, 1), D(2026, 5, 31))
