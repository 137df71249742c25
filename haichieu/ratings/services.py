"""Writes of the yearly rating: one transaction with its audit entry, checked against the access
rule (the actor writes for the member's workplace cell)."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.access import scope_for
from haichieu.core.audit import audit_record, diff, snapshot
from haichieu.core.services import ServiceError
from haichieu.core.text import clean_text
from haichieu.members.models import Member

from . import rules
from .models import SCORE_MAX, SCORE_MIN, Rating

AUDITED_FIELDS = ["score", "conditions_met", "level", "exempt", "note"]


def rating_record(
    *, actor, member: Member, year: int, score: Decimal | None, conditions_met: list[str], note: str = ""
) -> Rating:
    """Record (or correct) `member`'s rating for `year`.

    The level is decided here, by `rules.decide_level` from the score and the conditions met, read
    from the year's scheme (QĐ 366-QĐ/TW Art. 11: points and conditions) and stored with them. A
    member exempt in the year (rules.is_exempt) is marked exempt instead: no score, no level.
    """
    if not scope_for(actor).may_write(member.workplace_cell):
        raise ServiceError(f"Bạn không có quyền xếp loại đảng viên của “{member.workplace_cell.name}”.")
    if member.status not in Member.ACTIVE_STATUSES:
        raise ServiceError("Chỉ xếp loại đảng viên đang sinh hoạt.")
    scheme = rules.scheme_for(year)
    if scheme is None:
        raise ServiceError(f"Chưa có cách xếp loại của năm {year}: quản trị hệ thống cần nhập trước.")
    values: dict = {"note": clean_text(note or ""), "rated_by": actor, "rated_at": timezone.now()}
    if rules.is_exempt(member, year):
        values.update(score=None, conditions_met=[], level=None, exempt=True)
    else:
        if score is None:
            raise ServiceError("Nhập điểm đánh giá (từ 0 đến 100).", field="score")
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise ServiceError("Điểm phải từ 0 đến 100.", field="score")
        known = {c.key for c in rules.conditions_of(scheme.level_list)}  # type: ignore[attr-defined]
        if unknown := [key for key in conditions_met if key not in known]:
            raise ServiceError(f"Điều kiện không có trong cách xếp loại năm {year}: {', '.join(unknown)}.")
        try:
            level = rules.decide_level(scheme.level_list, score=score, conditions_met=conditions_met)  # type: ignore[attr-defined]
        except rules.SchemeIncomplete as exc:
            raise ServiceError(str(exc)) from exc
        values.update(score=score, conditions_met=sorted(set(conditions_met)), level=level, exempt=False)
    try:
        with transaction.atomic():
            Member.objects.select_for_update().filter(pk=member.pk).first()  # one writer per member
            rating = Rating.objects.filter(member=member, year=year).first()
            if rating is None:
                rating = Rating.objects.create(member=member, year=year, **values)
                audit_record(
                    actor=actor,
                    action="create",
                    target=rating,
                    changes={"after": snapshot(rating, AUDITED_FIELDS)},
                )
            else:
                before = snapshot(rating, AUDITED_FIELDS)
                for name, value in values.items():
                    setattr(rating, name, value)
                rating.save()
                audit_record(
                    actor=actor,
                    action="update",
                    target=rating,
                    changes=diff(before, snapshot(rating, AUDITED_FIELDS)),
                )
    except IntegrityError as exc:  # a second writer created it meanwhile (SQLite takes no row lock)
        raise ServiceError(
            "Xếp loại của đảng viên này vừa được ghi ở nơi khác: mở lại trang và thử lại."
        ) from exc
    return rating
