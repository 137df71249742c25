"""The two-way link (Regulation 213-QĐ/TW, HD 33-HD/BTCTW): every transition is one service call.

Each call checks the access rule, writes with a conditional update (so two users acting on the same
link at once cannot both succeed, on SQLite as on PostgreSQL), records who/when/why in the link's
history and the audit log, and notifies the other side (inbox item, e-mail when configured), in one
transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.access import inbox_readers, scope_for
from haichieu.core.audit import audit_record
from haichieu.core.numbering import document_symbol, next_document_number
from haichieu.core.services import ConflictError, ServiceError, versioned_update
from haichieu.core.text import clean_text
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import rules, selectors
from .models import ChangeNotice, DepartureReport, Digest, Group, InboxItem, Liaison, LiaisonEvent
from .selectors import Signer, last_signer

S = Liaison.Status
N = ChangeNotice.Kind
D = DepartureReport.State


# --- where things go -----------------------------------------------------------------------
def workplace_committees_of(cells) -> dict[int, Organization]:
    """The committee that introduces a member, for each workplace cell: {cell id: committee}. A
    cell's committee is its parent (a cell at the root is its own); any other organisation is its
    own. One query for all the cells, none when no cell has a parent."""
    cells = {c.pk: c for c in cells}
    steplen = Organization.steplen
    parent_paths = {
        c.path[:-steplen] for c in cells.values() if c.kind == Organization.Kind.CELL and c.depth > 1
    }
    parents = {o.path: o for o in Organization.objects.filter(path__in=parent_paths)} if parent_paths else {}
    return {
        pk: (parents.get(c.path[:-steplen], c) if c.kind == Organization.Kind.CELL else c)
        for pk, c in cells.items()
    }


def workplace_committee_of(cell: Organization) -> Organization:
    """The committee that introduces a member from `cell` (`workplace_committees_of`)."""
    return workplace_committees_of([cell])[cell.pk]


def _commune_committees():
    """Active residential (non-cell) organisations, the committee of a commune first (the one rule)."""
    return (
        Organization.objects.filter(is_residential=True, is_active=True)
        .exclude(kind=Organization.Kind.CELL)
        .order_by("depth", "pk")
    )


def commune_committee_for(commune) -> Organization | None:
    """The active residential (non-cell) organisation of a commune/ward, if the system has one."""
    if commune is None:
        return None
    return _commune_committees().filter(commune=commune).first()


def commune_committees_for(commune_ids) -> dict[int, Organization]:
    """`commune_committee_for` of each commune, in one query: {commune id: committee}."""
    found: dict[int, Organization] = {}
    for org in _commune_committees().filter(commune_id__in=list(commune_ids)):
        found.setdefault(org.commune_id, org)
    return found


def suggest_cell(commune_org: Organization, hamlet: str) -> Organization | None:
    """The residential cell whose name mentions the member's hamlet or residential group."""
    cells = Organization.objects.filter(
        commune_org.subtree_q(), kind=Organization.Kind.CELL, is_residential=True, is_active=True
    ).order_by(*Organization.NAME_ORDER)
    return selectors.cell_for_hamlet(list(cells), hamlet)


def notify(
    *, org: Organization | None, kind: str, summary: str, liaison=None, notice=None, due_date=None
) -> None:
    """An inbox item for `org`, and an e-mail to its users when e-mail is configured."""
    if org is None:
        return
    InboxItem.objects.create(
        recipient_org=org, kind=kind, summary=summary[:255], liaison=liaison, notice=notice, due_date=due_date
    )
    if (
        getattr(settings, "EMAIL_HOST", "")
        and settings.EMAIL_BACKEND != "django.core.mail.backends.console.EmailBackend"
    ):
        recipients = sorted(set(inbox_readers(org).exclude(email="").values_list("email", flat=True)))
        if recipients:
            transaction.on_commit(
                lambda: send_mail(
                    f"[Hai Chiều] {summary[:150]}", summary, None, recipients, fail_silently=True
                )
            )


# --- helpers -------------------------------------------------------------------------------
def _can_write(actor, org: Organization | None) -> bool:
    return scope_for(actor).may_write(org)


def _record(liaison: Liaison, *, actor, action: str, from_status: str, note: str = "", changes=None) -> None:
    LiaisonEvent.objects.create(
        liaison=liaison,
        actor=actor,
        actor_repr=actor.username,
        action=action,
        from_status=from_status,
        to_status=liaison.status,
        note=note,
    )
    audit_record(
        actor=actor,
        action="update",
        target=liaison,
        note=action,
        changes={"status": [from_status, liaison.status], **(changes or {})},
    )


def _note(liaison: Liaison, *, actor, action: str, note: str) -> None:
    """A step in the link's history that leaves its status as it is."""
    LiaisonEvent.objects.create(
        liaison=liaison,
        actor=actor,
        actor_repr=actor.username,
        action=action,
        from_status=liaison.status,
        to_status=liaison.status,
        note=note,
    )


def _handled(liaison: Liaison, *, actor) -> None:
    """An introduction received or returned needs no more attention in the commune's inbox."""
    InboxItem.objects.filter(
        liaison=liaison,
        kind=InboxItem.Kind.INTRODUCTION,
        recipient_org=liaison.commune_org,
        read_at__isnull=True,
    ).update(read_at=timezone.now(), read_by=actor)


def _committee(liaison: Liaison) -> Organization:
    """The commune committee of a link the residence acts on (`_check_residence` required one)."""
    if liaison.commune_org is None:
        raise ServiceError("Hồ sơ này chưa gửi tới đảng ủy xã, phường nào.")
    return liaison.commune_org


def _workplace(liaison: Liaison) -> Organization:
    return liaison.workplace_org or workplace_committee_of(liaison.member.workplace_cell)


def _set_link_status(member_id: int, status: str) -> None:
    Member.objects.filter(pk=member_id).update(link_status=status)


