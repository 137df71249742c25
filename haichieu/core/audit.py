"""The audit log: one entry per write (and per read of a full record, export or download).

Services call `audit_record` inside their transaction, so the entry and the change land together.
Bulk writers (the import) build each entry with `audit_entry`, which writes nothing, and write them
all at once with `audit_bulk` (pretix's `log_action(save=False)` and bulk create): the entries are
the ones `audit_record` would have written one by one.
"""

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.utils.text import capfirst

from .bulk import bulk_insert, copy_rows
from .middleware import current_ip
from .models import AuditEntry


def audit_value(value):
    """A value as the audit log stores it: JSON-ready, a model instance as its text."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields) -> dict:
    """The current values of `fields`, JSON-ready, foreign keys as their text."""
    return {name: audit_value(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_entry(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id="",
    target_repr: str = "",
    changes: dict | None = None,
    note: str = "",
) -> dict:
    """One audit entry, not saved: its field values, for `audit_bulk` (or `audit_record`).

    Who and from where are read now (the acting user, the request's IP address); `changes` must be
    JSON-ready already (`snapshot`, `diff`, `audit_value`).
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
        target_repr = target_repr or str(target)
    return {
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "actor_repr": getattr(actor, "username", "") or "",
        "ip_address": current_ip.get(),
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id or ""),
        "target_repr": (target_repr or "")[:255],
        "changes": changes or {},
        "note": note[:255],
    }


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
    """Write one audit entry now (`audit_entry` saved)."""
    return AuditEntry.objects.create(
        **audit_entry(
            actor=actor,
            action=action,
            target=target,
            target_type=target_type,
            target_id=target_id,
            target_repr=target_repr,
            changes=changes,
            note=note,
        )
    )


def audit_prepared(entries: list[dict]) -> list:
    """`entries` made ready for `audit_bulk` ahead of time (core.bulk.copy_rows): done inside another
    bulk insert's `bulk_inserting` block, the work overlaps that insert's writing."""
    return copy_rows(AuditEntry, entries)


def audit_bulk(entries: list) -> None:
    """Write the entries built by `audit_entry` (or `audit_prepared`) in one bulk insert, in the
    caller's transaction (COPY on PostgreSQL: core.bulk)."""
    bulk_insert(AuditEntry, entries)


def target_label(target_type: str) -> str:
    """What kind of object an entry is about, in Vietnamese ("members.member" -> "Đảng viên")."""
    try:
        return capfirst(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


def history_for(obj: models.Model, limit: int = 100):
    """The change history of one object, newest first (reads of the record left out)."""
    return (
        AuditEntry.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))
        .exclude(action=AuditEntry.Action.VIEW)
        .select_related("actor")  # shown by full name; actor_repr keeps the username of a deleted user
        .order_by("-at", "-id")[:limit]
    )
