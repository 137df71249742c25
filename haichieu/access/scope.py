"""The scope: what one user's roles in force cover, and the named predicates every caller asks.

A user holds roles on organisations; a role covers the organisation's whole subtree (DESIGN.md
"Access rule"). Nothing outside this package reads roles or compares paths: views, services,
selectors, exports, documents, imports and e-mail recipient lists ask the predicates below.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from haichieu.accounts.models import Role, User
from haichieu.core.paths import in_subtree, minimal_paths, subtree_q
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

_READ, _WRITE, _MANAGE = "read", "write", "manage"


@dataclass
class Scope:
    """What one user's active roles cover. Built once per request (one query)."""

    user: object
    is_superuser: bool = False
    read_paths: list[str] = field(default_factory=list)
    write_paths: list[str] = field(default_factory=list)
    manage_paths: list[str] = field(default_factory=list)
    member_id: int | None = None
    # The organisations whose inbox the user reads: those of the user's reading roles.
    inbox_org_ids: list[int] = field(default_factory=list)
    # Which sides the user's roles are on (the navigation shows the pages of each side).
    has_workplace_role: bool = False
    has_residence_role: bool = False
    has_residence_committee_role: bool = False  # on a commune/ward committee, not only on cells
    # The residential cells the user's reading roles are on (a cell secretary's own cell).
    residence_cell_ids: list[int] = field(default_factory=list)
    # The cells (either side) the user is secretary of: their meetings are the user's to keep.
    secretary_cell_ids: list[int] = field(default_factory=list)

    # --- organisations -------------------------------------------------------------------
    def _paths(self, kind: str) -> list[str]:
        return {_READ: self.read_paths, _WRITE: self.write_paths, _MANAGE: self.manage_paths}[kind]

    def org_q(self, prefix: str = "", *, kind: str = _READ) -> Q:
        """Q over Organization (or a relation to it via `prefix`) for the covered subtrees."""
        if self.is_superuser:
            return Q()
        return subtree_q(f"{prefix}path", self._paths(kind))

    def _covers(self, org, kind: str) -> bool:
        return org is not None and self._covers_path(org.path, kind)

    def _covers_path(self, path: str, kind: str) -> bool:
        return self.is_superuser or any(in_subtree(path, p) for p in self._paths(kind))

    def may_write_path(self, path: str) -> bool:
        """`may_write` for an organisation known by its path only (rows read as values)."""
        return self._covers_path(path, _WRITE)

    def may_read(self, org) -> bool:
        """The organisation is in a subtree the user reads."""
        return self._covers(org, _READ)

    def may_write(self, org) -> bool:
        """The user may change the organisation's members and links (staff, secretary, admin)."""
        return self._covers(org, _WRITE)

    def may_manage(self, org) -> bool:
        """The user may change the organisation itself and add children (staff, admin)."""
        return self._covers(org, _MANAGE)

    def may_manage_under(self, parent) -> bool:
        """The user may create or change a node under `parent` (a root: the superuser only)."""
        return self.is_superuser if parent is None else self.may_manage(parent)

    def may_manage_province_of(self, org) -> bool:
        """The user manages the province `org` lies in (its whole tree): only such users decide
        which committee answers for a commune."""
        return self.is_superuser or (org is not None and org.root_path in self.manage_paths)

    @property
    def reads_somewhere(self) -> bool:
        return self.is_superuser or bool(self.read_paths)

    @property
    def writes_somewhere(self) -> bool:
        return self.is_superuser or bool(self.write_paths)

    @property
    def manages_somewhere(self) -> bool:
        """Staff: a manage role (staff, administrator) on some organisation, or the superuser."""
        return self.is_superuser or bool(self.manage_paths)

    @property
    def manages_a_province(self) -> bool:
        """The organisation department of a province (a manage role on a province's top node), or
        the superuser."""
        return self.is_superuser or any(len(p) == Organization.steplen for p in self.manage_paths)

    @property
    def sole_residence_cell_id(self) -> int | None:
        """The residential cell that is the whole of the user's residence work: every residence
        role of the user is on this one cell (a cell secretary), none on a commune committee."""
        if self.has_residence_committee_role or len(self.residence_cell_ids) != 1:
            return None
        return self.residence_cell_ids[0]

    @property
    def lands_on_residence_cell(self) -> int | None:
        """The cell a user signs in to instead of the home page: a secretary of one residential cell
        who has no other side's work (no workplace role, not the superuser)."""
        if self.is_superuser or self.has_workplace_role:
            return None
        return self.sole_residence_cell_id

    @property
    def sees_anything(self) -> bool:
        return self.reads_somewhere or self.member_id is not None

    @property
    def top_paths(self) -> list[str]:
        """The tops of the subtrees the user reads (none inside another)."""
        return minimal_paths(self.read_paths)

    # --- members and links -----------------------------------------------------------------
    def workplace_q(self, prefix: str = "", *, kind: str = _READ) -> Q:
        """Q over Member (or a relation to it via `prefix`, e.g. "member__"): the workplace side.

        A member whose workplace cell lies in a subtree the user reads (kind="manage": manages).
        """
        if self.is_superuser:
            return Q()
        return subtree_q(f"{prefix}workplace_cell__path", self._paths(kind))

    @staticmethod
    def _sent(prefix: str, current: bool) -> Q:
        if current:
            return Q(**{f"{prefix}status__in": Liaison.RESIDENT_STATUSES})
        return ~Q(**{f"{prefix}status": Liaison.Status.DRAFT})

    def residence_q(self, prefix: str = "", *, current: bool = False) -> Q:
        """Q over Liaison (or a relation to it via `prefix`): the residence side.

        A link past its draft whose commune committee or residential cell lies in a subtree the
        user reads: the link's own pages and the tracking book. With `current`, only a link through
        which the member is the residence's now (introduced, received, active): after a link ends
        or is returned the residence keeps its book entry but no longer opens the member's record.
        """
        sent = self._sent(prefix, current)
        if self.is_superuser:
            return sent
        return sent & (
            subtree_q(f"{prefix}commune_org__path", self.read_paths)
            | subtree_q(f"{prefix}cell__path", self.read_paths)
        )

    def residence_sides(self, prefix: str = "", *, current: bool = False) -> tuple[Q, Q]:
        """`residence_q` (for a user who is not the superuser) in two parts whose union it is, each
        read from its own index: links whose commune committee lies in a subtree the user reads,
        and those whose residential cell does."""
        sent = self._sent(prefix, current)
        return (
            sent & subtree_q(f"{prefix}commune_org__path", self.read_paths),
            sent & subtree_q(f"{prefix}cell__path", self.read_paths),
        )

    def is_own(self, member_id) -> bool:
        return self.member_id is not None and self.member_id == member_id

    def sees_workplace_fields(self, member) -> bool:
        """Workplace-only fields (national ID, notes) are for the workplace side and the member."""
        return self.is_superuser or self.is_own(member.pk) or self.may_read(member.workplace_cell)

    def sees_workplace_fields_q(self) -> Q:
        """`sees_workplace_fields` as a Q over Member: a search may match those fields only there."""
        if self.is_superuser:
            return Q()
        q = self.workplace_q() if self.read_paths else Q(pk__in=[])
        return q | Q(pk=self.member_id) if self.member_id is not None else q


