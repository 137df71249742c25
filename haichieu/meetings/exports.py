"""The figures page's two lists as .xlsx (issue 11): the meetings of an organisation's year, one row
a meeting with its counts per status, and the attendance marks, one row an invitation.

Rows are generators written by the one shared exporter (core.exports, streamed through a temporary
file), read in chunks. Both lists go through the access rule (`meetings_visible_to`,
`attendances_visible_to`) as well as the organisation's subtree: the workplace's list has its own
members' marks wherever they live. Each export is recorded in the audit log here.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q, QuerySet
from django.http import FileResponse

from haichieu.access import attendances_visible_to, meetings_visible_to
from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response
from haichieu.organizations.models import Organization

from . import rules, selectors
from .models import Attendance

EXPORT_CHUNK = 2000
UNMARKED = "unmarked"
STATUS_COLUMNS = [*Attendance.Status.choices, (UNMARKED, "Chưa điểm danh")]

MEETING_COLUMNS = [
    "STT",
    "Ngày họp",
    "Giờ",
    "Chi bộ",
    "Loại buổi sinh hoạt",
    "Trạng thái",
    "Địa điểm",
    "Số đảng viên được mời",
    *(label for _, label in STATUS_COLUMNS),
    "Tỷ lệ tham dự (%)",
]


def meetings_of(user, org: Organization, year: int) -> QuerySet:
    """The meetings of `year` at the cells of `org`'s subtree that `user` sees, with their counts
    (selectors.with_counts) and one count per status."""
    start, end = selectors.year_bounds(year)
    per_status = {
        f"n_{value}": Count("attendances", filter=Q(attendances__status="" if value == UNMARKED else value))
        for value, _ in STATUS_COLUMNS
    }
    return (
        selectors.with_counts(
            meetings_visible_to(user).filter(org.subtree_q("cell__path"), date__gte=start, date__lte=end)
        )
        .annotate(**per_status)
        .select_related("cell")
        .order_by("date", "start_time", "pk")
    )


def meeting_rows(meetings: QuerySet) -> Iterator[list]:
    for n, meeting in enumerate(meetings.iterator(chunk_size=EXPORT_CHUNK), start=1):
        yield [
            n,
            meeting.date,
            f"{meeting.start_time:%H:%M}",
            meeting.cell.name,
            meeting.get_kind_display(),
            meeting.get_state_display(),
            meeting.place,
            meeting.invited,
            *(getattr(meeting, f"n_{value}") for value, _ in STATUS_COLUMNS),
            rules.rate(meeting.attended, meeting.expected),
        ]


def meetings_export(*, actor, org: Organization, year: int) -> FileResponse:
    audit_record(actor=actor, action="export", target=org, note=f"Buổi sinh hoạt năm {year} (.xlsx)")
    return xlsx_response(
        filename=f"Buổi sinh hoạt - {org.name} - {year}.xlsx",
        sheet_title="Buổi sinh hoạt",
        header=MEETING_COLUMNS,
        rows=meeting_rows(meetings_of(actor, org, year)),
        title=f"DANH SÁCH BUỔI SINH HOẠT CHI BỘ NĂM {year}",
        details=title_details(unit=org.name, filters=f"năm {year}"),
    )


ATTENDANCE_COLUMNS = [
    "STT",
    "Họ và tên",
    "Chi bộ",
    "Ngày họp",
    "Diện",
    "Tình hình tham dự",
    "Lý do vắng",
    "Ý kiến đóng góp",
    "Cách ghi nhận",
    "Người ghi nhận",
    "Ghi nhận lúc",
]


def attendances_of(user, org: Organization, year: int) -> QuerySet:
    """The invitations to meetings of `year` that `user` sees, at the cells of `org`'s subtree or of
    the members whose workplace cell is there (the workplace sees its members' wherever they live)."""
    start, end = selectors.year_bounds(year)
    here = org.subtree_q("meeting__cell__path") | org.subtree_q("member__workplace_cell__path")
    return (
        attendances_visible_to(user)
        .filter(here, meeting__date__gte=start, meeting__date__lte=end)
        .select_related("member", "meeting__cell", "marked_by")
        .order_by("meeting__date", "meeting__start_time", "meeting_id", "member__sort_key", "member_id")
    )


def attendance_rows(attendances: QuerySet) -> Iterator[list]:
    for n, a in enumerate(attendances.iterator(chunk_size=EXPORT_CHUNK), start=1):
        yield [
            n,
            a.member.full_name,
            a.meeting.cell.name,
            a.meeting.date,
            a.get_source_display(),
            a.get_status_display() or "Chưa điểm danh",
            a.reason,
            a.contribution,
            a.get_method_display(),
            str(a.marked_by) if a.marked_by_id else "",
            a.marked_at,
        ]


def attendance_export(*, actor, org: Organization, year: int) -> FileResponse:
    audit_record(actor=actor, action="export", target=org, note=f"Tham dự sinh hoạt năm {year} (.xlsx)")
    return xlsx_response(
        filename=f"Tham dự sinh hoạt - {org.name} - {year}.xlsx",
        sheet_title="Tham dự",
        header=ATTENDANCE_COLUMNS,
        rows=attendance_rows(attendances_of(actor, org, year)),
        title=f"TÌNH HÌNH THAM DỰ SINH HOẠT CHI BỘ NĂM {year}",
        details=title_details(unit=org.name, filters=f"năm {year}"),
    )
