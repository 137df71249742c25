"""The member list as rows: the export of the list page and the import template share these columns.

Exporting a list and importing the file again changes nothing (the import matches by party card
number and reads these headers), so offices can edit an export and load it back.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.http import FileResponse

from haichieu.access import scope_for, scope_name
from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, write_xlsx, xlsx_response
from haichieu.organizations.selectors import organization_from_filter

from . import selectors
from .forms import MemberFilterForm
from .models import Member

# The import template's columns (issue "Bring in the lists offices already keep"), in order.
MEMBER_COLUMNS = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số thẻ đảng viên",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số CCCD",
    "Điện thoại",
    "Email",
    "Chức vụ",
    "Đơn vị công tác",
    "Chi bộ",
    "Địa chỉ",
    "Thôn/Tổ dân phố",
    "Xã/Phường/Đặc khu",
    "Tỉnh/Thành phố",
    "Diện giữ mối liên hệ",
    "Lý do miễn, không giới thiệu",
]


def member_export_rows(user, qs) -> Iterator[list]:
    """One row per member of `qs` (already scoped and filtered), streamed in chunks.

    Members the user sees only from the residence side come without the workplace-only fields
    (party card number, dates of admission, national ID).
    """
    scope = scope_for(user)
    qs = qs.select_related("workplace_cell", "residence_commune", "residence_province").order_by(
        "sort_key", "pk"
    )
    for n, m in enumerate(qs.iterator(chunk_size=2000), start=1):
        full = scope.sees_workplace_fields(m)
        yield [
            n,
            m.full_name,
            m.date_of_birth,
            m.get_gender_display(),
            m.party_card_number if full else "",
            m.admission_date if full else None,
            m.full_membership_date if full else None,
            m.national_id if full else "",
            m.phone,
            m.email,
            m.position,
            m.workplace_unit,
            m.workplace_cell.code,
            m.address_street,
            m.address_hamlet,
            m.residence_commune.name if m.residence_commune_id else "",
            m.residence_province.name if m.residence_province_id else "",
            m.get_liaison_category_display() if full else "",
            m.liaison_category_note if full else "",
        ]


@dataclass
class ListSelection:
    """What the member list's query string chooses (the page and its export read it alike)."""

    form: MemberFilterForm
    org: object
    org_error: str
    narrow: object


def member_list_selection(user, params) -> ListSelection:
    """The filters of the member list page from its query string `params`, for `user`."""
    form = MemberFilterForm(params or None)
    filters = form.cleaned_data if form.is_valid() else {}
    org, org_error = organization_from_filter(user, filters.get("org") or "")
    narrow = None
    if not org_error:
        narrow = selectors.member_filter(
            user=user,
            q=filters.get("q", ""),
            org=org,
            status=filters.get("status", ""),
            has_commune=filters.get("has_commune", ""),
        )
    return ListSelection(form, org, org_error, narrow)


def member_export_filename(org=None) -> str:
    return f"dang-vien-{org.code.lower()}.xlsx" if org is not None else "dang-vien.xlsx"


def _record_export(actor, org, query: str) -> None:
    audit_record(
        actor=actor,
        action="export",
        target_type="members.member",
        target_repr=f"Danh sách đảng viên ({org or 'toàn bộ phạm vi'})",
        note=query,
    )


def _export_sheet(actor, members, org, filters: str, rows=None) -> dict:
    return {
        "sheet_title": "Đảng viên",
        "header": MEMBER_COLUMNS,
        "rows": rows if rows is not None else member_export_rows(actor, members),
        "title": "DANH SÁCH ĐẢNG VIÊN",
        "details": title_details(unit=org.name if org is not None else scope_name(actor), filters=filters),
    }


def member_list_export(*, actor, members, org=None, query: str = "", filters: str = "") -> FileResponse:
    """The member list as .xlsx: exactly the members the page lists (scope and filters), every page
    of them; recorded in the audit log (DESIGN.md "Data protection")."""
    _record_export(actor, org, query)
    return xlsx_response(filename=member_export_filename(org), **_export_sheet(actor, members, org, filters))


# Rows written between two progress reports of a background export.
PROGRESS_EVERY = 1000


def member_list_xlsx(
    *, actor, members, org=None, query: str = "", filters: str = "", progress=None
) -> tuple[bytes, int]:
    """The same file as `member_list_export`, as bytes with its row count, for the worker (a large
    list, issue 14): the same rows and audit entry; `progress(done, total, message)` hears how far
    it got."""
    _record_export(actor, org, query)
    total = members.count()

    def rows():
        for n, row in enumerate(member_export_rows(actor, members), start=1):
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(n, total, f"Đã ghi {n}/{total} đảng viên.")
            yield row

    buffer = io.BytesIO()
    count = write_xlsx(buffer, **_export_sheet(actor, members, org, filters, rows=rows()))
    return buffer.getvalue(), count


__all__ = [
    "MEMBER_COLUMNS",
    "Member",
    "member_export_filename",
    "member_export_rows",
    "member_list_export",
    "member_list_xlsx",
]
