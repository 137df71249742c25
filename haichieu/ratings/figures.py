"""The rating distribution of an organisation and a year, as of a day (issues 12 and 13): how many of
the members its list rates (`rules.to_rate_q`) were placed at each level of the year's scheme, their
share of the members rated, and apart from them the exempt members and those not rated yet.

Every function takes a workplace organisation the caller has checked against the user's scope
(access.rating_org_get_for), the year and the day the figures are as of, and returns plain data in a
fixed number of queries, the counting done by GROUP BY in the database. A rating counts from the day
it was recorded (`rated_at`; a rating changed later counts from its change). A member is exempt when
the rating says so, or, not rated yet, when an exemption covers the year (`rules.exempt_annotation`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from haichieu.core.paths import top_under
from haichieu.members.models import Member
from haichieu.organizations.models import Organization
from haichieu.organizations.selectors import organization_children

from . import rules
from .models import Rating, RatingLevel, RatingScheme


@dataclass(frozen=True)
class LevelCount:
    order: int
    code: str
    label: str
    count: int
    share: float | None  # percent of the members rated (one decimal), None when none is rated


@dataclass(frozen=True)
class Distribution:
    """One organisation's members to rate, and how they stand (the scheme's levels, highest first)."""

    org_id: int | None
    name: str
    members: int
    exempt: int
    levels: tuple[LevelCount, ...]

    @property
    def rated(self) -> int:
        return sum(level.count for level in self.levels)

    @property
    def not_rated(self) -> int:
        return max(self.members - self.rated - self.exempt, 0)

    @property
    def mean_order(self) -> float | None:
        """The mean place of the members rated (1 = the highest level): the lower the better."""
        if not self.rated:
            return None
        return sum(level.order * level.count for level in self.levels) / self.rated

    def worst_first_key(self) -> tuple:
        """Highest mean place first, then most members not rated; nothing rated last (a stable sort:
        rows alike stay in the Vietnamese order of their names)."""
        mean = self.mean_order
        return (mean is None, -(mean or 0.0), -self.not_rated)


def _distribution(org_id, name, levels: list[RatingLevel], members: dict, ratings: dict) -> Distribution:
    """`members`: {"members", "exempt_unrated"}; `ratings`: {level id or "exempt": count}."""
    rated = sum(n for key, n in ratings.items() if key != "exempt")
    counts = tuple(
        LevelCount(
            level.order,
            level.code,
            level.label,
            ratings.get(level.pk, 0),
            round(100 * ratings.get(level.pk, 0) / rated, 1) if rated else None,
        )
        for level in levels
    )
    exempt = ratings.get("exempt", 0) + members.get("exempt_unrated", 0)
    return Distribution(org_id, name, members.get("members", 0), exempt, counts)


def _member_counts() -> dict:
    return {
        "members": Count("pk"),
        "exempt_unrated": Count("pk", filter=Q(is_exempt=True, has_rating=False)),
    }


def _members(org: Organization, year: int, as_of: datetime.date):
    rated = Rating.objects.filter(member=OuterRef("pk"), year=year, rated_at__date__lte=as_of)
    return Member.objects.filter(rules.to_rate_q(org)).annotate(
        is_exempt=rules.exempt_annotation(year), has_rating=Exists(rated)
    )


def _ratings(org: Organization, year: int, as_of: datetime.date):
    return Rating.objects.filter(rules.to_rate_q(org, "member__"), year=year, rated_at__date__lte=as_of)


def _ratings_by_key(rows, *, group: str | None = None) -> dict:
    """{group value: {level id or "exempt": count}} from rows grouped by level and exempt mark."""
    result: dict = {}
    for r in rows:
        key = "exempt" if r["exempt"] else r["level_id"]
        bucket = result.setdefault(r[group] if group else None, {})
        bucket[key] = bucket.get(key, 0) + r["n"]
    return result


def levels_of(year: int) -> tuple[RatingScheme | None, list[RatingLevel]]:
    """The year's scheme and its levels, highest first (two queries); no scheme, no levels."""
    scheme = rules.scheme_for(year)
    return scheme, (scheme.level_list if scheme is not None else [])  # type: ignore[attr-defined]


def distribution(
    org: Organization, year: int, as_of: datetime.date, levels: list[RatingLevel] | None = None
) -> Distribution:
    """The whole subtree's distribution (two queries, and two for the scheme unless `levels` given)."""
    if levels is None:
        levels = levels_of(year)[1]
    members = _members(org, year, as_of).aggregate(**_member_counts())
    rows = _ratings(org, year, as_of).values("level_id", "exempt").annotate(n=Count("pk")).order_by()
    return _distribution(org.pk, org.name, levels, members, _ratings_by_key(rows).get(None, {}))


def rating_children_of(org: Organization) -> list[Organization]:
    """The active workplace organisations directly under `org`, in the Vietnamese order of their
    names (one query): the drill-down's rows (a residence child rates nobody)."""
    return [c for c in organization_children(org) if c.is_active and not c.is_residential]


def distribution_by_child(
    org: Organization,
    year: int,
    as_of: datetime.date,
    levels: list[RatingLevel] | None = None,
    children: list[Organization] | None = None,
) -> list[Distribution]:
    """The drill-down: each workplace child's distribution, worst first (two queries, one for the
    children unless given, two for the scheme unless `levels` given), whatever their number."""
    if levels is None:
        levels = levels_of(year)[1]
    if children is None:
        children = rating_children_of(org)
    length = len(org.path) + Organization.steplen
    members = {
        r["top"]: r
        for r in _members(org, year, as_of)
        .annotate(top=top_under("workplace_cell__path", length))
        .values("top")
        .annotate(**_member_counts())
        .order_by()
    }
    rows = (
        _ratings(org, year, as_of)
        .annotate(top=top_under("member__workplace_cell__path", length))
        .values("top", "level_id", "exempt")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ratings = _ratings_by_key(rows, group="top")
    result = [
        _distribution(c.pk, c.name, levels, members.get(c.path, {}), ratings.get(c.path, {}))
        for c in children
    ]
    return sorted(result, key=Distribution.worst_first_key)