def _transition(liaison: Liaison, *, from_statuses, to_status: str, **fields) -> str:
    """Move `liaison` to `to_status` if it is still in one of `from_statuses`; else ConflictError."""
    old = liaison.status
    in_from_status = Liaison.objects.filter(status__in=list(from_statuses))
    if not versioned_update(in_from_status, liaison.pk, None, status=to_status, **fields):
        current = Liaison.objects.filter(pk=liaison.pk).values_list("status", flat=True).first()
        label = dict(S.choices).get(current or "", current)
        raise ConflictError(
            f"Hồ sơ của đồng chí {liaison.member.full_name} đã được xử lý trước đó (hiện: {label}). "
            "Hãy tải lại trang để xem tình trạng mới."
        )
    liaison.refresh_from_db()
    _set_link_status(liaison.member_id, to_status)
    return old


# --- workplace side: introduce -------------------------------------------------------------
@dataclass
class IntroduceResult:
    introduced: list[Liaison] = field(default_factory=list)
    skipped: list[tuple[Member, str]] = field(default_factory=list)
    # Introduced, but the commune has no organisation in the system: print and send the letter on paper.
    without_commune_org: list[Liaison] = field(default_factory=list)


# Returns for these reasons are about the address: introducing again to the same one needs a note.
ADDRESS_RETURN_REASONS = (Liaison.ReturnReason.NOT_OUR_AREA, Liaison.ReturnReason.WRONG_ADDRESS)
OPENED_MEANWHILE = "vừa được người khác lập hồ sơ giữ mối liên hệ: hãy tải lại trang"


def _same_address(liaison: Liaison, member: Member) -> bool:
    return (liaison.commune_id, liaison.address_hamlet, liaison.address_street) == (
        member.residence_commune_id,
        member.address_hamlet,
        member.address_street,
    )


def introduce_refusal(actor, member: Member) -> str | None:
    """Why `member` cannot be introduced by `actor`, judged on the member's record alone (None: it
    can). The same reasons for the introduction and for its preview (`introductions.py`)."""
    if not _can_write(actor, member.workplace_cell):
        return "không thuộc phạm vi bạn được giới thiệu"
    if member.status not in Member.ACTIVE_STATUSES:
        return f"đảng viên đang ở tình trạng “{member.get_status_display()}”"
    if rules.category_rule(member.liaison_category) == rules.CategoryRule.NOT_INTRODUCED:
        return f"thuộc diện không giới thiệu ({member.get_liaison_category_display()})"
    if not rules.is_working(member):
        return rules.not_working_reason(member)
    if member.residence_commune_id is None:
        return "chưa có xã/phường cư trú trong hồ sơ: hãy bổ sung địa chỉ nơi cư trú"
    return None


def open_link_refusal(current: Liaison | None, member: Member, note: str = "") -> str | None:
    """Why a member whose newest open link is `current` cannot be introduced again (None: they can).
    Introducing again to the address an introduction was returned for (not our area, wrong
    address) needs a changed address or a `note`."""
    if current is not None and current.status not in (S.DRAFT, S.RETURNED):
        return f"đã có hồ sơ giữ mối liên hệ ({current.get_status_display().lower()})"
    if (
        current is not None
        and current.status == S.RETURNED
        and current.return_reason in ADDRESS_RETURN_REASONS
        and _same_address(current, member)
        and not note
    ):
        return (
            f"đã bị trả lại ({current.get_return_reason_display().lower()}) với cùng địa chỉ: "
            "hãy sửa địa chỉ nơi cư trú hoặc ghi chú lý do giới thiệu lại"
        )
    return None


def _introduce_one(
    *,
    actor,
    member: Member,
    today: datetime.date,
    signer: Signer | None,
    signers: dict[int, Signer],
    note: str = "",
) -> Liaison | str:
    if (refusal := introduce_refusal(actor, member)) is not None:
        return refusal
    # Two introductions of one member at once: the second waits here and then finds the first's.
    Member.objects.select_for_update().filter(pk=member.pk).first()
    current = member.liaisons.filter(status__in=Liaison.OPEN_STATUSES).order_by("-pk").first()
    if (refusal := open_link_refusal(current, member, note)) is not None:
        return refusal
    workplace_org = workplace_committee_of(member.workplace_cell)
    commune_org = commune_committee_for(member.residence_commune)
    if signer is None:  # the committee's last signer
        if workplace_org.pk not in signers:
            signers[workplace_org.pk] = last_signer(Liaison.objects.filter(workplace_org=workplace_org))
        signer = signers[workplace_org.pk]
    fields = dict(
        workplace_org=workplace_org,
        commune_org=commune_org,
        commune_id=member.residence_commune_id,
        address_street=member.address_street,
        address_hamlet=member.address_hamlet,
        excused=rules.category_rule(member.liaison_category) == rules.CategoryRule.EXCUSED,
        letter_number=next_document_number(
            organization=workplace_org, doc_type=rules.rules()["LETTER_SYMBOL"]
        ),
        letter_symbol=document_symbol(organization=workplace_org, doc_type=rules.rules()["LETTER_SYMBOL"]),
        letter_date=today,
        signer_title=signer.title,
        signer_name=signer.name,
        introduced_at=timezone.now(),
        receive_due=rules.receive_due(today) if commune_org else None,
        returned_at=None,
        return_reason="",
        return_note="",
        cell=None,
        group=None,
    )
    if current is None:
        try:
            with transaction.atomic():
                current = Liaison.objects.create(member=member, status=S.DRAFT)
        except IntegrityError:  # liaison_one_open_per_member: another writer opened one meanwhile
            return OPENED_MEANWHILE
    old = _transition(current, from_statuses=[S.DRAFT, S.RETURNED], to_status=S.INTRODUCED, **fields)
    _record(
        current,
        actor=actor,
        action="introduce",
        from_status=old,
        note=f"{current.letter_reference}. {note}" if note else current.letter_reference,
    )
    where = commune_org.name if commune_org else str(member.residence_commune)
    notify(
        org=commune_org,
        kind=InboxItem.Kind.INTRODUCTION,
        liaison=current,
        due_date=current.receive_due,
        summary=f"Giới thiệu đảng viên {member.full_name} ({workplace_org.name}) về {where}, {current.letter_reference}",
    )
    return current


