"""The member list as rows: the export of the list page and the import template share these columns.

Exporting a list and importing the file again changes nothing (the import matches by party card
number and reads these headers), so offices can edit an export and load it back.
"""

from collections.abc import Iterator

from django.http import FileResponse

from haichieu.access import scope_for, scope_name
from haichieu.core.audit import audit_record
from haichieu.core.exports import title_details, xlsx_response

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


def member_export_filename(org=None) -> str:
    return f"dang-vien-{org.code.lower()}.xlsx" if org is not None else "dang-vien.xlsx"


def member_list_export(*, actor, members, org=None, query: str = "", filters: str = "") -> FileResponse:
    """The member list as .xlsx: exactly the members the page lists (scope and filters), every page
    of them; recorded in the audit log (DESIGN.md "Data protection")."""
    audit_record(
        actor=actor,
        action="export",
        target_type="members.member",
        target_repr=f"Danh sách đảng viên ({org or 'toàn bộ phạm vi'})",
        note=query,
    )
    return xlsx_response(
        filename=member_export_filename(org),
        sheet_title="Đảng viên",
        header=MEMBER_COLUMNS,
        rows=member_export_rows(actor, members),
        title="DANH SÁCH ĐẢNG VIÊN",
        details=title_details(unit=org.name if org is not None else scope_name(actor), filters=filters),
    )


__all__ = ["MEMBER_COLUMNS", "Member", "member_export_filename", "member_export_rows", "member_list_export"]
