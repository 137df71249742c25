"""The operations of `/api/v1/`: each reads through the access rule and the apps' selectors, and
writes through the apps' services, exactly as the pages do (no rule is written here again).

Lists are keyset pages (`?after=` cursor, `?size=` up to MAX_PAGE_SIZE) whose query count does not
depend on the page size. Reads are audited as the pages audit them: a member's full record is a
`view` entry; a page of the member list is an `export` entry (a program reading the list is an
export of it).
"""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from ninja import Status
from pydantic import Field

from haichieu import access
from haichieu.core.audit import audit_record
from haichieu.core.paging import Page, keyset_page
from haichieu.core.services import ServiceError
from haichieu.liaisons import selectors as liaison_selectors
from haichieu.liaisons import services as liaison_services
from haichieu.liaisons.models import ChangeNotice, Liaison
from haichieu.meetings import selectors as meeting_selectors
from haichieu.meetings import services as meeting_services
from haichieu.meetings.models import Attendance, Meeting
from haichieu.members import selectors as member_selectors
from haichieu.members.models import Member
from haichieu.organizations.models import Commune, Organization

from . import schemas as s
from .api import api

# An id as core/params.py reads one (1 to 18 digits): a larger number names no record (404), and
# never reaches the database (a bigint overflow there is a 500).
Id = Annotated[int, Field(ge=1, le=10**18 - 1)]
Cursor = Annotated[str, Field(max_length=200, pattern=r"^[0-9A-Za-z.:+\-]*$")]
Year = Annotated[int, Field(ge=1930, le=2999)]
Search = Annotated[str, Field(max_length=100, pattern=r"^[^\x00]*$")]


def _size(size: int | None) -> int:
    default, most = settings.HAICHIEU["MEMBER_PAGE_SIZE"], settings.HAICHIEU["MAX_PAGE_SIZE"]
    return default if size is None else max(1, min(size, most))


Size = Annotated[int | None, Field(ge=1, le=10_000, description="Số dòng mỗi trang (tối đa 200)")]


def _page(rows: list, page: Page) -> dict:
    return {"items": rows, "next": page.next_cursor}


def _by_id(qs: QuerySet, after: str, size: int | None) -> Page:
    return keyset_page(qs, key=("id",), after=after, size=_size(size))


# --- organisations ------------------------------------------------------------------------------
def _org(o: Organization) -> dict:
    return {
        "id": o.pk,
        "code": o.code,
        "name": o.name,
        "kind": o.kind,
        "path": o.path,
        "depth": o.depth,
        "is_residential": o.is_residential,
        "is_active": o.is_active,
    }


@api.get("/organizations", response=s.page_of(s.OrganizationOut), tags=["Tổ chức"])
def organization_list(request, after: Cursor = "", size: Size = None):
    """Tổ chức đảng trong phạm vi của người dùng, theo thứ tự cây (đường dẫn)."""
    qs = access.organizations_visible_to(request.user).only(
        "id", "code", "name", "kind", "path", "depth", "is_residential", "is_active"
    )
    page = keyset_page(qs, key=("path", "id"), after=after, size=_size(size))
    return _page([_org(o) for o in page.rows], page)


@api.get("/organizations/{pk}", response=s.OrganizationOut, tags=["Tổ chức"])
def organization_detail(request, pk: Id):
    return _org(access.organization_get_for(request.user, pk=pk))


# --- members ------------------------------------------------------------------------------------
_MEMBER_FIELDS = (*member_selectors.LIST_FIELDS, "party_card_number", "workplace_cell__path")


def _member(m: Member, full: bool) -> dict:
    return {
        "id": m.pk,
        "full_name": m.full_name,
        "date_of_birth": m.date_of_birth,
        "position": m.position,
        "status": m.status,
        "workplace_cell_id": m.workplace_cell_id,
        "workplace_cell": m.workplace_cell.name,
        "residence_commune": m.residence_commune.name if m.residence_commune is not None else None,
        "party_card_number": m.party_card_number if full else None,
    }


