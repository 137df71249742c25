"""The audit log: one entry per write (and per read of a full record, export or download).

Services call `audit_record` inside their transaction, so the entry and the change land together.
"""

import datetime
from decimal import Decimal

from django.db import models

from .middleware import current_ip
from .models import AuditEntry


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields) -> dict:
    """The current values of `fields`, JSON-ready, foreign keys as their text."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id="",
    target_repr: str = "",
    changes: dict | None = None,
    note: str = "",
) -> AuditEntry:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
        target_repr = target_repr or str(target)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_repr=getattr(actor, "username", "") or "",
        ip_address=current_ip.get(),
        action=action,
        target_type=target_type,
        target_id=str(target_id or ""),
        target_repr=(target_repr or "")[:255],
        changes=changes or {},
        note=note[:255],
    )


def history_for(obj: models.Model, limit: int = 100):
    """The change history of one object, newest first (reads of the record left out)."""
    return (
        AuditEntry.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))
        .exclude(action=AuditEntry.Action.VIEW)
        .select_related("actor")  # shown by full name; actor_repr keeps the username of a deleted user
        .order_by("-at", "-id")[:limit]
    )
