"""The minutes of a meeting (biên bản sinh hoạt chi bộ) as a Word document in the party layout, from
the template in force for the cell's province, and the chair, recorder and conclusion it prints."""

import datetime
import io
import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from haichieu.core import documents as layout
from haichieu.core.models import AuditEntry
from haichieu.documents import engine
from haichieu.documents import services as template_services
from haichieu.documents.registry import get_kind
from haichieu.documents.tests.test_office import _pdf_text
from haichieu.liaisons.tests.test_documents import _office_or_skip, full_text, reload
from haichieu.meetings import document_kinds, documents, selectors, services
from haichieu.meetings.models import Attendance, Meeting
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 15)
S = Attendance.Status
# name, status, reason, contribution (m1, Nguyễn Văn An, is invited as a linked member: present)
MARKS = [
    ("Bùi Thị Cúc", S.PRESENT, "", ""),
    ("Đỗ Văn Dũng", S.LATE, "", "Đề nghị lắp đèn ngõ 3."),
    ("Hà Thị Giang", S.LEFT_EARLY, "", ""),
    ("Kiều Văn Hòa", S.EXCUSED, "Đi công tác Đà Nẵng", ""),
    ("Lò Thị Khánh", S.EXCUSED, "Ốm", ""),
    ("Mai Văn Lực", S.UNEXCUSED, "", ""),
    ("Ngô Thị Mận", S.EXEMPT, "", ""),
]
CONCLUSION = "Chi bộ thống nhất vận động nhân dân giữ vệ sinh ngõ phố.\nGiao đồng chí Dũng theo dõi."


def _held_meeting(world, *, close=True, members=MARKS, chair="Trần Văn Chủ", recorder="Lê Thị Ghi"):
    for name, *_ in members:
        make_member(world.r1c1, name)
    meeting = services.meeting_create(
        actor=world.admin,
        cell=world.r1c1,
        kind=Meeting.Kind.REGULAR,
        date=DAY,
        start_time=datetime.time(19, 30),
        place="Nhà văn hóa tổ dân phố số 1",
        agenda="1. Thông báo tình hình địa phương.\n2. Góp ý xây dựng chi bộ.",
    )
    services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.OPEN)
    marks = {name: (status, reason, contribution) for name, status, reason, contribution in members}
    marks["Nguyễn Văn An"] = (S.PRESENT, "", "Đề nghị chi bộ công khai kế hoạch sửa đường.")
    for attendance in meeting.attendances.select_related("member"):
        status, reason, contribution = marks.get(attendance.member.full_name, (S.PRESENT, "", ""))
        attendance.meeting = meeting
        services.attendance_mark(
            actor=world.r1c1_secretary, attendance=attendance, status=status, reason=reason,
            contribution=contribution,
        )  # fmt: skip
    meeting.refresh_from_db()
    services.meeting_record_minutes(
        actor=world.r1c1_secretary, meeting=meeting, version=meeting.version, chair=chair,
        recorder=recorder, conclusion=CONCLUSION,
    )  # fmt: skip
    if close:
        services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.CLOSED)
    meeting.refresh_from_db()
    return meeting


def _download(client, meeting):
    response = client.get(reverse("meetings:minutes_docx", args=[meeting.pk]))
    assert response.status_code == 200, response
    assert response["Content-Type"] == layout.DOCX_CONTENT_TYPE
    return Document(io.BytesIO(b"".join(response.streaming_content)))


def test_the_minutes_carry_the_header_attendance_contributions_conclusion_and_signatures(world, client_for):
    meeting = _held_meeting(world)
    doc = _download(client_for(world.r1c1_secretary), meeting)
    text = full_text(doc)
    for expected in [
        # the party layout: superior body, the cell, "*", the party title, place and date
        "ĐẢNG ỦY PHƯỜNG HOÀN KIẾM\nCHI BỘ TỔ DÂN PHỐ SỐ 1\n*",
        "ĐẢNG CỘNG SẢN VIỆT NAM\nHoàn Kiếm, ngày 15 tháng 6 năm 2026",
        "BIÊN BẢN\nSinh hoạt chi bộ thường kỳ",
        "Thời gian: 19 giờ 30, ngày 15/06/2026",
        "Địa điểm: Nhà văn hóa tổ dân phố số 1",
        "Chủ trì: đồng chí Trần Văn Chủ",
        "Thư ký: đồng chí Lê Thị Ghi",
        "1. Thông báo tình hình địa phương.\n2. Góp ý xây dựng chi bộ.",
        # counts and names
        "Tổng số đảng viên được mời: 8 đồng chí; tham dự: 4 đồng chí; vắng: 3 đồng chí; miễn sinh hoạt: 1 đồng chí.",
        "- Có mặt: 2 đồng chí: Nguyễn Văn An, Bùi Thị Cúc.",  # by given name,
        "- Đến muộn: 1 đồng chí: Đỗ Văn Dũng.",
        "- Về sớm: 1 đồng chí: Hà Thị Giang.",
        "- Vắng có lý do: 2 đồng chí: Kiều Văn Hòa (Đi công tác Đà Nẵng), Lò Thị Khánh (Ốm).",
        "- Vắng không lý do: 1 đồng chí: Mai Văn Lực.",
        "- Miễn: 1 đồng chí: Ngô Thị Mận.",
        # contributions, each member's own
        "- Đồng chí Đỗ Văn Dũng: Đề nghị lắp đèn ngõ 3.",
        "- Đồng chí Nguyễn Văn An: Đề nghị chi bộ công khai kế hoạch sửa đường.",
        # the conclusion, a paragraph a line
        "Chi bộ thống nhất vận động nhân dân giữ vệ sinh ngõ phố.\nGiao đồng chí Dũng theo dõi.",
        # signatures: the recorder at the left, the chair at the right
        "THƯ KÝ",
        "Lê Thị Ghi",
        "CHỦ TRÌ",
        "Trần Văn Chủ",
    ]:
        assert expected in text, expected
    assert "DỰ THẢO" not in text and "Chưa điểm danh" not in text
    closed = timezone.localtime(meeting.closed_at)
    assert f"Buổi sinh hoạt kết thúc lúc {closed:%H} giờ {closed:%M} ngày {closed:%d/%m/%Y}." in text
    entry = AuditEntry.objects.get(
        action="export", target_type="meetings.meeting", note__startswith="Biên bản"
    )
    assert entry.actor == world.r1c1_secretary and entry.target_id == str(meeting.pk)


