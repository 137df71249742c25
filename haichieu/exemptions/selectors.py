"""Reads of exemptions, already scoped (the workplace side through access.exemptions_visible_to),
and what the residence side may know: the end date of the exemption in force, nothing else."""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from haichieu.access import exemptions_visible_to

from . import rules
from .models import Exemption, ExemptionScan


def exempt_until(member_ref: str, day: datetime.date) -> Subquery:
    """The end date of the member's exemption in force on `day` (None when none is): an annotation
    for any list of members or links ("member" for a link, "pk" for a member), one subquery, so a
    page's query count does not grow with its rows. The residence side sees only this date."""
    in_force = Exemption.objects.in_force_on(day).filter(member=OuterRef(member_ref)).order_by("-end_date")
    return Subquery(in_force.values("end_date")[:1])


def exemption_in_force(member, day: datetime.date) -> Exemption | None:
    return Exemption.objects.in_force_on(day).filter(member=member).select_related("decided_by").first()


def member_exemptions(member) -> QuerySet[Exemption]:
    """A member's exemptions, newest first (the caller has scoped the member)."""
    return (
        Exemption.objects.filter(member=member)
        .select_related("decided_by", "renews")
        .prefetch_related("renewals")
        .defer("reason_details")
        .order_by("-start_date", "-pk")
    )


def scanned_ids(member) -> set[int]:
    """The member's exemptions that have a scan of the application (one query, no file read)."""
    return set(ExemptionScan.objects.filter(exemption__member=member).values_list("exemption_id", flat=True))


def member_exemption_get(member, pk) -> Exemption | None:
    return (
        Exemption.objects.filter(member=member, pk=pk)
        .select_related("member__workplace_cell", "decided_by")
        .first()
    )


def _in_org(exemptions: QuerySet, org) -> QuerySet:
    if org is None:
        return exemptions
    return exemptions.filter(org.subtree_q("member__workplace_cell__path"))


def _listed(exemptions: QuerySet) -> QuerySet:
    return exemptions.select_related("member", "member__workplace_cell", "decided_by").order_by(
        "end_date", "member__sort_key", "pk"
    )


def ending_soon_for(user, *, org=None, today: datetime.date) -> QuerySet[Exemption]:
    """Exemptions the user sees (workplace side) ending within the setting's days, not renewed."""
    return _listed(rules.ending_soon(_in_org(exemptions_visible_to(user), org), today))


def ended_unrenewed_for(user, *, org=None, today: datetime.date) -> QuerySet[Exemption]:
    return _listed(rules.ended_unrenewed(_in_org(exemptions_visible_to(user), org), today))


def year_list_for(user, *, org=None, year: int) -> QuerySet[Exemption]:
    """Exemptions the user sees whose period overlaps `year` (the yearly list)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return _listed(
        _in_org(exemptions_visible_to(user), org).filter(start_date__lte=last, end_date__gte=first)
    )
