"""What the database itself keeps: one rating per member and year, the score on the scale, exempt
or rated; and the schemes stay editable in the admin."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from haichieu.ratings.models import Rating, RatingLevel, RatingScheme

pytestmark = pytest.mark.django_db


def _rating(member, **values):
    level = RatingLevel.objects.get(scheme__year=2025, code="hoan-thanh-tot")
    fields = {
        "member": member,
        "year": 2025,
        "score": Decimal("80"),
        "level": level,
        "rated_at": timezone.now(),
    }
    return Rating.objects.create(**{**fields, **values})


def test_one_rating_per_member_and_year(world):
    _rating(world.m1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _rating(world.m1)
    _rating(world.m1, year=2026)


@pytest.mark.parametrize(
    "values",
    [
        {"score": Decimal("100.1")},
        {"score": Decimal("-0.1")},
        {"exempt": True},  # exempt with a score and a level
        {"score": None},  # rated without a score
        {"level": None},  # rated without a level
    ],
)
def test_the_database_refuses_a_rating_off_the_scale_or_half_exempt(world, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        _rating(world.m1, **values)


def test_the_admin_edits_a_years_levels(world, client_for):
    client = client_for(world.admin)
    scheme = RatingScheme.objects.get(year=2025)
    assert client.get(reverse("admin:ratings_ratingscheme_change", args=[scheme.pk])).status_code == 200
    assert client.get(reverse("admin:ratings_ratingscheme_add")).status_code == 200


@pytest.mark.parametrize("conditions", [{"key": "a"}, [{"key": "a"}], [{"key": "", "text": "x"}], ["a"]])
def test_a_level_refuses_conditions_that_are_not_keyed_texts(conditions):
    scheme = RatingScheme.objects.get(year=2025)
    level = RatingLevel(
        scheme=scheme, order=9, code="thu", label="Thử", min_score=1, conditions=conditions, source="—"
    )
    with pytest.raises(ValidationError) as caught:
        level.full_clean()
    assert "conditions" in caught.value.message_dict
