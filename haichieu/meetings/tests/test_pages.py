"""Planning, invitations, the roll-call's taps and the member's attendance, through the pages."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from haichieu.core.models import AuditEntry
from haichieu.liaisons.models import InboxItem
from haichieu.meetings import services
from haichieu.meetings.models import Attendance, Meeting
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

D = datetime.date
FORM = {
    "kind": "regular",
    "date": "15/06/2026",
    "start_time": "19:30",
    "place": "Nhà văn hóa tổ dân phố số 1",
    "agenda_template": "residential_briefing",
    "agenda": "",
}


def _meeting(world, *, state=Meeting.State.OPEN, cell=None, date=None):
    meeting = services.meeting_create(
        actor=world.admin,
        cell=cell or world.r1c1,
        kind="regular",
        date=date or datetime.date.today() - datetime.timedelta(days=1),
        start_time=datetime.time(19, 30),
        place="Nhà văn hóa",
        agenda="1. Thông báo tình hình địa phương.",
    )
    if state != Meeting.State.PLANNED:
        services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.OPEN)
    if state == Meeting.State.CLOSED:
        services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.CLOSED)
    meeting.refresh_from_db()
    return meeting


def test_the_cell_secretary_plans_a_meeting_from_a_template_and_invitations_go_out(world, client_for):
    client = client_for(world.r1c1_secretary)
    response = client.post(reverse("meetings:create", args=[world.r1c1.pk]), FORM)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:detail", args=[meeting.pk]
    )
    assert meeting.agenda.startswith("1. Thông báo tình hình kinh tế - xã hội")
    assert meeting.start_time == datetime.time(19, 30) and meeting.state == Meeting.State.PLANNED
    (attendance,) = meeting.attendances.all()
    assert attendance.member == world.m1 and attendance.source == Attendance.Source.LIAISON
    # The linked member's workplace committee is told.
    item = InboxItem.objects.get(kind=InboxItem.Kind.MEETING)
    assert item.recipient_org == world.w1 and "Nguyễn Văn An" in item.summary and "15/06/2026" in item.summary
    entry = AuditEntry.objects.get(target_type="meetings.meeting", action="create")
    assert entry.actor == world.r1c1_secretary and entry.changes["after"]["invited"] == 1


def test_bad_input_names_the_field_and_writes_nothing(world, client_for):
    client = client_for(world.r1c1_secretary)
    bad = {**FORM, "date": "31/02/2026", "start_time": "25:00", "place": " ", "agenda_template": ""}
    response = client.post(reverse("meetings:create", args=[world.r1c1.pk]), bad)
    assert response.status_code == 200
    text = response.content.decode()
    for message in (
        "Ngày họp không hợp lệ",
        "Giờ bắt đầu không hợp lệ",
        "Vui lòng nhập địa điểm",
        "Vui lòng nhập nội dung sinh hoạt hoặc chọn một mẫu",
    ):
        assert message in text
    assert not Meeting.objects.exists() and not AuditEntry.objects.filter(target_type="meetings.meeting")


def test_another_cells_meeting_is_404_on_get_and_post(world, client_for):
    meeting = _meeting(world, cell=world.r2c1)
    client = client_for(world.r1c1_secretary)
    attendance = meeting.attendances.get()
    for name, args in (
        ("meetings:detail", [meeting.pk]),
        ("meetings:update", [meeting.pk]),
        ("meetings:roll_call", [meeting.pk]),
        ("meetings:mark", [meeting.pk, attendance.pk]),
    ):
        url = reverse(name, args=args)
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {"status": "present"}).status_code == 404
    assert client.post(reverse("meetings:create", args=[world.r2c1.pk]), FORM).status_code == 404
    attendance.refresh_from_db()
    assert attendance.status == "" and Meeting.objects.count() == 1


def test_a_tap_is_saved_on_its_own_with_how_who_and_when(world, client_for):
    meeting = _meeting(world)
    attendance = meeting.attendances.get()
    client = client_for(world.r1c1_secretary)
    url = reverse("meetings:mark", args=[meeting.pk, attendance.pk])
    response = client.post(url, {"status": "late"})
    assert response.status_code == 200 and response.json()["label"] == "Đến muộn"
    response = client.post(url, {"reason": "", "contribution": "Đề nghị sửa đường ngõ 5."})
    assert response.status_code == 200
    attendance.refresh_from_db()
    assert attendance.status == "late" and attendance.contribution == "Đề nghị sửa đường ngõ 5."
    assert attendance.method == Attendance.Method.ROLL_CALL and attendance.marked_by == world.r1c1_secretary
    assert attendance.marked_at is not None
    assert (
        AuditEntry.objects.filter(target_type="meetings.attendance", target_id=str(attendance.pk)).count()
        == 2
    )
    # After the meeting closed, a change is a correction.
    services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.CLOSED)
    assert client.post(url, {"status": "present"}).status_code == 200
    attendance.refresh_from_db()
    assert attendance.method == Attendance.Method.CORRECTED


def test_a_bad_tap_gets_a_vietnamese_message_and_changes_nothing(world, client_for):
    meeting = _meeting(world, state=Meeting.State.PLANNED)
    attendance = meeting.attendances.get()
    client = client_for(world.r1c1_secretary)
    url = reverse("meetings:mark", args=[meeting.pk, attendance.pk])
    response = client.post(url, {"status": "present"})
    assert response.status_code == 409 and "chưa bắt đầu" in response.json()["message"]
    services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.OPEN)
    response = client.post(url, {"status": "asleep"})
    assert response.status_code == 400 and response.json()["message"].startswith("Tình hình tham dự")
    attendance.refresh_from_db()
    assert attendance.status == "" and attendance.marked_at is None


def test_the_roll_call_costs_the_same_queries_for_3_or_30_members(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.r1c1_secretary)
    small = _meeting(world)
    for n in range(27):
        make_member(world.r1c1, f"Đảng Viên Số {n}")
    big = _meeting(world)
    assert big.attendances.count() == 28
    with django_assert_max_num_queries(12) as small_queries:
        assert client.get(reverse("meetings:roll_call", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        assert client.get(reverse("meetings:roll_call", args=[big.pk])).status_code == 200
    with django_assert_max_num_queries(len(small_queries) + 2):
        assert client.get(reverse("meetings:detail", args=[big.pk])).status_code == 200


def test_the_workplace_sees_its_members_attendance_and_the_rate(world, client_for):
    meeting = _meeting(world)
    attendance = meeting.attendances.get()
    services.attendance_mark(
        actor=world.r1c1_secretary, attendance=attendance, status="present", contribution="Ý kiến hay."
    )
    services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.CLOSED)
    response = client_for(world.w1_staff).get(reverse("meetings:member", args=[world.m1.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Chi bộ tổ dân phố số 1" in text and "Có mặt" in text and "Ý kiến hay." in text
    # W2's staff sees nothing of W1's member.
    assert client_for(world.w2_staff).get(reverse("meetings:member", args=[world.m1.pk])).status_code == 404


def test_the_calendar_entry(world, client_for):
    meeting = _meeting(world, state=Meeting.State.PLANNED, date=D(2026, 6, 15))
    response = client_for(world.member_user).get(reverse("meetings:calendar", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["location"]) == "Nhà văn hóa"
    assert event.decoded("dtstart").strftime("%d/%m/%Y %H:%M") == "15/06/2026 19:30"
    # Not invited, not of the cell: 404.
    assert client_for(world.w2_staff).get(reverse("meetings:calendar", args=[meeting.pk])).status_code == 404


def test_a_new_date_renews_the_invitation_list_and_keeps_marks(world):
    meeting = _meeting(world, state=Meeting.State.PLANNED)
    newcomer = make_member(world.r1c1, "Kiều Văn Đến")
    services.meeting_update(
        actor=world.admin,
        meeting=meeting,
        version=meeting.version,
        kind="thematic",
        date=D(2026, 6, 20),
        start_time=datetime.time(8, 0),
        place="Nhà văn hóa",
        agenda="Chuyên đề.",
    )
    assert set(meeting.attendances.values_list("member__full_name", flat=True)) == {
        "Nguyễn Văn An",
        newcomer.full_name,
    }


def test_the_workplace_lists_its_members_invited_at_their_residence(
    world, client_for, django_assert_max_num_queries
):
    meeting = _meeting(world)
    services.attendance_mark(actor=world.admin, attendance=meeting.attendances.get(), status="unexcused")
    second = _meeting(world)
    services.attendance_mark(actor=world.admin, attendance=second.attendances.get(), status="excused")
    client = client_for(world.w1_staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("meetings:workplace"))
    rows = response.content.decode()
    assert "Nguyễn Văn An" in rows and "Cần nhắc nhở" in rows  # two missed in a row
    assert (
        "Nguyễn Văn An" not in client_for(world.w2_staff).get(reverse("meetings:workplace")).content.decode()
    )


def test_a_members_own_page_shows_the_link_the_meetings_ahead_and_a_calendar(
    world, client_for, django_assert_max_num_queries
):
    world.m1.liaisons.update(follower_name="Trần Văn Theo", follower_phone="0987654321")
    ahead = _meeting(
        world, state=Meeting.State.PLANNED, date=datetime.date.today() + datetime.timedelta(days=7)
    )
    _meeting(world, state=Meeting.State.CLOSED)  # past: not listed ahead
    client = client_for(world.member_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("meetings:mine"))
    text = response.content.decode()
    assert "Chi bộ tổ dân phố số 1" in text and "Trần Văn Theo" in text and "0987654321" in text
    assert f"{ahead.date:%d/%m/%Y}" in text
    assert text.count("Thêm vào lịch") == 1
    feed = Calendar.from_ical(client.get(reverse("meetings:mine_calendar")).content)
    assert len(feed.walk("VEVENT")) == 1
    assert client_for(world.w1_staff).get(reverse("meetings:mine")).status_code == 404


def test_the_printed_roster_and_the_attendance_export(world, client_for):
    import io

    from docx import Document
    from openpyxl import load_workbook

    meeting = _meeting(world)
    services.attendance_mark(
        actor=world.admin, attendance=meeting.attendances.get(), status="late", contribution="Góp ý."
    )
    client = client_for(world.r1c1_secretary)
    response = client.get(reverse("meetings:roster_docx", args=[meeting.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    table = doc.tables[-1]
    assert [c.text for c in table.rows[0].cells] == [
        "STT",
        "Họ và tên",
        "Diện",
        "Tình hình tham dự",
        "Ký tên",
    ]
    assert table.rows[1].cells[1].text == "Nguyễn Văn An" and table.rows[1].cells[4].text == ""
    response = client.get(reverse("meetings:attendance_xlsx", args=[meeting.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "Nguyễn Văn An" in values and "Đến muộn" in values and "Góp ý." in values
    assert AuditEntry.objects.filter(action="export", target_type="meetings.meeting").count() == 2


def test_the_workplace_is_told_once_when_a_member_misses_meetings_in_a_row(world, settings):
    assert settings.HAICHIEU["MEETINGS"]["MISSED_IN_A_ROW_ALERT"] == 2

    def closed_meeting(days_ago, status):
        meeting = _meeting(world, date=datetime.date.today() - datetime.timedelta(days=days_ago))
        services.attendance_mark(actor=world.admin, attendance=meeting.attendances.get(), status=status)
        services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.CLOSED)

    def told():
        return list(
            InboxItem.objects.filter(kind=InboxItem.Kind.MEETING, summary__startswith="Vắng").values_list(
                "recipient_org", "summary"
            )
        )

    closed_meeting(40, "present")
    closed_meeting(30, "unexcused")
    assert told() == []
    closed_meeting(20, "excused")  # the second in a row: told
    ((org, summary),) = told()
    assert org == world.w1.pk and "Vắng 2 buổi" in summary and "Nguyễn Văn An" in summary
    closed_meeting(10, "unexcused")  # the third: already told of this run
    assert len(told()) == 1


def test_each_person_of_the_roll_call_taps_to_their_own_mark_url(world, client_for):
    """The screen writes each person's URL from the roll-call's own (one reverse, not one each)."""
    meeting = _meeting(world)
    make_member(world.r1c1, "Kiều Văn Đến")
    services.meeting_invite(actor=world.admin, meeting=meeting)
    text = (
        client_for(world.r1c1_secretary)
        .get(reverse("meetings:roll_call", args=[meeting.pk]))
        .content.decode()
    )
    for attendance in meeting.attendances.all():
        assert f'data-url="{reverse("meetings:mark", args=[meeting.pk, attendance.pk])}"' in text
    assert text.count("data-url=") == 2


def test_the_roll_call_presses_each_persons_own_mark(world, client_for):
    """The buttons are written once for each mark and placed on each row: each row shows its own."""
    meeting = _meeting(world)
    make_member(world.r1c1, "Kiều Văn Đến")
    services.meeting_invite(actor=world.admin, meeting=meeting)
    first, second = meeting.attendances.order_by("member__sort_key", "member_id")
    services.attendance_mark(actor=world.admin, attendance=first, status="late")
    text = (
        client_for(world.r1c1_secretary)
        .get(reverse("meetings:roll_call", args=[meeting.pk]))
        .content.decode()
    )
    rows = {a.pk: text[text.index(f'data-attendance="{a.pk}"') :] for a in (first, second)}
    pressed = {pk: row[: row.index("</section>")].count('aria-pressed="true"') for pk, row in rows.items()}
    assert pressed == {first.pk: 1, second.pk: 0}
    late = rows[first.pk][: rows[first.pk].index("</section>")]
    assert 'aria-pressed="true" data-status="late"' in late
    assert late.count("data-status=") == len(Attendance.Status.choices)
