"""Writes on the party tree. Each is one transaction with its audit entry."""

from django.db import IntegrityError, transaction

from haichieu.access import scope_for
from haichieu.core.audit import audit_record, diff, snapshot
from haichieu.core.services import ServiceError
from haichieu.core.text import clean_text, fold
from haichieu.liaisons.coverage import coverage_counts_after_move, coverage_counts_after_residential_change
from haichieu.liaisons.models import InboxItem
from haichieu.liaisons.services import notify

from .models import Commune, Organization, Province

_AUDITED = ["code", "name", "kind", "is_residential", "province", "commune", "place_name", "is_active"]


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


COMMITTEE_RULE = (
    "Chỉ cán bộ quản lý cả tỉnh/thành phố (ban tổ chức) mới được xác định đảng ủy phụ trách "
    "xã/phường/đặc khu: giấy giới thiệu của mọi cơ quan gửi về đó."
)


COMMITTEE_TAKEN = "Xã/phường/đặc khu này đã có một đảng ủy đang phụ trách."


def _committee_facts(org: Organization, *, active: bool | None = None) -> tuple[bool, int | None]:
    """(whether `org` answers for a commune, which commune): what decides where introductions go.
    `active` stands for the node's state after a change of it."""
    active = org.is_active if active is None else active
    committee = org.is_commune_committee
    return (committee and active, org.commune_id if committee else None)


def _committee_changed(before: tuple, after: tuple) -> bool:
    return before != after and (before[0] or after[0])


def _check_committee_change(actor, *, where: Organization | None, before: tuple, after: tuple) -> None:
    """Who answers for a commune is set by those who manage the province, nobody else."""
    if not _committee_changed(before, after):
        return
    if not scope_for(actor).may_manage_province_of(where):
        raise ServiceError(COMMITTEE_RULE, field="commune")


def _check_place(*, parent: Organization | None, is_residential: bool) -> None:
    """A residential node sits under the province or under another residential node, never inside
    a workplace subtree."""
    if is_residential and parent is not None and parent.depth > 1 and not parent.is_residential:
        raise ServiceError(
            f"Không thể đặt tổ chức nơi cư trú trong “{parent.name}” (tổ chức nơi công tác).",
            field="is_residential",
        )


def _check_committee_unique(org: Organization, *, active: bool | None = None) -> None:
    answers, commune_id = _committee_facts(org, active=active)
    if not answers:
        return
    taken = Organization.objects.filter(commune_id=commune_id, is_residential=True, is_active=True).exclude(
        kind=Organization.Kind.CELL
    )
    if taken.exclude(pk=org.pk).exists():
        raise ServiceError(COMMITTEE_TAKEN, field="commune")


def _committee_notice(actor, org: Organization, before: tuple, after: tuple) -> None:
    """The province's organisation department learns every change of who answers for a commune."""
    if not _committee_changed(before, after):
        return
    province = Organization.objects.filter(path=org.root_path).first()
    state = "phụ trách" if after[0] else "thôi phụ trách"
    commune = org.commune.name if org.commune is not None else "—"
    notify(
        org=province,
        kind=InboxItem.Kind.COMMITTEE,
        summary=f"{org.name} ({org.code}) {state} {commune}; người thực hiện: {actor}",
    )


def _saved(write):
    """Run a write that may meet the one-committee-per-commune constraint; its message, not a 500."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as exc:
        if "one_active_committee_per_commune" in str(exc) or "organizations_organization.commune_id" in str(
            exc
        ):
            raise ServiceError(COMMITTEE_TAKEN, field="commune") from exc
        raise


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
    place_name: str = "",
) -> Organization:
    """Create a node under `parent` (a root only for administrators). Staff of the parent only."""
    code, name = clean_text(code).upper(), clean_text(name)
    _require_manage(actor, parent)
    _validate(code=code, name=name, kind=kind, is_residential=is_residential, commune=commune)
    _check_place(parent=parent, is_residential=is_residential)
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
        place_name=clean_text(place_name),
    )
    draft = Organization(**fields, path=(parent.path if parent else "") + "0" * Organization.steplen)
    after = _committee_facts(draft)
    _check_committee_change(actor, where=parent or draft, before=(False, None), after=after)
    _check_committee_unique(draft)

    def write():
        if parent is None:
            org = Organization.objects.add_root(fields)
        else:
            parent.refresh_from_db()
            org = Organization.objects.add_child(parent, fields)
        audit_record(actor=actor, action="create", target=org, changes={"after": snapshot(org, _AUDITED)})
        _committee_notice(actor, org, (False, None), after)
        return org

    return _saved(write)


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
    place_name: str | None = None,
) -> Organization:
    """Rename or re-describe a node. Staff of the parent (administrators for a root)."""
    code, name = clean_text(code).upper(), clean_text(name)
    _require_manage(actor, org.parent_node())
    _validate(
        code=code, name=name, kind=kind, is_residential=is_residential, commune=commune, exclude_pk=org.pk
    )
    _check_place(parent=org.parent_node(), is_residential=is_residential)
    if not is_residential and org.is_residential and _has_residential_below(org):
        raise ServiceError(
            "Còn tổ chức nơi cư trú trực thuộc: không thể chuyển tổ chức này thành tổ chức nơi công tác.",
            field="is_residential",
        )
    if commune is not None and province is None:
        province = commune.province
    facts_before = _committee_facts(org)
    before = snapshot(org, _AUDITED)
    org.code, org.name, org.name_folded, org.kind = code, name, fold(name), kind
    org.is_residential, org.commune, org.province = is_residential, commune, province
    if place_name is not None:
        org.place_name = clean_text(place_name)
    facts_after = _committee_facts(org)
    try:
        _check_committee_change(actor, where=org, before=facts_before, after=facts_after)
        _check_committee_unique(org)
    except ServiceError:
        org.refresh_from_db()
        raise

    def write():
        org.save(
            update_fields=[
                "code", "name", "name_folded", "kind", "is_residential", "commune", "province", "place_name"
            ]
        )  # fmt: skip
        changes = diff(before, snapshot(org, _AUDITED))
        if changes:
            audit_record(actor=actor, action="update", target=org, changes=changes)
        if "is_residential" in changes:  # its members become working members, or stop being so
            coverage_counts_after_residential_change(org)
        _committee_notice(actor, org, facts_before, facts_after)
        return org

    try:
        return _saved(write)
    except ServiceError:
        org.refresh_from_db()
        raise


def _has_residential_below(org: Organization) -> bool:
    return Organization.objects.filter(org.subtree_q(), is_residential=True).exclude(pk=org.pk).exists()


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
    if (
        new_parent.depth > 1
        and not new_parent.is_residential
        and (org.is_residential or _has_residential_below(org))
    ):
        raise ServiceError(
            f"Không thể đặt tổ chức nơi cư trú trong “{new_parent.name}” (tổ chức nơi công tác)."
        )
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
    facts_before, facts_after = _committee_facts(org), _committee_facts(org, active=active)
    _check_committee_change(actor, where=org, before=facts_before, after=facts_after)
    _check_committee_unique(org, active=active)

    def write():
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
        _committee_notice(actor, org, facts_before, facts_after)
        return org

    return _saved(write)