def liaison_introduce(
    *, actor, members, today: datetime.date | None = None, signer: Signer | None = None, note: str = ""
) -> IntroduceResult:
    """Introduce members to the commune/ward committee of their residence (Điều 3, QĐ 213).

    One numbered letter per member ("Số 15-GGT/ĐU", numbers running through the committee's term).
    Members of categories not introduced (HD 33: special duties kept secret) are skipped with the
    reason; members excused from residence meetings are introduced with that note (Mẫu 2-213). A
    member whose commune has no organisation in the system is introduced all the same: the letter
    is printed and sent on paper. All members or none: the batch is one transaction.

    `signer`: who signs the letters (title and name, kept with each letter); None: each committee's
    signer of its last letter.

    A member has at most one open link (the constraint liaison_one_open_per_member): one opened by
    someone else meanwhile is skipped with the reason. Introducing again to the address an
    introduction was returned for (not our area, wrong address) needs a changed address or `note`.
    """
    today = today or timezone.localdate()
    note = clean_text(note)
    result = IntroduceResult()
    signers: dict[int, Signer] = {}
    with transaction.atomic():
        for member in members:
            outcome = _introduce_one(
                actor=actor, member=member, today=today, signer=signer, signers=signers, note=note
            )
            if isinstance(outcome, str):
                result.skipped.append((member, outcome))
                continue
            result.introduced.append(outcome)
            if outcome.commune_org_id is None:
                result.without_commune_org.append(outcome)
    return result


# --- residence side: receive, return, place, activate, no longer resides --------------------
def _check_residence(actor, liaison: Liaison, *, cell_ok: bool = False) -> None:
    if _can_write(actor, liaison.commune_org) or (cell_ok and _can_write(actor, liaison.cell)):
        return
    raise ServiceError("Bạn không có quyền xử lý hồ sơ này ở nơi cư trú.")


def _check_cell(liaison: Liaison, cell: Organization | None, group: Group | None) -> None:
    if cell is None:
        raise ServiceError("Vui lòng chọn chi bộ nơi cư trú.", field="cell")
    if not (
        cell.is_residential and cell.kind == Organization.Kind.CELL and _committee(liaison).contains(cell)
    ):
        raise ServiceError(
            f"“{cell.name}” không phải chi bộ nơi cư trú của {_committee(liaison).name}.", field="cell"
        )
    if group is not None and group.cell_id != cell.pk:
        raise ServiceError(f"Tổ/nhóm “{group.name}” không thuộc {cell.name}.", field="group")


def _received_at(liaison: Liaison, received_on: datetime.date | None) -> datetime.datetime:
    """When an introduction was received: now, or the start of the day given for a paper slip."""
    today = timezone.localdate()
    if received_on is None or received_on == today:
        return timezone.now()
    if received_on > today:
        raise ServiceError("Ngày tiếp nhận không được ở tương lai.", field="received_on")
    letter_day = liaison.letter_date or (
        timezone.localdate(liaison.introduced_at) if liaison.introduced_at else None
    )
    if letter_day is not None and received_on < letter_day:
        raise ServiceError(
            f"Ngày tiếp nhận không được trước ngày giới thiệu ({letter_day:%d/%m/%Y}).", field="received_on"
        )
    return timezone.make_aware(datetime.datetime.combine(received_on, datetime.time.min))


def liaison_receive(
    *,
    actor,
    liaison: Liaison,
    cell: Organization,
    group: Group | None = None,
    follower_name: str = "",
    follower_phone: str = "",
    received_on: datetime.date | None = None,
) -> Liaison:
    """The commune committee receives an introduction and places the member in a residential cell.

    `received_on`: the day a slip received on paper earlier was received (today when None); not in
    the future, not before the letter's date."""
    _check_residence(actor, liaison)
    _check_cell(liaison, cell, group)
    received_at = _received_at(liaison, received_on)
    with transaction.atomic():
        old = _transition(
            liaison,
            from_statuses=[S.INTRODUCED],
            to_status=S.RECEIVED,
            cell=cell,
            group=group,
            follower_name=clean_text(follower_name),
            follower_phone=clean_text(follower_phone),
            received_at=received_at,
        )
        note = f"Phân về {cell.name}"
        if received_on is not None and received_on != timezone.localdate():
            note += f"; nhận ngày {received_on:%d/%m/%Y}"
        _record(liaison, actor=actor, action="receive", from_status=old, note=note)
        _handled(liaison, actor=actor)
        member = liaison.member
        notify(
            org=_workplace(liaison),
            kind=InboxItem.Kind.RECEIVED,
            liaison=liaison,
            summary=f"{_committee(liaison).name} đã tiếp nhận đồng chí {member.full_name}, phân về {cell.name}",
        )
        notify(
            org=cell,
            kind=InboxItem.Kind.RECEIVED,
            liaison=liaison,
            summary=f"Đồng chí {member.full_name} ({member.position or 'đảng viên'}, {member.workplace_unit or _workplace(liaison)}) được phân về chi bộ",
        )
    return liaison


def check_return_reason(reason: str, note: str) -> None:
    """A return needs a known reason, and a note with "other" (also checked before its confirmation)."""
    if reason not in Liaison.ReturnReason.values:
        raise ServiceError("Vui lòng chọn lý do trả lại.", field="reason")
    if reason == Liaison.ReturnReason.OTHER and not clean_text(note):
        raise ServiceError("Với “Lý do khác”, hãy ghi rõ lý do trả lại.", field="note")


def liaison_return(*, actor, liaison: Liaison, reason: str, note: str = "") -> Liaison:
    """The commune committee returns an introduction with a reason (not our area, wrong address…)."""
    _check_residence(actor, liaison)
    note = clean_text(note)
    check_return_reason(reason, note)
    with transaction.atomic():
        old = _transition(
            liaison,
            from_statuses=[S.INTRODUCED],
            to_status=S.RETURNED,
            return_reason=reason,
            return_note=note,
            returned_at=timezone.now(),
        )
        label = Liaison.ReturnReason(reason).label
        _record(liaison, actor=actor, action="return", from_status=old, note=f"{label}. {note}".strip())
        _handled(liaison, actor=actor)
        notify(
            org=_workplace(liaison),
            kind=InboxItem.Kind.RETURNED,
            liaison=liaison,
            summary=f"{_committee(liaison).name} trả lại giới thiệu đồng chí {liaison.member.full_name}: {label.lower()}"
            + (f" ({note})" if note else ""),
        )
    return liaison