@api.get("/members", response=s.page_of(s.MemberOut), tags=["Đảng viên"])
def member_list(request, q: Search = "", after: Cursor = "", size: Size = None):
    """Đảng viên người dùng được xem (phía nơi công tác, phía nơi cư trú, hồ sơ của chính mình),
    theo thứ tự tên tiếng Việt; `q` tìm theo tên không dấu hoặc số thẻ đảng viên."""
    user = request.user
    narrow = member_selectors.member_filter(user=user, q=q)
    page = member_selectors.member_list_page(
        user, narrow=narrow, after=after, size=_size(size), fields=_MEMBER_FIELDS
    )
    scope = access.scope_for(user)
    rows = [_member(m, scope.sees_workplace_fields(m)) for m in page.rows]
    if rows:
        audit_record(
            actor=user,
            action="export",
            target_type=Member._meta.label_lower,
            target_repr="API: danh sách đảng viên",
            note=f"{len(rows)} đảng viên" + (f", tìm “{q}”" if q else ""),
        )
    return _page(rows, page)


@api.get("/members/{pk}", response=s.MemberDetailOut, tags=["Đảng viên"])
def member_detail(request, pk: Id):
    """Hồ sơ một đảng viên; các trường chỉ của nơi công tác (số thẻ, CCCD, ngày vào Đảng) chỉ có với
    phía nơi công tác và chính đảng viên. Mỗi lần đọc hồ sơ đầy đủ được ghi nhật ký."""
    user = request.user
    member = access.member_get_for(user, pk)
    full = access.member_sees_workplace_fields(user, member)
    if full:
        # As the member's page: reads of a full record are logged (DESIGN.md "Data protection").
        audit_record(actor=user, action="view", target=member, note="API")
    return {
        **_member(member, full),
        "gender": member.gender,
        "phone": member.phone,
        "email": member.email,
        "workplace_unit": member.workplace_unit,
        "address_street": member.address_street,
        "address_hamlet": member.address_hamlet,
        "residence_province": member.residence_province.name
        if member.residence_province is not None
        else None,
        "link_status": member.link_status,
        "national_id": member.national_id if full else None,
        "admission_date": member.admission_date if full else None,
        "full_membership_date": member.full_membership_date if full else None,
        "liaison_category": member.liaison_category if full else None,
    }


@api.post(
    "/members/{pk}/events",
    response={201: s.EventOut, 403: s.Error, 409: s.Error, 422: s.Error},
    tags=["Đảng viên"],
)
def member_event(request, pk: Id, data: s.EventIn):
    """Ghi nhận một biến động của đảng viên (chuyển nơi cư trú, thay đổi chức vụ, …) và gửi thông
    báo về nơi cư trú, như trang “Ghi nhận biến động” (liaisons.services.member_record_event)."""
    member = access.member_get_for(request.user, pk, write=True)
    commune = None
    if data.new_commune:
        commune = Commune.objects.filter(code=data.new_commune.strip()).select_related("province").first()
        if commune is None:
            raise ServiceError(
                f"Không tìm thấy xã/phường/đặc khu có mã “{data.new_commune}”.", field="new_commune"
            )
    result = liaison_services.member_record_event(
        actor=request.user,
        member=member,
        kind=data.kind,
        event_date=data.event_date,
        details=data.details,
        new_position=data.new_position,
        new_commune=commune,
        new_hamlet=data.new_hamlet,
        new_street=data.new_street,
    )
    return Status(
        201,
        {
            "notice": _notice(result.notice) if result.notice is not None else None,
            "ended_liaison_id": result.ended.pk if result.ended is not None else None,
            "new_liaison_id": result.new_liaison.pk if result.new_liaison is not None else None,
        },
    )


# --- links --------------------------------------------------------------------------------------
def _liaison(x: Liaison) -> dict:
    return {
        "id": x.pk,
        "member_id": x.member_id,
        "member": x.member.full_name,
        "status": x.status,
        "workplace_org_id": x.workplace_org_id,
        "commune": x.commune.name if x.commune is not None else None,
        "commune_org_id": x.commune_org_id,
        "cell_id": x.cell_id,
        "letter": f"{x.letter_number}-{x.letter_symbol}" if x.letter_number else "",
        "letter_date": x.letter_date,
        "introduced_at": x.introduced_at,
        "received_at": x.received_at,
        "ended_at": x.ended_at,
        "end_reason": x.end_reason,
    }


