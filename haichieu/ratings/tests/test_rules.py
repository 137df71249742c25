"""The one rule that places a member at a level, read from the year's scheme (data)."""

import datetime
from decimal import Decimal

import pytest

from haichieu.exemptions.models import Exemption
from haichieu.ratings import rules
from haichieu.ratings.models import RatingLevel, RatingScheme

pytestmark = pytest.mark.django_db

ON_TIME, EXCEEDED, REMEDIED = "nhiem_vu_dung_han", "vuot_muc_30", "khac_phuc_han_che"
NOT_FAILED, MOSTLY_ON_TIME = "khong_thuoc_truong_hop_khong_hoan_thanh", "nhiem_vu_100_tre_han_duoi_20"
ALL = [ON_TIME, EXCEEDED, REMEDIED, NOT_FAILED, MOSTLY_ON_TIME]


def _level(year, score, met):
    return rules.decide_level(
        rules.scheme_for(year).level_list, score=Decimal(score), conditions_met=met
    ).code


def test_the_schemes_of_2025_and_2026_are_loaded_with_their_source():
    for year in (2025, 2026):
        scheme = rules.scheme_for(year)
        assert "366-QĐ/TW" in scheme.source and "Điều 11" in scheme.source
        assert [lv.label for lv in scheme.level_list] == [
            "Hoàn thành xuất sắc nhiệm vụ",
            "Hoàn thành tốt nhiệm vụ",
            "Hoàn thành nhiệm vụ",
            "Không hoàn thành nhiệm vụ",
        ]
        good = scheme.level_list[1]
        assert (good.min_score, good.max_score, good.band) == (70, 90, "từ 70 đến dưới 90 điểm")
        assert all(lv.source.startswith("QĐ 366-QĐ/TW Điều 11") for lv in scheme.level_list)


@pytest.mark.parametrize(
    ("score", "met", "code"),
    [
        ("95", ALL, "hoan-thanh-xuat-sac"),
        ("90", ALL, "hoan-thanh-xuat-sac"),
        ("89.9", ALL, "hoan-thanh-tot"),
        ("70", ALL, "hoan-thanh-tot"),
        ("69.9", ALL, "hoan-thanh"),
        ("50", ALL, "hoan-thanh"),
        ("49.9", ALL, "khong-hoan-thanh"),
        # A score alone does not decide the level: an unmet condition drops it.
        ("98", [ON_TIME, REMEDIED, NOT_FAILED, MOSTLY_ON_TIME], "hoan-thanh-tot"),  # not 30% exceeded
        ("98", [EXCEEDED, REMEDIED, NOT_FAILED, MOSTLY_ON_TIME], "hoan-thanh"),  # a task late
        ("98", [ON_TIME, EXCEEDED, REMEDIED, MOSTLY_ON_TIME], "khong-hoan-thanh"),  # a failure case
        ("0", ALL, "khong-hoan-thanh"),
        ("100", [], "khong-hoan-thanh"),
    ],
)
def test_the_level_comes_from_the_score_and_the_conditions(score, met, code):
    assert _level(2025, score, met) == code


def test_a_threshold_changed_in_the_data_changes_the_level():
    assert _level(2026, "75", ALL) == "hoan-thanh-tot"
    RatingLevel.objects.filter(scheme__year=2026, code="hoan-thanh-tot").update(min_score=80)
    assert _level(2026, "75", ALL) == "hoan-thanh"
    assert _level(2025, "75", ALL) == "hoan-thanh-tot"  # another year keeps its own


def test_a_condition_added_in_the_data_is_required():
    level = RatingLevel.objects.get(scheme__year=2026, code="hoan-thanh-tot")
    level.conditions = [*level.conditions, {"key": "moi", "text": "Điều kiện mới"}]
    level.save()
    assert _level(2026, "85", ALL) == "hoan-thanh"
    assert _level(2026, "85", [*ALL, "moi"]) == "hoan-thanh-tot"
    assert [c.key for c in rules.conditions_of(rules.scheme_for(2026).level_list)].count(ON_TIME) == 1


def test_a_scheme_without_a_floor_is_refused():
    scheme = RatingScheme.objects.create(year=2030, name="Thử", source="—")
    RatingLevel.objects.create(
        scheme=scheme, order=1, code="a", label="A", min_score=50, conditions=[], source="—"
    )
    with pytest.raises(rules.SchemeIncomplete):
        rules.decide_level(rules.scheme_for(2030).level_list, score=Decimal("10"), conditions_met=[])


def test_a_member_exempt_on_some_day_of_the_year_is_not_rated(world, settings):
    Exemption.objects.create(
        member=world.m1, reason="far_work", decided_by=world.w1, decided_on=datetime.date(2025, 3, 1),
        start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2026, 2, 28),
    )  # fmt: skip
    Exemption.objects.create(
        member=world.m2, reason="far_work", decided_by=world.w1, decided_on=datetime.date(2025, 3, 1),
        start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 12, 31),
        revoked_at=datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    assert rules.is_exempt(world.m1, 2025) and rules.is_exempt(world.m1, 2026)
    assert not rules.is_exempt(world.m1, 2027) and not rules.is_exempt(world.m1, 2024)
    assert not rules.is_exempt(world.m2, 2025)  # revoked: not in force (Exemption.objects.in_force_on)
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "RULES": {**settings.HAICHIEU["RULES"], "EXEMPTION_LIFTS": ["meetings", "tasks"]},
    }
    assert not rules.is_exempt(world.m1, 2025)
