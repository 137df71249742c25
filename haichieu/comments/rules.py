"""Who gets a yearly comment request, and the arithmetic of deadlines (issue 12), each written once.

`yearly_round(org, year, day)` is the one rule of the yearly round: every active working member of
`org`'s subtree (liaisons.rules.working) gets a request from the residential cell where they are
placed now (a link received or active, with its cell), except
- `already_requested`: the member has this year's yearly request (the round is idempotent);
- `not_linked`: no link received or active (none yet, a draft, an introduction returned or ended);
- `not_placed`: the link is introduced or received but the commune has not placed them in a cell;
- `excused`: HD 33-HD/BTCTW §1.1 excuses their category from residence meetings: no routine yearly
  comment, only ad hoc ones (liaisons.rules.category_rule_q, the same rule the meetings use);
- `exempt`: an exemption from party work and activities in force on `day`
  (Exemption.objects.in_force_on), whose member is not rated (QĐ 366; exemptions.rules.Lift.RATING).
A member who moved during the year is asked of the cell where they are placed now; the facts the
cell sees cover the whole year, the earlier residence's meetings too (selectors.comment_facts).

Four queries whatever the number of members; nothing is read per member.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import F, Q, QuerySet

from haichieu.exemptions import rules as exemption_rules
from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import Liaison
from haichieu.liaisons.rules import CategoryRule, category_rule, working
from haichieu.meetings import rules as meeting_rules
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from .models import CommentForm, CommentRequest, Criterion

# A link through which a member is placed in a residential cell (the meetings invite them from it).
PLACED_STATUSES = meeting_rules.LINKED_STATUSES
# A link that reached the residence but may not be placed yet.
LINKED_STATUSES = Liaison.RESIDENT_STATUSES


def rules() -> dict:
    return settings.HAICHIEU["RULES"]


def confirm_by_commune() -> bool:
    """Whether the commune committee confirms the cell's comment before it goes to the workplace."""
    return bool(rules()["COMMENT_CONFIRM_BY_COMMUNE"])


def remind_within_days() -> int:
    return int(rules()["COMMENT_REMIND_WITHIN_DAYS"])


class Skip(models.TextChoices):
    """Why the yearly round leaves a member out (the command's "skipped" keys)."""

    ALREADY_REQUESTED = "already_requested", "Đã có phiếu nhận xét năm này"
    NOT_LINKED = "not_linked", "Chưa giới thiệu hoặc nơi cư trú chưa tiếp nhận"
    NOT_PLACED = "not_placed", "Đảng ủy xã, phường chưa phân về chi bộ nơi cư trú"
    EXCUSED = "excused", "Được miễn sinh hoạt nơi cư trú (HD 33): chỉ nhận xét khi cần thiết"
    EXEMPT = "exempt", "Đang được miễn công tác và sinh hoạt đảng: không đánh giá, xếp loại"


@dataclass(frozen=True)
class Placement:
    """Where a member is placed now: the link and its cell, commune committee and workplace committee."""

    member_id: int
    liaison_id: int
    cell_id: int
    commune_org_id: int | None
    workplace_cell_id: int


@dataclass
class RoundPlan:
    """What a yearly round would create: one placement per member to ask about, and who is left out."""

    placements: list[Placement] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=dict)

    def skipped_counts(self) -> dict[str, int]:
        return {reason: len(ids) for reason, ids in self.skipped.items() if ids}


def current_links(members: QuerySet[Member]) -> dict[int, dict]:
    """Each member's link the residence holds now (introduced, received or active), as a dict (one
    query): at most one per member (liaison_one_open_per_member)."""
    links = Liaison.objects.filter(member__in=members, status__in=LINKED_STATUSES).values(
        "pk", "member_id", "status", "cell_id", "commune_org_id", "cell__is_residential"
    )
    return {link["member_id"]: dict(link) for link in links}


def placement_refusal(link: dict | None) -> str:
    """Skip.NOT_LINKED or Skip.NOT_PLACED for a member's current link (a `current_links` dict), or ''."""
    if link is None:
        return Skip.NOT_LINKED
    if link["status"] not in PLACED_STATUSES or link["cell_id"] is None or not link["cell__is_residential"]:
        return Skip.NOT_PLACED
    return ""


def exempt_ids(members: QuerySet[Member], day: datetime.date) -> set[int]:
    """The members of `members` exempt on `day` whom the exemption lifts from the rating (one query)."""
    if not exemption_rules.lifts(exemption_rules.Lift.RATING):
        return set()
    return set(
        Exemption.objects.in_force_on(day).filter(member__in=members).values_list("member_id", flat=True)
    )