def liaison_activate(*, actor, liaison: Liaison) -> Liaison:
    """The residential cell has taken the member in (listed, told how to keep contact)."""
    _check_residence(actor, liaison, cell_ok=True)
    with transaction.atomic():
        old = _transition(
            liaison, from_statuses=[S.RECEIVED], to_status=S.ACTIVE, activated_at=timezone.now()
        )
        _record(liaison, actor=actor, action="activate", from_status=old)
    return liaison


def liaison_place(
    *,
    actor,
    liaison: Liaison,
    group: Group | None,
    follower_name: str = "",
    follower_phone: str = "",
    version: int | None = None,
    new_group: str = "",
) -> Liaison:
    """Move a member between groups of the cell, or change the committee member who follows them.

    `new_group`: the name of a group to create in the member's cell and place them in (one
    transaction: a refused placement creates no group)."""
    _check_residence(actor, liaison, cell_ok=True)
    if liaison.status not in (S.RECEIVED, S.ACTIVE):
        raise ServiceError("Chỉ phân tổ/nhóm cho đảng viên đã được tiếp nhận.")
    if group is not None and group.cell_id != liaison.cell_id:
        raise ServiceError(f"Tổ/nhóm “{group.name}” không thuộc chi bộ của đảng viên.", field="group")
    before = {"group": str(liaison.group or ""), "follower_name": liaison.follower_name}
    with transaction.atomic():
        if clean_text(new_group):
            if group is not None:
                raise ServiceError(
                    "Chọn một tổ/nhóm có sẵn hoặc lập tổ/nhóm mới, không cả hai.", field="new_group"
                )
            try:
                if liaison.cell is None:
                    raise ServiceError("Đảng viên chưa được phân về chi bộ nào.", field="new_group")
                group = group_create(actor=actor, cell=liaison.cell, name=new_group)
            except ServiceError as exc:
                raise ServiceError(exc.message, field="new_group") from exc
        if not versioned_update(
            Liaison,
            liaison.pk,
            version or liaison.version,
            group=group,
            follower_name=clean_text(follower_name),
            follower_phone=clean_text(follower_phone),
        ):
            raise ConflictError("Hồ sơ vừa được người khác thay đổi. Hãy tải lại trang rồi làm lại.")
        liaison.refresh_from_db()
        after = {"group": str(liaison.group or ""), "follower_name": liaison.follower_name}
        _note(
            liaison,
            actor=actor,
            action="place",
            note=f"Tổ/nhóm: {after['group'] or '—'}; theo dõi: {after['follower_name'] or '—'}",
        )
        audit_record(
            actor=actor, action="update", target=liaison, changes={k: [before[k], after[k]] for k in after}
        )
    return liaison


def group_create(*, actor, cell: Organization, name: str) -> Group:
    if not _can_write(actor, cell) or not cell.is_residential:
        raise ServiceError("Bạn không có quyền lập tổ/nhóm ở chi bộ này.")
    name = clean_text(name)
    if not name:
        raise ServiceError("Vui lòng nhập tên tổ/nhóm.", field="name")
    if Group.objects.filter(cell=cell, name__iexact=name).exists():
        raise ServiceError(f"Chi bộ đã có tổ/nhóm “{name}”.", field="name")
    try:
        with transaction.atomic():
            group = Group.objects.create(cell=cell, name=name)
            audit_record(
                actor=actor,
                action="create",
                target=group,
                changes={"after": {"cell": cell.name, "name": name}},
            )
    except IntegrityError as exc:  # the same name created by someone else a moment ago
        raise ServiceError(f"Chi bộ đã có tổ/nhóm “{name}”.", field="name") from exc
    return group


# --- residence side: "no longer lives here" (QĐ 213, Art. 4) ---------------------------------
def departure_ends_at_once(actor, liaison: Liaison) -> bool:
    """Whether the user's "no longer lives here" ends the link at once: the commune/ward committee's
    does; a residential cell's is a report the committee confirms (QĐ 213, Art. 4)."""
    return _can_write(actor, liaison.commune_org)


def _check_departure(liaison: Liaison, date: datetime.date) -> None:
    if date > timezone.localdate():
        raise ServiceError("Ngày không còn cư trú không được ở tương lai.", field="date")
    if liaison.status not in (S.RECEIVED, S.ACTIVE):
        raise ConflictError(
            f"Hồ sơ của đồng chí {liaison.member.full_name} đã được xử lý trước đó "
            f"(hiện: {liaison.get_status_display().lower()}). Hãy tải lại trang để xem tình trạng mới."
        )


def _lock_member(liaison: Liaison) -> None:
    """Reports and decisions on one member's link queue here (PostgreSQL), then read afresh."""
    Member.objects.select_for_update().filter(pk=liaison.member_id).first()
    liaison.refresh_from_db()


def _pending_message(report: DepartureReport) -> str:
    return (
        f"Chi bộ đã báo đồng chí {report.liaison.member.full_name} không còn cư trú lúc "
        f"{timezone.localtime(report.reported_at):%H:%M %d/%m/%Y}; báo cáo đang chờ "
        f"{report.commune_org.name} xác nhận."
    )


def _audit_departure(*, actor, report: DepartureReport, old_state: str) -> None:
    """The report's step in the audit log, on the link (the department reads a member's links)."""
    changes: dict[str, Any] = {"departure_report": [old_state, report.state], "date": report.date.isoformat()}
    if report.note:
        changes["note"] = report.note
    if report.reject_reason:
        changes["reject_reason"] = report.reject_reason
    audit_record(
        actor=actor, action="update", target=report.liaison, note=f"departure_{report.state}", changes=changes
    )


