"""The 213 figures of an organisation as of a day, and of its children (issue 13).

`organization_figures(org, on=day)` and `children_figures(org, on=day)` return plain data
(`Figures`), each in a constant number of queries whatever the size of the subtree: every count is
one GROUP BY over the subtree, keyed by the first characters of a path (django-treebeard's
materialized path: a child's subtree is the paths that start with the child's path). `org` must be
one the user reads (the caller fetched it through the access rule): its whole subtree is then in
scope.

Every figure is counted by the rule that defines it, never a copy of it:
- coverage (members, working members, introduced, received, active, returned, not yet, excused,
  not introduced, the rate): liaisons.selectors.coverage_tally over rows of (link status, HD 33
  category, members) — the kept counts (liaisons.CoverageCount) for today, the members and their
  links' event dates for an earlier day;
- overdue introductions: liaisons.rules.introduction_overdue; overdue receptions:
  liaisons.rules.reception_overdue; overdue digests of change notices: the digest period and its
  due day of liaisons.rules (as liaisons.selectors.digests_status);
- meetings held against expected: meetings.rules.expected_per_year per active cell, closed meetings
  of the year up to the day; attendance: meetings.selectors.expected_q / attended_q (rules.rate);
- exemptions by reason: exemptions.models.ExemptionQuerySet.in_force_on.

As of an earlier day (`on` before today) the figures come from event dates, so an earlier day gives
the figure then — with what the data does not keep:
- a member is counted when active today and admitted by that day: a member who has since left the
  party, died or moved away is not counted then (the member's status has no history); the
  workplace cell, the HD 33 category and whether the cell is residential are today's;
- a link's status that day is read from its dates (introduced_at, returned_at, received_at,
  activated_at, ended_at): a return later undone by a new introduction left no date behind (the
  re-introduction clears returned_at), so the link reads as introduced before it;
- overdue introductions and receptions are today's links measured against that day's deadline
  (a link received since is not counted late then);
- an exemption revoked since is left out then as well (revoked_at has no "in force until").
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Substr
from django.utils import timezone

from haichieu.access import scope_for
from haichieu.comments import selectors as comment_selectors
from haichieu.comments.figures import NO_COMMUNE
from haichieu.exemptions.models import Exemption
from haichieu.liaisons import rules as liaison_rules
from haichieu.liaisons.models import ChangeNotice, CoverageCount, Digest, Liaison
from haichieu.liaisons.selectors import coverage_rate, coverage_tally
from haichieu.meetings import rules as meeting_rules
from haichieu.meetings import selectors as meeting_selectors
from haichieu.meetings.models import Attendance, Meeting
from haichieu.meetings.selectors import attended_q, expected_q
from haichieu.members.models import Member
from haichieu.organizations.models import Organization
from haichieu.organizations.selectors import (
    organization_children,
    organization_children_q,
    organization_roots_for,
)

from .models import MonthlySummary, OverdueSummary

LinkStatus = Member.LinkStatus


@dataclass
class Figures:
    """One organisation's figures over its whole subtree, as of `on`."""

    org: Organization
    on: datetime.date
    members: int = 0  # active members (probationary and full)
    coverage: dict = field(default_factory=lambda: coverage_tally(()))  # working members only
    introduction_overdue: int = 0  # members past the deadline to introduce
    reception_overdue: int = 0  # introductions past the commune's deadline to receive
    digests_overdue: int = 0  # (workplace, commune, period) digests of change notices not sent in time
    cells: int = 0  # active cells
    cells_below: int = 0  # active cells that held fewer meetings than expected in the year
    meetings_held: int = 0  # closed meetings of the year up to `on`
    invited: int = 0
    expected: int = 0  # marked invitations that count in the rate (not exempt)
    attended: int = 0
    exemptions: dict[str, int] = field(default_factory=dict)  # in force on `on`, by reason
    # Linked members' marks of the year on the organisation's side (at its cells for a residence
    # one, of its members for a workplace one): counted in the rate, taken part. Read from the
    # summary only (`linked_kept`): the 213 score's attendance (review.selectors).
    linked_expected: int = 0
    linked_attended: int = 0
    linked_kept: bool = False
    # Its comment requests of the year on its side by count (comments.figures.TIMELINESS_COUNTS),
    # from the summary (with `linked_kept`).
    comment_counts: dict[str, int] = field(default_factory=dict)
    # The year's receptions and change notices due and done in time on its side (the 213 score),
    # from the summary only (with `linked_kept`).
    receptions_due: int = 0
    receptions_in_time: int = 0
    notices_due: int = 0
    notices_in_time: int = 0
    # The whole subtree's marks by month, the twelve months up to `on` ({(year, month): (expected,
    # attended)}): set on the total by organization_and_children, read by `monthly`.
    attendance_by_month: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def working(self) -> int:
        return self.coverage["total"]

    @property
    def introduced(self) -> int:
        return self.coverage["by_status"][LinkStatus.INTRODUCED]

    @property
    def received(self) -> int:
        return self.coverage["by_status"][LinkStatus.RECEIVED]

    @property
    def active(self) -> int:
        return self.coverage["by_status"][LinkStatus.ACTIVE]

    @property
    def returned(self) -> int:
        return self.coverage["by_status"][LinkStatus.RETURNED]

    @property
    def ended(self) -> int:
        return self.coverage["by_status"][LinkStatus.ENDED]

    @property
    def excused(self) -> int:
        return self.coverage["excused"]

    @property
    def not_introduced(self) -> int:
        """Working members of a category HD 33 §1.2 does not introduce."""
        return self.coverage["not_introduced_category"]

    @property
    def not_yet(self) -> int:
        """Working members still to introduce (rules.to_introduce)."""
        return self.coverage["not_yet"]

    @property
    def covered(self) -> int:
        return self.coverage["covered"]

    @property
    def coverage_rate(self) -> float:
        return self.coverage["rate"]

    @property
    def meetings_expected(self) -> int:
        """Meetings the year asks of the active cells (meetings.rules.expected_per_year each)."""
        return self.cells * meeting_rules.expected_per_year()

    @property
    def attendance_rate(self) -> float | None:
        return meeting_rules.rate(self.attended, self.expected)

    @property
    def exemptions_total(self) -> int:
        return sum(self.exemptions.values())

    @property
    def overdue(self) -> int:
        return self.introduction_overdue + self.reception_overdue + self.digests_overdue

    def worst_first(self) -> tuple:
        """Sort key: the lowest coverage first, then the most overdue work, then the lowest
        attendance (none counted sorts last)."""
        return worst_first_key(self.coverage_rate, self.overdue, self.attendance_rate)


