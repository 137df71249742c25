"""Writes on the party tree. Each is one transaction with its audit entry."""

from django.db import transaction

from haichieu.access import scope_for
from haichieu.core.audit import audit_record, diff, snapshot
from haichieu.core.services import ServiceError
from haichieu.core.text import clean_text, fold
from haichieu.liaisons.coverage import coverage_counts_after_move

from .models import Commune, Organization, Province

_AUDITED = ["code", "name", "kind", "is_residential", "province", "commune", "is_active"]


def _require_manage(actor, org: Organization | None) -> None:
    if scope_for(actor).may_manage_under(org):
        return
    if org is None:
        raise ServiceError("Chỉ quản trị hệ thống được tạo tổ chức cấp cao nhất.")
    raise ServiceError(f"Bạn không có quyền quản lý tổ chức “{org.name}”.")


def _validate(*, code: str, name: str, kind: str, is_residential: bool, commune, exclude_pk=None) -> None:
    if not code:
        raise ServiceError("Mã tổ chức không được để trống.", field="code")
    if not name:
        raise ServiceError("Tên tổ chức không được để trống.", field="name")
    if kind not in Organization.Kind.values:
        raise ServiceError("Loại tổ chức không hợp lệ.", field="kind")
    if Organization.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise ServiceError(f"Mã tổ chức “{code}” đã được dùng cho tổ chức khác.", field="code")
    if commune is not None and not is_residential:
        raise ServiceError("Chỉ tổ chức nơi cư trú mới gắn với xã/phường/đặc khu.", field="commune")


def organization_create(
    *,
    actor,
    parent: Organization | None,
    code: str,
    name: str,
    kind: str,
    is_residential: bool = False,
    commune: Commune | None = None,
    province: Province | None = None,
) -> Organization:
    """Create a node under `parent` (a root only for administrators). Staff of the parent only."""
    code, name = clean_text(code).upper(), clean_text(name)
    _require_manage(actor, parent)
    _validate(code=code, name=name, kind=kind, is_residential=is_residential, commune=commune)
    if commune is not None and province is None:
        province = commune.province
    fields = dict(
        code=code,
        name=name,
        name_folded=fold(name),
        kind=kind,
        is_residential=is_residential,
        commune=commune,
        province=province,
    )
    with transaction.atomic():
        if parent is None:
            org = Organization.objects.add_root(fields)
        else:
            parent.refresh_from_db()
            org = Organization.objects.add_child(parent, fields)
        audit_record(actor=actor, action="create", target=org, changes={"after": snapshot(org, _AUDITED)})
    return org


def organization_update(
    *,
    actor,
    org: Organization,
    code: str,
    name: str,
    kind: str,
    is_residential: bool,
    commune: Commune | None,
    province: Province | None = None,
) -> Organization:
    """Rename or re-describe a node. Staff of the parent (administrators for a root)."""
    code, name = clean_text(code).upper(), clean_text(name)
    _require_manage(actor, org.parent_node())
    _validate(
        code=code, name=name, kind=kind, is_residential=is_residential, commune=commune, exclude_pk=org.pk
    )
    if commune is not None and province is None:
        province = commune.province
    with transaction.atomic():
        before = snapshot(org, _AUDITED)
        org.code, org.name, org.name_folded, org.kind = code, name, fold(name), kind
        org.is_residential, org.commune, org.province = is_residential, commune, province
        org.save(
            update_fields=["code", "name", "name_folded", "kind", "is_residential", "commune", "province"]
        )
        changes = diff(before, snapshot(org, _AUDITED))
        if changes:
            audit_record(actor=actor, action="update", target=org, changes=changes)
    return org


def organization_move(*, actor, org: Organization, new_parent: Organization) -> Organization:
    """Move a node (and its subtree) under another parent. Staff of both parents."""
    old_parent = org.parent_node()
    _require_manage(actor, old_parent)
    _require_manage(actor, new_parent)
    if org.contains(new_parent):
        raise ServiceError("Không thể chuyển tổ chức vào chính nó hoặc vào tổ chức cấp dưới của nó.")
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise ServiceError("Tổ chức đã thuộc tổ chức cấp trên này.")
    if new_parent.kind == Organization.Kind.CELL:
        raise ServiceError("Không thể đặt tổ chức dưới một chi bộ.")
    old_ancestor_paths = org.ancestor_paths()
    with transaction.atomic():
        Organization.objects.move(org, new_parent, "last-child")
        org.refresh_from_db()
        # The subtree's members now count towards other ancestors.
        coverage_counts_after_move(org, old_ancestor_paths)
        audit_record(
            actor=actor,
            action="move",
            target=org,
            changes={"parent": [str(old_parent) if old_parent else None, str(new_parent)]},
        )
    return org


def organization_set_active(*, actor, org: Organization, active: bool) -> Organization:
    """Deactivate (or reactivate) a node. A node with active children or members stays active."""
    _require_manage(actor, org.parent_node())
    if not active:
        if Organization.objects.filter(org.subtree_q(), is_active=True).exclude(pk=org.pk).exists():
            raise ServiceError(
                "Còn tổ chức trực thuộc đang hoạt động: hãy ngừng hoạt động các tổ chức đó trước."
            )
        from haichieu.members.models import Member

        if Member.objects.filter(workplace_cell=org, status__in=Member.ACTIVE_STATUSES).exists():
            raise ServiceError("Tổ chức còn đảng viên đang sinh hoạt: hãy chuyển sinh hoạt cho họ trước.")
    with transaction.atomic():
        updated = Organization.objects.filter(pk=org.pk, is_active=not active).update(is_active=active)
        if not updated:
            raise ServiceError("Tổ chức đã ở trạng thái này.")
        org.is_active = active
        audit_record(
            actor=actor,
            action="activate" if active else "deactivate",
            target=org,
            changes={"is_active": [not active, active]},
        )
    return org