def yearly_round(org: Organization, year: int, day: datetime.date) -> RoundPlan:
    """Who of `org`'s subtree gets a yearly request for `year` and from which cell (see the module)."""
    members = working(
        Member.objects.filter(org.subtree_q("workplace_cell__path"), status__in=Member.ACTIVE_STATUSES)
    )
    rows = list(members.order_by("sort_key", "pk").values_list("pk", "liaison_category", "workplace_cell_id"))
    links = current_links(members)
    exempt = exempt_ids(members, day)
    requested = set(
        CommentRequest.objects.filter(
            member__in=members, year=year, purpose=CommentRequest.Purpose.YEARLY
        ).values_list("member_id", flat=True)
    )
    plan = RoundPlan(skipped={reason: [] for reason in Skip.values})
    for member_id, category, workplace_cell_id in rows:
        link = links.get(member_id)
        reason: str
        if member_id in requested:
            reason = Skip.ALREADY_REQUESTED
        elif refusal := placement_refusal(link):
            reason = refusal
        elif category_rule(category) == CategoryRule.EXCUSED:
            reason = Skip.EXCUSED
        elif member_id in exempt:
            reason = Skip.EXEMPT
        else:
            assert link is not None
            plan.placements.append(
                Placement(member_id, link["pk"], link["cell_id"], link["commune_org_id"], workplace_cell_id)
            )
            continue
        plan.skipped[reason].append(member_id)
    return plan


def audience_of(category: str) -> str:
    """The form a member's comment is written on: Mẫu 4-213 for a category HD 33 excuses from
    residence meetings, else Mẫu 3-213."""
    if category_rule(category) == CategoryRule.EXCUSED:
        return CommentForm.Audience.EXCUSED
    return CommentForm.Audience.REGULAR


# --- deadlines -------------------------------------------------------------------------------------
def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Requests not answered whose deadline has passed (the one definition of "overdue")."""
    return Q(**{f"{prefix}state__in": CommentRequest.OPEN_STATES, f"{prefix}deadline__lt": today})


def pending_q(today: datetime.date, prefix: str = "") -> Q:
    """Requests not answered, still within their deadline."""
    return Q(**{f"{prefix}state__in": CommentRequest.OPEN_STATES, f"{prefix}deadline__gte": today})


def answered_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": CommentRequest.State.ANSWERED})


# As of a day (the statistics, issue 13: a report made in January about December). The state columns
# above say where a request stands now; these read the dates, so that a past day is seen as it was.
# On today they agree with the state-based ones (tests/test_figures.py checks it).
def made_by_q(day: datetime.date, prefix: str = "") -> Q:
    """Requests made on or before `day` (the local date of their creation)."""
    return Q(**{f"{prefix}created_at__date__lte": day})


def answered_by_q(day: datetime.date, prefix: str = "") -> Q:
    """Requests whose comment reached the workplace on or before `day`."""
    return Q(**{f"{prefix}answered_at__date__lte": day})


def open_on_q(day: datetime.date, prefix: str = "") -> Q:
    """Requests not answered by the end of `day`."""
    return Q(**{f"{prefix}answered_at__isnull": True}) | Q(**{f"{prefix}answered_at__date__gt": day})


def answered_on_time_q(day: datetime.date, prefix: str = "") -> Q:
    """Requests answered by `day` and no later than their deadline (the deadline day itself is in
    time: a request is overdue only from the next day, `overdue_q`)."""
    return answered_by_q(day, prefix) & Q(**{f"{prefix}answered_at__date__lte": F(f"{prefix}deadline")})


def overdue_on_q(day: datetime.date, prefix: str = "") -> Q:
    """`overdue_q` as of `day`: not answered by then, and the deadline passed before it."""
    return open_on_q(day, prefix) & Q(**{f"{prefix}deadline__lt": day})


def pending_on_q(day: datetime.date, prefix: str = "") -> Q:
    """`pending_q` as of `day`: not answered by then, the deadline not passed."""
    return open_on_q(day, prefix) & Q(**{f"{prefix}deadline__gte": day})


def due_soon_q(today: datetime.date) -> Q:
    """Requests not answered whose deadline falls within COMMENT_REMIND_WITHIN_DAYS."""
    last = today + datetime.timedelta(days=remind_within_days())
    return Q(state__in=CommentRequest.OPEN_STATES, deadline__gte=today, deadline__lte=last)


# --- the meetings criterion, suggested from the facts ------------------------------------------------
def suggested_meetings_level(attended: int, expected: int) -> int | None:
    """The level of the meetings criterion the attendance suggests: every meeting expected attended
    → 1 (Tham gia đầy đủ), some → 2 (Chưa đầy đủ), none → 3 (Không tham gia); None when no meeting
    was expected of the member (nothing to suggest from)."""
    rate = meeting_rules.rate(attended, expected)
    if rate is None:
        return None
    if rate >= 100:
        return 1
    return 2 if attended > 0 else 3


def suggestions(criteria: list[Criterion], *, attended: int, expected: int) -> dict[int, int]:
    """{criterion id: suggested level} for the form's criteria (only the meetings one is suggested)."""
    level = suggested_meetings_level(attended, expected)
    return {c.pk: level for c in criteria if c.key == Criterion.MEETINGS and level is not None}
