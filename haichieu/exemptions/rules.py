"""What the texts say of an exemption from party work and activities, read from the settings
(`HAICHIEU["RULES"]`, each key with its source in liaisons/rulebook.py), and the one home of
"ending soon" and "ended without renewal".

Sources read (12/2026): Hướng dẫn 27-HD/BTCTW (26/03/2009) §1.1 — members of great age or weak
health apply in writing or in person; the cell resolves (noted in its book of resolutions) and
reports to the grassroots committee; QĐ 24-QĐ/TW (2021) §7.1 says the same, and QĐ 294-QĐ/TW
(26/05/2025, in force 01/07/2025), which replaces it with QĐ 232, again provides for a member's
application for an exemption. The other reasons (working far away or in mobile work, long
treatment, abroad) follow the local practice the sources describe (seed 004: a written
application, the cell's proposal, the committee's decision, a year-end review and renewal).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Exemption

Reason = Exemption.Reason


class Lift(models.TextChoices):
    """What an exemption in force lifts (which ones: the setting EXEMPTION_LIFTS)."""

    MEETINGS = "meetings", "Sinh hoạt chi bộ (nơi công tác và nơi cư trú)"
    TASKS = "tasks", "Công tác đảng được giao"
    RATING = "rating", "Đánh giá, xếp loại chất lượng đảng viên hằng năm"


def rules() -> dict:
    return settings.HAICHIEU["RULES"]


def reasons() -> list[tuple[str, str]]:
    """(value, label) of the reasons offered, in the settings' order."""
    labels = dict(Reason.choices)
    return [(value, labels[value]) for value in rules()["EXEMPTION_REASONS"] if value in labels]


def cell_decides(reason: str) -> bool:
    """Whether the member's cell itself decides an exemption for `reason` (reporting upward); else
    the grassroots committee decides."""
    return reason in rules()["EXEMPTION_CELL_DECIDES"]


def lifts(what: str) -> bool:
    """Whether an exemption in force lifts `what` (a Lift value)."""
    return what in rules()["EXEMPTION_LIFTS"]


def ending_within_days() -> int:
    return int(rules()["EXEMPTION_ENDING_WITHIN_DAYS"])


def _not_renewed() -> Q:
    """No later exemption of the same member (not revoked) starts after this one's start."""
    later = Exemption.objects.filter(
        member=OuterRef("member"), start_date__gt=OuterRef("start_date"), revoked_at__isnull=True
    )
    return ~Q(Exists(later))


def ending_soon(exemptions: QuerySet[Exemption], today: datetime.date) -> QuerySet[Exemption]:
    """In force today, ending within EXEMPTION_ENDING_WITHIN_DAYS, and not renewed yet."""
    last = today + datetime.timedelta(days=ending_within_days())
    return exemptions.in_force_on(today).filter(end_date__lte=last).filter(_not_renewed())  # type: ignore[attr-defined]


def ended_unrenewed(exemptions: QuerySet[Exemption], today: datetime.date) -> QuerySet[Exemption]:
    """Ended within the last year (not revoked) and not renewed: the member is back, or should
    apply again."""
    return exemptions.filter(
        revoked_at__isnull=True, end_date__lt=today, end_date__gte=today - datetime.timedelta(days=365)
    ).filter(_not_renewed())


def is_ending_soon(exemption: Exemption, today: datetime.date) -> bool:
    """`ending_soon` for one exemption already read (renewal not checked)."""
    return exemption.is_in_force_on(today) and exemption.end_date <= today + datetime.timedelta(
        days=ending_within_days()
    )


def renewal_period(exemption: Exemption) -> tuple[datetime.date, datetime.date]:
    """The next period of a renewal: from the day after the end, as long as the one renewed."""
    start = exemption.end_date + datetime.timedelta(days=1)
    return start, start + (exemption.end_date - exemption.start_date)
