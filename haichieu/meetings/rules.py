"""Who is expected at a meeting, and the arithmetic of attendance (issue 11), each written once.

- `invitation_list(cell, day)`: every active member of the cell plus, for a residential cell, every
  working member linked and placed in it (link received or active, this cell) from the link's start,
  less those HD 33 excuses from residence meetings and those exempt on that day
  (`Exemption.objects.in_force_on`). The cell's own members exempt that day are listed apart: the
  roster shows them as "Miễn" and the rates leave them out.
- `task_members(cell, day)`: the working members a residential cell may give a task on `day`: those
  the invitation list takes in as linked (the same query), less those exempt that day when the
  EXEMPTION_LIFTS setting lifts tasks.
- `rate(attended, expected)` and `missed_in_a_row(statuses)`: the member's and the cell's figures.
- `below_minimum(attended, expected)` (and `below_minimum_q`, the same rule over counts annotated
  in the database): a linked member who did not attend the year's minimum (figures page, yearly
  comment).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from haichieu.exemptions import rules as exemption_rules
from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import Liaison
from haichieu.liaisons.rules import CategoryRule, category_rule_q
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from .models import Attendance, Task

LINKED_STATUSES = (Liaison.Status.RECEIVED, Liaison.Status.ACTIVE)


def meeting_settings() -> dict:
    return settings.HAICHIEU["MEETINGS"]


def agenda_templates() -> list[tuple[str, str, str]]:
    """(key, label, text) of the agenda templates offered on the meeting form."""
    return [tuple(t) for t in meeting_settings()["AGENDA_TEMPLATES"]]  # type: ignore[misc]


def task_kinds() -> list[tuple[str, str]]:
    """(key, label) of the kinds of task a cell may give, in the settings' order."""
    return [(str(key), str(label)) for key, label in meeting_settings()["TASK_KINDS"]]


def task_kind_label(kind: str) -> str:
    """The label of a task kind; a key no longer in the settings reads as it is."""
    return dict(task_kinds()).get(kind, kind)


def expected_per_year() -> int:
    return int(meeting_settings()["EXPECTED_PER_YEAR"])


def minimum_attended() -> int:
    return int(meeting_settings()["MIN_ATTENDED_PER_YEAR"])


def missed_alert() -> int:
    return int(meeting_settings()["MISSED_IN_A_ROW_ALERT"])


@dataclass(frozen=True)
class Invitation:
    member: Member
    source: str  # Attendance.Source
    exempt: bool = False  # a member of the cell exempt that day: on the roster as "Miễn"


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def linked_members_q(cell: Organization, day: datetime.date) -> Q:
    """Q over Liaison: links placing a working member in `cell` on `day` (received or active, and
    received by then: a member who moved in mid-year is expected from the link's start)."""
    started = Q(received_at__isnull=True) | Q(received_at__lt=_end_of_day(day))
    return Q(cell=cell, status__in=LINKED_STATUSES) & started


def _active_members() -> QuerySet[Member]:
    return Member.objects.filter(status__in=Member.ACTIVE_STATUSES).order_by("sort_key", "id")


def linked_members(cell: Organization, day: datetime.date) -> QuerySet[Member]:
    """The active working members linked and placed in the residential `cell` on `day` whom HD 33
    does not excuse from residence meetings, in list order (exemptions left to the caller)."""
    return (
        _active_members()
        .filter(pk__in=Liaison.objects.filter(linked_members_q(cell, day)).values("member_id"))
        .exclude(category_rule_q(CategoryRule.EXCUSED))
    )


def invitation_list(cell: Organization, day: datetime.date) -> list[Invitation]:
    """The members a meeting of `cell` on `day` invites, in list order (see the module)."""
    exempt_ids = set(Exemption.objects.in_force_on(day).values_list("member_id", flat=True))
    own = list(_active_members().filter(workplace_cell=cell))
    result = [Invitation(m, Attendance.Source.CELL, exempt=m.pk in exempt_ids) for m in own]
    if cell.is_residential:
        own_ids = {m.pk for m in own}
        linked = linked_members(cell, day).exclude(pk__in=own_ids | exempt_ids)
        result += [Invitation(m, Attendance.Source.LIAISON) for m in linked]
    return result


def task_members(cell: Organization, day: datetime.date) -> QuerySet[Member]:
    """The working members `cell` may give a task on `day` (see the module): none for a cell that is
    not residential."""
    if not cell.is_residential:
        return Member.objects.none()
    members = linked_members(cell, day).exclude(workplace_cell=cell)
    if exemption_rules.lifts(exemption_rules.Lift.TASKS):
        members = members.exclude(pk__in=Exemption.objects.in_force_on(day).values("member_id"))
    return members


def task_liaison(cell: Organization, member: Member, day: datetime.date) -> Liaison | None:
    """The link through which `member` is placed in `cell` on `day` (the task's link)."""
    return Liaison.objects.filter(linked_members_q(cell, day), member=member).order_by("-pk").first()


def rate(attended: int, expected: int) -> float | None:
    """Share of the expected meetings attended, in per cent (one decimal); None when none expected."""
    if expected <= 0:
        return None
    return round(100 * attended / expected, 1)


def counts_as_expected(status: str) -> bool:
    """A marked invitation counts in the rates unless the member was exempt (an unmarked one does
    not count: the meeting has not taken their roll yet)."""
    return bool(status) and status not in Attendance.NOT_EXPECTED


def below_minimum(attended: int, expected: int) -> bool:
    """A member is below the minimum of a year when they attended fewer meetings than
    `MIN_ATTENDED_PER_YEAR` and fewer than they were expected at (QĐ 213-QĐ/TW Art. 4: the cell
    meets its linked members every 6 months; a cell that held one meeting cannot ask for two).
    `attended` and `expected` count as `rate` does: exempt and unmarked invitations are left out,
    an absence with a reason counts as missed."""
    return attended < minimum_attended() and attended < expected


def below_minimum_q(*, attended: str, expected: str) -> Q:
    """`below_minimum` as a Q over two counts annotated on a grouped query (their names)."""
    return Q(**{f"{attended}__lt": minimum_attended()}) & Q(**{f"{attended}__lt": F(expected)})


def tasks_due(tasks: QuerySet[Task], today: datetime.date) -> QuerySet[Task]:
    """Tasks still in progress whose due date has come (today or before): the cell records their
    outcome or follows them up (QĐ 213-QĐ/TW Art. 4)."""
    return tasks.filter(outcome=Task.Outcome.IN_PROGRESS, due_date__lte=today)


def tasks_open(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks still in progress (a member's own: what is still theirs to do)."""
    return tasks.filter(outcome=Task.Outcome.IN_PROGRESS)


def missed_in_a_row(statuses: list[str]) -> int:
    """Meetings missed in a row up to the latest, `statuses` from the oldest to the newest
    (exempt and unmarked invitations neither break nor extend the run)."""
    run = 0
    for status in reversed(statuses):
        if not counts_as_expected(status):
            continue
        if status in Attendance.ATTENDED:
            break
        run += 1
    return run
