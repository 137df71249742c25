"""Introductions people can check before they happen and take back (issue 15, item 5).

A bulk introduction is previewed first — how many, to which committees, on which date and signed by
whom, which members cannot be introduced and why — and issued only when the preview is confirmed
(`introduction_batch_issue`). The preview is stored (`IntroductionBatch`), so the confirmation is a
conditional update from "previewed" to "issued": a double submission issues the letters once and
both land on the same result page. `liaison_withdraw` takes back a letter the residence has not
acted on: its number stays in the register, marked withdrawn, the commune committee is told, and the
member is to introduce again.

Services (writes in one transaction, audited) and the preview (a read) of one workflow step, kept
out of services.py, which passed the size where a module is split.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from haichieu.access import members_visible_to
from haichieu.core.audit import audit_record
from haichieu.core.services import ConflictError, ServiceError
from haichieu.core.text import clean_text
from haichieu.members.models import Member

from .models import InboxItem, IntroductionBatch, Liaison, LiaisonEvent
from .selectors import Signer, last_signer
from .services import (
    _can_write,
    _handled,
    _lock_member,
    _record,
    _set_link_status,
    _transition,
    _workplace,
    commune_committees_for,
    introduce_refusal,
    liaison_introduce,
    notify,
    open_link_refusal,
    workplace_committees_of,
)

S = Liaison.Status
B = IntroductionBatch.State
# A province's "introduce everyone" is cut into batches of this many (the coverage page says so).
BATCH_LIMIT = 1000


# --- the preview --------------------------------------------------------------------------------
@dataclass
class Destination:
    """The members of a preview going from one workplace committee to one commune committee."""

    workplace: str
    committee: str  # the commune committee's name, or the commune's when it has none in the system
    in_system: bool  # False: the letter is printed and sent on paper
    signer: Signer
    count: int = 0


@dataclass
class IntroducePreview:
    letter_date: datetime.date
    destinations: list[Destination] = field(default_factory=list)
    refused: list[tuple[Member, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(d.count for d in self.destinations)


def introduction_preview(
    *, actor, members, signer: Signer | None, letter_date: datetime.date, note: str = ""
) -> IntroducePreview:
    """What `liaison_introduce` would do with `members` now, without writing: the destinations with
    their counts and signers, and each member it would refuse with the reason. A bounded number of
    queries whatever the number of members (one more per introducing committee for its last signer)."""
    members = list(members)
    preview = IntroducePreview(letter_date=letter_date)
    newest: dict[int, Liaison] = {}
    for link in Liaison.objects.filter(
        member_id__in=[m.pk for m in members], status__in=Liaison.OPEN_STATUSES
    ).order_by("pk"):
        newest[link.member_id] = link
    committees = workplace_committees_of({m.workplace_cell for m in members})
    communes = commune_committees_for({m.residence_commune_id for m in members if m.residence_commune_id})
    signers: dict[int, Signer] = {}
    destinations: dict[tuple[int, str], Destination] = {}
    for member in members:
        refusal = introduce_refusal(actor, member) or open_link_refusal(newest.get(member.pk), member, note)
        if refusal is not None:
            preview.refused.append((member, refusal))
            continue
        workplace = committees[member.workplace_cell_id]
        commune_org = communes.get(member.residence_commune_id)
        if workplace.pk not in signers:
            signers[workplace.pk] = signer or last_signer(Liaison.objects.filter(workplace_org=workplace))
        key = (workplace.pk, f"o{commune_org.pk}" if commune_org else f"c{member.residence_commune_id}")
        if key not in destinations:
            destinations[key] = Destination(
                workplace=workplace.name,
                committee=commune_org.name if commune_org else str(member.residence_commune),
                in_system=commune_org is not None,
                signer=signers[workplace.pk],
            )
        destinations[key].count += 1
    preview.destinations = sorted(destinations.values(), key=lambda d: (-d.count, d.workplace, d.committee))
    return preview


# --- the batch: stored preview, confirmation -----------------------------------------------------
def introduction_batch_create(
    *,
    actor,
    members,
    signer: Signer | None,
    limited: bool = False,
    note: str = "",
    today: datetime.date | None = None,
) -> IntroductionBatch:
    """Keep a selection to preview and confirm (the user's previews of earlier days are dropped).
    `note`: why members returned for their address are introduced again to it (`liaison_introduce`)."""
    today = today or timezone.localdate()
    members = list(members)
    if not members:
        raise ServiceError("Chưa chọn đảng viên nào để giới thiệu.")
    with transaction.atomic():
        IntroductionBatch.objects.filter(created_by=actor, state=B.PREVIEWED, letter_date__lt=today).delete()
        return IntroductionBatch.objects.create(
            created_by=actor,
            letter_date=today,
            signer_title=signer.title
            if signer
            else IntroductionBatch._meta.get_field("signer_title").default,
            signer_name=signer.name if signer else "",
            member_ids=[m.pk for m in members],
            limited=limited,
            note=clean_text(note),
        )


def batch_signer(batch: IntroductionBatch) -> Signer | None:
    """The signer chosen for the batch; None: each committee's signer of its last letter."""
    return Signer(batch.signer_title, batch.signer_name) if batch.signer_name else None


def batch_members(actor, batch: IntroductionBatch):
    """The batch's members the user still sees on the workplace side, in the list's order."""
    return (
        members_visible_to(actor, workplace_only=True)
        .filter(pk__in=batch.member_ids)
        .select_related("workplace_cell", "residence_commune")
        .order_by("sort_key", "pk")
    )


def introduction_batch_issue(
    *, actor, batch: IntroductionBatch, today: datetime.date | None = None
) -> tuple[IntroductionBatch, bool]:
    """Issue the letters of a previewed batch (`liaison_introduce`, one transaction): (the batch, True)
    the first time; (the batch as issued, False) for a second submission, which issues nothing.

    The letters carry the date the preview showed: a preview of an earlier day is refused, to be
    previewed again."""
    today = today or timezone.localdate()
    with transaction.atomic():
        claimed = IntroductionBatch.objects.filter(pk=batch.pk, created_by=actor, state=B.PREVIEWED)
        if batch.state == B.PREVIEWED and batch.letter_date != today:
            raise ServiceError(
                f"Bản xem trước lập ngày {batch.letter_date:%d/%m/%Y}: hãy xem trước lại để giấy giới "
                "thiệu mang ngày hôm nay."
            )
        if not claimed.update(state=B.ISSUED, issued_at=timezone.now()):
            batch.refresh_from_db()
            return batch, False
        result = liaison_introduce(
            actor=actor,
            members=batch_members(actor, batch),
            today=today,
            signer=batch_signer(batch),
            note=batch.note,
        )
        batch.refresh_from_db()
        batch.introduced_ids = [link.pk for link in result.introduced]
        batch.skipped = [[member.pk, why] for member, why in result.skipped]
        batch.save(update_fields=["introduced_ids", "skipped"])
        audit_record(
            actor=actor,
            action="create",
            target=batch,
            note="introduce_batch",
            changes={"after": {"introduced": len(result.introduced), "skipped": len(result.skipped)}},
        )
    return batch, True


# --- withdrawal ---------------------------------------------------------------------------------
def liaison_withdraw(*, actor, liaison: Liaison, note: str = "") -> Liaison:
    """The workplace takes back an introduction the commune committee has not acted on (neither
    received nor returned). The letter keeps its number, marked withdrawn (the link ends, reason
    "withdrawn"); the committee's waiting item is closed and it is told; the member is to introduce
    again (a new draft to the same residence, `previous` keeping the chain). Returns the draft."""
    if not _can_write(actor, liaison.member.workplace_cell):
        raise ServiceError("Bạn không có quyền thu hồi giấy giới thiệu này.")
    note = clean_text(note)
    with transaction.atomic():
        _lock_member(liaison)
        if liaison.status != S.INTRODUCED:
            raise ConflictError(
                f"Không thu hồi được: giới thiệu đồng chí {liaison.member.full_name} đã được xử lý "
                f"(hiện: {liaison.status_label.lower()}). Chỉ thu hồi giấy giới thiệu nơi cư trú chưa "
                "tiếp nhận hoặc trả lại."
            )
        old = _transition(
            liaison,
            from_statuses=[S.INTRODUCED],
            to_status=S.ENDED,
            ended_at=timezone.now(),
            end_date=timezone.localdate(),
            end_reason=Liaison.EndReason.WITHDRAWN,
        )
        reference = liaison.letter_reference
        _record(liaison, actor=actor, action="withdraw", from_status=old, note=f"{reference}. {note}".strip())
        _handled(liaison, actor=actor)
        notify(
            org=liaison.commune_org,
            kind=InboxItem.Kind.WITHDRAWN,
            liaison=liaison,
            summary=f"{_workplace(liaison).name} thu hồi giấy giới thiệu {reference} của đồng chí "
            f"{liaison.member.full_name}: không tiếp nhận theo giấy này" + (f" ({note})" if note else ""),
        )
        draft = Liaison.objects.create(
            member=liaison.member,
            status=S.DRAFT,
            previous=liaison,
            workplace_org=liaison.workplace_org,
            commune=liaison.commune,
            commune_org=liaison.commune_org,
            address_hamlet=liaison.address_hamlet,
            address_street=liaison.address_street,
        )
        _set_link_status(liaison.member_id, S.DRAFT)
        LiaisonEvent.objects.create(
            liaison=draft,
            actor=actor,
            actor_repr=actor.username,
            action="open",
            to_status=S.DRAFT,
            note=f"Sau khi thu hồi giấy giới thiệu {reference}",
        )
        audit_record(actor=actor, action="create", target=draft, changes={"after": {"previous": reference}})
    return draft
