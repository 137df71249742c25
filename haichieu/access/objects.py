"""The objects a user may see or change: organisations, members and links, each through the scope.

Everything else answers 404, never 403, so existence does not leak; 403 only where the user sees
the object but may not change it.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import Http404

from haichieu.comments.models import CommentRequest
from haichieu.core.models import AuditEntry
from haichieu.core.paging import Held, IdsIn, held_ids
from haichieu.documents.models import DocumentTemplate
from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import ChangeNotice, Liaison
from haichieu.meetings.models import Attendance, Meeting, Task
from haichieu.members.models import Member
from haichieu.organizations.models import Organization
from haichieu.ratings.models import Rating

from .scope import scope_for, write_scope_or_404


# --- organisations ---------------------------------------------------------------------------
def organizations_visible_to(user) -> QuerySet:
    scope = scope_for(user)
    if not scope.reads_somewhere:
        return Organization.objects.none()
    return Organization.objects.filter(scope.org_q())


def organization_get_for(user, *, pk=None, code=None, kind: str = "read"):
    """One organisation the user may see (kind='read'), change (kind='write') or manage
    (kind='manage'); else 404."""
    scope = scope_for(user)
    lookup = {"pk": pk} if pk is not None else {"code": code}
    org = organizations_visible_to(user).filter(**lookup).first()
    allowed = {"read": scope.may_read, "write": scope.may_write, "manage": scope.may_manage}[kind]
    if org is None or not allowed(org):
        raise Http404("Không tìm thấy tổ chức.")
    return org


def provinces_managed_by(user) -> QuerySet:
    """The provinces (tops of the tree) whose whole tree the user manages — the organisation
    department of each (`Scope.may_manage_province_of`); every province for the superuser."""
    scope = scope_for(user)
    if not scope.manages_a_province:
        return Organization.objects.none()
    return Organization.objects.filter(scope.org_q(kind="manage"), depth=1)


def province_managed_or_404(user, pk) -> Organization:
    """A province whose whole tree the user manages (its Word templates, who answers for a commune);
    404 for any other organisation, a node below a province included."""
    province = provinces_managed_by(user).filter(pk=pk).first()
    if province is None or not scope_for(user).may_manage_province_of(province):
        raise Http404("Không tìm thấy tỉnh/thành phố.")
    return province


def writable_cells(user) -> QuerySet:
    """Active cells (workplace or residential) whose members the user may add or change; 404 for a
    user who may change nothing."""
    scope = write_scope_or_404(user)
    return Organization.objects.filter(scope.org_q(kind="write"), kind=Organization.Kind.CELL, is_active=True)


# --- members ---------------------------------------------------------------------------------
def members_visible_to(user, *, workplace_only: bool = False) -> QuerySet:
    """Every member the user may see. `workplace_only` leaves out residence-side visibility."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Member.objects.all()
    if not scope.read_paths and scope.member_id is None:
        return Member.objects.none()
    q = Q(pk__in=[])
    if scope.read_paths:
        q |= scope.workplace_q()
        if not workplace_only:
            q |= Q(Exists(Liaison.objects.filter(scope.residence_q(current=True), member=OuterRef("pk"))))
    if scope.member_id is not None:
        q |= Q(pk=scope.member_id)
    return Member.objects.filter(q)


