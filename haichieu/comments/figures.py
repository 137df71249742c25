"""The comments' figures for an organisation and a year, as of a day (issues 12 and 13): how many
requests were answered on time, and the share of each level of each criterion of the year's forms
("79% đảng viên nêu gương tốt").

Every function takes an organisation the caller has checked against the user's scope (a whole
subtree is counted), a year (the requests' `year`) and the day the figures are as of, and returns
plain data. Each runs a fixed number of queries whatever the number of requests, members or rows:
the counting is a GROUP BY in the database.

Which requests belong to an organisation depends on its side:
- a workplace organisation: the requests for the members whose workplace cell lies in its subtree
  (the access rule's workplace side, `Scope.workplace_q`), grouped by the commune committee that
  answers them;
- a residence organisation (a commune committee, a residential cell): the requests sent to the
  residential cells of its subtree, grouped by cell.

As of a day: a request counts from the day it was made; it is answered from the day its comment
reached the workplace (`rules.answered_by_q`), on time when that day is not after its deadline; a
request not answered by then is overdue when its deadline has passed, else pending. The state rules
(`rules.answered_q`, `pending_q`, `overdue_q`) and these agree on today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from haichieu.core.paths import top_under
from haichieu.core.text import by_vn_name
from haichieu.organizations.models import Organization
from haichieu.organizations.selectors import organization_children

from . import rules
from .models import CommentAnswer, CommentForm, CommentRequest, Criterion

NO_COMMUNE = "Chưa có đảng ủy trên phần mềm"


def place_path(org: Organization, prefix: str = "") -> str:
    """The path a request (or a relation to it via `prefix`) is placed by on `org`'s side."""
    if org.is_residential:
        return f"{prefix}cell__path"
    return f"{prefix}member__workplace_cell__path"


def requests_q(org: Organization, year: int, as_of: datetime.date, prefix: str = "") -> Q:
    """The requests of `year` that belong to `org`'s subtree (see the module), made by `as_of`."""
    return (
        org.subtree_q(place_path(org, prefix)) & Q(**{f"{prefix}year": year}) & rules.made_by_q(as_of, prefix)
    )


def requests_of(org: Organization, year: int, as_of: datetime.date) -> QuerySet[CommentRequest]:
    return CommentRequest.objects.filter(requests_q(org, year, as_of))


def _counts(as_of: datetime.date) -> dict:
    return {
        "requests": Count("pk"),
        "answered": Count("pk", filter=rules.answered_by_q(as_of)),
        "on_time": Count("pk", filter=rules.answered_on_time_q(as_of)),
        "overdue": Count("pk", filter=rules.overdue_on_q(as_of)),
        "pending": Count("pk", filter=rules.pending_on_q(as_of)),
    }


@dataclass(frozen=True)
class Timeliness:
    """The requests of one place (a commune, a cell, a child organisation) and what became of them."""

    org_id: int | None
    name: str
    requests: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0
    pending: int = 0

    @property
    def late(self) -> int:
        """Answered, but after the deadline."""
        return self.answered - self.on_time

    @property
    def due(self) -> int:
        """The requests that were to be answered by the day: answered, or past their deadline."""
        return self.answered + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        """Answered on time, in percent of the requests due (None when none was due yet)."""
        return round(100 * self.on_time / self.due, 1) if self.due else None

    def worst_first_key(self) -> tuple:
        """Lowest on-time rate first, then most overdue; places with nothing due last (a stable sort:
        rows alike stay in the Vietnamese order of their names)."""
        rate = self.on_time_rate
        return (rate is None, rate if rate is not None else 0.0, -self.overdue)


def _timeliness(org_id, name, row: dict | None) -> Timeliness:
    row = row or {}
    return Timeliness(
        org_id,
        name,
        **{key: row.get(key, 0) for key in ("requests", "answered", "on_time", "overdue", "pending")},
    )


def timeliness_total(org: Organization, year: int, as_of: datetime.date) -> Timeliness:
    """The whole subtree's requests (one query)."""
    row = requests_of(org, year, as_of).aggregate(**_counts(as_of))
    return _timeliness(org.pk, org.name, row)


def timeliness_by_place(org: Organization, year: int, as_of: datetime.date) -> list[Timeliness]:
    """Per commune committee that answers (a workplace organisation) or per residential cell (a
    residence organisation), worst first (one query)."""
    by = ("cell_id", "cell__name") if org.is_residential else ("commune_org_id", "commune_org__name")
    rows = requests_of(org, year, as_of).values(*by).annotate(**_counts(as_of)).order_by()
    places = by_vn_name(_timeliness(r[by[0]], r[by[1]] or NO_COMMUNE, r) for r in rows)
    return sorted(places, key=Timeliness.worst_first_key)


# The counts of a Timeliness, in its order (the statistics summary keeps them by these names).
TIMELINESS_COUNTS = ("requests", "answered", "on_time", "overdue", "pending")
# Where a request is placed on each side (place_path): by its cell (residence), by its member's
# workplace cell.
PLACE_CELL = {True: "cell_id", False: "member__workplace_cell_id"}


def timeliness_by_cell(year: int, as_of: datetime.date, *, residential: bool) -> list[dict]:
    """Every request of `year` made by `as_of`, counted (TIMELINESS_COUNTS) per cell it is placed by
    on one side (`place_cell`: its id): the statistics summary adds them up the tree (one query)."""
    rows = (
        CommentRequest.objects.filter(rules.made_by_q(as_of), year=year)
        .values(place_cell=F(PLACE_CELL[residential]))
        .annotate(**_counts(as_of))
        .order_by()
    )
    return [dict(row) for row in rows]