@api.get("/liaisons", response=s.page_of(s.LiaisonOut), tags=["Giữ mối liên hệ"])
def liaison_list(request, after: Cursor = "", size: Size = None):
    """Hồ sơ giữ mối liên hệ nơi cư trú người dùng được xem, theo thứ tự tạo."""
    qs = access.liaisons_visible_to(request.user).select_related("member", "commune")
    page = _by_id(qs, after, size)
    return _page([_liaison(x) for x in page.rows], page)


@api.get("/liaisons/{pk}", response=s.LiaisonOut, tags=["Giữ mối liên hệ"])
def liaison_detail(request, pk: Id):
    return _liaison(liaison_selectors.liaison_get_for(request.user, pk))


# --- change notices -----------------------------------------------------------------------------
def _notice(n: ChangeNotice) -> dict:
    return {
        "id": n.pk,
        "member_id": n.member_id,
        "member": n.member.full_name,
        "kind": n.kind,
        "kind_label": n.get_kind_display(),
        "direction": n.direction,
        "sender_org_id": n.sender_org_id,
        "recipient_org_id": n.recipient_org_id,
        "event_date": n.event_date,
        "details": n.details,
        "created_at": n.created_at,
    }


@api.get("/notices", response=s.page_of(s.NoticeOut), tags=["Thông báo biến động"])
def notice_list(request, after: Cursor = "", size: Size = None):
    """Thông báo biến động do tổ chức trong phạm vi gửi hoặc nhận."""
    qs = access.notices_visible_to(request.user).select_related("member")
    page = _by_id(qs, after, size)
    return _page([_notice(n) for n in page.rows], page)


@api.get("/notices/{pk}", response=s.NoticeOut, tags=["Thông báo biến động"])
def notice_detail(request, pk: Id):
    notice = access.notices_visible_to(request.user).select_related("member").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return _notice(notice)


# --- meetings and attendance --------------------------------------------------------------------
def _meeting(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "cell_id": m.cell_id,
        "cell": m.cell.name,
        "kind": m.kind,
        "date": m.date,
        "start_time": m.start_time,
        "place": m.place,
        "state": m.state,
    }


def _attendance(a: Attendance) -> dict:
    return {
        "id": a.pk,
        "meeting_id": a.meeting_id,
        "member_id": a.member_id,
        "member": a.member.full_name,
        "status": a.status,
        "reason": a.reason,
        "contribution": a.contribution,
        "method": a.method,
        "marked_at": a.marked_at,
    }


@api.get("/meetings", response=s.page_of(s.MeetingOut), tags=["Sinh hoạt"])
def meeting_list(request, after: Cursor = "", size: Size = None):
    """Buổi sinh hoạt của các chi bộ trong phạm vi, mới nhất trước."""
    qs = access.meetings_visible_to(request.user).select_related("cell")
    page = keyset_page(qs, key=("-date", "-id"), after=after, size=_size(size))
    return _page([_meeting(m) for m in page.rows], page)


@api.get("/meetings/{pk}", response=s.MeetingOut, tags=["Sinh hoạt"])
def meeting_detail(request, pk: Id):
    return _meeting(access.meeting_get_for(request.user, pk))


@api.get("/meetings/{pk}/attendance", response=s.page_of(s.AttendanceOut), tags=["Sinh hoạt"])
def meeting_attendance(request, pk: Id, after: Cursor = "", size: Size = None):
    """Điểm danh một buổi sinh hoạt (những người mời mà người dùng được xem)."""
    meeting = access.meeting_get_for(request.user, pk)
    qs = access.attendances_visible_to(request.user).filter(meeting=meeting).select_related("member")
    page = _by_id(qs, after, size)
    return _page([_attendance(a) for a in page.rows], page)


@api.post(
    "/meetings/{pk}/attendance/{attendance_pk}",
    response={200: s.AttendanceOut, 403: s.Error, 409: s.Error, 422: s.Error},
    tags=["Sinh hoạt"],
)
def attendance_mark(request, pk: Id, attendance_pk: Id, data: s.AttendanceIn):
    """Điểm danh một người (tình hình tham dự, lý do vắng, ý kiến đóng góp), như một lần chạm ở
    trang điểm danh (meetings.services.attendance_mark)."""
    meeting = access.meeting_get_for(request.user, pk, write=True)
    attendance = meeting.attendances.select_related("member").filter(pk=attendance_pk).first()
    if attendance is None:
        raise Http404
    attendance.meeting = meeting
    attendance = meeting_services.attendance_mark(
        actor=request.user,
        attendance=attendance,
        status=data.status,
        reason=data.reason,
        contribution=data.contribution,
    )
    return _attendance(attendance)