# --- building the scope ----------------------------------------------------------------------
# The roles query runs on every request. It is built once per database with the ORM from
# `Role.objects.active_on` (the one definition of a role in force), with stand-in values for the
# user and the day that are replaced by the request's own: building it anew each time cost four
# times what running it does (bench/).
_USER_STANDIN = -424242
_DAY_STANDIN = datetime.date(1, 2, 3)
_roles_sql_cache: dict[str, tuple[str, tuple]] = {}


def _roles_query(alias: str) -> tuple[str, tuple]:
    if alias not in _roles_sql_cache:
        own_member = Member.objects.filter(user_id=OuterRef("user_id")).values("pk")[:1]
        qs = (
            Role.objects.active_on(_DAY_STANDIN)
            .filter(user_id=_USER_STANDIN)
            .annotate(own_member=Subquery(own_member))
            .values_list(
                "kind",
                "organization__path",
                "organization_id",
                "organization__is_residential",
                "own_member",
                "organization__kind",
            )  # fmt: skip # the row the loop in scope_for unpacks
            .order_by("pk")
        )
        sql, params = qs.query.get_compiler(alias).as_sql()
        _roles_sql_cache[alias] = (sql, tuple(params))
    return _roles_sql_cache[alias]


def _active_roles(user, today: datetime.date, alias: str = "default") -> list[tuple]:
    sql, params = _roles_query(alias)
    ops = connections[alias].ops  # the compiled query holds dates as the database adapter wrote them
    day_standin, day = ops.adapt_datefield_value(_DAY_STANDIN), ops.adapt_datefield_value(today)
    values = [user.pk if p == _USER_STANDIN else day if p == day_standin else p for p in params]
    assert values.count(user.pk) == 1 and values.count(day) == 2, "the roles query changed shape"
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the request.

    One query for a user with roles: the roles in force and the user's own member record.
    """
    cached = getattr(user, "_haichieu_scope", None)
    if cached is not None:
        return cached
    scope = Scope(user=user)
    if not user.is_authenticated or not user.is_active:
        return scope
    scope.is_superuser = user.is_superuser
    roles = _active_roles(user, timezone.localdate())
    for kind, path, org_id, residential, own_member_id, org_kind in roles:
        scope.member_id = own_member_id
        if kind in Role.READ_KINDS:
            scope.read_paths.append(path)
            if org_id not in scope.inbox_org_ids:
                scope.inbox_org_ids.append(org_id)
            if residential:
                scope.has_residence_role = True
                scope.has_residence_committee_role |= org_kind != "cell"
                if org_kind == "cell" and org_id not in scope.residence_cell_ids:
                    scope.residence_cell_ids.append(org_id)
            else:
                scope.has_workplace_role = True
        if kind in Role.WRITE_KINDS:
            scope.write_paths.append(path)
        if kind == Role.Kind.SECRETARY and org_kind == "cell" and org_id not in scope.secretary_cell_ids:
            scope.secretary_cell_ids.append(org_id)
        if kind in Role.MANAGE_KINDS:
            scope.manage_paths.append(path)
    if not roles:
        scope.member_id = Member.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    user._haichieu_scope = scope
    return scope


def read_scope_or_404(user) -> Scope:
    """The scope of a user who reads some organisation's subtree (the lists of either side); else 404."""
    scope = scope_for(user)
    if not scope.reads_somewhere:
        raise Http404("Không tìm thấy trang.")
    return scope