def _decide(report: DepartureReport, *, actor, state: str, **fields) -> None:
    """Move a pending report to `state` (once: two decisions at once, one wins), mark its inbox item
    handled and audit the step."""
    now = timezone.now()
    if not DepartureReport.objects.filter(pk=report.pk, state=D.PENDING).update(
        state=state, decided_by=actor, decided_at=now, **fields
    ):
        raise ConflictError(
            f"Báo cáo về đồng chí {report.liaison.member.full_name} đã được xử lý trước đó. "
            "Hãy tải lại trang để xem tình trạng mới."
        )
    report.refresh_from_db()
    InboxItem.objects.filter(
        liaison_id=report.liaison_id,
        kind=InboxItem.Kind.DEPARTURE_REPORT,
        recipient_org_id=report.commune_org_id,
        read_at__isnull=True,
    ).update(read_at=now, read_by=actor)
    _audit_departure(actor=actor, report=report, old_state=D.PENDING)


def _close_departure_reports(liaison: Liaison, *, actor) -> None:
    """The link ended by another path (the workplace's notice): its waiting report needs no decision."""
    for report in DepartureReport.objects.filter(liaison=liaison, state=D.PENDING).select_related(
        "liaison__member", "commune_org"
    ):
        _decide(report, actor=actor, state=D.CLOSED)


def departure_report(*, actor, liaison: Liaison, date: datetime.date, note: str = "") -> DepartureReport:
    """A residential cell reports that a member no longer lives in its area.

    QĐ 213-QĐ/TW, Art. 4: the residential cell reports to the commune/ward committee, which confirms
    and informs the workplace committee. So the report does not end the link: it waits in the
    committee's queue and inbox (`departure_confirm`, `departure_reject`). At most one report waits
    per link (a partial unique constraint): a second one, a double click or another tab, is refused
    with the first's time and creates nothing.
    """
    if liaison.cell is None or not _can_write(actor, liaison.cell):
        raise ServiceError("Bạn không có quyền báo cho đảng viên này ở nơi cư trú.")
    committee = _committee(liaison)
    note = clean_text(note)
    try:
        with transaction.atomic():
            _lock_member(liaison)
            _check_departure(liaison, date)
            pending = (
                DepartureReport.objects.filter(liaison=liaison, state=D.PENDING)
                .select_related("liaison__member", "commune_org")
                .first()
            )
            if pending is not None:
                raise ServiceError(_pending_message(pending))
            report = DepartureReport.objects.create(
                liaison=liaison,
                commune_org=committee,
                cell=liaison.cell,
                date=date,
                note=note,
                reported_by=actor,
            )
            _note(liaison, actor=actor, action="departure_report", note=f"Từ {date:%d/%m/%Y}. {note}".strip())
            _audit_departure(actor=actor, report=report, old_state="")
            notify(
                org=committee,
                kind=InboxItem.Kind.DEPARTURE_REPORT,
                liaison=liaison,
                summary=f"{liaison.cell.name} báo đồng chí {liaison.member.full_name} không còn cư trú tại địa "
                f"phương từ {date:%d/%m/%Y}: đề nghị đảng ủy xác nhận.",
            )
    except IntegrityError as exc:  # the same report sent a moment ago from elsewhere
        first = (
            DepartureReport.objects.filter(liaison=liaison, state=D.PENDING)
            .select_related("liaison__member", "commune_org")
            .first()
        )
        raise ServiceError(
            _pending_message(first) if first else "Chi bộ đã báo đảng viên này không còn cư trú."
        ) from exc
    return report


def _end_departed(*, actor, liaison: Liaison, date: datetime.date, note: str) -> ChangeNotice:
    """End the link as no longer residing and tell the workplace committee (inside a transaction)."""
    old = _transition(
        liaison,
        from_statuses=[S.RECEIVED, S.ACTIVE],
        to_status=S.ENDED,
        ended_at=timezone.now(),
        end_date=date,
        end_reason=Liaison.EndReason.NO_LONGER_RESIDES,
    )
    _record(liaison, actor=actor, action="no_longer_resides", from_status=old, note=note)
    notice = ChangeNotice.objects.create(
        member=liaison.member,
        liaison=liaison,
        kind=N.NO_LONGER_RESIDES,
        direction=ChangeNotice.Direction.TO_WORKPLACE,
        sender_org=_committee(liaison),
        recipient_org=_workplace(liaison),
        event_date=date,
        details=note,
        created_by=actor,
    )
    notify(
        org=_workplace(liaison),
        kind=InboxItem.Kind.NO_LONGER_RESIDES,
        liaison=liaison,
        notice=notice,
        summary=f"{_committee(liaison).name}: đồng chí {liaison.member.full_name} không còn cư trú tại địa phương "
        f"từ {date:%d/%m/%Y}. Đề nghị cho biết nơi cư trú mới.",
    )
    return notice


def _tell_cell_confirmed(report: DepartureReport) -> None:
    notify(
        org=report.cell,
        kind=InboxItem.Kind.DEPARTURE_CONFIRMED,
        liaison=report.liaison,
        summary=f"{report.commune_org.name} đã xác nhận đồng chí {report.liaison.member.full_name} không còn cư "
        "trú tại địa phương và thông báo nơi công tác.",
    )


def liaison_no_longer_resides(*, actor, liaison: Liaison, date: datetime.date, note: str = "") -> Liaison:
    """The commune/ward committee records that the member no longer lives there: the link ends at
    once and the workplace committee gets the notice and is asked for the new address (QĐ 213,
    Art. 4: the committee confirms and informs the workplace). A cell's report waiting for this link
    is confirmed by it. A residential cell reports instead (`departure_report`).
    """
    _check_residence(actor, liaison)
    note = clean_text(note)
    with transaction.atomic():
        _lock_member(liaison)
        _check_departure(liaison, date)
        _end_departed(actor=actor, liaison=liaison, date=date, note=note)
        for report in DepartureReport.objects.filter(liaison=liaison, state=D.PENDING).select_related(
            "liaison__member", "commune_org", "cell"
        ):
            _decide(report, actor=actor, state=D.CONFIRMED)
            _tell_cell_confirmed(report)
    return liaison


