"""Regulation 213-QĐ/TW rules read from settings (they change when the regulation is replaced).

Also the one home of the link-status predicates ("still to introduce", "overdue"): each is written
once as a queryset filter and once for a row already read, side by side, and used by the pages,
the reminders, the exports and the counts alike.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from haichieu.core.text import fold
from haichieu.members.models import Member

from .models import Liaison

LinkStatus = Member.LinkStatus


def rules() -> dict:
    return settings.HAICHIEU["RULES"]


class CategoryRule(models.TextChoices):
    """What HD 33-HD/BTCTW makes of a member's category: introduced and meeting at the residence,
    introduced but excused from its meetings, or not introduced at all (which categories: settings)."""

    REGULAR = "regular", "Sinh hoạt nơi cư trú"
    EXCUSED = "excused", "Giới thiệu, miễn sinh hoạt nơi cư trú"
    NOT_INTRODUCED = "not_introduced", "Không giới thiệu"


def category_rule(category: str) -> CategoryRule:
    """The CategoryRule of a Member.LiaisonCategory value (HD 33-HD/BTCTW)."""
    if category in rules()["NOT_INTRODUCED_CATEGORIES"]:
        return CategoryRule.NOT_INTRODUCED
    if category in rules()["EXCUSED_CATEGORIES"]:
        return CategoryRule.EXCUSED
    return CategoryRule.REGULAR


def category_labels(rule: str) -> list[str]:
    """The names of the member categories that fall under `rule` (a CategoryRule), as the settings
    have them: what the coverage page says of its "Tính riêng (HD 33)" figures."""
    return [label for value, label in Member.LiaisonCategory.choices if category_rule(value) == rule]


def category_rule_q(rule: str) -> Q:
    """Members whose category falls under `rule` (a CategoryRule), as a filter."""
    not_introduced = list(rules()["NOT_INTRODUCED_CATEGORIES"])
    excused = list(rules()["EXCUSED_CATEGORIES"])
    if rule == CategoryRule.NOT_INTRODUCED:
        return Q(liaison_category__in=not_introduced)
    if rule == CategoryRule.EXCUSED:
        return Q(liaison_category__in=excused)
    return ~Q(liaison_category__in=not_introduced + excused)


# The value of the coverage list's category filter for every category that is introduced (regular
# and excused): the members the coverage rate is taken over.
INTRODUCED_CATEGORIES = "introduced"


def introduced_categories(members: QuerySet[Member]) -> QuerySet[Member]:
    """The members of `members` whose category is introduced (HD 33 §1.2 leaves some out)."""
    return members.exclude(category_rule_q(CategoryRule.NOT_INTRODUCED))


# --- working members ---------------------------------------------------------------------------
# Regulation 213-QĐ/TW concerns members who work: a member whose official cell is a residential cell
# (a retired member in the cell of their residential group) already lives their party life where they
# reside. Such a member is never in the coverage, never "to introduce", never introduced; the coverage
# counts keep them apart (CoverageCount.working, kept by the triggers of coverage.py).
WORKING_Q = Q(workplace_cell__is_residential=False)


def working(members: QuerySet[Member]) -> QuerySet[Member]:
    """The working members of `members`: their official cell is not a residential cell."""
    return members.filter(WORKING_Q)


def is_working(member: Member) -> bool:
    """`working` for one member already read (with `workplace_cell__is_residential`)."""
    return not member.workplace_cell.is_residential


def not_working_reason(member: Member) -> str:
    """Why `member` is left out of the coverage, or '' for a working member (services, pages)."""
    if is_working(member):
        return ""
    return (
        f"sinh hoạt chính thức ở chi bộ nơi cư trú ({member.workplace_cell.name}), "
        "không thuộc diện giới thiệu về nơi cư trú"
    )


# --- link-status predicates ----------------------------------------------------------------------
# A member still to introduce: no liaison yet, a draft, or an introduction the commune returned.
TO_INTRODUCE_STATUSES = (LinkStatus.NONE, LinkStatus.DRAFT, LinkStatus.RETURNED)


def to_introduce(members: QuerySet[Member]) -> QuerySet[Member]:
    """The members of `members` still to introduce: working members (`working`), link status in
    TO_INTRODUCE_STATUSES and a category that is introduced (HD 33 §1.2 leaves some out)."""
    return introduced_categories(working(members).filter(link_status__in=TO_INTRODUCE_STATUSES))


def is_to_introduce(member: Member) -> bool:
    """`to_introduce` for one member already read (`link_status`, `liaison_category` and
    `workplace_cell__is_residential`)."""
    return (
        member.link_status in TO_INTRODUCE_STATUSES
        and category_rule(member.liaison_category) != CategoryRule.NOT_INTRODUCED
        and is_working(member)
    )


# A link that counts as introduced in the coverage rate (the card and the list filter "covered").
COVERED_STATUSES = Liaison.RESIDENT_STATUSES


def covered(members: QuerySet[Member]) -> QuerySet[Member]:
    """The members of `members` the coverage rate counts as introduced: working members of a
    category that is introduced, whose link was sent and is neither returned nor ended."""
    return introduced_categories(working(members).filter(link_status__in=COVERED_STATUSES))


# The deadline to introduce counts from the event that starts it (issue 15): admission for a member
# never linked, the opening of the draft (a move recorded) for a draft, the return for a returned
# introduction. A move recorded today is not overdue today.
def _introduction_start_before(today: datetime.date) -> tuple[datetime.date, datetime.datetime]:
    """The day before which a start is late, and the midnight it begins (to compare datetimes)."""
    latest = today - datetime.timedelta(days=rules()["INTRODUCE_WITHIN_DAYS"])
    return latest, timezone.make_aware(datetime.datetime.combine(latest, datetime.time.min))


def introduction_overdue(members: QuerySet[Member], today: datetime.date) -> QuerySet[Member]:
    """The members of `members` still to introduce whose introduction deadline (its start +
    INTRODUCE_WITHIN_DAYS, `introduction_due`) has passed."""
    latest, latest_start = _introduction_start_before(today)
    links = Liaison.objects.filter(member=OuterRef("pk"))
    return to_introduce(members).filter(
        Q(link_status=LinkStatus.NONE, admission_date__lt=latest)
        | Q(
            Exists(links.filter(status=Liaison.Status.DRAFT, created_at__lt=latest_start)),
            link_status=LinkStatus.DRAFT,
        )
        | Q(
            Exists(links.filter(status=Liaison.Status.RETURNED, returned_at__lt=latest_start)),
            link_status=LinkStatus.RETURNED,
        )
    )


def introduction_due(member: Member, liaison: dict[str, Any] | None) -> datetime.date | None:
    """When `member` must be introduced by (`liaison`: the member's selectors.current_liaisons dict,
    or None), or None when nothing has started the deadline."""
    start: datetime.datetime | datetime.date | None = None
    if member.link_status == LinkStatus.NONE:
        start = member.admission_date
    elif liaison is not None and member.link_status == LinkStatus.DRAFT == liaison["status"]:
        start = liaison["created_at"]
    elif liaison is not None and member.link_status == LinkStatus.RETURNED == liaison["status"]:
        start = liaison["returned_at"]
    if isinstance(start, datetime.datetime):
        start = timezone.localdate(start)
    return None if start is None else start + datetime.timedelta(days=rules()["INTRODUCE_WITHIN_DAYS"])


def is_introduction_overdue(
    member: Member, today: datetime.date, liaison: dict[str, Any] | None = None
) -> bool:
    """`introduction_overdue` for one member already read (also `admission_date`) with its current
    link (`liaison`, a selectors.current_liaisons dict, or None)."""
    if not is_to_introduce(member):
        return False
    due = introduction_due(member, liaison)
    return due is not None and due < today


def waiting_at_residence(liaisons: QuerySet[Liaison]) -> QuerySet[Liaison]:
    """The introductions of `liaisons` waiting for their commune committee: sent to a committee in
    the system, neither received nor returned yet (the commune inbox, its counts and reminders)."""
    return liaisons.filter(status=Liaison.Status.INTRODUCED, commune_org__isnull=False)


def reception_overdue(liaisons: QuerySet[Liaison], today: datetime.date) -> QuerySet[Liaison]:
    """The introductions of `liaisons` the commune has not received (nor returned) by their deadline.

    Only one waiting at a committee has a deadline (`liaison_introduce` sets `receive_due` with the
    committee), so the status and the date tell it, for rows and dicts alike (is_reception_overdue).
    """
    return liaisons.filter(status=Liaison.Status.INTRODUCED, receive_due__lt=today)


def is_reception_overdue(liaison: Liaison | dict[str, Any], today: datetime.date) -> bool:
    """`reception_overdue` for one liaison already read: a Liaison or a dict with `status` and
    `receive_due` (selectors.current_liaisons)."""
    if isinstance(liaison, dict):
        status, due = liaison["status"], liaison["receive_due"]
    else:
        status, due = liaison.status, liaison.receive_due
    return status == Liaison.Status.INTRODUCED and due is not None and due < today


def overdue_reason(member: Member, liaison: dict[str, Any] | None, today: datetime.date) -> str:
    """Why a coverage row is late, or '' (`liaison`: the member's selectors.current_liaisons dict,
    or None): shown on the page and in its export alike."""
    if liaison is not None and is_reception_overdue(liaison, today):
        return f"Nơi cư trú quá hạn tiếp nhận (hạn {liaison['receive_due']:%d/%m/%Y})"
    if is_introduction_overdue(member, today, liaison):
        return "Quá hạn giới thiệu về nơi cư trú"
    return ""


def receive_due(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=rules()["RECEIVE_WITHIN_DAYS"])


def digest_period(day: datetime.date) -> tuple[int, int]:
    """(year, period number) of the digest period holding `day` (quarters by default)."""
    months = rules()["DIGEST_EVERY_MONTHS"]
    return day.year, (day.month - 1) // months + 1


# What a digest period is called, by its length in months (DIGEST_EVERY_MONTHS); other lengths: "kỳ".
DIGEST_PERIOD_NAMES = {1: "tháng", 3: "quý", 6: "6 tháng"}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def digest_period_name() -> str:
    """The digest period as a noun: 'quý' (every 3 months), 'tháng', '6 tháng', else 'kỳ'."""
    return DIGEST_PERIOD_NAMES.get(rules()["DIGEST_EVERY_MONTHS"], "kỳ")


def digest_period_label(year: int, period: int) -> str:
    """One period as sentences name it: 'quý 4/2026', 'tháng 3/2026', '6 tháng đầu năm 2026', else
    'kỳ 2/2026' (`capfirst` at the start of a line)."""
    months = rules()["DIGEST_EVERY_MONTHS"]
    if months == 6:
        return f"6 tháng {'đầu' if period == 1 else 'cuối'} năm {year}"
    return f"{digest_period_name()} {period}/{year}"


def digest_period_title(year: int, period: int) -> str:
    """One period as documents title it: 'QUÝ IV NĂM 2026', 'THÁNG 3 NĂM 2026', '6 THÁNG CUỐI NĂM
    2026', else 'KỲ 2 NĂM 2026'."""
    months = rules()["DIGEST_EVERY_MONTHS"]
    if months == 3:
        return f"QUÝ {ROMAN.get(period, period)} NĂM {year}"
    if months == 6:
        return f"6 THÁNG {'ĐẦU' if period == 1 else 'CUỐI'} NĂM {year}"
    return f"{digest_period_name().upper()} {period} NĂM {year}"


def digest_period_slug(year: int, period: int) -> str:
    """The period in a file name: 'quy-4-2026', 'thang-3-2026', '6-thang-1-2026', 'ky-2-2026'."""
    return f"{fold(digest_period_name()).replace(' ', '-')}-{period}-{year}"


def digest_period_bounds(year: int, period: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a digest period."""
    months = rules()["DIGEST_EVERY_MONTHS"]
    start = datetime.date(year, (period - 1) * months + 1, 1)
    end_month = start.month + months
    end = datetime.date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - datetime.timedelta(
        days=1
    )
    return start, end


def digest_due(year: int, period: int) -> datetime.date:
    return digest_period_bounds(year, period)[1] + datetime.timedelta(days=rules()["DIGEST_GRACE_DAYS"])


def is_digest_overdue(year: int, period: int, today: datetime.date) -> bool:
    """A period's digest not sent is overdue once its due day (`digest_due`) has passed."""
    return today > digest_due(year, period)
