"""Reads of liaisons, notices and inboxes, scoped by the access rule."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from haichieu.core.access import scope_for
from haichieu.core.paths import subtree_q
from haichieu.members.models import Member

from . import rules
from .models import ChangeNotice, InboxItem, Liaison, QuarterlyDigest

S = Liaison.Status


def liaisons_visible_to(user) -> QuerySet:
    """Liaisons of members the user sees on the workplace side, or received in the user's residence subtree."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Liaison.objects.all()
    if not scope.read_paths:
        if scope.member_id is not None:
            return Liaison.objects.filter(member_id=scope.member_id)
        return Liaison.objects.none()
    residence = (
        subtree_q("commune_org__path", scope.read_paths) | subtree_q("cell__path", scope.read_paths)
    ) & ~Q(status=S.DRAFT)
    q = subtree_q("member__workplace_cell__path", scope.read_paths) | residence
    if scope.member_id is not None:
        q |= Q(member_id=scope.member_id)
    return Liaison.objects.filter(q)


def liaison_get_for(user, pk) -> Liaison:
    liaison = (
        liaisons_visible_to(user)
        .select_related(
            "member", "member__workplace_cell", "commune_org", "cell", "group", "workplace_org", "commune"
        )
        .filter(pk=pk)
        .first()
    )
    if liaison is None:
        raise Http404("Không tìm thấy hồ sơ.")
    return liaison


def liaison_side(user, liaison: Liaison) -> str:
    """'workplace', 'residence' or 'member': which side the user acts on for this liaison."""
    scope = scope_for(user)
    if scope.is_superuser or scope.covers(liaison.member.workplace_cell):
        return "workplace"
    if scope.member_id == liaison.member_id:
        return "member"
    return "residence"


# --- coverage (workplace side) ---------------------------------------------------------------
def coverage_summary(members: QuerySet) -> dict:
    """Counts by link status and by category, and the coverage rate, in one grouped query."""
    rows = (
        members.filter(status__in=Member.ACTIVE_STATUSES)
        .values("link_status", "liaison_category")
        .annotate(n=Count("id"))
    )
    by_status: dict[str, int] = {}
    not_introduced = excused = total = 0
    for row in rows:
        total += row["n"]
        rule = rules.category_rule(row["liaison_category"])
        if rule == "not_introduced":
            not_introduced += row["n"]
            continue
        if rule == "excused":
            excused += row["n"]
        by_status[row["link_status"]] = by_status.get(row["link_status"], 0) + row["n"]
    to_introduce = total - not_introduced
    covered = sum(by_status.get(s, 0) for s in (S.INTRODUCED, S.RECEIVED, S.ACTIVE))
    return {
        "total": total,
        "to_introduce": to_introduce,
        "not_introduced_category": not_introduced,
        "excused": excused,
        "by_status": by_status,
        "covered": covered,
        "rate": round(100 * covered / to_introduce, 1) if to_introduce else 100.0,
    }


def current_liaisons(member_ids) -> dict[int, Liaison]:
    """The newest liaison of each member (one query)."""
    result: dict[int, Liaison] = {}
    for liaison in (
        Liaison.objects.filter(member_id__in=list(member_ids))
        .select_related("commune_org", "cell", "commune")
        .order_by("member_id", "-pk")
    ):
        result.setdefault(liaison.member_id, liaison)
    return result


# --- inbox -----------------------------------------------------------------------------------
def inbox_for(user, *, org_id=None, unread_only: bool = False) -> QuerySet:
    """Items received by the organisations the user holds a role on."""
    scope = scope_for(user)
    qs = (
        InboxItem.objects.all()
        if scope.is_superuser and org_id
        else InboxItem.objects.filter(recipient_org_id__in=scope.role_org_ids)
    )
    if org_id:
        qs = qs.filter(recipient_org_id=org_id)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("recipient_org", "liaison", "liaison__member", "notice")


def inbox_unread_count(user) -> int:
    scope = scope_for(user)
    if not scope.role_org_ids:
        return 0
    return InboxItem.objects.filter(recipient_org_id__in=scope.role_org_ids, read_at__isnull=True).count()


# --- digests ---------------------------------------------------------------------------------
def digests_status(user, *, today: datetime.date) -> list[dict]:
    """Per (workplace committee, receiving committee, period) with notices: due, overdue or sent."""
    scope = scope_for(user)
    notices = ChangeNotice.objects.filter(
        direction=ChangeNotice.Direction.TO_RESIDENCE, recipient_org__isnull=False
    )
    if not scope.is_superuser:
        notices = notices.filter(subtree_q("sender_org__path", scope.read_paths))
    groups: dict[tuple, dict] = {}
    for row in notices.values("sender_org", "recipient_org", "event_date").order_by():
        year, period = rules.digest_period(row["event_date"])
        key = (row["sender_org"], row["recipient_org"], year, period)
        groups.setdefault(key, {"count": 0})["count"] += 1
    sent = {
        (d.sender_org_id, d.recipient_org_id, d.year, d.quarter): d
        for d in QuarterlyDigest.objects.filter(sender_org_id__in={k[0] for k in groups})
    }
    from haichieu.organizations.models import Organization

    orgs = Organization.objects.in_bulk({k[0] for k in groups} | {k[1] for k in groups})
    result = []
    for (sender, recipient, year, period), data in sorted(
        groups.items(), key=lambda kv: (-kv[0][2], -kv[0][3])
    ):
        start, end = rules.digest_period_bounds(year, period)
        due = rules.digest_due(year, period)
        digest = sent.get((sender, recipient, year, period))
        state = "sent" if digest else ("open" if today <= end else ("overdue" if today > due else "due"))
        result.append({
            "sender": orgs[sender], "recipient": orgs[recipient], "year": year, "period": period, "start": start,
            "end": end, "due": due, "count": data["count"], "state": state, "digest": digest,
        })  # fmt: skip
    return result


def digest_notices(*, sender_org, recipient_org, year: int, period: int) -> QuerySet:
    start, end = rules.digest_period_bounds(year, period)
    return (
        ChangeNotice.objects.filter(
            sender_org=sender_org,
            recipient_org=recipient_org,
            event_date__gte=start,
            event_date__lte=end,
            direction=ChangeNotice.Direction.TO_RESIDENCE,
        )  # fmt: skip
        .select_related("member", "liaison", "liaison__cell")
        .order_by("event_date", "pk")
    )


# --- tracking book (residence side) ------------------------------------------------------------
def tracking_book(org, *, start: datetime.date, end: datetime.date) -> QuerySet:
    """Everyone linked to a commune committee or residential cell during [start, end]."""
    in_org = subtree_q("commune_org__path", [org.path]) | subtree_q("cell__path", [org.path])
    return (
        Liaison.objects.filter(in_org)
        .exclude(status__in=[S.DRAFT, S.INTRODUCED, S.RETURNED])
        .filter(received_at__date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .select_related("member", "workplace_org", "cell", "group")
        .order_by("member__sort_key", "pk")
    )