def departure_confirm(*, actor, report: DepartureReport) -> Liaison:
    """The commune/ward committee confirms a cell's report: the link ends exactly as by the
    committee's own "no longer lives here", on the date the cell reported; the workplace committee
    gets the notice and the cell is told (QĐ 213, Art. 4)."""
    liaison = report.liaison
    _check_residence(actor, liaison)
    with transaction.atomic():
        _lock_member(liaison)
        _decide(report, actor=actor, state=D.CONFIRMED)
        _check_departure(liaison, report.date)
        _end_departed(actor=actor, liaison=liaison, date=report.date, note=report.note)
        _tell_cell_confirmed(report)
    return liaison


def departure_reject(*, actor, report: DepartureReport, reason: str) -> DepartureReport:
    """The commune/ward committee does not confirm a cell's report (the member still lives there,
    the wrong person…): the link stays, the cell is told why."""
    liaison = report.liaison
    _check_residence(actor, liaison)
    reason = clean_text(reason)
    if not reason:
        raise ServiceError("Vui lòng ghi lý do không xác nhận.", field="reason")
    with transaction.atomic():
        _lock_member(liaison)
        _decide(report, actor=actor, state=D.REJECTED, reject_reason=reason)
        _note(liaison, actor=actor, action="departure_reject", note=reason)
        notify(
            org=report.cell,
            kind=InboxItem.Kind.DEPARTURE_REJECTED,
            liaison=liaison,
            summary=f"{report.commune_org.name} không xác nhận báo đồng chí {liaison.member.full_name} không còn "
            f"cư trú: {reason}",
        )
    return report


# --- workplace side: events on a member -------------------------------------------------------
ENDING_EVENTS: dict[str, tuple[str, str | None]] = {
    N.EXPELLED: (Liaison.EndReason.EXPELLED, Member.Status.EXPELLED),
    N.REMOVED: (Liaison.EndReason.REMOVED, Member.Status.REMOVED),
    N.LEFT_PARTY: (Liaison.EndReason.LEFT_PARTY, Member.Status.LEFT),
    N.DECEASED: (Liaison.EndReason.DECEASED, Member.Status.DECEASED),
    N.SPECIAL_DUTY: (Liaison.EndReason.SPECIAL_DUTY, None),
}
WORKPLACE_EVENTS = [
    N.RESIDENCE_CHANGE,
    N.POSITION_CHANGE,
    N.JOB_TRANSFER,
    N.LONG_ABSENCE,
    N.SPECIAL_DUTY,
    N.EXPELLED,
    N.REMOVED,
    N.LEFT_PARTY,
    N.DECEASED,
]


@dataclass
class EventResult:
    notice: ChangeNotice | None
    ended: Liaison | None = None
    new_liaison: Liaison | None = None