# --- comment requests ---------------------------------------------------------------------------
def _comment_request(r) -> dict:
    return {
        "id": r.pk,
        "member_id": r.member_id,
        "member": r.member.full_name,
        "year": r.year,
        "purpose": r.purpose,
        "deadline": r.deadline,
        "state": r.state,
        "cell_id": r.cell_id,
        "commune_org_id": r.commune_org_id,
        "workplace_org_id": r.workplace_org_id,
        "answered_at": r.answered_at,
    }


@api.get("/comment-requests", response=s.page_of(s.CommentRequestOut), tags=["Lấy ý kiến nhận xét"])
def comment_request_list(request, year: Year | None = None, after: Cursor = "", size: Size = None):
    """Phiếu lấy ý kiến nhận xét: phía nơi cư trú (chi bộ, đảng ủy) và phía nơi công tác."""
    qs = access.comment_requests_visible_to(request.user).select_related("member")
    if year is not None:
        qs = qs.filter(year=year)
    page = _by_id(qs, after, size)
    return _page([_comment_request(r) for r in page.rows], page)


@api.get("/comment-requests/{pk}", response=s.CommentRequestOut, tags=["Lấy ý kiến nhận xét"])
def comment_request_detail(request, pk: Id):
    return _comment_request(access.comment_request_get_for(request.user, pk))


# --- ratings (workplace side only) --------------------------------------------------------------
def _rating(r) -> dict:
    return {
        "id": r.pk,
        "member_id": r.member_id,
        "member": r.member.full_name,
        "year": r.year,
        "score": str(r.score) if r.score is not None else None,
        "level": r.level.code if r.level_id else None,
        "exempt": r.exempt,
        "rated_at": r.rated_at,
    }


@api.get("/ratings", response=s.page_of(s.RatingOut), tags=["Xếp loại"])
def rating_list(request, year: Year | None = None, after: Cursor = "", size: Size = None):
    """Xếp loại chất lượng đảng viên hằng năm: chỉ phía nơi công tác (phía nơi cư trú và đảng viên
    không thấy)."""
    qs = access.ratings_visible_to(request.user).select_related("member", "level")
    if year is not None:
        qs = qs.filter(year=year)
    page = _by_id(qs, after, size)
    return _page([_rating(r) for r in page.rows], page)


# --- statistics ---------------------------------------------------------------------------------
@api.get("/statistics/coverage", response=s.CoverageOut, tags=["Thống kê"])
def coverage(request, organization: Id | None = None):
    """Số đảng viên theo tình trạng giữ mối liên hệ và tỷ lệ đã giới thiệu, của phạm vi người dùng
    hoặc của một tổ chức trong phạm vi (các con số của trang Tình hình giới thiệu)."""
    access.read_scope_or_404(request.user)
    org = access.organization_get_for(request.user, pk=organization) if organization is not None else None
    summary = liaison_selectors.coverage_summary(request.user, org=org)
    return {"organization_id": org.pk if org is not None else None, **summary}


def _figures(row) -> dict:
    return {
        "organization_id": row.org.pk,
        "organization": row.org.name,
        "cells": row.cells,
        "cells_below": row.cells_below,
        "held": row.held,
        "expected_meetings": row.expected_meetings,
        "invited": row.invited,
        "expected": row.expected,
        "attended": row.attended,
        "rate": row.rate,
        "below_minimum": row.below_minimum,
    }


@api.get("/statistics/meetings", response=s.MeetingFiguresOut, tags=["Thống kê"])
def meeting_figures(request, organization: Id, year: Year | None = None):
    """Sinh hoạt của một tổ chức trong năm (mặc định năm nay) và của các tổ chức trực thuộc, kém nhất
    trước: số buổi đã họp so với quy định, tỷ lệ dự, đảng viên dự dưới mức tối thiểu (các con số
    của trang Thống kê sinh hoạt)."""
    access.read_scope_or_404(request.user)
    org = access.organization_get_for(request.user, pk=organization)
    figures = meeting_selectors.organization_figures(org, year=year or timezone.localdate().year)
    return {
        "year": figures.year,
        "total": _figures(figures.total),
        "children": [_figures(row) for row in figures.children],
    }