def test_an_open_meetings_minutes_are_a_labelled_draft_and_a_planned_one_has_none(world, client_for):
    meeting = _held_meeting(world, close=False)
    client = client_for(world.r1c1_secretary)
    text = full_text(_download(client, meeting))
    assert "(DỰ THẢO: buổi sinh hoạt chưa kết thúc)" in text
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert (
        "Biên bản (dự thảo, .docx)" in detail
        and reverse("meetings:minutes_docx", args=[meeting.pk]) in detail
    )

    planned = services.meeting_create(
        actor=world.admin, cell=world.r1c1, kind="regular", date=DAY, start_time=datetime.time(8, 0),
        place="Hội trường", agenda="Chuyên đề.",
    )  # fmt: skip
    response = client.get(reverse("meetings:minutes_docx", args=[planned.pk]), follow=True)
    assert "Buổi sinh hoạt chưa bắt đầu: chưa có biên bản." in response.content.decode()
    assert reverse("meetings:minutes_docx", args=[planned.pk]) not in response.content.decode()
    assert not AuditEntry.objects.filter(action="export", target_id=str(planned.pk)).exists()


def test_the_default_template_prints_what_the_python_docx_layout_prints(world):
    meeting = _held_meeting(world)
    roster = selectors.roster(meeting)
    ctx = documents.minutes_context(meeting, roster)
    from_template = full_text(reload(document_kinds.minutes_document(meeting, roster)))
    from_layout = full_text(reload(documents.minutes_docx(ctx)))
    lines = [line for line in from_template.splitlines() if line.strip()]
    assert lines == [line for line in from_layout.splitlines() if line.strip()]
    assert "Mai Văn Lực" in from_template


def test_the_default_template_passes_the_upload_check_and_the_templates_page_offers_it(world, client_for):
    kind = get_kind(document_kinds.MINUTES)
    used = engine.inspect_template(kind, kind.default_bytes()).placeholders
    assert {
        "chair",
        "recorder",
        "summary",
        "attendance[].names",
        "contributions[].text",
        "conclusion",
    } <= set(used)
    client = client_for(world.province_staff)
    page = client.get(reverse("documents:province", args=[world.province.pk])).content.decode()
    assert "Biên bản sinh hoạt chi bộ" in page
    preview = client.get(reverse("documents:preview", args=[world.province.pk, document_kinds.MINUTES]))
    assert preview.status_code == 200
    text = full_text(Document(io.BytesIO(b"".join(preview.streaming_content))))
    assert "Lò Thị Khánh (Ốm)" in text and "CHỦ TRÌ" in text


def _province_variant() -> bytes:
    doc = layout.new_document()
    layout.paragraph(doc, "{{ issuer.name|upper }} — BIÊN BẢN HỌP (MẪU CỦA TỈNH)")
    layout.paragraph(doc, "Chủ tọa {{ chair }}, thư ký {{ recorder }}, họp lúc {{ meeting.start }}.")
    layout.paragraph(doc, "Có mặt {{ counts.attended }}/{{ counts.expected }}, vắng {{ counts.absent }}.")
    for line in ["{%p for a in absent %}", "Vắng: {{ a.full_name }} — {{ a.status }} — {{ a.reason }}",
                 "{%p endfor %}"]:  # fmt: skip
        layout.paragraph(doc, line)
    layout.paragraph(doc, "Kết luận: {{ conclusion|join(' / ') }}")
    return layout.docx_bytes(doc)


