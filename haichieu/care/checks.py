"""Data that needs care (issue 13): the checks a province ran by hand in the 2025 clean-ups of the
national member database, each a named condition over the records the user may see.

A check is a Q over a *base*: the members the user sees on the workplace side
(`access.members_visible_to(workplace_only=True)`: the residence side does not see card numbers,
national IDs or dates of admission) or the links the user sees (`access.liaisons_visible_to`, read
as its sides, `access.liaison_sides`). The list of a check is the base filtered by the check's Q;
its count is the same Q counted over the same base or sides (`counts`). So a count and the list
behind it cannot disagree, and a user never sees a record outside the access rule.

Duplicates are found only *among the records the user sees*: a national ID held by one member in
the user's scope and one outside it shows nothing, not even "a duplicate exists elsewhere" — that
would tell a committee that someone outside its scope is a party member (the same reason the member
form's collision message names nothing, members/collisions.py). The organisation department whose
scope holds both records (the province, for two committees of one province; the superuser across
provinces) sees the pair and tells the committees.

Not checked, because the database already refuses them: the same party card number in two records
(`member_card_unique`) and two open links of one member (`liaison_one_open_per_member`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from haichieu.access import liaison_sides, liaisons_visible_to, members_visible_to, scope_for
from haichieu.liaisons.models import LINK_DATES_NEED_CARE, Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

MEMBER, LINK = "member", "link"
WORKPLACE_FIXES = "Cấp ủy nơi công tác (đảng ủy, chi bộ quản lý hồ sơ đảng viên)"
HOLDER_FIXES = (
    "Bên đang giữ hồ sơ: cấp ủy nơi công tác khi hồ sơ chưa gửi hoặc bị trả lại; đảng ủy xã, "
    "phường, đặc khu khi đã giới thiệu, tiếp nhận"
)


class Facts:
    """What the conditions compare with, read once per page: today, and the organisations no longer
    active (few: their ids go into the conditions, so each link's organisation is looked up in its
    own index instead of joining every link to the organisation table)."""

    def __init__(self, today: datetime.date | None = None):
        self.today = today or timezone.localdate()

    @functools.cached_property
    def inactive_orgs(self) -> list[int]:
        return list(Organization.objects.filter(is_active=False).values_list("pk", flat=True))


@dataclass(frozen=True)
class Check:
    """One kind of data that needs care: which records, what it is called, how to fix it, who may."""

    key: str  # in the URL
    record: str  # MEMBER or LINK
    label: str
    how_to: str
    fixer: str
    q: Callable[[QuerySet, Facts], Q]
    alone: bool = False  # counted in a query of its own (a semi-join), not in the shared aggregate
    # The list's order when not its record kind's: the duplicates of one ID side by side.
    order: tuple[str, ...] = ()


def _duplicate_national_id(base: QuerySet, facts: Facts) -> Q:
    # A semi-join on member_national_id_idx among the records the user sees. At 100,000 members it
    # beat grouping the scope's IDs (a sort of them all) for the province, and costs a committee a
    # few lookups; inside the shared aggregate's FILTER it ran once per row, so it is counted alone
    # (docs/architecture.md "Data that needs care").
    other = base.filter(national_id=OuterRef("national_id")).exclude(pk=OuterRef("pk"))
    return ~Q(national_id="") & Q(Exists(other))


def _no_residence(base: QuerySet, facts: Facts) -> Q:
    return Q(status__in=Member.ACTIVE_STATUSES, residence_commune__isnull=True)


def _impossible_member_dates(base: QuerySet, facts: Facts) -> Q:
    """The member form's rules across dates (members/validators.member_record_errors), for records
    written before them or by other paths (an import of old lists, the admin, a raw load)."""
    today = facts.today
    return (
        Q(date_of_birth__gt=today)
        | Q(admission_date__gt=today)
        | Q(full_membership_date__gt=today)
        | Q(admission_date__lte=F("date_of_birth"))
        | Q(admission_date__year__lt=F("date_of_birth__year") + 18)
        | Q(full_membership_date__lt=F("admission_date"))
        | Q(status=Member.Status.PROBATIONARY, full_membership_date__isnull=False)
    )


def _missing_member_dates(base: QuerySet, facts: Facts) -> Q:
    # Birth and admission dates are required columns; the date of full membership is required once
    # the member is full.
    return Q(status=Member.Status.FULL, full_membership_date__isnull=True)


_SENT = (Liaison.Status.INTRODUCED, Liaison.Status.RECEIVED, Liaison.Status.ACTIVE)


def _link_dates(base: QuerySet, facts: Facts) -> Q:
    """A link's moments out of the workflow's order, a date its status needs missing (both:
    liaisons.models.LINK_DATES_NEED_CARE, which a partial index serves), or a letter dated after
    today (liaison_letter_date_idx)."""
    return Q(LINK_DATES_NEED_CARE) | Q(letter_date__gt=facts.today)


def _deactivated_org(base: QuerySet, facts: Facts) -> Q:
    inactive = facts.inactive_orgs
    return Q(status__in=Liaison.OPEN_STATUSES) & (
        Q(workplace_org__in=inactive) | Q(commune_org__in=inactive) | Q(cell__in=inactive)
    )


CHECKS = [
    Check(
        "trung-cccd",
        MEMBER,
        "Trùng số CCCD giữa hai hồ sơ đảng viên",
        "Hai hồ sơ cùng một số định danh thường là một người được nhập hai lần (chuyển sinh hoạt, nhập "
        "lại danh sách cũ). Đối chiếu thẻ đảng viên và lý lịch: giữ hồ sơ đúng, sửa số CCCD nhập nhầm; "
        "hồ sơ thừa của người đã chuyển đi thì ghi nhận chuyển sinh hoạt.",
        WORKPLACE_FIXES,
        _duplicate_national_id,
        alone=True,
        order=("national_id", "sort_key", "id"),
    ),
    Check(
        "thieu-noi-cu-tru",
        MEMBER,
        "Đảng viên đang sinh hoạt chưa có xã, phường cư trú",
        "Không có nơi cư trú thì không giới thiệu về nơi cư trú được. Mở hồ sơ, nhập xã/phường/đặc khu "
        "và thôn, tổ dân phố theo nơi đảng viên đang ở.",
        WORKPLACE_FIXES,
        _no_residence,
    ),
    Check(
        "ngay-vo-ly",
        MEMBER,
        "Ngày tháng vô lý (sinh, vào Đảng, chính thức)",
        "Ngày ở tương lai, vào Đảng trước ngày sinh hoặc chưa đủ 18 tuổi, chính thức trước ngày vào "
        "Đảng, đảng viên dự bị đã có ngày chính thức. Đối chiếu lý lịch, thẻ đảng viên rồi sửa ngày "
        "trong hồ sơ.",
        WORKPLACE_FIXES,
        _impossible_member_dates,
    ),
    Check(
        "thieu-ngay",
        MEMBER,
        "Đảng viên chính thức thiếu ngày chính thức",
        "Nhập ngày chính thức theo quyết định công nhận đảng viên chính thức.",
        WORKPLACE_FIXES,
        _missing_member_dates,
    ),
    Check(
        "ngay-ho-so",
        LINK,
        "Hồ sơ giữ mối liên hệ có ngày sai thứ tự hoặc thiếu",
        "Ngày tiếp nhận trước ngày giới thiệu, ngày kết thúc hoặc trả lại trước ngày giới thiệu, giấy "
        "giới thiệu đề ngày ở tương lai, hoặc hồ sơ đã gửi đi mà thiếu ngày giới thiệu, ngày tiếp nhận. "
        "Mở hồ sơ, đối chiếu giấy giới thiệu và phiếu báo tiếp nhận.",
        HOLDER_FIXES,
        _link_dates,
    ),
    Check(
        "to-chuc-ngung",
        LINK,
        "Hồ sơ đang mở gắn với tổ chức đảng đã ngừng hoạt động",
        "Cấp ủy, chi bộ của hồ sơ đã ngừng hoạt động (sáp nhập, giải thể). Nơi công tác ngừng: chuyển "
        "đảng viên sang chi bộ mới rồi giới thiệu lại; nơi cư trú ngừng: đảng ủy xã, phường phân đảng "
        "viên về chi bộ đang hoạt động, hoặc ban tổ chức tỉnh chỉ định đảng ủy tiếp nhận.",
        HOLDER_FIXES,
        _deactivated_org,
    ),
]
BY_KEY = {check.key: check for check in CHECKS}


def _base(user, record: str) -> QuerySet:
    """The records a check looks at: none for a user who reads no organisation's lists (a member
    alone fixes nothing: the own record is the committee's to correct)."""
    if not scope_for(user).reads_somewhere:
        return (Member if record == MEMBER else Liaison).objects.none()
    if record == MEMBER:
        return members_visible_to(user, workplace_only=True)
    return liaisons_visible_to(user)


