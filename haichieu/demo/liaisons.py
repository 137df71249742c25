"""The liaisons: most working members have one, in every status, with the dates and letters it implies."""

from __future__ import annotations

import datetime
import random
import zoneinfo

from django.conf import settings

from haichieu.core.models import DocumentCounter
from haichieu.demo.common import BATCH, TODAY, date_between, weighted
from haichieu.demo.members import MemberPlan
from haichieu.demo.tree import Node, Tree
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

L = Liaison.Status
_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

_LIAISON_WEIGHTS = [(L.ACTIVE, 760), (L.RECEIVED, 60), (L.INTRODUCED, 60), (L.RETURNED, 25),
                    (L.DRAFT, 40), (L.ENDED, 55)]  # fmt: skip # a data table: one entry a line would hide its shape


def _moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=_TZ)


class _Letters:
    """Introduction letter numbers per workplace committee, running through its term (HD 36)."""

    def __init__(self):
        self.last: dict[int, int] = {}

    def next(self, committee: Node) -> int:
        self.last[committee.pk] = self.last.get(committee.pk, 0) + 1
        return self.last[committee.pk]


def _liaison(
    rng: random.Random,
    plan: MemberPlan,
    status: str,
    letters: _Letters,
    *,
    committee: Node,
    cell: Node,
    excused: bool,
    end_reason: str = "",
) -> Liaison:
    """One liaison with the dates and documents its status implies."""
    member = plan.member
    workplace = plan.workplace_committee
    rules = settings.HAICHIEU["RULES"]
    earliest = max(member.admission_date, datetime.date(2021, 1, 1))
    letter_date = date_between(rng, earliest, TODAY - datetime.timedelta(days=5))
    if status == L.INTRODUCED and rng.random() < 0.7:  # most are still within the deadline
        letter_date = TODAY - datetime.timedelta(days=rng.randint(1, 30))
    liaison = Liaison(
        member=member,
        workplace_org_id=workplace.pk,
        commune_org_id=committee.pk,
        commune_id=committee.commune.code,
        address_street=member.address_street,
        address_hamlet=cell.hamlet,
        status=status,
        excused=excused,
    )
    if status == L.DRAFT:
        return liaison
    liaison.letter_number = letters.next(workplace)
    liaison.letter_symbol = f"{rules['LETTER_SYMBOL']}/ĐU"
    liaison.letter_date = letter_date
    liaison.introduced_at = _moment(letter_date)
    liaison.receive_due = letter_date + datetime.timedelta(days=rules["RECEIVE_WITHIN_DAYS"])
    received = letter_date + datetime.timedelta(days=rng.randint(2, 14))
    if status == L.RETURNED:
        liaison.returned_at = _moment(received, 15)
        liaison.return_reason = rng.choice(
            [Liaison.ReturnReason.NOT_OUR_AREA, Liaison.ReturnReason.WRONG_ADDRESS]
        )
        liaison.return_note = (
            "Địa chỉ không thuộc địa bàn phường/xã."
            if liaison.return_reason == Liaison.ReturnReason.NOT_OUR_AREA
            else f"Không có số nhà này tại {cell.hamlet.lower()}."
        )
        return liaison
    if status == L.INTRODUCED:
        return liaison
    liaison.cell_id = cell.pk
    liaison.received_at = _moment(received)
    if status == L.RECEIVED:
        return liaison
    liaison.activated_at = _moment(received + datetime.timedelta(days=rng.randint(1, 20)))
    if status == L.ENDED:
        end = date_between(rng, liaison.activated_at.date() + datetime.timedelta(days=90), TODAY)
        liaison.end_date = end
        liaison.ended_at = _moment(end, 14)
        liaison.end_reason = end_reason or Liaison.EndReason.NO_LONGER_RESIDES
    return liaison


def plan_liaisons(rng: random.Random, plans: list[MemberPlan], tree: Tree) -> tuple[list, list]:
    """Liaisons for most working members who live where the demo has a commune committee.

    The first ones cycle through every status so even a small demo shows each of them. Returns
    (earlier links ended by a move, current links); a current link's `previous` is set later.
    """
    values, cum = weighted(_LIAISON_WEIGHTS)
    rules = settings.HAICHIEU["RULES"]
    every_status = [L.ACTIVE, L.DRAFT, L.INTRODUCED, L.RETURNED, L.RECEIVED, L.ENDED]
    letters = _Letters()
    moved: list[tuple[Liaison, Liaison]] = []
    current: list[Liaison] = []
    for index, plan in enumerate(plans):
        member = plan.member
        if plan.retired or plan.home_cell is None:
            continue
        if member.status not in Member.ACTIVE_STATUSES:
            continue
        if member.liaison_category in rules["NOT_INTRODUCED_CATEGORIES"]:
            continue
        if index and rng.random() > 0.85:
            continue
        status = every_status[len(current)] if len(current) < len(every_status) else None
        status = status or (L.ACTIVE if index == 0 else rng.choices(values, cum_weights=cum)[0])
        excused = member.liaison_category in rules["EXCUSED_CATEGORIES"]
        link = _liaison(
            rng, plan, status, letters, committee=plan.commune_committee, cell=plan.home_cell, excused=excused
        )
        current.append(link)
        if index and status == L.ACTIVE and len(tree.commune_committees) > 1 and rng.random() < 0.05:
            # Moved house: the old link ended and a new one started; `previous` keeps the chain.
            old = rng.choice([c for c in tree.commune_committees if c is not plan.commune_committee])
            old_cell = rng.choice(tree.residential_cells[old.commune.code])
            earlier = _liaison(
                rng,
                plan,
                L.ENDED,
                letters,
                committee=old,
                cell=old_cell,
                excused=excused,
                end_reason=Liaison.EndReason.MOVED,
            )
            moved.append((earlier, link))
    return moved, current


def _save_letter_counters(liaisons: list[Liaison]) -> None:
    """So the next real introduction letter of a committee follows the demo's numbers."""
    last: dict[int, int] = {}
    for link in liaisons:
        if link.letter_number:
            last[link.workplace_org_id] = max(last.get(link.workplace_org_id, 0), link.letter_number)
    terms = dict(Organization.objects.filter(pk__in=list(last)).values_list("pk", "term"))
    symbol = settings.HAICHIEU["RULES"]["LETTER_SYMBOL"]
    DocumentCounter.objects.bulk_create(
        [
            DocumentCounter(organization_id=pk, doc_type=symbol, term=terms[pk], last_number=number)
            for pk, number in last.items()
        ]
    )


def write_liaisons(moved: list[tuple[Liaison, Liaison]], current: list[Liaison]) -> list[Liaison]:
    """Insert the links ended by a move, then the current ones pointing back to them; all are returned."""
    earlier = [old for old, _new in moved]
    for link in earlier + current:
        link.member_id = link.member.pk
    Liaison.objects.bulk_create(earlier, batch_size=BATCH)
    for old, new in moved:
        new.previous_id = old.pk
    Liaison.objects.bulk_create(current, batch_size=BATCH)
    liaisons = current + earlier
    _save_letter_counters(liaisons)
    return liaisons