def write_scope_or_404(user) -> Scope:
    """The scope of a user who may change something somewhere; else 404."""
    scope = scope_for(user)
    if not scope.writes_somewhere:
        raise Http404("Không tìm thấy trang.")
    return scope


def manage_scope_or_404(user) -> Scope:
    """The scope of a user who manages some organisation (staff, administrator: the organisation
    department's pages, such as the audit log); else 404."""
    scope = scope_for(user)
    if not scope.manages_somewhere:
        raise Http404("Không tìm thấy trang.")
    return scope


def roles_in_force(user, *, on: datetime.date | None = None):
    """The user's roles in force (the home page lists them)."""
    return (
        Role.objects.active_on(on or timezone.localdate())
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__path")
    )


# The one-page guides (care/guides.py), one per way of working in the application.
GUIDE_PROVINCE = "ban-to-chuc"
GUIDE_WORKPLACE_STAFF = "cap-uy-noi-cong-tac"
GUIDE_WORKPLACE_CELL = "chi-bo-noi-cong-tac"
GUIDE_COMMUNE_STAFF = "dang-uy-xa-phuong"
GUIDE_RESIDENCE_CELL = "chi-bo-noi-cu-tru"
GUIDE_MEMBER = "dang-vien"


def guide_roles(user) -> list[str]:
    """The guides (GUIDE_*) for the user's roles in force and own member record, in the order the
    guides are listed: a manage role on a province's top node is its organisation department; a
    writing role on a committee works for that committee (workplace or commune), one on a cell for
    the cell (workplace or residential); viewers get no guide of their own."""
    found = set()
    for role in roles_in_force(user):
        org = role.organization
        if role.kind in Role.MANAGE_KINDS and org.depth == 1:
            found.add(GUIDE_PROVINCE)
        elif role.kind in Role.WRITE_KINDS:
            is_cell = org.kind == Organization.Kind.CELL
            if org.is_residential:
                found.add(GUIDE_RESIDENCE_CELL if is_cell else GUIDE_COMMUNE_STAFF)
            else:
                found.add(GUIDE_WORKPLACE_CELL if is_cell else GUIDE_WORKPLACE_STAFF)
    if scope_for(user).member_id is not None:
        found.add(GUIDE_MEMBER)
    order = (GUIDE_PROVINCE, GUIDE_WORKPLACE_STAFF, GUIDE_WORKPLACE_CELL, GUIDE_COMMUNE_STAFF,
             GUIDE_RESIDENCE_CELL, GUIDE_MEMBER)  # fmt: skip
    return [key for key in order if key in found]


def role_organizations(user_ids, *, on: datetime.date | None = None) -> dict[int, list[str]]:
    """{user id: names of the organisations of the user's reading roles in force}, for the users
    in `user_ids` (one query): where a person who opened a record works, as far as the roles tell."""
    roles = (
        Role.objects.active_on(on or timezone.localdate())
        .filter(user_id__in=set(user_ids), kind__in=Role.READ_KINDS)
        .order_by("organization__path")
        .values_list("user_id", "organization__name")
    )
    result: dict[int, list[str]] = {}
    for user_id, name in roles:
        names = result.setdefault(user_id, [])
        if name not in names:
            names.append(name)
    return result


def scope_name(user) -> str:
    """Whose lists the user sees, as an export's title block names it: the organisations of the
    user's reading roles in force ("Đảng bộ Sở Tài chính"), or the whole system for an administrator."""
    names = role_organizations([user.pk]).get(user.pk, [])
    if names:
        return "; ".join(names)
    return "Toàn hệ thống" if user.is_superuser else "—"


def inbox_readers(org, *, on: datetime.date | None = None):
    """The users who read `org`'s inbox on a day: exactly those whose scope lists it."""
    roles = Role.objects.active_on(on or timezone.localdate()).filter(
        organization=org, kind__in=Role.READ_KINDS
    )
    return User.objects.filter(is_active=True, pk__in=roles.values("user_id"))


def committee_roles(orgs, *, on: datetime.date | None = None):
    """The secretary roles ("Bí thư / chi ủy viên") in force on `orgs`, with their active users and
    organisations: who sits on those cells' committees (the follower suggested on the residence side)."""
    return (
        Role.objects.active_on(on or timezone.localdate())
        .filter(organization__in=orgs, kind=Role.Kind.SECRETARY, user__is_active=True)
        .select_related("user", "organization")
        .order_by("organization__name", "user__full_name", "user__username")
    )