def member_record_event(
    *,
    actor,
    member: Member,
    kind: str,
    event_date: datetime.date,
    details: str = "",
    new_position: str = "",
    new_commune=None,
    new_hamlet: str = "",
    new_street: str = "",
) -> EventResult:
    """Record a change on a member and turn it into a change notice to the residence side.

    A change of residence ends the current link and opens a pre-filled introduction (a draft) to
    the new commune, keeping the history; expulsion, removal, leaving the party and death end the
    link and change the member's status. A kind left out of NOTIFIED_EVENTS (settings) is recorded
    and has these effects, but the notice goes to no one (no recipient, no inbox item, no digest).
    """
    if not _can_write(actor, member.workplace_cell):
        raise ServiceError("Bạn không có quyền ghi nhận biến động của đảng viên này.")
    if kind not in WORKPLACE_EVENTS:
        raise ServiceError("Loại biến động không hợp lệ.", field="kind")
    if event_date > timezone.localdate():
        raise ServiceError("Ngày biến động không được ở tương lai.", field="event_date")
    details = clean_text(details)
    if kind == N.POSITION_CHANGE and not clean_text(new_position):
        raise ServiceError("Vui lòng nhập chức vụ mới.", field="new_position")
    if kind == N.RESIDENCE_CHANGE and new_commune is None:
        raise ServiceError("Vui lòng chọn xã/phường/đặc khu nơi cư trú mới.", field="new_commune")
    workplace_org = workplace_committee_of(member.workplace_cell)
    with transaction.atomic():
        # The same event sent twice (a double click, two tabs) is recorded once: the second waits
        # for the member's row and then finds the first.
        Member.objects.select_for_update().filter(pk=member.pk).first()
        recorded = ChangeNotice.objects.filter(
            member=member, kind=kind, event_date=event_date, direction=ChangeNotice.Direction.TO_RESIDENCE
        ).first()
        if recorded is not None:
            raise ServiceError(
                f"Biến động “{recorded.get_kind_display().lower()}” ngày {event_date:%d/%m/%Y} của đồng chí "
                f"{member.full_name} đã được ghi nhận lúc {timezone.localtime(recorded.created_at):%H:%M %d/%m/%Y}.",
                field="kind",
            )
        current = member.liaisons.filter(status__in=Liaison.RESIDENT_STATUSES).order_by("-pk").first()
        notified_to = current.commune_org if current and kind in rules.rules()["NOTIFIED_EVENTS"] else None
        # Not yet introduced (a draft, or returned): a move changes where it will go, no new link.
        pending = member.liaisons.filter(status__in=[S.DRAFT, S.RETURNED]).order_by("-pk").first()
        if kind == N.RESIDENCE_CHANGE and pending is not None:
            new_address = (new_commune.pk, clean_text(new_hamlet), clean_text(new_street))
            if (pending.commune_id, pending.address_hamlet, pending.address_street) == new_address:
                raise ServiceError(
                    f"Đồng chí {member.full_name} đã được ghi nhận chuyển nơi cư trú về {new_commune.name} "
                    "với địa chỉ này; hồ sơ giới thiệu về đó đang chờ giới thiệu.",
                    field="new_commune",
                )
        notice = ChangeNotice.objects.create(
            member=member,
            liaison=current,
            kind=kind,
            direction=ChangeNotice.Direction.TO_RESIDENCE,
            sender_org=workplace_org,
            recipient_org=notified_to,
            event_date=event_date,
            details=_describe(kind, details, new_position, new_commune, new_hamlet, new_street),
            created_by=actor,
        )
        audit_record(
            actor=actor, action="create", target=notice, changes={"kind": kind, "member": member.full_name}
        )
        result = EventResult(notice=notice)
        if current is not None and notified_to is not None:
            notify(
                org=notified_to,
                kind=InboxItem.Kind.NOTICE,
                liaison=current,
                notice=notice,
                summary=f"{workplace_org.name}: {notice.get_kind_display().lower()} — đồng chí {member.full_name}",
            )
        member_changes: dict[str, Any] = {}
        if kind == N.POSITION_CHANGE:
            member_changes["position"] = clean_text(new_position)
        if kind == N.RESIDENCE_CHANGE:
            member_changes.update(
                residence_commune=new_commune,
                residence_province=new_commune.province,
                address_hamlet=clean_text(new_hamlet),
                address_street=clean_text(new_street),
            )
        if kind in ENDING_EVENTS and ENDING_EVENTS[kind][1]:
            member_changes["status"] = ENDING_EVENTS[kind][1]
        if kind == N.SPECIAL_DUTY:
            member_changes["liaison_category"] = Member.LiaisonCategory.SECRET
        if member_changes:
            before = {k: str(getattr(member, k)) for k in member_changes}
            versioned_update(Member, member.pk, None, **member_changes)
            member.refresh_from_db()
            audit_record(
                actor=actor,
                action="update",
                target=member,
                changes={k: [before[k], str(getattr(member, k))] for k in member_changes},
            )
        end_reason = (
            Liaison.EndReason.MOVED if kind == N.RESIDENCE_CHANGE else ENDING_EVENTS.get(kind, (None,))[0]
        )
        if end_reason and current is not None:
            old = _transition(
                current,
                from_statuses=Liaison.RESIDENT_STATUSES,
                to_status=S.ENDED,
                ended_at=timezone.now(),
                end_date=event_date,
                end_reason=end_reason,
            )
            _record(current, actor=actor, action="end", from_status=old, note=notice.get_kind_display())
            _close_departure_reports(current, actor=actor)
            result.ended = current
        if kind == N.RESIDENCE_CHANGE and pending is not None:
            old = _transition(
                pending,
                from_statuses=[S.DRAFT, S.RETURNED],
                to_status=S.DRAFT,
                workplace_org=workplace_org,
                commune=new_commune,
                commune_org=commune_committee_for(new_commune),
                address_hamlet=member.address_hamlet,
                address_street=member.address_street,
                return_reason="",
                return_note="",
                returned_at=None,
            )
            _record(
                pending,
                actor=actor,
                action="readdress",
                from_status=old,
                note=f"Chuyển nơi cư trú về {new_commune.name}",
                changes={"commune": new_commune.name},
            )
            result.new_liaison = pending
        elif kind == N.RESIDENCE_CHANGE:
            try:
                with transaction.atomic():
                    draft = Liaison.objects.create(
                        member=member,
                        status=S.DRAFT,
                        previous=current,
                        workplace_org=workplace_org,
                        commune=new_commune,
                        commune_org=commune_committee_for(new_commune),
                        address_hamlet=member.address_hamlet,
                        address_street=member.address_street,
                    )
            except IntegrityError as exc:  # liaison_one_open_per_member: opened by someone else meanwhile
                raise ConflictError(
                    f"Hồ sơ của đồng chí {member.full_name} vừa được người khác thay đổi. "
                    "Hãy tải lại trang để xem tình trạng mới."
                ) from exc
            _set_link_status(member.pk, S.DRAFT)
            LiaisonEvent.objects.create(
                liaison=draft,
                actor=actor,
                actor_repr=actor.username,
                action="open",
                to_status=S.DRAFT,
                note=f"Chuyển nơi cư trú về {new_commune.name}",
            )
            audit_record(
                actor=actor, action="create", target=draft, changes={"after": {"commune": new_commune.name}}
            )
            result.new_liaison = draft
    return result


# --- the member form: a new residence commune of a linked member --------------------------------
class AddressChange:
    """What a new residence commune of a member whose link is open at the residence means."""

    MOVE = "move"
    CORRECTION = "correction"
    CHOICES = [
        (MOVE, "Chuyển nơi cư trú (ghi nhận biến động)"),
        (CORRECTION, "Sửa lỗi nhập (giữ liên hệ)"),
    ]


# After a move (the event form, the member form): the member's page has the button it names.
INTRODUCE_NOW = "Đã mở hồ sơ giới thiệu về nơi cư trú mới: bấm “Giới thiệu về nơi cư trú” để giới thiệu ngay."
RESIDENCE_FIELDS = ("residence_commune", "residence_province", "address_hamlet", "address_street")


def resident_link(member: Member) -> Liaison | None:
    """The member's link the residence holds (introduced, received or active), if any."""
    return (
        Liaison.objects.filter(member=member, status__in=Liaison.RESIDENT_STATUSES)
        .select_related("commune_org")
        .order_by("-pk")
        .first()
    )


def commune_changes(member: Member, data: dict) -> bool:
    """Whether `data` (the member form's) gives the member another residence commune."""
    if "residence_commune" not in data:
        return False
    new = data["residence_commune"]
    return (new.pk if new is not None else None) != member.residence_commune_id