def worst_first_key(coverage: float, overdue: int, attendance: float | None) -> tuple:
    """Figures.worst_first of an organisation's coverage rate, overdue work and attendance rate."""
    return (coverage, -overdue, attendance if attendance is not None else 101.0)


def today() -> datetime.date:
    return timezone.localdate()


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` (local time): an event at a moment before it happened by `day`."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


@dataclass
class Freshness:
    """Where the figures of a page come from: `summary_at` is the moment the summary tables
    (models.py) were made when the overdue work and the months come from them, else None (counted
    live)."""

    summary_at: datetime.datetime | None = None


def organization_figures(org: Organization, *, on: datetime.date | None = None) -> Figures:
    """`org`'s figures over its whole subtree as of `on` (default today); see the module."""
    return organization_and_children(org, on=on)[0]


def children_figures(org: Organization, *, on: datetime.date | None = None) -> list[Figures]:
    """The figures of `org`'s active children, each over its own subtree, worst first (the
    drill-down table); a cell has none."""
    return organization_and_children(org, on=on)[1]


def organization_and_children(
    org: Organization,
    *,
    on: datetime.date | None = None,
    freshness: Freshness | None = None,
    children: list[Organization] | None = None,
    ranked: bool = False,
) -> tuple[Figures, list[Figures]]:
    """`org`'s figures and its active children's (worst first) in one pass: every count is grouped
    by the child's path, and what lies under no child (the organisation's own committee: digests
    it sends, introductions waiting at it) by `org`'s own path; the total is the sum of the rows.
    `freshness`, when given, is told whether a summary was read; `children`: `org`'s children when
    the caller read them already (organizations.selectors.organization_children_and_parent);
    `ranked`: they are a page of `ranked_children`, kept in that order."""
    on = on or today()
    if children is None:
        children = organization_children(org)
    length = len(org.path) + Organization.steplen
    own = Figures(org=org, on=on)
    rows = {child.path: Figures(org=child, on=on) for child in children}
    rows[org.path] = own  # its own path is shorter than `length`: the key of what lies under no child
    total = Figures(org=org, on=on)
    lines = _coverage(org, rows, length=length, on=on)
    kept = _summary(org, rows, on=on)
    if kept is None:
        _introduction_overdue(org, rows, length=length, on=on)
        _reception_overdue(org, rows, length=length, on=on)
        # Each row counts on its own side: the total on `org`'s side, not the rows' sum.
        _reception_overdue(org, {org.path: total}, length=len(org.path), on=on)
        _digests_overdue(org, rows, length=length, on=on)
        _meetings(org, rows, length=length, on=on, total=total)
        _exemptions(org, rows, length=length, on=on)
    elif freshness is not None:
        freshness.summary_at = kept
    for field_name in SUMMED:
        setattr(total, field_name, sum(getattr(row, field_name) for row in rows.values()))
    for row in rows.values():
        for reason, n in row.exemptions.items():
            total.exemptions[reason] = total.exemptions.get(reason, 0) + n
    if kept is not None:  # the summary's own row of `org` is over its whole subtree already
        for field_name in SUMMARISED:
            setattr(total, field_name, getattr(own, field_name))
        total.exemptions = dict(own.exemptions)
        total.linked_expected, total.linked_attended = own.linked_expected, own.linked_attended
        total.linked_kept = True
        total.comment_counts = own.comment_counts
        for field_name in SCORE_FIGURES:
            setattr(total, field_name, getattr(own, field_name))
    total.members = sum(n for _, _, _, n in lines)
    total.coverage = coverage_tally(
        (status, category, n) for working, status, category, n in lines if working
    )
    shown = [rows[child.path] for child in children if child.is_active]
    # A stable sort: rows alike stay in the Vietnamese order of their names.
    return total, shown if ranked else sorted(shown, key=Figures.worst_first)


def ranked_children(org: Organization, *, on: datetime.date) -> list[int] | None:
    """The ids of `org`'s active children in the drill-down's order when the summary was made for
    `on` (today's page after the refresh): the order the refresh gave them
    (models.OverdueSummary.rank, Figures.worst_first at that moment), then the children it did not
    rank under `org` (made or moved here since) in the name's order; so that a committee of
    thousands of children (2,658 in the 1,000,000-member data set) loads and counts the page shown
    only (organization_and_children with the page's children) instead of ranking every child on
    every page. The page says so: a child whose figures changed since keeps its place until the
    next refresh. None when the summary was not made for `on` (an earlier day, or before the first
    refresh): every child's figures are then counted and sorted."""
    if on != today() or not OverdueSummary.objects.filter(org=org, on=on).exists():
        return None
    # Two ranges of two indexes (summary_sibling_rank_idx, org_children_cover_idx), each read alone
    # and unsorted: joined, each child's summary was looked up by its id (15 ms for 2,658 children).
    ranked = OverdueSummary.objects.filter(parent=org, on=on, rank__isnull=False).order_by("rank")
    children = Organization.objects.filter(organization_children_q(org), is_active=True)
    current = set(children.values_list("pk", flat=True).order_by())
    order = [pk for pk in ranked.values_list("org_id", flat=True) if pk in current]
    unranked = current.difference(order)
    if unranked:  # rare: made or moved here since the refresh
        later = children.filter(pk__in=unranked).order_by(*Organization.NAME_ORDER)
        order += later.values_list("pk", flat=True)
    return order


def summary_worst_first(summary: OverdueSummary, *, residential: bool, shares: tuple[int, int]) -> tuple:
    """Figures.worst_first of an organisation from its summary row (the overdue work on its side,
    as `_summary` reads it, and its attendance) and its (covered, to introduce) of the kept counts
    (liaisons.selectors.coverage_shares), without counting its Figures: the refresh ranks every
    organisation among its siblings by it (models.OverdueSummary.rank)."""
    side = "residence" if residential else "workplace"
    overdue = (
        summary.introduction_overdue + getattr(summary, f"reception_overdue_{side}") + summary.digests_overdue
    )
    return worst_first_key(
        coverage_rate(*shares), overdue, meeting_rules.rate(summary.attended, summary.expected)
    )


# Figures whose total is the sum of the rows (each counted once, under one child or under `org`).
SUMMED = (
    "introduction_overdue",
    "digests_overdue",
    "cells",
    "cells_below",
    "meetings_held",
    "invited",
    "expected",
    "attended",
)

# The meetings' figures of the year up to the day (the summary's columns of the same names).
MEETING_FIGURES = ("cells", "cells_below", "meetings_held", "invited", "expected", "attended")
# The 213 score's receptions and notices of the year, read from the summary (its fields of the
# same names).
SCORE_FIGURES = ("receptions_due", "receptions_in_time", "notices_due", "notices_in_time")
# Figures read from the summary when it was made for the day (its row of an organisation is over
# the whole subtree).
SUMMARISED = ("introduction_overdue", "reception_overdue", "digests_overdue", *MEETING_FIGURES)


def _tally(rows: dict[str, Figures], counted: dict[str, list[tuple[bool, str, str, int]]]) -> None:
    """Set members and coverage of `rows` from (working, link status, category, members) rows."""
    for key, figures in rows.items():
        lines = counted.get(key, [])
        figures.members = sum(n for _, _, _, n in lines)
        figures.coverage = coverage_tally(
            (status, category, n) for working, status, category, n in lines if working
        )


def _coverage(org: Organization, rows: dict[str, Figures], *, length: int, on: datetime.date) -> list:
    """Members and coverage of each row, and the (working, status, category, members) lines of the
    whole subtree (the total): the kept counts today, the event dates for an earlier day."""
    if on >= today():
        return _coverage_kept(org, rows)
    return _coverage_on(org, rows, length=length, on=on)


def _coverage_kept(org: Organization, rows: dict[str, Figures]) -> list:
    """Today: the counts the database keeps per organisation (one row per status and category)."""
    path_of = {figures.org.pk: key for key, figures in rows.items() if figures.org.pk != org.pk}
    counted: dict[str, list] = defaultdict(list)
    lines = []
    kept = (
        CoverageCount.objects.filter(org_id__in=[org.pk, *path_of])
        .values_list("org_id", "working", "link_status", "liaison_category", "members")
        .order_by()
    )
    for org_id, working, status, category, n in kept:
        if not n:
            continue
        if org_id == org.pk:
            lines.append((working, status, category, n))
        else:
            counted[path_of[org_id]].append((working, status, category, n))
    _tally(rows, counted)
    return lines


def link_status_on(day: datetime.date) -> SqlCase:
    """A liaison's status at the end of `day`, from its event dates (see the module)."""
    end = end_of(day)
    return SqlCase(
        When(ended_at__lt=end, then=Value(LinkStatus.ENDED.value)),
        When(activated_at__lt=end, then=Value(LinkStatus.ACTIVE.value)),
        When(received_at__lt=end, then=Value(LinkStatus.RECEIVED.value)),
        When(returned_at__lt=end, then=Value(LinkStatus.RETURNED.value)),
        When(introduced_at__lt=end, then=Value(LinkStatus.INTRODUCED.value)),
        default=Value(LinkStatus.DRAFT.value),
        output_field=CharField(),
    )


def _coverage_on(org: Organization, rows: dict[str, Figures], *, length: int, on: datetime.date) -> list:
    """An earlier day: each member's link status then (Member.link_status is the status of the
    member's newest link: here the newest link started by then), from the links' dates. Members
    counted: active today and admitted by then (see the module)."""
    end = end_of(on)
    newest = (
        Liaison.objects.filter(Q(created_at__lt=end) | Q(introduced_at__lt=end), member=OuterRef("pk"))
        .order_by("-pk")
        .annotate(status_on=link_status_on(on))
        .values("status_on")[:1]
    )
    grouped = (
        Member.objects.filter(
            org.subtree_q("workplace_cell__path"), status__in=Member.ACTIVE_STATUSES, admission_date__lte=on
        )
        .annotate(
            key=Substr("workplace_cell__path", 1, length),
            status_on=Coalesce(Subquery(newest), Value(LinkStatus.NONE.value), output_field=CharField()),
        )
        .values_list("key", "workplace_cell__is_residential", "status_on", "liaison_category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counted: dict[str, list] = defaultdict(list)
    lines = []
    for key, residential, status, category, n in grouped:
        counted[key].append((not residential, status, category, n))
        lines.append((not residential, status, category, n))
    _tally(rows, counted)
    return lines


# --- overdue work: counted live, or read from the summary ------------------------------------------
def introduction_overdue_counts(members, on: datetime.date, key) -> dict:
    """{key: members of `members` past the deadline to introduce on `on`} (rules.introduction_overdue),
    grouped by `key` (a field or an expression over the member)."""
    grouped = (
        liaison_rules.introduction_overdue(members.filter(status__in=Member.ACTIVE_STATUSES), on)
        .annotate(key=key)
        .values_list("key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(grouped)


def reception_overdue_counts(liaisons, on: datetime.date, key) -> dict:
    """{key: introductions of `liaisons` past the commune's deadline on `on`} (rules.reception_overdue)."""
    grouped = (
        liaison_rules.reception_overdue(liaisons, on)
        .annotate(key=key)
        .values_list("key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(grouped)


def digests_overdue_counts(notices, on: datetime.date, key, sent) -> dict:
    """{key: (workplace committee, receiving committee, period) groups of change notices to the
    residence whose digest was not sent by `on` (`sent`: a set of such groups) and is overdue then
    (rules.is_digest_overdue, as liaisons.selectors.digests_status)."""
    periods = (
        notices.filter(
            direction=ChangeNotice.Direction.TO_RESIDENCE, recipient_org__isnull=False, event_date__lte=on
        )
        .annotate(key=key, year=ExtractYear("event_date"), month=ExtractMonth("event_date"))
        .values_list("key", "sender_org_id", "recipient_org_id", "year", "month")
        .distinct()
        .order_by()
    )
    overdue: dict = defaultdict(set)
    for group_key, sender, recipient, year, month in periods:
        year, period = liaison_rules.digest_period(datetime.date(year, month, 1))
        if (sender, recipient, year, period) not in sent and liaison_rules.is_digest_overdue(
            year, period, on
        ):
            overdue[group_key].add((sender, recipient, year, period))
    return {group_key: len(groups) for group_key, groups in overdue.items()}


def digests_sent(digests, on: datetime.date) -> set:
    return set(
        digests.filter(sent_at__lt=end_of(on)).values_list(
            "sender_org_id", "recipient_org_id", "year", "period"
        )
    )


def _set(rows: dict[str, Figures], name: str, counts: dict, keys=None) -> None:
    for key, n in counts.items():
        if key in rows and (keys is None or key in keys):
            setattr(rows[key], name, n)


def _introduction_overdue(
    org: Organization, rows: dict[str, Figures], *, length: int, on: datetime.date
) -> None:
    members = Member.objects.filter(org.subtree_q("workplace_cell__path"))
    _set(
        rows,
        "introduction_overdue",
        introduction_overdue_counts(members, on, Substr("workplace_cell__path", 1, length)),
    )


# Where an introduction past its deadline is counted: at the residence committee it waits at, or
# at the member's workplace cell (Figures.reception_overdue: each row on its own side).
RECEPTION_SIDES = ((True, "commune_org__path"), (False, "member__workplace_cell__path"))


def _reception_overdue(
    org: Organization, rows: dict[str, Figures], *, length: int, on: datetime.date
) -> None:
    """Introductions the commune has not received by their deadline, on each row's side: for a
    residence organisation those waiting at its committees, for a workplace one those of its
    members (the province is both: it counts its members')."""
    for residential, where in RECEPTION_SIDES:
        keys = {key for key, figures in rows.items() if figures.org.is_residential == residential}
        if keys:
            liaisons = Liaison.objects.filter(org.subtree_q(where))
            _set(
                rows,
                "reception_overdue",
                reception_overdue_counts(liaisons, on, Substr(where, 1, length)),
                keys,
            )


def _digests_overdue(org: Organization, rows: dict[str, Figures], *, length: int, on: datetime.date) -> None:
    notices = ChangeNotice.objects.filter(org.subtree_q("sender_org__path"))
    sent = digests_sent(Digest.objects.filter(org.subtree_q("sender_org__path")), on)
    _set(
        rows,
        "digests_overdue",
        digests_overdue_counts(notices, on, Substr("sender_org__path", 1, length), sent),
    )


_SUMMARY_FIELDS = (
    "org_id",
    "refreshed_at",
    "introduction_overdue",
    "reception_overdue_residence",
    "reception_overdue_workplace",
    "digests_overdue",
    *MEETING_FIGURES,
    *SCORE_FIGURES,
    "exemptions",
    "linked_expected_residence",
    "linked_expected_workplace",
    "linked_attended_residence",
    "linked_attended_workplace",
)


def _summary(org: Organization, rows: dict[str, Figures], *, on: datetime.date) -> datetime.datetime | None:
    """Set the overdue work of `rows` from the summary when it was made for `on` (today's page after
    the day's refresh); returns the moment it was made, or None (then counted live)."""
    if on != today():
        return None
    ids = {figures.org.pk: key for key, figures in rows.items()}
    # Rows as dicts of the fields read, each side's comment counts taken out of `comments` by the
    # database: a page of 100 summaries as objects with the whole JSON (the comment round's
    # progress per commune is most of it) cost more than their query.
    summaries = list(
        OverdueSummary.objects.filter(org_id__in=list(ids), on=on).values(
            *_SUMMARY_FIELDS,
            comments_residence=KeyTransform("residence", "comments"),
            comments_workplace=KeyTransform("workplace", "comments"),
        )
    )
    own = next((s for s in summaries if s["org_id"] == org.pk), None)
    if own is None:
        return None
    for summary in summaries:
        figures = rows[ids[summary["org_id"]]]
        side = "residence" if figures.org.is_residential else "workplace"
        figures.introduction_overdue = summary["introduction_overdue"]
        figures.reception_overdue = summary[f"reception_overdue_{side}"]
        figures.digests_overdue = summary["digests_overdue"]
        for name in (*MEETING_FIGURES, *SCORE_FIGURES):
            setattr(figures, name, summary[name])
        figures.exemptions = {reason: n for reason, n in summary["exemptions"].items() if n}
        figures.linked_expected = summary[f"linked_expected_{side}"]
        figures.linked_attended = summary[f"linked_attended_{side}"]
        figures.linked_kept = True
        figures.comment_counts = summary[f"comments_{side}"] or {}
    return own["refreshed_at"]


def meeting_year_figures(
    org: Organization, *, year: int
) -> tuple[meeting_selectors.OrganizationFigures, datetime.datetime | None]:
    """The meetings' figures page of `org` for `year` (meetings.selectors.organization_figures) and
    the moment of the summary they come from: this year's from today's summary when it was made (the
    statistics page reads the same rows), else counted (None). One query after the children."""
    on = today()
    children = organization_children(org)
    summaries = (
        {
            s.org_id: s
            for s in OverdueSummary.objects.filter(org_id__in=[org.pk, *(c.pk for c in children)], on=on)
        }
        if year == on.year
        else {}
    )
    if org.pk not in summaries:
        return meeting_selectors.organization_figures(org, year=year), None

    def kept(node: Organization) -> meeting_selectors.Figures:
        row = meeting_selectors.Figures(org=node)
        if (summary := summaries.get(node.pk)) is not None:
            row.cells, row.cells_below, row.held = summary.cells, summary.cells_below, summary.meetings_held
            row.invited, row.expected, row.attended = summary.invited, summary.expected, summary.attended
            row.below_minimum = (
                summary.below_minimum_residence if node.is_residential else summary.below_minimum_workplace
            )
        return row

    shown = sorted(
        (kept(child) for child in children if child.is_active), key=meeting_selectors.Figures.worst_first
    )
    return meeting_selectors.OrganizationFigures(year=year, total=kept(org), children=shown), summaries[
        org.pk
    ].refreshed_at


def comment_progress(
    user, *, year: int, commune: Organization | None = None
) -> tuple[list[comment_selectors.ProgressRow], datetime.datetime | None]:
    """The comment round's progress page (comments.selectors.progress) and the moment of the summary
    it comes from. Per commune committee, this year's counts of a user who reads one subtree come
    from today's summary when it keeps them (what that subtree sees: the same requests, counted by
    the same rules on the day it was made); one commune's cells, another year, several subtrees, a
    superuser, or a summary holding none of the year's requests are counted live (None). At
    1,000,000 members the province's live count read 460,642 requests for minutes; the summary is
    two queries."""
    on = today()
    if commune is None and year == on.year:
        kept = _comment_progress_kept(user, on)
        if kept is not None:
            return kept
    return comment_selectors.progress(user, year=year, today=on, commune=commune), None


def _comment_progress_kept(
    user, on: datetime.date
) -> tuple[list[comment_selectors.ProgressRow], datetime.datetime] | None:
    if scope_for(user).is_superuser:
        return None
    tops = organization_roots_for(user)
    if len(tops) != 1:
        return None
    summary = OverdueSummary.objects.filter(org=tops[0], on=on).only("refreshed_at", "comments").first()
    counts: dict[str, list[int]] = summary.comments.get("progress", {}) if summary is not None else {}
    if not counts:  # not kept (a summary made before it was), or none of the year's requests yet:
        return None  # counted live (a round opened since the refresh shows at once)
    communes = Organization.objects.filter(pk__in=[int(key) for key in counts if key]).order_by("name", "pk")
    rows = [
        comment_selectors.ProgressRow(pk, name, *counts[str(pk)])
        for pk, name in communes.values_list("pk", "name")
    ]
    if "" in counts:  # requests whose commune committee is not on the software: last, as PostgreSQL sorts
        rows.append(comment_selectors.ProgressRow(None, NO_COMMUNE, *counts[""]))
    return rows, summary.refreshed_at


def _year_to(on: datetime.date) -> Q:
    """Closed meetings of `on`'s year held by `on`."""
    return Q(state=Meeting.State.CLOSED, date__gte=datetime.date(on.year, 1, 1), date__lte=on)


def cell_meeting_counts(cells, on: datetime.date, key) -> list[tuple]:
    """(key, active cells, cells below meetings.rules.expected_per_year, closed meetings held) of the
    active cells among `cells`, this year up to `on`, grouped by `key` (an expression over the cell)."""
    held_by_cell = (
        Meeting.objects.filter(_year_to(on), cell=OuterRef("pk"))
        .order_by()
        .values("cell")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        cells.filter(kind=Organization.Kind.CELL, is_active=True)
        .annotate(key=key, n_held=Coalesce(Subquery(held_by_cell), 0))
        .values_list("key")
        .annotate(
            cells=Count("pk"),
            below=Count("pk", filter=Q(n_held__lt=meeting_rules.expected_per_year())),
            held=Coalesce(Sum("n_held"), 0),
        )
        .order_by()
    )


def attendance_counts(marks, on: datetime.date, key) -> list[tuple]:
    """(key, year, month, invited, expected, attended) of the invitations among `marks` at closed
    meetings of the twelve months up to `on` (meetings.selectors.expected_q / attended_q), grouped
    by `key` (an expression over the invitation) and the meeting's month. The twelve months start on
    or before the first of January of `on`'s year: one grouping serves the year's rates and the
    months' chart."""
    return list(
        marks.filter(
            meeting__state=Meeting.State.CLOSED,
            meeting__date__gte=twelve_months(on)[0],
            meeting__date__lte=on,
        )
        .annotate(key=key, y=ExtractYear("meeting__date"), m=ExtractMonth("meeting__date"))
        .values_list("key", "y", "m")
        .annotate(
            invited=Count("pk"),
            expected=Count("pk", filter=expected_q("")),
            attended=Count("pk", filter=attended_q("")),
        )
        .order_by()
    )


def _meetings(
    org: Organization, rows: dict[str, Figures], *, length: int, on: datetime.date, total: Figures
) -> None:
    """Cells, meetings held (closed, this year up to `on`) against expected, and attendance."""
    cells = Organization.objects.filter(org.subtree_q())
    for key, n_cells, below, held in cell_meeting_counts(cells, on, Substr("path", 1, length)):
        if (figures := rows.get(key)) is not None:
            figures.cells, figures.cells_below, figures.meetings_held = n_cells, below, held
    marks = Attendance.objects.filter(org.subtree_q("meeting__cell__path"))
    for key, y, m, invited, expected, attended in attendance_counts(
        marks, on, Substr("meeting__cell__path", 1, length)
    ):
        month_expected, month_attended = total.attendance_by_month.get((y, m), (0, 0))
        total.attendance_by_month[(y, m)] = (month_expected + expected, month_attended + attended)
        if y == on.year and (figures := rows.get(key)) is not None:
            figures.invited += invited
            figures.expected += expected
            figures.attended += attended


# --- the 213 score's receptions and change notices on time (review.selectors, the summary) ------
def _done_by(field: str, deadline, on: datetime.date) -> Q:
    """Done (its datetime `field`, local day) by the deadline (a date or F) and by `on`."""
    return Q(**{f"{field}__date__lte": deadline}) & Q(**{f"{field}__date__lte": on})


def reception_timeliness_counts(links, year: int, on: datetime.date, key) -> list[tuple]:
    """(key, answered in time, due) of the introductions among `links` whose reception deadline fell
    in `year`, grouped by `key` (an expression over the link; the committee it waits at): due when
    the deadline passed by `on` or answered (received or returned) by then; in time when answered
    by the deadline."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    answered = Q(received_at__date__lte=on) | Q(returned_at__date__lte=on)
    in_time = _done_by("received_at", F("receive_due"), on) | (
        Q(received_at__isnull=True) & _done_by("returned_at", F("receive_due"), on)
    )
    # A letter withdrawn (or a link ended) before its deadline, neither received nor returned, was
    # not the committee's to answer.
    ended_unanswered = Q(
        status=Liaison.Status.ENDED,
        received_at__isnull=True,
        returned_at__isnull=True,
        ended_at__date__lte=F("receive_due"),
    )
    return list(
        links.filter(receive_due__gte=start, receive_due__lte=end)
        .exclude(status=Liaison.Status.DRAFT)
        .exclude(ended_unanswered)
        .filter(Q(receive_due__lt=on) | answered)
        .annotate(key=key)
        .values_list("key")
        .annotate(in_time=Count("pk", filter=in_time), n=Count("pk"))
        .order_by()
    )


def notice_timeliness_counts(
    notices, digests, year: int, on: datetime.date
) -> dict[tuple[int, str], list[int]]:
    """{(sending committee, its path): [sent in time, due]} of the lists of changes owed for `year`
    among `notices` (`digests`: those sent): one per (committee, receiving committee, digest period)
    with a change to notify (liaisons/selectors.digests_status's grouping), due at
    liaisons.rules.digest_due (counted once due by `on`, or once sent by then); in time when the
    digest was sent by then."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    owed = (
        notices.filter(
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
        for d in digests.filter(year=year)
        .values("sender_org_id", "recipient_org_id", "period", "sent_at")
        .order_by()
    }
    counted: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for (sender, recipient, period), path in periods.items():
        due = liaison_rules.digest_due(year, period)
        sent_on = sent.get((sender, recipient, period))
        done = sent_on is not None and sent_on <= on
        if due < on or done:
            pair = counted[(sender, path)]
            pair[0] += int(done and sent_on <= due)  # type: ignore[operator]
            pair[1] += 1
    return dict(counted)


def exemption_counts(exemptions, on: datetime.date, key) -> list[tuple]:
    """(key, reason, exemptions) of `exemptions` in force on `on` for active members, grouped by
    `key` (an expression over the exemption) and the reason."""
    return list(
        exemptions.in_force_on(on)
        .filter(member__status__in=Member.ACTIVE_STATUSES)
        .annotate(key=key)
        .values_list("key", "reason")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _exemptions(org: Organization, rows: dict[str, Figures], *, length: int, on: datetime.date) -> None:
    exemptions = Exemption.objects.filter(org.subtree_q("member__workplace_cell__path"))
    for key, reason, n in exemption_counts(exemptions, on, Substr("member__workplace_cell__path", 1, length)):
        if key in rows:
            rows[key].exemptions[reason] = n


def exemption_reasons() -> list[tuple[str, str]]:
    """(value, label) of every exemption reason, in the model's order (the page's columns)."""
    return list(Exemption.Reason.choices)


# --- by month (the charts) ------------------------------------------------------------------------
def twelve_months(on: datetime.date) -> list[datetime.date]:
    """The first days of the twelve months up to `on`'s, the oldest first."""
    months = []
    year, month = on.year, on.month
    for _ in range(12):
        months.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def monthly(
    org: Organization,
    *,
    on: datetime.date | None = None,
    total: Figures | None = None,
    summary: bool | None = None,
) -> dict[str, list]:
    """The twelve months up to `on`'s: introductions and receptions of links of `org`'s subtree (on
    its side, as `_reception_overdue`), and the attendance rate of its cells' closed meetings. Keys:
    `months` ('01/2026' …), `introduced`, `received`, `attendance` (per cent or None).

    `total`: `org`'s figures from organization_and_children (their marks by month: no query of its
    own); `summary`: whether the summary was made for `on` (None: find out). One to four queries."""
    on = on or today()
    firsts = twelve_months(on)
    months = [(first.year, first.month) for first in firsts]
    result: dict[str, list] = {"months": [f"{m:02d}/{y}" for y, m in months]}
    if summary is None:
        summary = on == today() and OverdueSummary.objects.filter(org=org, on=on).exists()
    counted = (
        _monthly_summary(org, firsts[0], on)
        if summary and on == today()
        else _monthly_live(org, firsts[0], on)
    )
    for name in ("introduced", "received"):
        result[name] = [counted[name].get(ym, 0) for ym in months]
    if "attendance" in counted:
        by_month = counted["attendance"]
    else:
        if total is None:
            total = Figures(org=org, on=on)
            _meetings(org, {}, length=len(org.path), on=on, total=total)
        by_month = total.attendance_by_month
    rates = {ym: meeting_rules.rate(attended, expected) for ym, (expected, attended) in by_month.items()}
    result["attendance"] = [rates.get(ym) for ym in months]
    return result


# Where a link is counted by month: at the receiving committee (residence side), or at the member's
# workplace cell; an organisation reads its own side.
def monthly_side(org: Organization) -> str:
    return "residence" if org.is_residential else "workplace"


MONTHLY_WHERE = {"residence": "commune_org__path", "workplace": "member__workplace_cell__path"}
MONTHLY_MOMENTS = {"introduced": "introduced_at", "received": "received_at"}


def _monthly_live(org: Organization, first: datetime.date, on: datetime.date) -> dict[str, dict]:
    """{"introduced"|"received": {(year, month): links}} of `org`'s subtree on its side, counted."""
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    links = Liaison.objects.filter(org.subtree_q(MONTHLY_WHERE[monthly_side(org)]))
    counted = {}
    for name, moment in MONTHLY_MOMENTS.items():
        counted[name] = {
            (y, m): n
            for y, m, n in links.filter(**{f"{moment}__gte": start, f"{moment}__lt": end_of(on)})
            .annotate(y=ExtractYear(moment), m=ExtractMonth(moment))
            .values_list("y", "m")
            .annotate(n=Count("pk"))
            .values_list("y", "m", "n")
            .order_by()
        }
    return counted


def _monthly_summary(org: Organization, first: datetime.date, on: datetime.date) -> dict[str, dict]:
    """The same from the summary made today (one query), and the attendance marks by month
    ({(year, month): (expected, attended)}) under "attendance"."""
    side = monthly_side(org)
    counted: dict[str, dict] = {name: {} for name in (*MONTHLY_MOMENTS, "attendance")}
    for row in MonthlySummary.objects.filter(org=org, month__gte=first, month__lte=on):
        ym = (row.month.year, row.month.month)
        for name in MONTHLY_MOMENTS:
            counted[name][ym] = getattr(row, f"{name}_{side}")
        if row.attendance_expected or row.attendance_attended:
            counted["attendance"][ym] = (row.attendance_expected, row.attendance_attended)
    return counted
