"""What the API reads and writes, as OpenAPI schemas (django-ninja / pydantic).

Text a client sends is NFC-normalised by the services; here it is bounded and refused when it holds
a NUL character (PostgreSQL stores no NUL in text: a 500 otherwise).
"""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Văn bản chứa ký tự NUL (\\x00) không hợp lệ.")
    return value


def Text(max_length: int):  # noqa: N802 (a type, written as one)
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]


class Error(Schema):
    detail: str = Field(description="Thông báo lỗi (tiếng Việt)")
    field: str | None = Field(None, description="Trường có lỗi, nếu có")


class FieldError(Schema):
    loc: list[str | int]
    msg: str


class ValidationErrors(Schema):
    detail: list[FieldError]


def page_of(item: type[Schema]) -> type[Schema]:
    """The schema of one page of `item`s: the rows and the cursor of the next page."""
    return type(
        f"{item.__name__.removesuffix('Out')}Page",
        (Schema,),
        {
            "__annotations__": {"items": list[item], "next": str | None},  # type: ignore[valid-type]
            "next": Field(None, description="Con trỏ trang sau (`?after=`); null ở trang cuối"),
        },
    )


class OrganizationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    path: str = Field(description="Đường dẫn trong cây tổ chức: tổ chức cha là tiền tố của tổ chức con")
    depth: int
    is_residential: bool
    is_active: bool


class MemberOut(Schema):
    id: int
    full_name: str
    date_of_birth: datetime.date
    position: str
    status: str
    workplace_cell_id: int
    workplace_cell: str
    residence_commune: str | None
    party_card_number: str | None = Field(
        None, description="Chỉ cho phía nơi công tác và chính đảng viên; null với phía nơi cư trú"
    )


class MemberDetailOut(MemberOut):
    gender: str
    phone: str
    email: str
    workplace_unit: str
    address_street: str
    address_hamlet: str
    residence_province: str | None
    link_status: str
    national_id: str | None = None
    admission_date: datetime.date | None = None
    full_membership_date: datetime.date | None = None
    liaison_category: str | None = None


class LiaisonOut(Schema):
    id: int
    member_id: int
    member: str
    status: str
    workplace_org_id: int | None
    commune: str | None
    commune_org_id: int | None
    cell_id: int | None
    letter: str
    letter_date: datetime.date | None
    introduced_at: datetime.datetime | None
    received_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    end_reason: str


class NoticeOut(Schema):
    id: int
    member_id: int
    member: str
    kind: str
    kind_label: str
    direction: str
    sender_org_id: int | None
    recipient_org_id: int | None
    event_date: datetime.date
    details: str
    created_at: datetime.datetime


class MeetingOut(Schema):
    id: int
    cell_id: int
    cell: str
    kind: str
    date: datetime.date
    start_time: datetime.time
    place: str
    state: str


class AttendanceOut(Schema):
    id: int
    meeting_id: int
    member_id: int
    member: str
    status: str
    reason: str
    contribution: str
    method: str
    marked_at: datetime.datetime | None


class CommentRequestOut(Schema):
    id: int
    member_id: int
    member: str
    year: int
    purpose: str
    deadline: datetime.date
    state: str
    cell_id: int | None
    commune_org_id: int | None
    workplace_org_id: int | None
    answered_at: datetime.datetime | None


class RatingOut(Schema):
    id: int
    member_id: int
    member: str
    year: int
    score: str | None
    level: str | None
    exempt: bool
    rated_at: datetime.datetime


class CoverageOut(Schema):
    organization_id: int | None
    total: int
    to_introduce: int
    not_introduced_category: int
    excused: int
    covered: int
    not_yet: int
    rate: float
    by_status: dict[str, int]


class EventIn(Schema):
    kind: Text(30) = Field(  # type: ignore[valid-type]
        description="residence_change, position_change, job_transfer, long_absence, special_duty, "
        "expelled, removed, left_party, deceased"
    )
    event_date: datetime.date
    details: Text(2000) = ""  # type: ignore[valid-type]
    new_position: Text(255) = ""  # type: ignore[valid-type]
    new_commune: Text(10) = Field("", description="Mã xã/phường/đặc khu nơi cư trú mới (residence_change)")  # type: ignore[valid-type]
    new_hamlet: Text(255) = ""  # type: ignore[valid-type]
    new_street: Text(255) = ""  # type: ignore[valid-type]


class EventOut(Schema):
    notice: NoticeOut | None
    ended_liaison_id: int | None
    new_liaison_id: int | None


class AttendanceIn(Schema):
    status: Text(20) | None = Field(  # type: ignore[valid-type]
        None, description="present, late, left_early, excused, unexcused, exempt"
    )
    reason: Text(255) | None = None  # type: ignore[valid-type]
    contribution: Text(4000) | None = None  # type: ignore[valid-type]


class MeetingFiguresRow(Schema):
    organization_id: int
    organization: str
    cells: int
    cells_below: int = Field(description="Chi bộ họp ít hơn số buổi quy định")
    held: int
    expected_meetings: int
    invited: int
    expected: int
    attended: int
    rate: float | None
    below_minimum: int = Field(description="Đảng viên dự ít hơn mức tối thiểu")


class MeetingFiguresOut(Schema):
    year: int
    total: MeetingFiguresRow
    children: list[MeetingFiguresRow]