def test_a_provinces_replaced_template_is_used_for_its_cells(world, client_for):
    template_services.template_upload(
        actor=world.province_staff, province=world.province, kind=get_kind(document_kinds.MINUTES),
        filename="bien-ban-mau-tinh.docx", content=_province_variant(),
    )  # fmt: skip
    meeting = _held_meeting(world)
    text = full_text(_download(client_for(world.r1c1_secretary), meeting))
    assert "CHI BỘ TỔ DÂN PHỐ SỐ 1 — BIÊN BẢN HỌP (MẪU CỦA TỈNH)" in text
    assert "Chủ tọa Trần Văn Chủ, thư ký Lê Thị Ghi, họp lúc 19 giờ 30." in text
    assert "Có mặt 4/7, vắng 3." in text
    assert "Vắng: Lò Thị Khánh — Vắng có lý do — Ốm" in text
    assert "Vắng: Mai Văn Lực — Vắng không lý do — " in text
    assert "Kết luận: Chi bộ thống nhất vận động nhân dân giữ vệ sinh ngõ phố. / Giao đồng chí Dũng" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in text  # the variant, not the default


def test_the_minutes_are_404_outside_the_scope_on_get_and_post(world, client_for):
    meeting = _held_meeting(world)
    for user in (world.r2_staff, world.w1_staff, world.outsider, world.member_user):
        client = client_for(user)
        for name in ("meetings:minutes_docx", "meetings:minutes"):
            url = reverse(name, args=[meeting.pk])
            assert client.get(url).status_code == 404, (user, name)
            assert client.post(url, {"chair": "X", "version": meeting.version}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.chair == "Trần Văn Chủ"
    assert not AuditEntry.objects.filter(action="export", target_type="meetings.meeting").exists()


def test_the_download_runs_the_same_queries_for_a_small_and_a_large_cell(world, client_for):
    client = client_for(world.r1c1_secretary)
    small = _held_meeting(world, members=MARKS[:1])

    def count(meeting):
        with CaptureQueriesContext(connection) as queries:
            _download(client, meeting)
        return len(queries)

    few = count(small)
    many = [(f"Đảng Viên {n:02d}", S.EXCUSED if n % 3 else S.PRESENT, "Ốm", "Ý kiến.") for n in range(30)]
    large = _held_meeting(world, members=many)
    assert count(large) == few


# --- the chair, the recorder and the conclusion ------------------------------------------------------
def test_the_secretary_records_chair_recorder_and_conclusion_audited(world, client_for):
    meeting = _held_meeting(world, chair="", recorder="")
    client = client_for(world.r1c1_secretary)
    url = reverse("meetings:minutes", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Kết luận" in page.content.decode()
    data = {
        "chair": "  Trần   Văn Chủ ",
        "recorder": "Lê Thị Ghi",
        "conclusion": "Thống nhất.",
        "version": meeting.version,
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:detail", args=[meeting.pk]
    )
    meeting.refresh_from_db()
    assert (meeting.chair, meeting.recorder, meeting.conclusion) == (
        "Trần Văn Chủ",
        "Lê Thị Ghi",
        "Thống nhất.",
    )
    entry = AuditEntry.objects.filter(target_type="meetings.meeting", action="update").latest("pk")
    assert entry.actor == world.r1c1_secretary
    assert entry.changes["chair"] == ["", "Trần Văn Chủ"] and entry.changes["conclusion"][1] == "Thống nhất."
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Trần Văn Chủ" in detail and "Thống nhất." in detail

    # A stale form (someone saved since) and too long a name: a message, nothing written.
    stale = client.post(url, {**data, "chair": "Người Khác"})
    assert stale.status_code == 200 and "vừa được người khác thay đổi" in stale.content.decode()
    long = client.post(url, {**data, "chair": "A" * 256, "version": meeting.version})
    assert long.status_code == 200 and "Họ tên người chủ trì dài quá 255 ký tự." in long.content.decode()
    meeting.refresh_from_db()
    assert meeting.chair == "Trần Văn Chủ"


# --- LibreOffice -------------------------------------------------------------------------------------
def test_libreoffice_converts_the_minutes_to_searchable_pdf(world, tmp_path):
    binary = _office_or_skip()
    meeting = _held_meeting(world)
    doc = document_kinds.minutes_document(meeting, selectors.roster(meeting))
    text = re.sub(
        r"\s+", " ", unicodedata.normalize("NFC", _pdf_text(binary, tmp_path, layout.docx_bytes(doc)))
    )
    for expected in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BIÊN BẢN",
        "Vắng có lý do: 2 đồng chí: Kiều Văn Hòa (Đi công tác Đà Nẵng), Lò Thị Khánh (Ốm).",
        "Đồng chí Nguyễn Văn An: Đề nghị chi bộ công khai kế hoạch sửa đường.",
        "Giao đồng chí Dũng theo dõi.",
        "Trần Văn Chủ",
    ]:
        assert expected in text, expected
