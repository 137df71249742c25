"""Writes on members. Each is one transaction with its audit entry."""

from django.db import transaction

from haichieu.access import scope_for
from haichieu.core.audit import audit_record, diff, snapshot
from haichieu.core.services import ConflictError, ServiceError, versioned_update
from haichieu.core.text import clean_text, fold, vn_sort_key

from .models import Member

AUDITED_FIELDS = [
    "full_name",
    "date_of_birth",
    "gender",
    "party_card_number",
    "admission_date",
    "full_membership_date",
    "national_id",
    "old_identity_card_number",
    "phone",
    "email",
    "workplace_cell",
    "position",
    "workplace_unit",
    "address_street",
    "address_hamlet",
    "residence_commune",
    "residence_province",
    "residence_type",
    "status",
    "notes",
    "liaison_category",
    "liaison_category_note",
]


def derived_name_fields(full_name: str) -> dict:
    name = clean_text(full_name)
    return {"full_name": name, "name_folded": fold(name), "sort_key": vn_sort_key(name)}


def _require_write(actor, cell) -> None:
    if not scope_for(actor).may_write(cell):
        raise ServiceError(f"Bạn không có quyền quản lý đảng viên của “{cell.name}”.", field="workplace_cell")


def member_create(*, actor, data: dict) -> Member:
    """Add a member to a workplace cell the actor may write in."""
    _require_write(actor, data["workplace_cell"])
    values = {k: v for k, v in data.items() if k in AUDITED_FIELDS}
    values.update(derived_name_fields(values["full_name"]))
    with transaction.atomic():
        if Member.objects.filter(party_card_number=values["party_card_number"]).exists():
            raise ServiceError("Số thẻ đảng viên này đã có trong hệ thống.", field="party_card_number")
        member = Member.objects.create(**values)
        audit_record(
            actor=actor, action="create", target=member, changes={"after": snapshot(member, AUDITED_FIELDS)}
        )
    return member


def member_update(*, actor, member: Member, data: dict, version: int | None = None) -> Member:
    """Change a member's record. Optimistic locking on `version`: a stale form is refused.

    The stored row is read again first: a ModelForm has already copied its input onto `member`.
    """
    current = Member.objects.select_related("workplace_cell").get(pk=member.pk)
    _require_write(actor, current.workplace_cell)
    if "workplace_cell" in data and data["workplace_cell"].pk != current.workplace_cell_id:
        _require_write(actor, data["workplace_cell"])
    values = {k: v for k, v in data.items() if k in AUDITED_FIELDS}
    if "full_name" in values:
        values.update(derived_name_fields(values["full_name"]))
    with transaction.atomic():
        before = snapshot(current, AUDITED_FIELDS)
        expected = current.version if version is None else version
        if not versioned_update(Member, current.pk, expected, **values):
            raise ConflictError(
                "Hồ sơ đã được người khác sửa trong lúc bạn nhập. Hãy tải lại trang và nhập lại thay đổi."
            )
        current.refresh_from_db()
        changes = diff(before, snapshot(current, AUDITED_FIELDS))
        audit_record(actor=actor, action="update", target=current, changes=changes)
    return current
