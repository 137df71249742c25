"""Writes of the comments app (issue 12): each one transaction, audited, the other side told.

- `open_comment_round`: the workplace's yearly round for a subtree (rules.yearly_round), written in
  bulk (core.bulk: COPY on PostgreSQL), one inbox item per residential cell and one audit entry for
  the round with its counts, as the bulk introduction records its batch. Run again, it creates nothing
  (the members asked already are skipped; the database refuses a second yearly request anyway).
- `comment_requests_ask`: ad hoc requests for one member or a few (before an election, an
  appointment…), with the portal's reference number when the request came through the portal.
- `comment_submit`: the residential cell's comment; `comment_confirm`: the commune committee's
  confirmation, when COMMENT_CONFIRM_BY_COMMUNE asks for it. The workplace is told as soon as the
  comment is final.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.access import may_answer_comment, may_confirm_comment, scope_for
from haichieu.core.audit import audit_record
from haichieu.core.bulk import bulk_insert
from haichieu.core.services import ConflictError, ServiceError
from haichieu.core.text import clean_text
from haichieu.liaisons.models import InboxItem
from haichieu.liaisons.services import notify, workplace_committees_of
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import rules
from .models import Comment, CommentAnswer, CommentForm, CommentRequest

R = CommentRequest
# How far from this year a round or a request may be made for.
YEARS_AROUND = 1


@dataclass
class RoundResult:
    created: int
    skipped: dict[str, int]
    # The residential cells asked (a cell serving several workplace committees is one cell).
    cell_ids: frozenset[int] = frozenset()

    @property
    def cells(self) -> int:
        return len(self.cell_ids)


def round_results_sum(results: Iterable[RoundResult]) -> RoundResult:
    """The round opened part by part (the worker, one workplace unit at a time) as one round: the same
    figures as `open_comment_round` of the whole, a cell asked by two units counted once."""
    created, skipped, cell_ids = 0, Counter[str](), set[int]()
    for result in results:
        created += result.created
        skipped.update(result.skipped)
        cell_ids |= result.cell_ids
    in_order = {reason: skipped[reason] for reason in rules.Skip.values if skipped[reason]}
    return RoundResult(created=created, skipped=in_order, cell_ids=frozenset(cell_ids))


def _check_year_and_deadline(year: int, deadline: datetime.date, today: datetime.date) -> None:
    if abs(year - today.year) > YEARS_AROUND:
        raise ServiceError(
            f"Năm nhận xét {year} không hợp lệ: chỉ mở cho năm {today.year - 1}, {today.year} hoặc {today.year + 1}."
        )
    if deadline < today:
        raise ServiceError(f"Hạn trả lời {deadline:%d/%m/%Y} đã qua: hãy chọn một ngày từ hôm nay trở đi.")


def _form_in_force(year: int, audience: str) -> CommentForm:
    form = CommentForm.objects.in_force(year, audience)
    if form is None:
        label = CommentForm.Audience(audience).label.lower()
        raise ServiceError(
            f"Chưa có mẫu phiếu nhận xét năm {year} cho {label}: quản trị hệ thống cần thêm mẫu trước."
        )
    return form


def _committees_by_cell(cell_ids) -> dict[int, Organization]:
    """The requesting workplace committee of each workplace cell (two queries for all)."""
    return workplace_committees_of(Organization.objects.filter(pk__in=set(cell_ids)))


def _tell_cells(counts: Counter, *, sender: str, year: int, deadline: datetime.date) -> None:
    """One inbox item per residential cell with the number of its new requests (no e-mail: a round
    reaches thousands of cells at once; the cell sees its list, the reminders follow)."""
    InboxItem.objects.bulk_create(
        [
            InboxItem(
                recipient_org_id=cell_id,
                kind=InboxItem.Kind.COMMENT_REQUEST,
                summary=f"{sender} đề nghị nhận xét {n} đảng viên năm {year}, hạn {deadline:%d/%m/%Y}"[:255],
                due_date=deadline,
            )
            for cell_id, n in sorted(counts.items())
        ],
        batch_size=1000,
    )


def comment_round_check(
    *, actor, org: Organization, year: int, deadline: datetime.date, today: datetime.date
) -> CommentForm:
    """What opening `org`'s round requires (the right, a workplace organisation, a sensible year and
    deadline, the year's form), checked before anything is written; the form in force."""
    if actor is not None and not scope_for(actor).may_write(org):
        raise ServiceError("Bạn không có quyền mở đợt lấy ý kiến nhận xét cho tổ chức này.")
    if org.is_residential:
        raise ServiceError(
            f"{org.name} là tổ chức đảng nơi cư trú: đợt lấy ý kiến nhận xét do cấp ủy nơi công tác mở."
        )
    _check_year_and_deadline(year, deadline, today)
    return _form_in_force(year, CommentForm.Audience.REGULAR)


