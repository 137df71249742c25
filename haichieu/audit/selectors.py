"""Reads for the audit pages, scoped by the access rule; keyset-paged newest first.

The pages go by the entries' primary key (`-pk`): entries are numbered as they are written, so
it is their order in time, it is the table's own index, and the cursor is a plain number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from haichieu.access import (
    audit_entries_visible_to,
    liaisons_visible_to,
    own_member_or_404,
    own_record_reads,
    role_organizations,
)
from haichieu.core.paging import Page, keyset_page
from haichieu.core.text import fold
from haichieu.liaisons.models import ChangeNotice, Liaison
from haichieu.members.models import Member

KEY = ("-pk",)


def _member_q(text: str) -> Q:
    """Members by name (any case or diacritics, a part of it) or by party card number (exact)."""
    folded = fold(text)
    q = Q(name_folded__contains=folded)
    compact = folded.replace(" ", "")
    if compact.isdigit():
        q |= Q(party_card_number=compact)
    return q


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the deployment's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_log(
    user,
    *,
    member: str = "",
    actor: str = "",
    action: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet:
    """The entries the user's audit page lists (access.audit_entries_visible_to), filtered: about a
    member (name or card number), by one actor (username, any case), one action, between two days
    (both included, local time)."""
    member = member.strip()
    qs = audit_entries_visible_to(user, member_q=_member_q(member) if fold(member) else None)
    if actor.strip():
        qs = qs.filter(actor_repr__iexact=actor.strip())
    if action:
        qs = qs.filter(action=action)
    if start is not None:
        qs = qs.filter(at__gte=_day_start(start))
    if end is not None:
        qs = qs.filter(at__lt=_day_start(end + datetime.timedelta(days=1)))
    return qs.select_related("actor").order_by(*KEY)


def audit_page(entries: QuerySet, *, after: str = "", before: str = "", size: int = 50) -> Page:
    return keyset_page(entries, key=KEY, after=after, before=before, size=size)


@dataclass
class OwnRead:
    """One time someone opened or exported the member's record, as the member sees it."""

    at: datetime.datetime
    action: str
    who: str
    where: str


def own_reads_page(user, *, after: str = "", before: str = "", size: int = 50) -> Page:
    """Who opened or exported the user's own record (access.own_record_reads), a page of `OwnRead`:
    the person's full name and the organisations of their roles in force today (two queries)."""
    page = keyset_page(
        own_record_reads(user).select_related("actor").order_by(*KEY),
        key=KEY,
        after=after,
        before=before,
        size=size,
    )
    orgs = role_organizations([e.actor_id for e in page.rows if e.actor_id is not None])
    rows = []
    for entry in page.rows:
        actor = entry.actor
        if actor is None:
            who, where = entry.actor_repr or "Hệ thống", ""
        else:
            names = orgs.get(actor.pk, [])
            who = actor.full_name or actor.username
            where = ", ".join(names) or ("Quản trị hệ thống" if actor.is_superuser else "")
        rows.append(OwnRead(at=entry.at, action=entry.get_action_display(), who=who, where=where))
    page.rows = rows
    return page


@dataclass
class OwnData:
    """What the deployment holds about one member: the record, the links, the change notices."""

    member: Member
    liaisons: list[Liaison]
    notices: list[ChangeNotice]


def own_data(user) -> OwnData:
    """The user's own member record and what hangs on it; 404 for a user without a record."""
    member = own_member_or_404(user)
    liaisons = list(
        liaisons_visible_to(user)
        .filter(member=member)
        .select_related("workplace_org", "commune_org", "cell", "group", "commune", "previous")
        .order_by("pk")
    )
    notices = list(
        ChangeNotice.objects.filter(member=member)
        .select_related("liaison", "sender_org", "recipient_org", "created_by")
        .order_by("pk")
    )
    return OwnData(member=member, liaisons=liaisons, notices=notices)
