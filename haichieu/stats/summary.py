"""Refreshing the summary tables (models.py) of the statistics: the `refresh_statistics` command,
run from cron (at night, and as often as the province wants fresher overdue figures).

Each figure is counted once per organisation that holds it (a member's workplace cell, the
committee an introduction waits at, the committee that sends a digest, the cell that holds a
meeting) by the same functions the
live figures use (figures.py: the rules modules' definitions), then added to every ancestor in
Python (a path's prefixes): a few grouped queries for the whole country, not one per organisation.
Idempotent: the tables are replaced in one transaction, so a page reads the old summary or the new
one, never half of each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from haichieu.comments import figures as comment_figures
from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import ChangeNotice, Digest, Liaison
from haichieu.liaisons.selectors import coverage_shares
from haichieu.meetings import rules as meeting_rules
from haichieu.meetings import selectors as meeting_selectors
from haichieu.meetings.models import Attendance
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import figures
from .models import MonthlySummary, OverdueSummary

STEP = Organization.steplen


def _roll_up(counts: dict, path_of: dict[int, str], id_of: dict[str, int]) -> dict[int, int]:
    """{organisation id: the sum of `counts` ({organisation id: n}) over its whole subtree}."""
    total: dict[int, int] = defaultdict(int)
    for org_id, n in counts.items():
        path = path_of.get(org_id)
        if path is None or not n:
            continue
        for end in range(STEP, len(path) + 1, STEP):
            total[id_of[path[:end]]] += n
    return total


def _ancestors(org_id: int | None, path_of: dict[int, str], id_of: dict[str, int]) -> list[int]:
    """`org_id` and every organisation above it."""
    path = path_of.get(org_id) if org_id is not None else None
    return [id_of[path[:end]] for end in range(STEP, len(path) + 1, STEP)] if path else []


def _comment_progress(on: datetime.date, path_of: dict, id_of: dict) -> dict[int, dict[str, list[int]]]:
    """{organisation id: {commune committee id ("" for none): [answered, pending, overdue]}}: the
    requests of `on`'s year an organisation's whole subtree sees (the access rule: by their cell,
    their commune committee or their member's workplace cell), as the progress page counts them on
    `on` (comments.figures.progress_counts). Every organisation gets its entry, empty when it sees
    none (the page then counts live: a round opened after the refresh shows at once)."""
    progress: dict[int, dict[str, list[int]]] = {pk: {} for pk in path_of}
    above: dict[int | None, list[int]] = {}  # each organisation's _ancestors, once

    def ancestors(org_id: int | None) -> list[int]:
        if org_id not in above:
            above[org_id] = _ancestors(org_id, path_of, id_of)
        return above[org_id]

    for cell_id, commune_id, workplace_cell_id, *counts in comment_figures.progress_by_place(on.year, on):
        key = "" if commune_id is None else str(commune_id)
        for pk in {*ancestors(cell_id), *ancestors(commune_id), *ancestors(workplace_cell_id)}:
            kept = progress[pk].get(key)
            if kept is None:
                progress[pk][key] = list(counts)
            else:
                kept[0] += counts[0]
                kept[1] += counts[1]
                kept[2] += counts[2]
    return progress


def _below_minimum(on: datetime.date, path_of: dict, id_of: dict) -> tuple[dict[int, int], dict[str, dict]]:
    """Linked members below the year's minimum (meetings.rules.below_minimum) over the year's marks
    up to `on`, as the meetings' figures count them (meetings.selectors.organization_figures): on the
    residence side {organisation: members} over their marks at the organisation's cells (not a sum
    over the children: a member may be invited by two cells, so counted per member and
    organisation here); on the workplace side {workplace cell: its members below}, over all their
    marks (summed up the tree like the other counts); with the linked marks counted in the rate and
    taken part on each side (linked_*: by the meeting's cell, by the member's workplace cell)."""
    residence: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    workplace: dict[int, list] = {}
    linked: dict[str, dict] = {
        name: defaultdict(int)
        for name in (
            "linked_expected_residence",
            "linked_attended_residence",
            "linked_expected_workplace",
            "linked_attended_workplace",
        )
    }
    for member_id, cell_id, workplace_cell_id, expected, attended in meeting_selectors.linked_marks(
        datetime.date(on.year, 1, 1), on
    ):
        linked["linked_expected_residence"][cell_id] += expected
        linked["linked_attended_residence"][cell_id] += attended
        if workplace_cell_id is not None:
            linked["linked_expected_workplace"][workplace_cell_id] += expected
            linked["linked_attended_workplace"][workplace_cell_id] += attended
        for org_id in _ancestors(cell_id, path_of, id_of):
            counts = residence[(member_id, org_id)]
            counts[0] += expected
            counts[1] += attended
        mine = workplace.setdefault(member_id, [workplace_cell_id, 0, 0])
        mine[1] += expected
        mine[2] += attended
    at_residence: dict[int, int] = defaultdict(int)
    for (_, org_id), (expected, attended) in residence.items():
        if meeting_rules.below_minimum(attended, expected):
            at_residence[org_id] += 1
    at_workplace: dict[int, int] = defaultdict(int)
    for workplace_cell_id, expected, attended in workplace.values():
        if meeting_rules.below_minimum(attended, expected) and workplace_cell_id is not None:
            at_workplace[workplace_cell_id] += 1
    return at_residence, {"below_minimum_workplace": at_workplace, **linked}


def _rank_siblings(summaries: dict[int, OverdueSummary], id_of: dict[str, int]) -> None:
    """Set each active organisation's place among its parent's active children worst first, and
    that parent (models.OverdueSummary.rank, parent): figures.summary_worst_first of its row and
    its coverage now, alike rows in the name's order (NAME_ORDER, as the drill-down reads it)."""
    shares = coverage_shares(Q())
    siblings: dict[str, list[tuple[tuple, int]]] = defaultdict(list)
    active = Organization.objects.filter(is_active=True).order_by(*Organization.NAME_ORDER)
    for pk, path, residential in active.values_list("pk", "path", "is_residential"):
        key = figures.summary_worst_first(
            summaries[pk], residential=residential, shares=shares.get(pk, (0, 0))
        )
        siblings[path[:-STEP]].append((key, pk))
    for parent_path, rows in siblings.items():
        rows.sort(key=lambda row: row[0])  # stable: alike rows stay in the name's order
        for rank, (_, pk) in enumerate(rows):
            summaries[pk].rank = rank
            summaries[pk].parent_id = id_of.get(parent_path)