def open_comment_round(
    *, actor, org: Organization, year: int, deadline: datetime.date, today: datetime.date | None = None
) -> RoundResult:
    """Open the yearly comment round of `org`'s subtree (rules.yearly_round: who, from which cell).
    `actor` None: the command line (the system), which may open it for any workplace organisation.

    QĐ 213-QĐ/TW Art. 4: every year the residential cell's committee comments on each working member
    who keeps the link there; HD 33-HD/BTCTW §1.1: not on those excused from residence meetings."""
    today = today or timezone.localdate()
    form = comment_round_check(actor=actor, org=org, year=year, deadline=deadline, today=today)
    try:
        with transaction.atomic():
            plan = rules.yearly_round(org, year, today)
            committees = _committees_by_cell(p.workplace_cell_id for p in plan.placements)
            now = timezone.now()
            rows = [
                {
                    "member_id": p.member_id,
                    "liaison_id": p.liaison_id,
                    "cell_id": p.cell_id,
                    "commune_org_id": p.commune_org_id,
                    "workplace_org_id": committees[p.workplace_cell_id].pk,
                    "form_id": form.pk,
                    "year": year,
                    "purpose": R.Purpose.YEARLY,
                    "deadline": deadline,
                    "state": R.State.PENDING,
                    "created_by_id": actor.pk if actor is not None else None,
                    "created_at": now,
                    "updated_at": now,
                }
                for p in plan.placements
            ]
            bulk_insert(CommentRequest, rows)
            per_cell = Counter(p.cell_id for p in plan.placements)
            _tell_cells(per_cell, sender=org.name, year=year, deadline=deadline)
            result = RoundResult(
                created=len(rows), skipped=plan.skipped_counts(), cell_ids=frozenset(per_cell)
            )
            audit_record(
                actor=actor,
                action="create",
                target=org,
                note="comment_round",
                changes={
                    "after": {
                        "year": year,
                        "deadline": deadline.isoformat(),
                        "created": result.created,
                        "skipped": result.skipped,
                    }
                },
            )
    except IntegrityError as exc:
        # Another round for the same members was being written at the same moment.
        raise ConflictError("Một đợt lấy ý kiến khác đang được mở cùng lúc: hãy thử lại.") from exc
    return result


@dataclass
class AskResult:
    created: list[CommentRequest] = field(default_factory=list)
    skipped: list[tuple[Member, str]] = field(default_factory=list)


def comment_requests_ask(
    *,
    actor,
    members,
    purpose: str,
    deadline: datetime.date,
    portal_reference: str = "",
    today: datetime.date | None = None,
) -> AskResult:
    """Ask the residence ad hoc for a comment on each of `members` (QĐ 213 Art. 4: before an election,
    an appointment, a reappointment, recognition as full member, commendation or discipline). A
    member excused from residence meetings is asked on Mẫu 4-213; one not placed in a residential
    cell cannot be asked (skipped with the reason)."""
    today = today or timezone.localdate()
    if purpose not in R.AD_HOC_PURPOSES:
        raise ServiceError("Mục đích lấy ý kiến không hợp lệ.")
    _check_year_and_deadline(today.year, deadline, today)
    portal_reference = clean_text(portal_reference)[:50]
    members = list(members)
    if not members:
        raise ServiceError("Chưa chọn đảng viên nào để lấy ý kiến nhận xét.")
    scope = scope_for(actor)
    links = rules.current_links(Member.objects.filter(pk__in=[m.pk for m in members]))
    committees = _committees_by_cell(m.workplace_cell_id for m in members)
    result = AskResult()
    with transaction.atomic():
        for member in members:
            link = links.get(member.pk)
            if not scope.may_write(member.workplace_cell):
                result.skipped.append((member, "Bạn không có quyền lấy ý kiến nhận xét đảng viên này."))
                continue
            if refusal := rules.placement_refusal(link):
                result.skipped.append((member, rules.Skip(refusal).label))
                continue
            assert link is not None
            form = _form_in_force(today.year, rules.audience_of(member.liaison_category))
            request = CommentRequest.objects.create(
                member=member,
                liaison_id=link["pk"],
                cell_id=link["cell_id"],
                commune_org_id=link["commune_org_id"],
                workplace_org=committees[member.workplace_cell_id],
                form=form,
                year=today.year,
                purpose=purpose,
                deadline=deadline,
                portal_reference=portal_reference,
                created_by=actor,
            )
            notify(
                org=request.cell,
                kind=InboxItem.Kind.COMMENT_REQUEST,
                liaison=request.liaison,
                due_date=deadline,
                summary=f"{request.workplace_org.name} đề nghị nhận xét đồng chí {member.full_name} "
                f"({request.get_purpose_display().lower()}), hạn {deadline:%d/%m/%Y}",
            )
            audit_record(
                actor=actor,
                action="create",
                target=request,
                changes={
                    "after": {
                        "purpose": purpose,
                        "deadline": deadline.isoformat(),
                        "portal_reference": portal_reference,
                    }
                },
            )
            result.created.append(request)
    return result