def member_sides(
    user, *, workplace_only: bool = False, narrowed: bool = False, matches: int | None = None
) -> list[QuerySet]:
    """`members_visible_to(user)` as the querysets whose union it is, each read from its own index:
    the workplace side, the members linked to a commune committee and those linked to a residential
    cell in the user's subtrees, the user's own record. `narrowed`: the caller keeps few of each
    side's members (a search), so a side of few links is gathered, not walked. `matches`: the
    caller gathers at most about that many members (a rare name's estimate) and tests each against
    the sides: a part of links that would cost more to read is not read (core.paging.held_ids).

    As one query the union can only walk the whole table in list order testing each row (a
    workplace committee's 139 members among 1,000,000: 3.9 s); apart, each costs what its side
    holds (core.paging.keyset_page merges their pages).
    """
    scope = scope_for(user)
    if scope.is_superuser:
        return [Member.objects.all()]
    sides = []
    if scope.read_paths:
        sides.append(Member.objects.filter(scope.workplace_q()))
        if not workplace_only:
            parts = scope.residence_sides(current=True)
            # A user of residential organisations only reads a commune's residents (or a cell's):
            # its parts are read as ids up to _REACH times the bound. Above them (the province)
            # the parts hold the province's links, and reading that many only finds them dense.
            reach = 1 if scope.has_workplace_role else _REACH
            answer = _held([Liaison.objects.filter(q) for q in parts], reach=reach, candidates=matches)
            if answer is None:  # the database cannot tell (SQLite): its planner chooses
                sides += [
                    Member.objects.filter(Exists(Liaison.objects.filter(q, member=OuterRef("pk"))))
                    for q in parts
                ]
            else:
                # PostgreSQL estimates the links of a subtree from the share of organisations in
                # it, but links gather on the communes' committees: a ward's 11,511 links were
                # estimated at 177, so it gathered and sorted them all for a page (or hashed them
                # all). The dense parts are read as one side walking the list's order, looking up
                # each member's first link in any of them: a scalar subquery, which the planner
                # neither joins nor hashes (one walk, not one per part). So are the parts left
                # unread for a search's few matches: the subquery tests each match.
                dense = [q for q, ids in zip(parts, answer.parts, strict=True) if ids is None]
                if dense:
                    of_member = Liaison.objects.filter(reduce(or_, dense), member=OuterRef("pk"))
                    first_link = Subquery(of_member.values("pk")[:1])
                    sides.append(Member.objects.alias(first_link=first_link).filter(first_link__isnull=False))
                # The other parts are their members' ids (read with the count), which a walk of
                # the list's order tests with a hash: 0.4 µs per member walked, the subquery 5.7
                # (a residential cell's 5,094 members at 1,000,000: 2 ms; gathered by their links
                # and sorted, 31-55 ms). Narrowed by a search, the walk could read the whole order
                # for a few matches: fewer ids than the bound are looked up and sorted (16 ms).
                ids = sorted({pk for part in answer.parts if part for pk in part})
                if ids:
                    sides.append(
                        Member.objects.filter(IdsIn(ids, gather=narrowed and len(ids) < answer.bound))
                    )
    if scope.member_id is not None:
        sides.append(Member.objects.filter(pk=scope.member_id))
    return sides


# Rows of a page (the default page size): walking the whole list's order finds a page of a side
# sooner than reading all of it when it holds more than sqrt(PAGE * members) links (2,236 at
# 100,000 members, 7,071 at 1,000,000). Up to _REACH times that, the walk tests each member
# against the side's ids, read with the count, sooner than by a subquery (a ward's 11,500 links
# at 1,000,000 members: its search 41-65 ms by the subquery, 31-35 by the ids, A/B). Each part
# is then counted up to _REACH times the bound even when it is denser: at 4, a ward's list at
# 100,000 members read 13,000 links more to find its two parts dense (+2-4 ms, ratio 3.2-3.4).
_PAGE = 50
_REACH = 2


def _held(links: list[QuerySet], *, reach: int, candidates: int | None) -> Held | None:
    """For each part of links: None when it is dense (or not worth reading for `candidates`
    members), else the ids of its members; None for all where the database cannot tell
    (core.paging.held_ids)."""
    return held_ids(links, among=Member, page=_PAGE, field="member", reach=reach, candidates=candidates)


def member_get_for(user, pk, *, write: bool = False):
    """One member the user may see; with write=True, one the user may change. Otherwise 404/403."""
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
    return scope_for(user).may_write(member.workplace_cell)


