"""Bulk audit entries are built by the audit module: the same entries `audit_record` writes."""

import datetime

import pytest

from haichieu.core.audit import audit_bulk, audit_entry, audit_prepared, audit_record, audit_value
from haichieu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

FIELDS = [
    "actor",
    "actor_repr",
    "ip_address",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "changes",
    "note",
]


def _kwargs(world, n):
    return dict(
        actor=world.w1_staff,
        action="create",
        target=world.m1,
        target_repr=f"Đảng viên {n}" + "x" * 300,
        changes={
            "after": {
                "born": audit_value(datetime.date(1985, 5, 17)),
                "cell": audit_value(world.w1c1),
                "n": n,
            }
        },
        note="Nhập từ tệp" + "y" * 300,
    )


def test_entries_built_then_written_in_bulk_equal_those_written_one_by_one(world):
    audit_bulk([audit_entry(**_kwargs(world, n)) for n in range(3)])
    audit_bulk(audit_prepared([audit_entry(**_kwargs(world, n)) for n in range(3, 5)]))
    bulk = list(AuditEntry.objects.order_by("pk").values(*FIELDS))
    AuditEntry.objects.all().delete()
    for n in range(5):
        audit_record(**_kwargs(world, n))
    assert bulk == list(AuditEntry.objects.order_by("pk").values(*FIELDS))
    assert bulk[0]["changes"] == {"after": {"born": "1985-05-17", "cell": "Chi bộ Phòng Ngân sách", "n": 0}}
    assert len(bulk[0]["target_repr"]) == 255 and bulk[0]["target_id"] == str(world.m1.pk)


def test_audit_entry_writes_nothing(world):
    audit_entry(**_kwargs(world, 1))
    assert not AuditEntry.objects.exists()
