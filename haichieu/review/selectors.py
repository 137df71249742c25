"""What the 213 score counts (score.py), per organisation and its children, as of a day.

`score_table(org, year=…, on=…)` reads every component's numerator and denominator for `org`'s subtree
and for each child's, grouped in the database by the first characters of a path (as
meetings/selectors.organization_figures does): a constant number of queries whatever the number of
children, cells or members. Each count reuses the rule it counts, written once where it lives:
coverage from the kept counts (liaisons/selectors.coverage_from_counts), the digest deadline
(liaisons/rules.digest_due), the meetings' expected and attended marks (meetings/selectors).

On a day `on` of year `year`: a duty counts once its deadline has passed by `on`, or once it was done
by `on`; it is done on time when it was done by its deadline. Coverage is today's (the kept counts
have no history).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from haichieu.comments.models import CommentRequest
from haichieu.liaisons import rules as liaison_rules
from haichieu.liaisons.models import ChangeNotice, CoverageCount, Digest, Liaison
from haichieu.liaisons.selectors import coverage_from_counts
from haichieu.meetings.models import Attendance, Meeting
from haichieu.meetings.selectors import attended_q, expected_q
from haichieu.organizations.models import Organization
from haichieu.organizations.selectors import organization_children

from .score import Score, score_of

__all__ = ["ScoreTable", "as_of", "coverage_figures", "coverage_from_counts", "score_table", "year_bounds"]

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


def _done_by(field: str, deadline, on: datetime.date) -> Q:
    """Done (its datetime `field`, local day) by the deadline (a date or F) and by `on`."""
    return Q(**{f"{field}__date__lte": deadline}) & Q(**{f"{field}__date__lte": on})


def _receptions(org: Organization, year: int, on: datetime.date, length: int, buckets: _Buckets) -> None:
    """Introductions to the subtree's committees whose reception deadline fell in `year`."""
    start, end = year_bounds(year)
    answered = Q(received_at__date__lte=on) | Q(returned_at__date__lte=on)
    in_time = _done_by("received_at", F("receive_due"), on) | (
        Q(received_at__isnull=True) & _done_by("returned_at", F("receive_due"), on)
    )
    links = Liaison.objects.filter(
        org.subtree_q("commune_org__path"), receive_due__gte=start, receive_due__lte=end
    ).exclude(status=Liaison.Status.DRAFT)
    links = links.filter(Q(receive_due__lt=on) | answered)
    for row in _grouped(
        links, "commune_org__path", length, n=Count("pk"), in_time=Count("pk", filter=in_time)
    ):
        buckets.add(row["key"], "receptions", row["in_time"], row["n"])


def _comments(org: Organization, year: int, on: datetime.date, length: int, buckets: _Buckets) -> None:
    """Comment requests to the subtree's residential cells whose deadline fell in `year`."""
    start, end = year_bounds(year)
    requests = CommentRequest.objects.filter(
        org.subtree_q("cell__path"), deadline__gte=start, deadline__lte=end
    ).filter(Q(deadline__lt=on) | Q(answered_at__date__lte=on))
    in_time = Q(state=CommentRequest.State.ANSWERED) & _done_by("answered_at", F("deadline"), on)
    for row in _grouped(requests, "cell__path", length, n=Count("pk"), in_time=Count("pk", filter=in_time)):
        buckets.add(row["key"], "comments", row["in_time"], row["n"])


def _notices(org: Organization, year: int, on: datetime.date, length: int, buckets: _Buckets) -> None:
    """The lists of changes the subtree's workplace committees owed for `year`: one per (committee,
    receiving committee, digest period) with a change to notify (liaisons/selectors.digests_status's
    grouping), due at rules.digest_due; on time when the digest was sent by then."""
    start, end = year_bounds(year)
    owed = (
        ChangeNotice.objects.filter(
            org.subtree_q("sender_org__path"),
            direction=ChangeNotice.Direction.TO_RESIDENCE,
            recipient_org__isnull=False,
            event_date__gte=start,
            event_date__lte=min(end, on),
        )
        .values_list("sender_org_id", "sender_org__path", "recipient_org_id", "event_date")
        .distinct()
        .order_by()
    )
    periods: dict[tuple[int, int, int], str] = {}
    for sender, path, recipient, day in owed:
        periods[(sender, recipient, liaison_rules.digest_period(day)[1])] = path
    sent = {
        (d["sender_org_id"], d["recipient_org_id"], d["period"]): timezone.localdate(d["sent_at"])
        for d in Digest.objects.filter(org.subtree_q("sender_org__path"), year=year)
        .values("sender_org_id", "recipient_org_id", "period", "sent_at")
        .order_by()
    }
    for (sender, recipient, period), path in periods.items():
        due = liaison_rules.digest_due(year, period)
        sent_on = sent.get((sender, recipient, period))
        done = sent_on is not None and sent_on <= on
        if due < on or done:
            buckets.add(path[:length], "notices", int(done and sent_on <= due), 1)  # type: ignore[operator]


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


def coverage_figures(orgs: list[Organization]) -> dict[int, dict]:
    """{org id: liaisons/selectors.coverage_from_counts} of each organisation's subtree, from the kept
    counts, in one query (an organisation without members is left out)."""
    rows: dict[int, list[Any]] = defaultdict(list)
    counts = (
        CoverageCount.objects.filter(org_id__in=[o.pk for o in orgs], working=True)
        .values("org_id", "link_status", "liaison_category")
        .annotate(n=Sum("members"))
        .order_by()
    )
    for row in counts:
        rows[row["org_id"]].append(row)
    return {org_id: coverage_from_counts(org_rows) for org_id, org_rows in rows.items()}


def score_table(org: Organization, *, year: int, on: datetime.date) -> ScoreTable:
    """`org`'s score for `year` as of `on`, and its active children's, worst first (see the module).
    `org` must be one the user reads: its whole subtree is then in scope. Eight queries."""
    children = organization_children(org)
    length = len(org.path) + (Organization.steplen if children else 0)
    buckets = _Buckets()
    sides = {True: _Buckets(), False: _Buckets()}
    _receptions(org, year, on, length, buckets)
    _comments(org, year, on, length, buckets)
    _notices(org, year, on, length, buckets)
    _attendance(org, year, on, length, sides)
    coverage = {
        pk: (figures["covered"], figures["to_introduce"])
        for pk, figures in coverage_figures([org, *children]).items()
    }

    def counts(node: Organization, key: str | None) -> Counts:
        result = {c: buckets.of(c, key) for c in ("receptions", "comments", "notices")}
        result["attendance"] = sides[node.is_residential].of("attendance", key)
        result["coverage"] = coverage.get(node.pk, (0, 0))
        return result

    total = score_of(org, counts(org, None))
    rows = [score_of(child, counts(child, child.path)) for child in children if child.is_active]
    # A stable sort: rows alike stay in the Vietnamese order of their names.
    return ScoreTable(year=year, on=on, total=total, children=sorted(rows, key=Score.worst_first))