def member_sees_workplace_fields(user, member) -> bool:
    return scope_for(user).sees_workplace_fields(member)


# --- exemptions (workplace side only) ----------------------------------------------------------
def exemptions_visible_to(user) -> QuerySet:
    """Exemptions of the members the user sees on the workplace side. The residence side never
    reads them: it sees only "miễn đến …" (exemptions/selectors.py `exempt_until`)."""
    scope = scope_for(user)
    if not scope.reads_somewhere:
        return Exemption.objects.none()
    return Exemption.objects.filter(scope.workplace_q("member__"))


def exemption_member_get_for(user, pk, *, write: bool = False) -> Member:
    """A member whose exemptions the user may see: the member's workplace cell in the user's read
    scope (the residence side, the member and anyone else: 404); with write=True, in the write
    scope (a reader who may not change them: 403)."""
    scope = scope_for(user)
    member = None
    if scope.reads_somewhere:
        member = (
            Member.objects.filter(scope.workplace_q()).select_related("workplace_cell").filter(pk=pk).first()
        )
    if member is None:
        raise Http404("Không tìm thấy đảng viên.")
    if write and not scope.may_write(member.workplace_cell):
        raise PermissionDenied("Bạn chỉ có quyền xem việc miễn công tác và sinh hoạt đảng của đảng viên này.")
    return member


# --- yearly ratings (workplace side only, issue 12) -------------------------------------------
def ratings_visible_to(user) -> QuerySet:
    """Ratings of the members the user sees on the workplace side. The residence side never sees a
    rating (DESIGN.md "Access rule": ratings are workplace-only fields), nor does the member here."""
    scope = scope_for(user)
    if not scope.reads_somewhere:
        return Rating.objects.none()
    return Rating.objects.filter(scope.workplace_q("member__"))


def rating_org_get_for(user, pk) -> Organization:
    """A workplace organisation whose members' ratings the user reads: in the user's read scope and
    not residential. Another organisation, a residential one, and any user of the residence side
    only (who reads no workplace organisation): 404."""
    scope = scope_for(user)
    org = organizations_visible_to(user).filter(pk=pk, is_residential=False).first()
    if org is None or not scope.may_read(org):
        raise Http404("Không tìm thấy tổ chức.")
    return org


def rating_member_get_for(user, pk, *, org: Organization, write: bool = False) -> Member:
    """A member of `org`'s subtree (workplace side: the member's workplace cell, not a residential
    cell) whose rating the user reads; else 404. With write=True, one the user may rate (a reader only: 403)."""
    scope = scope_for(user)
    member = (
        Member.objects.filter(scope.workplace_q(), org.subtree_q("workplace_cell__path"))
        .filter(workplace_cell__is_residential=False)
        .select_related("workplace_cell")
        .filter(pk=pk)
        .first()
        if scope.reads_somewhere
        else None
    )
    if member is None:
        raise Http404("Không tìm thấy đảng viên.")
    if write and not scope.may_write(member.workplace_cell):
        raise PermissionDenied("Bạn chỉ có quyền xem xếp loại của đảng viên này.")
    return member


