"""Data that needs care (issue 13): the checks a province ran by hand in the 2025 clean-ups of the
national member database, each a named condition over the records the user may see.

A check is a Q over a *base*: the members the user sees on the workplace side
(`access.members_visible_to(workplace_only=True)`: the residence side does not see card numbers,
national IDs or dates of admission) or the links the user sees (`access.liaisons_visible_to`). The
list of a check is `base.filter(check.q(base, today))`; its count is the same Q counted over the
same base (`counts`: one query per kind of record for every check at once). So a count and the
list behind it cannot disagree, and a user never sees a record outside the access rule.

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
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from haichieu.access import liaisons_visible_to, members_visible_to, scope_for
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member

MEMBER, LINK = "member", "link"
WORKPLACE_FIXES = "Cấp ủy nơi công tác (đảng ủy, chi bộ quản lý hồ sơ đảng viên)"
HOLDER_FIXES = (
    "Bên đang giữ hồ sơ: cấp ủy nơi công tác khi hồ sơ chưa gửi hoặc bị trả lại; đảng ủy xã, "
    "phường, đặc khu khi đã giới thiệu, tiếp nhận"
)


@dataclass(frozen=True)
class Check:
    """One kind of data that needs care: which records, what it is called, how to fix it, who may."""

    key: str  # in the URL
    record: str  # MEMBER or LINK
    label: str
    how_to: str
    fixer: str
    q: Callable[[QuerySet, datetime.date], Q]


def _duplicate_national_id(base: QuerySet, today: datetime.date) -> Q:
    # Uncorrelated: PostgreSQL groups the scope's IDs once and tests each row against a hash.
    shared = (
        base.exclude(national_id="")
        .order_by()
        .values("national_id")
        .annotate(records=Count("pk"))
        .filter(records__gt=1)
        .values("national_id")
    )
    return ~Q(national_id="") & Q(national_id__in=shared)


def _no_residence(base: QuerySet, today: datetime.date) -> Q:
    return Q(status__in=Member.ACTIVE_STATUSES, residence_commune__isnull=True)


def _impossible_member_dates(base: QuerySet, today: datetime.date) -> Q:
    """The member form's rules across dates (members/validators.member_record_errors), for records
    written before them or by other paths (an import of old lists, the admin, a raw load)."""
    return (
        Q(date_of_birth__gt=today)
        | Q(admission_date__gt=today)
        | Q(full_membership_date__gt=today)
        | Q(admission_date__lte=F("date_of_birth"))
        | Q(admission_date__year__lt=F("date_of_birth__year") + 18)
        | Q(full_membership_date__lt=F("admission_date"))
        | Q(status=Member.Status.PROBATIONARY, full_membership_date__isnull=False)
    )


def _missing_member_dates(base: QuerySet, today: datetime.date) -> Q:
    # Birth and admission dates are required columns; the date of full membership is required once
    # the member is full.
    return Q(status=Member.Status.FULL, full_membership_date__isnull=True)


_SENT = (Liaison.Status.INTRODUCED, Liaison.Status.RECEIVED, Liaison.Status.ACTIVE)
_RECEIVED = (Liaison.Status.RECEIVED, Liaison.Status.ACTIVE)


def _link_dates(base: QuerySet, today: datetime.date) -> Q:
    """A link's moments out of the workflow's order (introduced → received → active; returned or
    ended after the introduction), a letter dated in the future, or a date its status needs missing."""
    return (
        Q(letter_date__gt=today)
        | Q(received_at__lt=F("introduced_at"))
        | Q(activated_at__lt=F("received_at"))
        | Q(returned_at__lt=F("introduced_at"))
        | Q(ended_at__lt=F("introduced_at"))
        | Q(status__in=_SENT, letter_date__isnull=True)
        | Q(status__in=_RECEIVED, received_at__isnull=True)
    )


def _deactivated_org(base: QuerySet, today: datetime.date) -> Q:
    return Q(status__in=Liaison.OPEN_STATUSES) & (
        Q(workplace_org__is_active=False) | Q(commune_org__is_active=False) | Q(cell__is_active=False)
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


def check_records(user, check: Check, *, today: datetime.date | None = None) -> QuerySet:
    """The records of `check` the user may see (the list; paged by the caller)."""
    base = _base(user, check.record)
    return base.filter(check.q(base, today or timezone.localdate()))


def counts(user, *, today: datetime.date | None = None) -> dict[str, int]:
    """{check key: records}: the same condition as `check_records`, counted over the same base,
    every check of one kind of record in one query (two queries in all)."""
    today = today or timezone.localdate()
    result: dict[str, int] = {}
    for record in (MEMBER, LINK):
        base = _base(user, record)
        checks = [check for check in CHECKS if check.record == record]
        result.update(
            base.order_by().aggregate(**{c.key: Count("pk", filter=c.q(base, today)) for c in checks})
        )
    return {check.key: result[check.key] for check in CHECKS}


def link_holder(liaison: Liaison):
    """The organisation that holds the link now and so fixes it: the workplace committee while the
    link is a draft, returned or ended; the commune committee once it is sent there."""
    if liaison.status in _SENT and liaison.commune_org_id:
        return liaison.commune_org
    return liaison.workplace_org
