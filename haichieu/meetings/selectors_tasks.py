"""Reads of the tasks residential cells give (issue 11), through the access rule: each list one
query whatever its length."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from haichieu.access import liaisons_visible_to, members_visible_to, scope_for, tasks_visible_to
from haichieu.core.paging import Page, keyset_page
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import rules
from .models import Meeting, Task

TASK_KEY = ("-given_at", "-pk")


def _listed(tasks: QuerySet) -> QuerySet:
    return tasks.select_related("cell", "member", "meeting", "given_by", "outcome_by")


def cell_tasks(user, *, cell: Organization, due_on: datetime.date | None = None) -> QuerySet[Task]:
    """The tasks a residential cell gave (the caller has checked the user reads it); with `due_on`,
    those due by that day and still in progress (rules.tasks_due). The cell's list before paging;
    the home page's work queue counts the same query."""
    tasks = tasks_visible_to(user).filter(cell=cell)
    return tasks if due_on is None else rules.tasks_due(tasks, due_on)


def cell_tasks_page(
    user, *, cell: Organization, due_on: datetime.date | None = None, after="", before="", size: int
) -> Page:
    """`cell_tasks` newest first, a page at a time."""
    tasks = _listed(cell_tasks(user, cell=cell, due_on=due_on))
    return keyset_page(tasks, key=TASK_KEY, after=after, before=before, size=size)


def workplace_tasks_page(user, *, after="", before="", size: int) -> Page:
    """The tasks given to the members of the user's workplace side, wherever they live: what the
    residence asks of them (QĐ 213's two-way information; seed 003)."""
    members = members_visible_to(user, workplace_only=True)
    tasks = _listed(tasks_visible_to(user).filter(member__in=members.values("pk")))
    return keyset_page(tasks, key=TASK_KEY, after=after, before=before, size=size)


def member_tasks(user, member: Member) -> list[Task]:
    """The tasks of one member the user may see, newest first (one query)."""
    return list(_listed(tasks_visible_to(user).filter(member=member)).order_by(*TASK_KEY))


def member_tasks_open(user, member: Member | int) -> QuerySet[Task]:
    """The tasks of `member_tasks` still in progress (rules.tasks_open): the member's own to do."""
    return rules.tasks_open(tasks_visible_to(user).filter(member=member))


def cells_giving_tasks_to(user, member: Member, *, today: datetime.date) -> list[Organization]:
    """The residential cells the member is placed in today through which the user may give them a
    task (the member's page offers "Giao nhiệm vụ" there): one query."""
    scope = scope_for(user)
    if not scope.writes_somewhere:
        return []
    links = (
        liaisons_visible_to(user)
        .filter(member=member, status__in=rules.LINKED_STATUSES, cell__isnull=False)
        .select_related("cell")
    )
    return [link.cell for link in links if scope.may_write(link.cell)]


def meeting_tasks(meeting: Meeting) -> list[Task]:
    """The tasks given at a meeting (its page: the cell's users), newest first."""
    return list(meeting.tasks.select_related("member").order_by(*TASK_KEY))
