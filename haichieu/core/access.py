"""The access rule (DESIGN.md "Access rule"): the one place that decides what a user may see.

A user holds roles on organisations; a role covers the organisation's whole subtree.
- Workplace side: a member is visible when the member's workplace cell is in a covered subtree.
- Residence side: a member is visible through a liaison whose commune committee or residential
  cell is in a covered subtree; such users do not see workplace-only fields (national ID, notes).
- A member always sees their own record.
Everything else answers 404, never 403, so existence does not leak.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .paths import subtree_q


@dataclass
class Scope:
    """What one user's active roles cover. Built once per request (one query)."""

    user: object
    is_superuser: bool = False
    read_paths: list[str] = field(default_factory=list)
    write_paths: list[str] = field(default_factory=list)
    manage_paths: list[str] = field(default_factory=list)
    member_id: int | None = None
    role_org_ids: list[int] = field(default_factory=list)
    # Which sides the user's roles are on (the navigation shows the pages of each side).
    has_workplace_role: bool = False
    has_residence_role: bool = False
    has_residence_committee_role: bool = False  # on a commune/ward committee, not only on cells
    unread_by_org: dict = field(default_factory=dict)

    # --- organisations -------------------------------------------------------------------
    def org_q(self, prefix: str = "", *, kind: str = "read") -> Q:
        """Q over Organization (or a relation to it via `prefix`) for the covered subtrees."""
        if self.is_superuser:
            return Q()
        paths = {"read": self.read_paths, "write": self.write_paths, "manage": self.manage_paths}[kind]
        return subtree_q(f"{prefix}path", paths)

    def covers(self, org, *, kind: str = "read") -> bool:
        if self.is_superuser:
            return True
        paths = {"read": self.read_paths, "write": self.write_paths, "manage": self.manage_paths}[kind]
        return any(org.path.startswith(p) for p in paths)

    @property
    def sees_anything(self) -> bool:
        return self.is_superuser or bool(self.read_paths) or self.member_id is not None


@functools.cache
def _roles_sql() -> str:
    """The roles query, written once: it runs on every request, and building it with the ORM cost
    four times what running it does (bench/)."""
    from haichieu.accounts.models import Role
    from haichieu.liaisons.models import InboxItem
    from haichieu.members.models import Member
    from haichieu.organizations.models import Organization

    role, org = Role._meta.db_table, Organization._meta.db_table
    member, inbox = Member._meta.db_table, InboxItem._meta.db_table
    return f"""
        SELECT r.kind, o.path, o.id, o.is_residential,
               (SELECT m.id FROM {member} m WHERE m.user_id = %s LIMIT 1),
               (SELECT COUNT(*) FROM {inbox} i WHERE i.recipient_org_id = o.id AND i.read_at IS NULL),
               o.kind
        FROM {role} r INNER JOIN {org} o ON o.id = r.organization_id
        WHERE r.user_id = %s AND r.start_date <= %s AND (r.end_date IS NULL OR r.end_date >= %s)
        ORDER BY r.id"""


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the request.

    One query for a user with roles: the roles, the user's own member record and the unread inbox
    count of each role's organisation come together (every page needs them).
    """
    cached = getattr(user, "_haichieu_scope", None)
    if cached is not None:
        return cached
    from haichieu.accounts.models import Role
    from haichieu.members.models import Member

    scope = Scope(user=user)
    if not user.is_authenticated or not user.is_active:
        return scope
    scope.is_superuser = user.is_superuser
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), [user.pk, user.pk, today, today])
        roles = cursor.fetchall()
    found_roles = False
    for kind, path, org_id, residential, own_member_id, unread_count, org_kind in roles:
        found_roles = True
        scope.member_id = own_member_id
        if org_id not in scope.role_org_ids:
            scope.role_org_ids.append(org_id)
            scope.unread_by_org[org_id] = unread_count or 0
        if kind in Role.READ_KINDS:
            scope.read_paths.append(path)
            if residential:
                scope.has_residence_role = True
                scope.has_residence_committee_role |= org_kind != "cell"
            else:
                scope.has_workplace_role = True
        if kind in Role.WRITE_KINDS:
            scope.write_paths.append(path)
        if kind in Role.MANAGE_KINDS:
            scope.manage_paths.append(path)
    if not found_roles:
        scope.member_id = Member.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    user._haichieu_scope = scope
    return scope


def read_scope_or_404(user) -> Scope:
    """The scope of a user who reads some organisation's subtree (the lists of either side); else 404."""
    scope = scope_for(user)
    if not scope.is_superuser and not scope.read_paths:
        raise Http404("Không tìm thấy trang.")
    return scope


# --- organisations ----------------------------------------------------------------------
def organizations_visible_to(user) -> QuerySet:
    from haichieu.organizations.models import Organization

    scope = scope_for(user)
    if not scope.is_superuser and not scope.read_paths:
        return Organization.objects.none()
    return Organization.objects.filter(scope.org_q())


def organization_get_for(user, *, pk=None, code=None, kind: str = "read"):
    """One organisation the user may see (kind='read') or manage (kind='manage'); else 404."""
    scope = scope_for(user)
    lookup = {"pk": pk} if pk is not None else {"code": code}
    org = organizations_visible_to(user).filter(**lookup).first()
    if org is None or not scope.covers(org, kind=kind):
        raise Http404("Không tìm thấy tổ chức.")
    return org


# --- members ----------------------------------------------------------------------------
def _residence_member_q(scope: Scope) -> Q:
    from haichieu.liaisons.models import Liaison

    if not scope.read_paths:
        return Q(pk__in=[])
    links = (
        Liaison.objects.filter(member=OuterRef("pk"))
        .exclude(status=Liaison.Status.DRAFT)
        .filter(subtree_q("commune_org__path", scope.read_paths) | subtree_q("cell__path", scope.read_paths))
    )
    return Q(Exists(links))


def members_visible_to(user, *, workplace_only: bool = False) -> QuerySet:
    """Every member the user may see. `workplace_only` leaves out residence-side visibility."""
    from haichieu.members.models import Member

    scope = scope_for(user)
    if scope.is_superuser:
        return Member.objects.all()
    q = Q(pk__in=[])
    if scope.read_paths:
        q |= subtree_q("workplace_cell__path", scope.read_paths)
        if not workplace_only:
            q |= _residence_member_q(scope)
    if scope.member_id is not None:
        q |= Q(pk=scope.member_id)
    if not scope.read_paths and scope.member_id is None:
        return Member.objects.none()
    return Member.objects.filter(q)


def member_get_for(user, pk, *, write: bool = False):
    """One member the user may see; with write=True, one the user may change. Otherwise 404/403."""
    from django.core.exceptions import PermissionDenied

    member = (
        members_visible_to(user)
        .select_related("workplace_cell", "residence_commune", "residence_province")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404("Không tìm thấy đảng viên.")
    if write and not member_can_edit(user, member):
        raise PermissionDenied("Bạn chỉ có quyền xem hồ sơ này.")
    return member


def member_can_edit(user, member) -> bool:
    return scope_for(user).covers(member.workplace_cell, kind="write")


def member_sees_workplace_fields(user, member) -> bool:
    """Workplace-only fields (national ID, notes) are for the workplace side and the member."""
    scope = scope_for(user)
    return scope.covers(member.workplace_cell) or scope.member_id == member.pk
