"""The HD 33 category of a member is edited in the member form, imported and exported (issue 10, item 4)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from haichieu.core.models import AuditEntry
from haichieu.members.exports import MEMBER_COLUMNS
from haichieu.members.imports import members_import
from haichieu.members.models import Member

from .import_files import workbook_bytes, write
from .test_views import _form_payload

pytestmark = pytest.mark.django_db

STUDY = "Cán bộ, công chức, viên chức đi học tập trung 12 tháng trong năm"


def test_the_form_sets_the_category_and_its_reason_and_audits_them(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("members:update", args=[world.m1.pk]),
        _form_payload(world.m1, liaison_category="rotated", liaison_category_note="Luân chuyển về Sở Nội vụ"),
    )
    assert response.status_code == 302
    m1 = Member.objects.get(pk=world.m1.pk)
    assert (m1.liaison_category, m1.liaison_category_note) == ("rotated", "Luân chuyển về Sở Nội vụ")
    entry = AuditEntry.objects.filter(
        target_type="members.member", target_id=str(m1.pk), action="update"
    ).get()
    assert entry.changes["liaison_category"] == ["regular", "rotated"]
    page = client.get(reverse("members:detail", args=[m1.pk])).content.decode()
    assert "Cán bộ điều động, luân chuyển ở nhà công vụ, tập thể cơ quan" in page


def test_a_form_without_the_field_keeps_the_category(world, client_for):
    Member.objects.filter(pk=world.m1.pk).update(liaison_category="study")
    world.m1.refresh_from_db()
    client_for(world.w1_staff).post(
        reverse("members:update", args=[world.m1.pk]), _form_payload(world.m1, position="Trưởng phòng")
    )
    assert Member.objects.get(pk=world.m1.pk).liaison_category == "study"


def test_an_unknown_category_in_the_form_is_refused_in_vietnamese(world, client_for):
    response = client_for(world.w1_staff).post(
        reverse("members:update", args=[world.m1.pk]), _form_payload(world.m1, liaison_category="nonsense")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["liaison_category"] == ["Diện giữ mối liên hệ không hợp lệ."]
    assert Member.objects.get(pk=world.m1.pk).liaison_category == "regular"


def _import(world, tmp_path, header, rows, apply=True):
    path = write(tmp_path, workbook_bytes([header, *rows]))
    return members_import(actor=world.w1_staff, path=path, apply=apply, source_name="ds.xlsx")


HEADER = ["Họ và tên", "Số thẻ đảng viên", "Diện giữ mối liên hệ", "Lý do miễn, không giới thiệu"]


def test_the_import_reads_the_category_by_its_label_without_diacritics_too(world, tmp_path):
    m1 = world.m1
    result = _import(world, tmp_path, HEADER, [[m1.full_name, m1.party_card_number, STUDY, "Học viện"]])
    assert (result.updated, result.invalid) == (1, 0), result.errors
    m1.refresh_from_db()
    assert (m1.liaison_category, m1.liaison_category_note) == ("study", "Học viện")
    folded = "o don vi thuong truc san sang chien dau"
    result = _import(world, tmp_path, HEADER, [[m1.full_name, m1.party_card_number, folded, None]])
    assert result.updated == 1
    m1.refresh_from_db()
    assert m1.liaison_category == "standby" and m1.liaison_category_note == "Học viện"  # a blank keeps


def test_an_unknown_category_names_the_row_and_column(world, tmp_path):
    m1 = world.m1
    result = _import(world, tmp_path, HEADER, [[m1.full_name, m1.party_card_number, "Đi học dài hạn", None]])
    assert result.invalid == 1
    (error,) = result.errors
    assert (error.row, error.column) == (2, "Diện giữ mối liên hệ")
    assert error.message.startswith("Diện giữ mối liên hệ không hợp lệ.")
    assert Member.objects.get(pk=m1.pk).liaison_category == "regular"


def test_the_export_writes_the_category_and_imports_back_unchanged(world, client_for, tmp_path):
    Member.objects.filter(pk=world.m1.pk).update(
        liaison_category="student", liaison_category_note="ĐH Bách khoa"
    )
    response = client_for(world.w1_staff).get(reverse("members:list"), {"format": "xlsx"})
    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    assert list(rows[header_at]) == MEMBER_COLUMNS
    by_name = {r[1]: r for r in rows[header_at + 1 :] if r and r[1]}
    category = MEMBER_COLUMNS.index("Diện giữ mối liên hệ")
    assert (
        by_name[world.m1.full_name][category]
        == "Học sinh, sinh viên đi học xa nhà, không thường xuyên về nơi cư trú"
    )
    assert by_name[world.m1.full_name][category + 1] == "ĐH Bách khoa"
    result = members_import(
        actor=world.w1_staff, path=write(tmp_path, data), apply=False, source_name="export.xlsx"
    )
    assert result.invalid == 0 and result.updated == 0, result.errors