def _tell_workplace(request: CommentRequest) -> None:
    notify(
        org=request.workplace_org,
        kind=InboxItem.Kind.COMMENT,
        liaison=request.liaison,
        summary=f"{request.cell.name} đã gửi nhận xét đồng chí {request.member.full_name} "
        f"({request.get_purpose_display().lower()} {request.year})",
    )


def comment_submit(*, actor, request: CommentRequest, levels: dict[int, int], text: str) -> Comment:
    """The residential cell's comment: a level (1 to 3) for every criterion of the request's form,
    then free text. It goes to the workplace at once, or first to the commune committee when
    COMMENT_CONFIRM_BY_COMMUNE asks (rules.confirm_by_commune)."""
    if not may_answer_comment(actor, request):
        raise ServiceError("Bạn không có quyền nhận xét đảng viên này.")
    criteria = list(request.form.criteria.order_by("position"))
    missing = [c.label for c in criteria if levels.get(c.pk) not in (1, 2, 3)]
    if missing:
        raise ServiceError("Chưa chọn mức cho: " + "; ".join(missing) + ".")
    text = clean_text(text)
    if not text:
        raise ServiceError("Vui lòng ghi nhận xét (ưu điểm, hạn chế, việc đã làm ở nơi cư trú).")
    confirm = rules.confirm_by_commune() and request.commune_org_id is not None
    now = timezone.now()
    new_state = R.State.AWAITING_CONFIRMATION if confirm else R.State.ANSWERED
    with transaction.atomic():
        changed = CommentRequest.objects.filter(pk=request.pk, state=R.State.PENDING).update(
            state=new_state, answered_at=None if confirm else now, updated_at=now
        )
        if not changed:
            raise ConflictError(f"Đồng chí {request.member.full_name} đã được nhận xét theo phiếu này.")
        request.state, request.answered_at = new_state, (None if confirm else now)
        comment = Comment.objects.create(request=request, text=text, written_by=actor)
        CommentAnswer.objects.bulk_create(
            [CommentAnswer(comment=comment, criterion=c, level=levels[c.pk]) for c in criteria]
        )
        if confirm:
            notify(
                org=request.commune_org,
                kind=InboxItem.Kind.COMMENT,
                liaison=request.liaison,
                summary=f"{request.cell.name} đã nhận xét đồng chí {request.member.full_name}: "
                "chờ đảng ủy xác nhận",
            )
        else:
            _tell_workplace(request)
        audit_record(
            actor=actor,
            action="update",
            target=request,
            note="comment_submit",
            changes={
                "after": {"state": new_state, "levels": {c.key: levels[c.pk] for c in criteria}, "text": text}
            },
        )
    return comment


def comment_confirm(*, actor, request: CommentRequest) -> CommentRequest:
    """The commune committee confirms the cell's comment; it goes to the workplace at once."""
    if not may_confirm_comment(actor, request):
        raise ServiceError("Bạn không có quyền xác nhận nhận xét này.")
    now = timezone.now()
    with transaction.atomic():
        changed = CommentRequest.objects.filter(pk=request.pk, state=R.State.AWAITING_CONFIRMATION).update(
            state=R.State.ANSWERED, answered_at=now, updated_at=now
        )
        if not changed:
            raise ConflictError("Nhận xét này không chờ xác nhận (đã xác nhận, hoặc chi bộ chưa nhận xét).")
        request.state, request.answered_at = R.State.ANSWERED, now
        Comment.objects.filter(request=request).update(confirmed_by=actor, confirmed_at=now)
        _tell_workplace(request)
        audit_record(actor=actor, action="update", target=request, note="comment_confirm",
                     changes={"after": {"state": R.State.ANSWERED}})  # fmt: skip
    return request
