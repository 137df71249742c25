"""Reminders of overdue work (the `send_reminders` job).

Idempotent: every overdue item is reminded once (a unique ReminderSent row per item and recipient),
so the job can run from cron at any frequency. Each recipient organisation gets one inbox item
(and e-mail, when configured) per run that found new overdue items for it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.comments.reminders import comment_requests_due
from haichieu.exemptions.reminders import exemptions_due
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import rules, selectors
from .models import InboxItem, Liaison, ReminderSent
from .services import notify, workplace_committee_of

KINDS = ("introduce", "receive", "digest", "exemption", "comment")
LABELS = {
    "introduce": "đảng viên quá hạn giới thiệu về nơi cư trú",
    "receive": "giới thiệu quá hạn tiếp nhận",
    "digest": "danh sách biến động quá hạn gửi nơi cư trú",
    "exemption": "lần miễn công tác và sinh hoạt đảng sắp hết hạn hoặc đã hết hạn mà chưa gia hạn",
    "comment": "phiếu lấy ý kiến nhận xét đảng viên sắp đến hạn hoặc quá hạn chưa trả lời",
}
# Kinds whose items name a workplace cell: the reminder goes to the cell's committee.
TO_CELL_COMMITTEE = ("introduce", "exemption")


def _overdue_introductions(today):
    """(key, recipient org id) for members past the introduction deadline and not introduced."""
    members = rules.introduction_overdue(
        Member.objects.filter(status__in=Member.ACTIVE_STATUSES), today
    ).values_list("pk", "link_status", "workplace_cell_id")
    for pk, link_status, cell_id in members.iterator(chunk_size=5000):
        yield f"member:{pk}:{link_status}", cell_id


def _overdue_receptions(today):
    for pk, due, org_id in (
        rules.reception_overdue(Liaison.objects.filter(commune_org__isnull=False), today)
        .values_list("pk", "receive_due", "commune_org_id")
        .iterator(chunk_size=5000)
    ):
        yield f"liaison:{pk}:{due.isoformat()}", org_id


def _overdue_digests(today):
    for row in selectors.digests_status(None, today=today):
        if row["state"] == "overdue":
            yield f"digest:{row['recipient'].pk}:{row['year']}:{row['period']}", row["sender"].pk


def send_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """Remind the responsible organisations of overdue items not reminded before. Returns counts."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(KINDS, 0)
    sources = {
        "introduce": _overdue_introductions,
        "receive": _overdue_receptions,
        "digest": _overdue_digests,
        "exemption": exemptions_due,
        "comment": comment_requests_due,
    }
    cell_committees: dict[int, int] = {}
    for kind, source in sources.items():
        already = set(ReminderSent.objects.filter(kind=kind).values_list("key", "recipient_org_id"))
        new: dict[int, list[str]] = defaultdict(list)
        for key, org_id in source(today):
            if kind in TO_CELL_COMMITTEE:
                if org_id not in cell_committees:
                    cell_committees[org_id] = workplace_committee_of(Organization.objects.get(pk=org_id)).pk
                org_id = cell_committees[org_id]
            if (key, org_id) not in already:
                new[org_id].append(key)
        orgs = Organization.objects.in_bulk(list(new))
        for org_id, keys in new.items():
            try:
                with transaction.atomic():
                    ReminderSent.objects.bulk_create(
                        [ReminderSent(kind=kind, key=k, recipient_org_id=org_id) for k in keys]
                    )
                    notify(
                        org=orgs[org_id],
                        kind=InboxItem.Kind.REMINDER,
                        summary=f"Nhắc việc: {len(keys)} {LABELS[kind]}. Hãy xử lý trên Hai Chiều.",
                    )
            except IntegrityError:
                # Another run reminded some of them at the same moment: they count there, not here.
                continue
            counts[kind] += len(keys)
    counts["sent"] = sum(counts[k] for k in KINDS)
    return counts