def statistics_refresh(*, on: datetime.date | None = None) -> dict[str, int]:
    """Recount the summary tables as of `on` (default today); returns the rows written."""
    on = on or figures.today()
    now = timezone.now()
    path_of = dict(Organization.objects.values_list("pk", "path"))
    id_of = {path: pk for pk, path in path_of.items()}
    counted = {
        "introduction_overdue": figures.introduction_overdue_counts(
            Member.objects.all(), on, F("workplace_cell_id")
        ),
        "reception_overdue_residence": figures.reception_overdue_counts(
            Liaison.objects.filter(commune_org__isnull=False), on, F("commune_org_id")
        ),
        "reception_overdue_workplace": figures.reception_overdue_counts(
            Liaison.objects.all(), on, F("member__workplace_cell_id")
        ),
        "digests_overdue": figures.digests_overdue_counts(
            ChangeNotice.objects.all(), on, F("sender_org_id"), figures.digests_sent(Digest.objects.all(), on)
        ),
    }
    # The meetings' figures of the year (figures.MEETING_FIGURES), counted per cell and rolled up.
    per_cell: dict[str, dict] = {name: {} for name in figures.MEETING_FIGURES}
    for cell_id, cells, below, held in figures.cell_meeting_counts(Organization.objects.all(), on, F("id")):
        per_cell["cells"][cell_id], per_cell["cells_below"][cell_id] = cells, below
        per_cell["meetings_held"][cell_id] = held
    marks_by_month: dict[datetime.date, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for cell_id, y, m, invited, expected, attended in figures.attendance_counts(
        Attendance.objects.all(), on, F("meeting__cell_id")
    ):
        marks_by_month[datetime.date(y, m, 1)]["attendance_expected"][cell_id] = expected
        marks_by_month[datetime.date(y, m, 1)]["attendance_attended"][cell_id] = attended
        if y == on.year:
            for name, n in (("invited", invited), ("expected", expected), ("attended", attended)):
                per_cell[name][cell_id] = per_cell[name].get(cell_id, 0) + n
    counted.update(per_cell)
    # The 213 score's receptions and notices on time, this year up to `on`.
    for committee_id, in_time, due in figures.reception_timeliness_counts(
        Liaison.objects.filter(commune_org__isnull=False), on.year, on, F("commune_org_id")
    ):
        counted.setdefault("receptions_in_time", {})[committee_id] = in_time
        counted.setdefault("receptions_due", {})[committee_id] = due
    for (sender_id, _), (in_time, due) in figures.notice_timeliness_counts(
        ChangeNotice.objects.all(), Digest.objects.all(), on.year, on
    ).items():
        counted.setdefault("notices_in_time", {})[sender_id] = in_time
        counted.setdefault("notices_due", {})[sender_id] = due
    residence, linked = _below_minimum(on, path_of, id_of)
    counted.update(linked)
    rolled = {name: _roll_up(counts, path_of, id_of) for name, counts in counted.items()}
    rolled["below_minimum_residence"] = residence  # per organisation already: not a sum over children
    by_reason: dict[str, dict[int, int]] = defaultdict(dict)
    for cell_id, reason, n in figures.exemption_counts(
        Exemption.objects.all(), on, F("member__workplace_cell_id")
    ):
        by_reason[reason][cell_id] = n
    exemptions: dict[int, dict[str, int]] = defaultdict(dict)
    for reason, counts in by_reason.items():
        for pk, n in _roll_up(counts, path_of, id_of).items():
            exemptions[pk][reason] = n
    comments: dict[int, dict[str, dict]] = defaultdict(dict)
    for residential, side in ((True, "residence"), (False, "workplace")):
        per_count: dict[str, dict[int, int]] = defaultdict(dict)
        for row in comment_figures.timeliness_by_cell(on.year, on, residential=residential):
            for name in comment_figures.TIMELINESS_COUNTS:
                per_count[name][row["place_cell"]] = row[name]
        for name, counts in per_count.items():
            for pk, n in _roll_up(counts, path_of, id_of).items():
                comments[pk].setdefault(side, {})[name] = n
    for pk, counts in _comment_progress(on, path_of, id_of).items():
        comments[pk]["progress"] = counts
    summaries = [
        OverdueSummary(
            org_id=pk,
            on=on,
            refreshed_at=now,
            exemptions=exemptions.get(pk, {}),
            comments=comments.get(pk, {}),
            **{name: rolled[name].get(pk, 0) for name in rolled},
        )
        for pk in path_of
    ]
    _rank_siblings({summary.org_id: summary for summary in summaries}, id_of)
    months: dict[tuple[int, datetime.date], dict[str, int]] = defaultdict(dict)
    sides = {"residence": "commune_org_id", "workplace": "member__workplace_cell_id"}
    for side, where in sides.items():
        for name, moment in figures.MONTHLY_MOMENTS.items():
            per_month: dict[datetime.date, dict[int, int]] = defaultdict(dict)
            grouped = (
                Liaison.objects.filter(**{f"{moment}__lt": figures.end_of(on), f"{where}__isnull": False})
                .annotate(y=ExtractYear(moment), m=ExtractMonth(moment))
                .values_list(where, "y", "m")
                .annotate(n=Count("pk"))
                .order_by()
            )
            for org_id, y, m, n in grouped:
                per_month[datetime.date(y, m, 1)][org_id] = n
            for month, counts in per_month.items():
                for pk, n in _roll_up(counts, path_of, id_of).items():
                    months[(pk, month)][f"{name}_{side}"] = n
    for month, by_name in marks_by_month.items():
        for name, counts in by_name.items():
            for pk, n in _roll_up(counts, path_of, id_of).items():
                months[(pk, month)][name] = n
    monthly = [
        MonthlySummary(org_id=pk, month=month, refreshed_at=now, **values)
        for (pk, month), values in months.items()
    ]
    with transaction.atomic():
        OverdueSummary.objects.all().delete()
        MonthlySummary.objects.all().delete()
        OverdueSummary.objects.bulk_create(summaries, batch_size=2000)
        MonthlySummary.objects.bulk_create(monthly, batch_size=2000)
    return {"organisations": len(summaries), "months": len(monthly)}
