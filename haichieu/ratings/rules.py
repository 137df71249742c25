"""The one rule that places a member at a level, read from the year's scheme (data), and who is
exempt from the rating (issue 12).

QĐ 366-QĐ/TW (30/08/2025) Art. 11: each level is a band of the 100-point score **and** conditions
("hoàn thành tốt nhiệm vụ": from 70 to under 90 points, and every task done on time, with quality
and efficiency). A score alone does not decide the level: a member who misses a condition of a
level cannot be placed at it however high the score, and falls to the highest level whose floor
the score reaches and whose conditions are all met. The lowest level has floor 0 and no
conditions, so every score finds one.

Exempt members are not rated (HD 21-HD/BTCTW, 2019: the rating applies to every member except
those exempt from party work and activities and those suspended; the same exception in HD 43 was
not read in full): a member with an exemption in force on some day of the year, when the setting
EXEMPTION_LIFTS lists the rating (exemptions/rules.py).

Sources read (12/2026), restatements of the texts, not the texts themselves:
- QĐ 366 Art. 11 cl. 1 (xuất sắc: 90+, 100% of tasks on time with quality, at least 30% above the
  mark, shortcomings remedied): tintuc.thuvienphapluat.vn, "Tỷ lệ đảng viên hoàn thành xuất sắc
  nhiệm vụ năm 2025" (09/12/2025);
- cl. 2 and 3 (tốt: 70 to under 90, 100% of tasks on time; hoàn thành: 50 to under 70, the
  collective's "no more than 20% behind schedule"): laodong.vn, "Thang điểm đánh giá để tính xếp
  loại tập thể, cá nhân hoàn thành tốt nhiệm vụ";
- the 100-point scale, QĐ 366 replacing QĐ 124: thanhnien.vn (20/09/2025); HD 43-HD/BTCTW
  (31/10/2025) replacing HD 25-HD/BTCTW (2023): encovietnam.com (a summary only);
- exempt and suspended members left out of the rating: luatvietnam.vn on HD 21-HD/BTCTW (2019).
The levels' data (migrations/0002_load_schemes_2025_2026.py) says what was not read.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Exists, OuterRef, Q, Value

from haichieu.exemptions import rules as exemption_rules
from haichieu.exemptions.models import Exemption
from haichieu.members.models import Member

from .models import RatingLevel, RatingScheme


class SchemeIncomplete(Exception):
    """The year's scheme has no level every score reaches (data to fix in the admin)."""


def scheme_for(year: int) -> RatingScheme | None:
    """The year's scheme with its levels, highest first (two queries), or None."""
    scheme = RatingScheme.objects.filter(year=year).first()
    if scheme is not None:
        scheme.level_list = list(scheme.levels.order_by("order"))  # type: ignore[attr-defined]
    return scheme


def decide_level(
    levels: Sequence[RatingLevel], *, score: Decimal, conditions_met: Iterable[str]
) -> RatingLevel:
    """The level a score and the conditions met place a member at (see the module): the first of
    `levels` (highest first) whose floor the score reaches and whose every condition is met."""
    met = set(conditions_met)
    for level in sorted(levels, key=lambda lv: lv.order):
        if score >= level.min_score and set(level.condition_keys) <= met:
            return level
    raise SchemeIncomplete("Cách xếp loại của năm này không có mức nào cho điểm và điều kiện đã nhập.")


@dataclass(frozen=True)
class Condition:
    key: str
    text: str
    levels: tuple[str, ...]  # the labels of the levels that require it


def conditions_of(levels: Sequence[RatingLevel]) -> list[Condition]:
    """Every condition of a scheme once, in the order the levels give them (highest first)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for level in sorted(levels, key=lambda lv: lv.order):
        for c in level.conditions:
            key = str(c["key"])
            found.setdefault(key, (str(c["text"]), []))[1].append(level.label)
    return [Condition(key, text, tuple(labels)) for key, (text, labels) in found.items()]


def to_rate_q(org, prefix: str = "") -> Q:
    """Q over Member (or a relation to it via `prefix`): the members `org`'s list rates, the active
    members of the workplace cells of its subtree. Members of residential cells are the residence
    side's and are not rated there (the rating list, the figures)."""
    return org.subtree_q(f"{prefix}workplace_cell__path") & Q(
        **{f"{prefix}status__in": Member.ACTIVE_STATUSES, f"{prefix}workplace_cell__is_residential": False}
    )


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def exempt_annotation(year: int, member_ref: str = "pk") -> Exists | Value:
    """For a list of members (or of rows naming a member by `member_ref`): whether each is exempt
    from the year's rating, one subquery whatever the rows."""
    if not exemption_rules.lifts(exemption_rules.Lift.RATING):
        return Value(False, output_field=BooleanField())
    first, last = _year_bounds(year)
    return Exists(Exemption.objects.in_force_during(first, last).filter(member=OuterRef(member_ref)))


def is_exempt(member, year: int) -> bool:
    if not exemption_rules.lifts(exemption_rules.Lift.RATING):
        return False
    return Exemption.objects.in_force_during(*_year_bounds(year)).filter(member=member).exists()
