"""Regulation 213-QĐ/TW rules read from settings (they change when the regulation is replaced)."""

import datetime

from django.conf import settings


def rules() -> dict:
    return settings.HAICHIEU["RULES"]


def category_rule(category: str) -> str:
    """'not_introduced', 'excused' or 'regular' for a Member.LiaisonCategory value (HD 33-HD/BTCTW)."""
    if category in rules()["NOT_INTRODUCED_CATEGORIES"]:
        return "not_introduced"
    if category in rules()["EXCUSED_CATEGORIES"]:
        return "excused"
    return "regular"


def receive_due(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=rules()["RECEIVE_WITHIN_DAYS"])


def introduce_due(admission_date: datetime.date) -> datetime.date:
    return admission_date + datetime.timedelta(days=rules()["INTRODUCE_WITHIN_DAYS"])


def digest_period(day: datetime.date) -> tuple[int, int]:
    """(year, period number) of the digest period holding `day` (quarters by default)."""
    months = rules()["DIGEST_EVERY_MONTHS"]
    return day.year, (day.month - 1) // months + 1


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