def member_update_address(
    *,
    actor,
    member: Member,
    data: dict,
    version: int | None = None,
    address_change: str = "",
    move_date: datetime.date | None = None,
) -> EventResult | None:
    """Save the member form; a new residence commune of a member whose link the residence holds is
    either a move or a correction, and the user must say which (issue 15, item 2).

    A move is the "Ghi nhận biến động" residence change (`member_record_event`): the link ends, the
    residence is told, a pre-filled introduction to the new commune opens; the address is written by
    that event. A correction saves the form as it is and keeps the link, with a line in its history.
    One transaction: a refusal of either step leaves nothing written. Returns the move's result.
    """
    from haichieu.members.services import member_update

    stored = Member.objects.get(pk=member.pk)
    link = resident_link(stored) if commune_changes(stored, data) else None
    if link is None:
        member_update(actor=actor, member=member, data=data, version=version)
        return None
    if address_change not in (AddressChange.MOVE, AddressChange.CORRECTION):
        raise ServiceError(
            f"Đồng chí {stored.full_name} đang giữ mối liên hệ với {link.commune_org or 'nơi cư trú cũ'}: "
            "hãy chọn đây là chuyển nơi cư trú hay sửa lỗi nhập.",
            field="address_change",
        )
    with transaction.atomic():
        if address_change == AddressChange.CORRECTION:
            old_commune = stored.residence_commune
            updated = member_update(actor=actor, member=member, data=data, version=version)
            _note(
                link,
                actor=actor,
                action="address_correction",
                note=f"Nơi cư trú sửa từ “{old_commune or '—'}” thành “{updated.residence_commune or '—'}”.",
            )
            return None
        new_commune = data["residence_commune"]
        if new_commune is None:
            raise ServiceError(
                "Chuyển nơi cư trú: vui lòng chọn xã/phường/đặc khu nơi cư trú mới.",
                field="residence_commune",
            )
        rest = {k: v for k, v in data.items() if k not in RESIDENCE_FIELDS}
        updated = member_update(actor=actor, member=member, data=rest, version=version)
        return member_record_event(
            actor=actor,
            member=updated,
            kind=N.RESIDENCE_CHANGE,
            event_date=move_date or timezone.localdate(),
            new_commune=new_commune,
            new_hamlet=data.get("address_hamlet", ""),
            new_street=data.get("address_street", ""),
        )


def _describe(kind, details, new_position, new_commune, new_hamlet, new_street) -> str:
    parts = []
    if kind == N.POSITION_CHANGE:
        parts.append(f"Chức vụ mới: {clean_text(new_position)}.")
    if kind == N.RESIDENCE_CHANGE and new_commune is not None:
        address = ", ".join(
            p for p in [clean_text(new_street), clean_text(new_hamlet), new_commune.name] if p
        )
        parts.append(f"Nơi cư trú mới: {address}.")
    if details:
        parts.append(details)
    return " ".join(parts)


# --- inbox -------------------------------------------------------------------------------------
def inbox_mark_read(*, actor, items) -> int:
    """Mark inbox items read (for the whole organisation: one reader is enough)."""
    scope = scope_for(actor)
    ids = [i.pk for i in items if scope.is_superuser or i.recipient_org_id in scope.inbox_org_ids]
    return InboxItem.objects.filter(pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=actor
    )


def digest_mark_sent(
    *,
    actor,
    sender_org: Organization,
    recipient_org: Organization,
    year: int,
    period: int,
    signer: Signer | None = None,
    today: datetime.date | None = None,
):
    """Issue the period's list of changes to the receiving committee (once) as a numbered notice.

    QĐ 213 calls the list a "thông báo": it takes the next number of the sender's notices in its term
    ("Số 3-TB/ĐU", RULES["NOTICE_SYMBOL"]), and the number, date and signer are kept with the digest,
    so every later download prints the same notice. `signer` None: the signer of the sender's last one.
    """
    if not _can_write(actor, sender_org):
        raise ServiceError("Bạn không có quyền gửi danh sách biến động của tổ chức này.")
    with transaction.atomic():
        existing = Digest.objects.filter(
            sender_org=sender_org, recipient_org=recipient_org, year=year, period=period
        ).first()
        if existing is not None:
            raise ServiceError(
                f"Danh sách biến động kỳ {period}/{year} đã được gửi ngày {existing.sent_at:%d/%m/%Y}."
            )
        signer = signer or last_signer(Digest.objects.filter(sender_org=sender_org))
        symbol = rules.rules()["NOTICE_SYMBOL"]
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    sender_org=sender_org,
                    recipient_org=recipient_org,
                    year=year,
                    period=period,
                    sent_at=timezone.now(),
                    sent_by=actor,
                    number=next_document_number(organization=sender_org, doc_type=symbol),
                    symbol=document_symbol(organization=sender_org, doc_type=symbol),
                    issued_on=today or timezone.localdate(),
                    signer_title=signer.title,
                    signer_name=signer.name,
                )
        except IntegrityError:
            raise ServiceError(f"Danh sách biến động kỳ {period}/{year} vừa được người khác gửi.") from None
        audit_record(
            actor=actor, action="create", target=digest, changes={"after": f"{digest} ({digest.reference})"}
        )
    return digest


def member_link_status_refresh(member_ids=None) -> int:
    """Recompute Member.link_status from the newest liaison of each member (bulk loads, repairs)."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    newest = Liaison.objects.filter(member=OuterRef("pk")).order_by("-pk").values("status")[:1]
    members = Member.objects.all() if member_ids is None else Member.objects.filter(pk__in=list(member_ids))
    return members.update(link_status=Coalesce(Subquery(newest), Value(Member.LinkStatus.NONE)))


# --- residence side: batch reception ----------------------------------------------------------
# (Added for the residence views; the functions above keep their behaviour.)
def liaison_receive_many(
    *,
    actor,
    liaisons,
    cell: Organization,
    group: Group | None = None,
    follower_name: str = "",
    follower_phone: str = "",
    received_on: datetime.date | None = None,
) -> list[Liaison]:
    """The commune committee receives several introductions into one residential cell at once.

    All or nothing: one transaction; the first refusal (another commune's cell, no right, an
    introduction someone else has already handled) undoes the whole batch and is raised as it is.
    """
    liaisons = list(liaisons)
    if not liaisons:
        raise ServiceError("Hãy chọn ít nhất một đảng viên để tiếp nhận.", field="liaisons")
    with transaction.atomic():
        return [
            liaison_receive(
                actor=actor,
                liaison=liaison,
                cell=cell,
                group=group,
                follower_name=follower_name,
                follower_phone=follower_phone,
                received_on=received_on,
            )
            for liaison in liaisons
        ]
