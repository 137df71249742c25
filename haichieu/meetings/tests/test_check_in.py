"""Self check-in with the rotating signed code (haichieu/meetings/checkin.py, services.self_check_in)."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse

from haichieu.meetings import checkin, services
from haichieu.meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db


def _open_meeting(world):
    meeting = services.meeting_create(
        actor=world.admin,
        cell=world.r1c1,
        kind="regular",
        date=datetime.date.today(),
        start_time=datetime.time(19, 30),
        place="Nhà văn hóa",
        agenda="Nội dung.",
    )
    return services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.OPEN)


def test_a_member_checks_in_with_the_code_and_is_marked_present_by_self_check_in(world, client_for):
    meeting = _open_meeting(world)
    code = checkin.make_code(meeting)
    client = client_for(world.member_user)
    url = reverse("meetings:check_in")
    page = client.get(url, {"ma": code})
    assert page.status_code == 200 and "Điểm danh có mặt" in page.content.decode()
    assert meeting.attendances.get().status == ""  # a GET changes nothing
    response = client.post(url, {"ma": code})
    assert response.status_code == 200 and "Đã ghi nhận: có mặt" in response.content.decode()
    attendance = meeting.attendances.get()
    assert attendance.status == "present" and attendance.method == Attendance.Method.SELF_CHECK_IN
    assert attendance.marked_by == world.member_user
    # The secretary's change over it is a correction.
    services.attendance_mark(actor=world.r1c1_secretary, attendance=attendance, status="late")
    attendance.refresh_from_db()
    assert attendance.method == Attendance.Method.CORRECTED


def test_a_tampered_or_expired_code_or_a_closed_meeting_is_refused(world, client_for, settings):
    meeting = _open_meeting(world)
    code = checkin.make_code(meeting)
    client = client_for(world.member_user)
    url = reverse("meetings:check_in")
    other = signing.TimestampSigner(salt="another").sign_object({"m": meeting.pk})
    for bad in (code[:-2] + ("AA" if not code.endswith("AA") else "BB"), other, "rác", ""):
        response = client.post(url, {"ma": bad})
        assert response.status_code == 400 and "Mã điểm danh không hợp lệ" in response.content.decode()
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "MEETINGS": {**settings.HAICHIEU["MEETINGS"], "CHECK_IN_VALID_SECONDS": -1},
    }
    response = client.post(url, {"ma": code})
    assert response.status_code == 400 and "hết hạn" in response.content.decode()
    settings.HAICHIEU["MEETINGS"]["CHECK_IN_VALID_SECONDS"] = 90
    services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.CLOSED)
    response = client.post(url, {"ma": code})
    assert response.status_code == 400 and "không diễn ra lúc này" in response.content.decode()
    assert meeting.attendances.get().status == ""


def test_someone_not_invited_cannot_check_in(world, client_for):
    meeting = _open_meeting(world)
    response = client_for(world.w2_staff).post(
        reverse("meetings:check_in"), {"ma": checkin.make_code(meeting)}
    )
    assert response.status_code == 400 and "không có trong danh sách mời" in response.content.decode()


def test_the_code_page_shows_a_qr_code_only_while_the_meeting_is_open(world, client_for):
    meeting = _open_meeting(world)
    client = client_for(world.r1c1_secretary)
    text = client.get(reverse("meetings:check_in_code", args=[meeting.pk])).content.decode()
    assert 'src="data:image/svg+xml' in text and "/hop/diem-danh/?ma=" in text
    services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.CLOSED)
    text = client.get(reverse("meetings:check_in_code", args=[meeting.pk])).content.decode()
    assert "data:image" not in text and "chỉ hiện khi buổi sinh hoạt đang diễn ra" in text