def check_records(user, check: Check, *, facts: Facts | None = None) -> QuerySet:
    """The records of `check` the user may see, as one queryset (the union of `check_sides`)."""
    base = _base(user, check.record)
    return base.filter(check.q(base, facts or Facts()))


def check_sides(user, check: Check, *, facts: Facts | None = None) -> list[QuerySet]:
    """`check_records` as querysets whose union it is, each read from its own index: the list pages
    them (core.paging.keyset_page's `sides`) and `check_count` counts their union. A member check is
    one side (the workplace side's members); a link check one per side of the links the user sees."""
    facts = facts or Facts()
    if check.record == MEMBER:
        return [check_records(user, check, facts=facts)]
    if not scope_for(user).reads_somewhere:
        return []
    return [side.filter(check.q(side, facts)) for side in liaison_sides(user)]


def check_count(user, check: Check, *, facts: Facts | None = None) -> int:
    """How many records `check_sides` holds: their union, each record once (one query at most)."""
    sides = check_sides(user, check, facts=facts)
    if not sides:
        return 0
    if len(sides) == 1:
        return sides[0].count()
    first, *rest = [side.order_by().values("pk") for side in sides]
    return first.union(*rest).count()


def counts(user, *, facts: Facts | None = None) -> dict[str, int]:
    """{check key: records}, each the count of the list's own queryset (`check_count`), except that
    the member checks not counted alone share one query: the same Q counted over the same base (one
    scan of the user's members instead of one per check). A fixed number of queries: five at most."""
    facts = facts or Facts()
    base = _base(user, MEMBER)
    shared = [check for check in CHECKS if check.record == MEMBER and not check.alone]
    result = base.order_by().aggregate(**{c.key: Count("pk", filter=c.q(base, facts)) for c in shared})
    for check in CHECKS:
        if check.key not in result:
            result[check.key] = check_count(user, check, facts=facts)
    return {check.key: result[check.key] for check in CHECKS}


def link_holder(liaison: Liaison):
    """The organisation that holds the link now and so fixes it: the workplace committee while the
    link is a draft, returned or ended; the commune committee once it is sent there."""
    if liaison.status in _SENT and liaison.commune_org_id:
        return liaison.commune_org
    return liaison.workplace_org
