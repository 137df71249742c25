"""What the 213 score counts (score.py), per organisation and its children, as of a day.

`score_table(org, year=…, on=…)` reads every component's numerator and denominator for `org`'s subtree
and for each active child's, grouped in the database by the first characters of a path: a constant
number of queries whatever the number of children, cells or members. Each count is the one the
figures elsewhere show, or reuses the rule it counts:
- coverage: the statistics' figures as of `on` (statistics/figures.py: covered / to introduce);
- comments answered on time: the comments' figures (comments/figures.py: on time / due, on the
  organisation's side);
- receptions and change notices on time, counted here with the deadlines of liaisons/rules
  (`receive_due`, `digest_due`);
- linked members' attendance: the meetings' expected and attended marks (meetings/selectors), at the
  subtree's residential cells (a residence organisation) or of the subtree's members (a workplace one).

On a day `on` of year `year`: a duty counts once its deadline has passed by `on`, or once it was done
by `on`; it is done on time when it was done by its deadline.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from haichieu.comments import figures as comment_figures
from haichieu.liaisons.models import ChangeNotice, Digest, Liaison
from haichieu.meetings.models import Attendance, Meeting
from haichieu.meetings.selectors import attended_q, expected_q
from haichieu.organizations.models import Organization
from haichieu.stats import figures as statistics

from .score import Score, score_of

Counts = dict[str, tuple[int, int]]  # component key -> (numerator, denominator)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def as_of(year: int, today: datetime.date) -> datetime.date:
    """The day a year's figures are read on: today within the year, its last day after it."""
    return min(today, year_bounds(year)[1])


@dataclass
class ScoreTable:
    year: int
    on: datetime.date
    total: Score
    children: list[Score]  # worst first
    figures: dict[int, statistics.Figures]  # the statistics' figures of the organisation and each child
    comments: dict[int | None, comment_figures.Timeliness]  # the comments' figures of each


class _Buckets:
    """{path prefix: {component: [numerator, denominator]}} filled by the queries below."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))

    def add(self, key: str, component: str, numerator: int, denominator: int) -> None:
        pair = self.rows[key][component]
        pair[0] += numerator
        pair[1] += denominator

    def of(self, component: str, key: str | None) -> tuple[int, int]:
        """One prefix's pair, or (key None) the sum over every prefix: the whole subtree."""
        if key is not None:
            numerator, denominator = self.rows.get(key, {}).get(component, (0, 0))
            return numerator, denominator
        pairs = [row[component] for row in self.rows.values() if component in row]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


def _grouped(qs: QuerySet, path: str, length: int, **aggregates) -> QuerySet:
    return qs.annotate(key=Substr(path, 1, length)).values("key").annotate(**aggregates).order_by()


def _receptions(org: Organization, year: int, on: datetime.date, length: int, buckets: _Buckets) -> None:
    """Introductions to the subtree's committees whose reception deadline fell in `year`
    (statistics.reception_timeliness_counts), by child."""
    links = Liaison.objects.filter(org.subtree_q("commune_org__path"))
    for key, in_time, due in statistics.reception_timeliness_counts(
        links, year, on, Substr("commune_org__path", 1, length)
    ):
        buckets.add(key, "receptions", in_time, due)


def _notices(org: Organization, year: int, on: datetime.date, length: int, buckets: _Buckets) -> None:
    """The lists of changes the subtree's workplace committees owed for `year`
    (statistics.notice_timeliness_counts), by child."""
    for (_, path), (in_time, due) in statistics.notice_timeliness_counts(
        ChangeNotice.objects.filter(org.subtree_q("sender_org__path")),
        Digest.objects.filter(org.subtree_q("sender_org__path")),
        year,
        on,
    ).items():
        buckets.add(path[:length], "notices", in_time, due)


def _attendance(
    org: Organization, year: int, on: datetime.date, length: int, buckets: dict[bool, _Buckets]
) -> None:
    """Linked members' marks at the year's closed residential meetings, on both sides: at the
    subtree's cells (residence) and of the subtree's members (workplace)."""
    start, end = year_bounds(year)
    marks = Attendance.objects.filter(
        source=Attendance.Source.LIAISON,
        meeting__state=Meeting.State.CLOSED,
        meeting__date__gte=start,
        meeting__date__lte=min(end, on),
    )
    for residential, where in ((True, "meeting__cell__path"), (False, "member__workplace_cell__path")):
        rows = _grouped(
            marks.filter(org.subtree_q(where)),
            where,
            length,
            expected=Count("pk", filter=expected_q("")),
            attended=Count("pk", filter=attended_q("")),
        )
        for row in rows:
            buckets[residential].add(row["key"], "attendance", row["attended"], row["expected"])


def score_table(org: Organization, *, year: int, on: datetime.date) -> ScoreTable:
    """`org`'s score for `year` as of `on`, and its active children's, worst first (see the module).
    `org` must be one the user reads: its whole subtree is then in scope."""
    total_figures, children_figures = statistics.organization_and_children(org, on=on)
    children = sorted((f.org for f in children_figures), key=lambda child: child.path)
    figures = {f.org.pk: f for f in [total_figures, *children_figures]}
    # This year's comments, marks, receptions and notices from the statistics summary made today
    # (read with the figures above: one statistics pass), else counted.
    kept = total_figures.linked_kept and on.year == year
    if kept:
        comments = {
            pk: comment_figures.timeliness_of(pk, f.org.name, f.comment_counts) for pk, f in figures.items()
        }
    else:
        comments = {t.org_id: t for t in comment_figures.timeliness_by_child(org, year, on, children)}
        comments[org.pk] = comment_figures.timeliness_total(org, year, on)
    length = len(org.path) + (Organization.steplen if children else 0)
    buckets = _Buckets()
    sides = {True: _Buckets(), False: _Buckets()}
    if not kept:
        _receptions(org, year, on, length, buckets)
        _notices(org, year, on, length, buckets)
        _attendance(org, year, on, length, sides)

    def counts(node: Organization, key: str | None) -> Counts:
        node_figures = figures[node.pk]
        if kept:
            result = {
                "receptions": (node_figures.receptions_in_time, node_figures.receptions_due),
                "notices": (node_figures.notices_in_time, node_figures.notices_due),
            }
        else:
            result = {c: buckets.of(c, key) for c in ("receptions", "notices")}
        result["attendance"] = (
            (node_figures.linked_attended, node_figures.linked_expected)
            if kept
            else sides[node.is_residential].of("attendance", key)
        )
        coverage = node_figures.coverage
        result["coverage"] = (coverage["covered"], coverage["to_introduce"])
        result["comments"] = (comments[node.pk].on_time, comments[node.pk].due)
        return result

    total = score_of(org, counts(org, None))
    rows = [score_of(child, counts(child, child.path)) for child in children]
    # A stable sort: rows alike stay in the order of the tree.
    return ScoreTable(
        year=year,
        on=on,
        total=total,
        children=sorted(rows, key=Score.worst_first),
        figures=figures,
        comments=comments,
    )
