"""Card numbers and national IDs that belong to no one the user may see (issue 9, finding 2).

The member form and the import match a card number or a national ID only among the members the user
sees on the workplace side (`members_visible_to(user, workplace_only=True)`). A value held by anyone
else (a *collision*) must not tell whether it exists: party membership is sensitive data (Law
91/2025), and a user with a write role could otherwise test 50,000 IDs a file. So:

- it gets one neutral message, which names nothing and reads the same whether the value exists
  elsewhere or is refused for another reason (`NEUTRAL_MESSAGE`);
- it is written to the audit log: one entry per distinct value per user and day, naming the value's
  kind and a keyed fingerprint of it (so the preview and its confirmation count once), never the
  member who holds it;
- past `HAICHIEU["COLLISION_LIMIT_PER_DAY"]` (default 20) distinct values in a day, the member form
  and the import stop answering that user for the rest of the day — every submission is refused
  with `LIMIT_MESSAGE`, with or without a collision, so that refusing says nothing about the
  values — and the administrators (active superusers with an e-mail address) get an e-mail, once.

The command line (no acting user: everywhere) and the superuser (sees everyone) never collide.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from haichieu.accounts.models import User
from haichieu.core.audit import audit_bulk, audit_entry
from haichieu.core.models import AuditEntry

DEFAULT_LIMIT_PER_DAY = 20
NEUTRAL_MESSAGE = (
    "Không thể dùng số thẻ/số định danh này: hãy kiểm tra lại hoặc liên hệ ban tổ chức cấp trên."
)
LIMIT_MESSAGE = (
    "Hôm nay tài khoản của bạn đã dùng quá nhiều số thẻ/số định danh không dùng được, nên việc thêm, "
    "sửa và nhập đảng viên tạm dừng đến hết ngày. Hãy liên hệ quản trị hệ thống."
)
KIND_LABELS = {"party_card_number": "Số thẻ đảng viên", "national_id": "Số CCCD"}
TARGET_TYPE = "members.identifier"  # the value probed, known by its kind and fingerprint


def collision_limit() -> int:
    return int(settings.HAICHIEU.get("COLLISION_LIMIT_PER_DAY", DEFAULT_LIMIT_PER_DAY))


def _today_start() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))


def _todays(actor):
    return AuditEntry.objects.filter(action=AuditEntry.Action.COLLISION, actor=actor, at__gte=_today_start())


def fingerprint(kind: str, value: str) -> str:
    """The value as the audit log names it: a keyed digest (the value itself is not written)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def collisions_today(actor) -> int:
    """Distinct values of today's collisions of `actor` (one indexed count)."""
    return _todays(actor).count()


def collisions_blocked(actor) -> bool:
    """Whether `actor` went past today's limit: the form and the import answer nothing more today."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return collisions_today(actor) > collision_limit()


def collisions_record(*, actor, found, source: str) -> bool:
    """Audit the collisions `found` ([(kind, value)]) of `actor`; True when they take the actor past
    today's limit (the caller then refuses the whole submission with LIMIT_MESSAGE).

    A value already recorded today for the actor is not counted again. Crossing the limit e-mails
    the administrators, once a day per user (the crossing happens once: past it, nothing runs).
    """
    if actor is None or not found:
        return False
    prints = {fingerprint(kind, value): kind for kind, value in found}
    with transaction.atomic():
        seen = set(_todays(actor).filter(target_id__in=list(prints)).values_list("target_id", flat=True))
        before = collisions_today(actor)
        new = [(fp, kind) for fp, kind in prints.items() if fp not in seen]
        audit_bulk(
            [
                audit_entry(
                    actor=actor,
                    action=AuditEntry.Action.COLLISION,
                    target_type=TARGET_TYPE,
                    target_id=fp,
                    target_repr=KIND_LABELS.get(kind, kind),
                    changes={"kind": kind},
                    note=source,
                )
                for fp, kind in new
            ]
        )
        after = before + len(new)
        limit = collision_limit()
        past = after > limit
        if past and before <= limit:
            _notify_administrators(actor, after, limit, source)
    return past


def _notify_administrators(actor, count: int, limit: int, source: str) -> None:
    """An e-mail to the active superusers (the administrators), after the commit."""
    recipients = sorted(
        set(
            User.objects.filter(is_superuser=True, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return
    name = actor.full_name or actor.username
    when = timezone.localtime().strftime("%H:%M %d/%m/%Y")
    subject = f"[Hai Chiều] Tài khoản {actor.username} bị tạm dừng thêm, sửa và nhập đảng viên"
    body = (
        f"Tài khoản {actor.username} ({name}) đã dùng {count} số thẻ đảng viên/số CCCD không thuộc phạm vi "
        f"của mình trong ngày (ngưỡng {limit}), lần cuối lúc {when} ({source}).\n\n"
        "Đây có thể là dò tìm xem một người có phải đảng viên không. Việc thêm, sửa và nhập đảng viên "
        "của tài khoản này tạm dừng đến hết ngày. Xem nhật ký thao tác (thao tác “Dùng số thẻ/số định "
        "danh ngoài phạm vi”) để biết chi tiết."
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))