# The progress page's counts of requests as they stand now (selectors.progress), by the state rules:
# the live count and the statistics summary's (progress_by_place) are this one definition.
PROGRESS_COUNTS = ("answered", "pending", "overdue")


def progress_counts(today: datetime.date) -> dict:
    return {
        "answered": Count("pk", filter=rules.answered_q()),
        "pending": Count("pk", filter=rules.pending_q(today)),
        "overdue": Count("pk", filter=rules.overdue_q(today)),
    }


def progress_by_place(year: int, today: datetime.date) -> list[tuple]:
    """Every request of `year`, counted (PROGRESS_COUNTS) per (residential cell, commune committee,
    member's workplace cell): whoever reads one of the three sees the request (the access rule's
    sides), so the statistics summary gives the counts to each organisation above any of them, per
    commune committee (one query)."""
    rows = (
        CommentRequest.objects.filter(year=year)
        .values_list("cell_id", "commune_org_id", "member__workplace_cell_id")
        .annotate(**progress_counts(today))
        .order_by()
    )
    return list(rows)


def timeliness_of(org_id: int | None, name: str, counts: dict) -> Timeliness:
    """A Timeliness from counts by name (the summary's)."""
    return _timeliness(org_id, name, counts)


def children_of(org: Organization) -> list[Organization]:
    """The organisation's active children, in the Vietnamese order of their names (one query): the
    drill-down's rows."""
    return [child for child in organization_children(org) if child.is_active]


def timeliness_by_child(
    org: Organization, year: int, as_of: datetime.date, children: list[Organization] | None = None
) -> list[Timeliness]:
    """The drill-down: each child organisation's own figures (a workplace child by its members, a
    residence child by its cells, as the child's page counts them), worst first. One query for the
    children (unless given) and one per side present among them, whatever their number."""
    if children is None:
        children = children_of(org)
    length = len(org.path) + Organization.steplen
    found: dict[tuple[str, bool], dict] = {}
    for residential in {child.is_residential for child in children}:
        field = "cell__path" if residential else "member__workplace_cell__path"
        rows = (
            CommentRequest.objects.filter(org.subtree_q(field), rules.made_by_q(as_of), year=year)
            .annotate(top=top_under(field, length))
            .values("top")
            .annotate(**_counts(as_of))
            .order_by()
        )
        found.update({(r["top"], residential): dict(r) for r in rows})
    result = [_timeliness(c.pk, c.name, found.get((c.path, c.is_residential))) for c in children]
    return sorted(result, key=Timeliness.worst_first_key)


# --- the criteria ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CriterionShare:
    """How the answered comments placed members on one criterion: a count per level (1 the best)."""

    criterion_id: int
    key: str
    label: str
    level_labels: tuple[str, str, str]
    counts: tuple[int, int, int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> tuple[float | None, ...]:
        """Each level's share of the answers, in percent (one decimal), None when there is none."""
        return tuple(round(100 * n / self.total, 1) if self.total else None for n in self.counts)

    @property
    def levels(self) -> list[tuple[str, int, float | None]]:
        """(label, count, share) per level, the best first."""
        return list(zip(self.level_labels, self.counts, self.shares, strict=True))


@dataclass(frozen=True)
class FormShares:
    """One form of the year (Mẫu 3-213, Mẫu 4-213) and its criteria's shares, in the form's order."""

    form_id: int
    code: str
    title: str
    criteria: tuple[CriterionShare, ...]

    @property
    def answered(self) -> int:
        """The comments written on this form (every criterion is answered on each)."""
        return max((c.total for c in self.criteria), default=0)


def forms_of_year(year: int) -> list[CommentForm]:
    """The forms in force for `year`, one per audience (`CommentForm.objects.in_force`), in one query."""
    latest: dict[str, CommentForm] = {}
    for form in CommentForm.objects.filter(year__lte=year).order_by("audience", "-year"):
        latest.setdefault(form.audience, form)
    return sorted(latest.values(), key=lambda f: (f.code, f.pk))


def criterion_shares(org: Organization, year: int, as_of: datetime.date) -> list[FormShares]:
    """Per form of the year and criterion, how many answered comments of `org`'s subtree chose each
    level, and its share (three queries: the answers grouped by criterion and level, the year's forms,
    their criteria). A comment counts once it reached the workplace (by `as_of`); a form used by an
    older request (the form of an earlier year) is listed too when it has answers."""
    prefix = "comment__request__"
    counts: dict[int, dict[int, int]] = {}
    rows = (
        CommentAnswer.objects.filter(requests_q(org, year, as_of, prefix), rules.answered_by_q(as_of, prefix))
        .values("criterion_id", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in rows:
        counts.setdefault(r["criterion_id"], {})[r["level"]] = r["n"]
    forms = forms_of_year(year)
    criteria = (
        Criterion.objects.filter(Q(form__in=[f.pk for f in forms]) | Q(pk__in=list(counts)))
        .select_related("form")
        .order_by("form__code", "form__year", "form_id", "position")
    )
    result: dict[int, FormShares] = {}
    grouped: dict[int, list[CriterionShare]] = {}
    for c in criteria:
        levels = counts.get(c.pk, {})
        grouped.setdefault(c.form_id, []).append(
            CriterionShare(
                c.pk,
                c.key,
                c.label,
                (c.level_1, c.level_2, c.level_3),
                (levels.get(1, 0), levels.get(2, 0), levels.get(3, 0)),
            )
        )
        if c.form_id not in result:
            result[c.form_id] = FormShares(c.form_id, c.form.code, c.form.title, ())
    return [
        FormShares(form.form_id, form.code, form.title, tuple(grouped[form_id]))
        for form_id, form in result.items()
    ]