# --- links -----------------------------------------------------------------------------------
def liaisons_visible_to(user) -> QuerySet:
    """Links of members the user sees on the workplace side, or received in the user's residence
    subtree, or the user's own."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Liaison.objects.all()
    if not scope.read_paths and scope.member_id is None:
        return Liaison.objects.none()
    q = Q(pk__in=[])
    if scope.read_paths:
        q |= scope.workplace_q("member__") | scope.residence_q()
    if scope.member_id is not None:
        q |= Q(member_id=scope.member_id)
    return Liaison.objects.filter(q)


def liaison_sides(user) -> list[QuerySet]:
    """`liaisons_visible_to(user)` as the querysets whose union it is, each read from its own index:
    the links of the members the user sees on the workplace side, those whose commune committee and
    those whose residential cell lies in the user's subtrees, the user's own. As one query the OR
    reads every link (a committee's 90 links among 60,000: a scan of them all)."""
    scope = scope_for(user)
    if scope.is_superuser:
        return [Liaison.objects.all()]
    sides = []
    if scope.read_paths:
        sides.append(Liaison.objects.filter(scope.workplace_q("member__")))
        sides += [Liaison.objects.filter(q) for q in scope.residence_sides()]
    if scope.member_id is not None:
        sides.append(Liaison.objects.filter(member_id=scope.member_id))
    return sides


def residence_liaisons_visible_to(user) -> QuerySet:
    """Links seen from the residence side only: commune committee or cell in a covered subtree.

    Workplace-side visibility is left out on purpose: a workplace user has nothing to do on the
    residence pages, and gets 404 there like any outsider.
    """
    scope = scope_for(user)
    if not scope.reads_somewhere:
        return Liaison.objects.none()
    return Liaison.objects.filter(scope.residence_q())


def may_write_residence(user, liaison) -> bool:
    """The user may act on the link for the residence (its commune committee or its cell)."""
    scope = scope_for(user)
    return any(scope.may_write(o) for o in (liaison.commune_org, liaison.cell) if o is not None)


def residence_write_or_403(user, liaison) -> None:
    if not may_write_residence(user, liaison):
        raise PermissionDenied("Bạn chỉ có quyền xem hồ sơ này.")


def liaison_side(user, liaison) -> str:
    """'workplace', 'residence' or 'member': which side the user acts on for this link."""
    scope = scope_for(user)
    if scope.is_superuser or scope.may_read(liaison.member.workplace_cell):
        return "workplace"
    if scope.is_own(liaison.member_id):
        return "member"
    return "residence"


def notices_visible_to(user) -> QuerySet:
    """Change notices sent or received by an organisation in the user's subtrees."""
    scope = scope_for(user)
    return ChangeNotice.objects.filter(scope.org_q("sender_org__") | scope.org_q("recipient_org__"))


# --- meetings (issue 11) ----------------------------------------------------------------------
def meetings_visible_to(user) -> QuerySet:
    """Meetings of the cells in the user's subtrees (the cell's side: residence or workplace)."""
    scope = scope_for(user)
    if not scope.reads_somewhere:
        return Meeting.objects.none()
    return Meeting.objects.filter(scope.org_q("cell__"))


def meeting_get_for(user, pk, *, write: bool = False) -> Meeting:
    """One meeting of a cell the user reads (404 otherwise); with write=True, of a cell the user
    writes for (403 for one the user may only read)."""
    meeting = meetings_visible_to(user).select_related("cell").filter(pk=pk).first()
    if meeting is None:
        raise Http404("Không tìm thấy buổi sinh hoạt.")
    if write and not scope_for(user).may_write(meeting.cell):
        raise PermissionDenied("Bạn chỉ có quyền xem buổi sinh hoạt này.")
    return meeting


def attendances_visible_to(user) -> QuerySet:
    """Attendance the user may see: at meetings of cells in the user's subtrees, of members whose
    workplace cell is there wherever they live (the regulation's two-way information), and the
    user's own."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Attendance.objects.all()
    q = Q(pk__in=[])
    if scope.read_paths:
        q |= scope.org_q("meeting__cell__") | scope.workplace_q("member__")
    if scope.member_id is not None:
        q |= Q(member_id=scope.member_id)
    return Attendance.objects.filter(q)


def tasks_visible_to(user) -> QuerySet:
    """Tasks the user may see: given by residential cells in the user's subtrees (the residence
    side), to members whose workplace cell is there wherever they live (the workplace sees what the
    residence asks of its members, the regulation's two-way information; seed 003), and the user's own."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Task.objects.all()
    q = Q(pk__in=[])
    if scope.read_paths:
        q |= scope.org_q("cell__") | scope.workplace_q("member__")
    if scope.member_id is not None:
        q |= Q(member_id=scope.member_id)
    return Task.objects.filter(q)


def task_get_for(user, pk, *, write: bool = False) -> Task:
    """One task the user sees (404 otherwise). With write=True, one of a residential cell in the
    user's subtrees (the workplace side and the member only read: 404 for them), 403 for a cell the
    user may only read."""
    if write:
        scope = scope_for(user)
        tasks = Task.objects.filter(scope.org_q("cell__")) if scope.reads_somewhere else Task.objects.none()
    else:
        tasks = tasks_visible_to(user)
    task = tasks.select_related("cell", "member", "meeting").filter(pk=pk).first()
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ.")
    if write and not scope_for(user).may_write(task.cell):
        raise PermissionDenied("Bạn chỉ có quyền xem nhiệm vụ này.")
    return task


# --- comment requests (issue 12) -------------------------------------------------------------------
def _comment_request_parts(scope, side: str) -> list[Q]:
    """The parts whose union is what `comment_requests_visible_to` answers (see there)."""
    residence = [scope.org_q("cell__"), scope.org_q("commune_org__")]
    workplace = [scope.workplace_q("member__")]
    return {"residence": residence, "workplace": workplace}.get(side, residence + workplace)


def comment_requests_visible_to(user, *, side: str = "") -> QuerySet:
    """Comment requests the user sees: on the residence side (side="residence") those of the
    residential cells in the user's subtrees — a cell only those for members placed in it, a commune
    committee its cells' —; on the workplace side (side="workplace") those for members whose
    workplace cell lies in the user's subtrees; both when `side` is blank. The member themselves and
    everyone else see none."""
    scope = scope_for(user)
    if not scope.reads_somewhere:
        return CommentRequest.objects.none()
    if scope.is_superuser:
        return CommentRequest.objects.all()
    return CommentRequest.objects.filter(reduce(or_, _comment_request_parts(scope, side)))


def comment_request_sides(user, *, side: str = "") -> list[QuerySet]:
    """`comment_requests_visible_to(user, side=…)` as the querysets whose union it is (the requests
    of a residential cell, of a commune committee, of a workplace cell in the user's subtrees), each
    read from its own index: as one query the OR across three joins can use none, and PostgreSQL
    joined every request of the province to find a ward's page (core.paging.keyset_page `sides=`)."""
    scope = scope_for(user)
    if not scope.reads_somewhere:
        return [CommentRequest.objects.none()]
    if scope.is_superuser:
        return [CommentRequest.objects.all()]
    return [CommentRequest.objects.filter(q) for q in _comment_request_parts(scope, side)]


def comment_request_get_for(user, pk, *, side: str = "") -> CommentRequest:
    """One request the user sees (on `side`, when given); 404 otherwise."""
    found = (
        comment_requests_visible_to(user, side=side)
        .select_related("member__workplace_cell", "cell", "commune_org", "workplace_org", "form", "liaison")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("Không tìm thấy phiếu lấy ý kiến nhận xét.")
    return found


def may_answer_comment(user, request: CommentRequest) -> bool:
    """The user writes for the request's residential cell (its committee, or the commune's staff)."""
    return scope_for(user).may_write(request.cell)


def may_confirm_comment(user, request: CommentRequest) -> bool:
    """The user writes for the request's commune committee (a cell's secretary does not)."""
    return scope_for(user).may_write(request.commune_org)


# --- the audit log ---------------------------------------------------------------------------
# What an entry may be about, for the audit pages: a member, one of the member's links or change
# notices, an organisation. Entries of other kinds (sign-ins, accounts, groups, digests, list
# exports that name no member) stay with the Django admin's log view (superusers).
AUDITED_MEMBER_TYPES = (
    Member._meta.label_lower,
    Liaison._meta.label_lower,
    ChangeNotice._meta.label_lower,
)
# A member's yearly rating (workplace side only): its writes are in the member's history.
AUDITED_RATING_TYPE = Rating._meta.label_lower
AUDITED_ORG_TYPE = Organization._meta.label_lower
AUDITED_TEMPLATE_TYPE = DocumentTemplate._meta.label_lower  # a province's Word templates


def _ids(qs: QuerySet) -> QuerySet:
    """The primary keys of `qs` as text, the form `AuditEntry.target_id` keeps them in."""
    return qs.annotate(target_key=Cast("pk", output_field=CharField())).values("target_key")


def _about_members(members: QuerySet) -> Q:
    """Q over AuditEntry: entries about `members`, their links or their change notices."""
    member_type, liaison_type, notice_type = AUDITED_MEMBER_TYPES
    return (
        Q(target_type=member_type, target_id__in=_ids(members))
        | Q(target_type=liaison_type, target_id__in=_ids(Liaison.objects.filter(member__in=members)))
        | Q(target_type=notice_type, target_id__in=_ids(ChangeNotice.objects.filter(member__in=members)))
    )


def _about_members_ratings(members: QuerySet) -> Q:
    """Q over AuditEntry: entries about `members`' yearly ratings (issue 12). Apart from
    `_about_members`: a member reading who opened their record never sees their ratings."""
    return Q(target_type=AUDITED_RATING_TYPE, target_id__in=_ids(Rating.objects.filter(member__in=members)))


def audit_entries_visible_to(user, *, member_q: Q | None = None) -> QuerySet:
    """The audit entries an organisation department reads (issue 9): those about the members whose
    workplace cell lies in a subtree the user manages (staff, administrator), their links, change
    notices and ratings, and about the organisations of those subtrees. Residence-side visibility gives
    none: the workplace committee keeps the member's record. `member_q` (a Q over Member) keeps
    only the entries about the members it matches. None for a user who manages nothing.
    """
    scope = scope_for(user)
    if not scope.manages_somewhere:
        return AuditEntry.objects.none()
    if scope.is_superuser and member_q is None:
        return AuditEntry.objects.filter(
            target_type__in=(
                *AUDITED_MEMBER_TYPES,
                AUDITED_RATING_TYPE,
                AUDITED_ORG_TYPE,
                AUDITED_TEMPLATE_TYPE,
            )
        )
    members = Member.objects.filter(scope.workplace_q(kind="manage"))
    if member_q is not None:
        about = members.filter(member_q)
        return AuditEntry.objects.filter(_about_members(about) | _about_members_ratings(about))
    orgs = Organization.objects.filter(scope.org_q(kind="manage"))
    # A province's templates: their entries go to those who manage the province itself.
    templates = DocumentTemplate.objects.filter(organization__in=provinces_managed_by(user))
    return AuditEntry.objects.filter(
        _about_members(members)
        | _about_members_ratings(members)
        | Q(target_type=AUDITED_ORG_TYPE, target_id__in=_ids(orgs))
        | Q(target_type=AUDITED_TEMPLATE_TYPE, target_id__in=_ids(templates))
    )


def own_member_or_404(user) -> Member:
    """The user's own member record (a member who signs in); 404 for a user without one."""
    scope = scope_for(user)
    if scope.member_id is None:
        raise Http404("Tài khoản của bạn không gắn với hồ sơ đảng viên nào.")
    return member_get_for(user, scope.member_id)


def own_record_reads(user) -> QuerySet:
    """Who else opened or exported the user's own member record, links or change notices: the
    entries a member may read about themselves (issue 9). Their own reads are left out."""
    member = own_member_or_404(user)
    return (
        AuditEntry.objects.filter(_about_members(Member.objects.filter(pk=member.pk)))
        .filter(action__in=(AuditEntry.Action.VIEW, AuditEntry.Action.EXPORT))
        .exclude(actor_id=user.pk)
    )
