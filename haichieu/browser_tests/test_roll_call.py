"""The roll-call on a phone (issue 11): a 30-member meeting at 375×667, the network cut and restored
midway; nothing tapped is lost, and the workplace of one member then sees how they took part."""

import datetime

import pytest
from playwright.sync_api import expect

from haichieu.meetings import services
from haichieu.meetings.models import Attendance, Meeting
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_667 = {
    "viewport": {"width": 375, "height": 667},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# The status each person gets, in turn (the button's text).
TAPS = ["Có mặt", "Có mặt", "Muộn", "Về sớm", "Vắng, có lý do", "Vắng, không lý do"]


def _meeting(world) -> Meeting:
    for n in range(29):
        make_member(world.r1c1, f"Đảng Viên Tổ Một {n:02d}")
    meeting = services.meeting_create(
        actor=world.admin,
        cell=world.r1c1,
        kind=Meeting.Kind.REGULAR,
        date=datetime.date.today(),
        start_time=datetime.time(19, 30),
        place="Nhà văn hóa tổ dân phố số 1",
        agenda="Thông báo tình hình địa phương.",
    )
    return services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.OPEN)


def test_a_30_member_roll_call_survives_a_lost_connection(world, new_page, log_in, horizontal_overflow):
    meeting = _meeting(world)
    rows = list(meeting.attendances.select_related("member").order_by("member__sort_key", "member_id"))
    assert len(rows) == 30
    page = new_page(**PHONE_667)
    log_in(page, "r1c1_secretary")
    page.goto(f"/hop/{meeting.pk}/diem-danh/")
    people = page.locator("section[data-url]")
    expect(people).to_have_count(30)
    assert horizontal_overflow(page) <= 0
    box = people.first.get_by_role("button", name="Có mặt").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box

    expected = {}
    for index, row in enumerate(rows):
        if index == 12:  # the connection drops in the middle of the meeting
            page.context.set_offline(True)
        person = people.nth(index)
        label = TAPS[index % len(TAPS)]
        person.get_by_role("button", name=label, exact=True).tap()
        expect(person.get_by_role("button", name=label, exact=True)).to_have_attribute("aria-pressed", "true")
        expected[row.pk] = label
        if row.member_id == world.m1.pk:
            person.locator("summary").tap()
            person.get_by_label("Ý kiến đóng góp").fill("Đề nghị lắp đèn ngõ 5.")
            person.get_by_role("button", name="Lưu ý kiến").tap()
    banner = page.locator("#connection")
    expect(banner).to_contain_text("Mất kết nối")
    assert Attendance.objects.filter(meeting=meeting, status="").count() > 0  # the queue waits

    page.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=15_000)
    expect(page.get_by_text("Chờ gửi")).to_have_count(0)

    labels = dict(Attendance.Status.choices)
    short = {"Có mặt": "present", "Muộn": "late", "Về sớm": "left_early", "Vắng, có lý do": "excused",
             "Vắng, không lý do": "unexcused"}  # fmt: skip
    saved = {a.pk: a for a in meeting.attendances.all()}
    assert {pk: saved[pk].status for pk in expected} == {pk: short[label] for pk, label in expected.items()}
    assert all(
        a.method == Attendance.Method.ROLL_CALL and a.marked_by == world.r1c1_secretary
        for a in saved.values()
    )
    m1 = next(a for a in saved.values() if a.member_id == world.m1.pk)
    assert m1.contribution == "Đề nghị lắp đèn ngõ 5."

    # The workplace committee of m1 sees it, on its own phone.
    workplace = new_page(**PHONE_667)
    log_in(workplace, "w1_staff")
    workplace.goto(f"/hop/dang-vien/{world.m1.pk}/")
    history = workplace.locator("#attendance-history")
    expect(history).to_contain_text("Chi bộ tổ dân phố số 1")
    expect(history).to_contain_text(labels[m1.status])
    expect(history).to_contain_text("Đề nghị lắp đèn ngõ 5.")
    assert horizontal_overflow(workplace) <= 0


def test_a_member_checks_in_with_the_qr_code_and_bad_codes_are_refused(world, new_page, log_in):
    meeting = services.meeting_create(
        actor=world.admin,
        cell=world.r1c1,
        kind=Meeting.Kind.REGULAR,
        date=datetime.date.today(),
        start_time=datetime.time(19, 30),
        place="Nhà văn hóa",
        agenda="Nội dung.",
    )
    secretary = new_page(**PHONE_667)
    log_in(secretary, "r1c1_secretary")
    secretary.goto(f"/hop/{meeting.pk}/")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Bắt đầu họp").tap()
    expect(secretary.locator("h1")).to_contain_text("Điểm danh")  # straight to the roll-call
    secretary.goto(f"/hop/{meeting.pk}/ma-diem-danh/")
    qr = secretary.get_by_role("img", name="Mã QR tự điểm danh")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    url = secretary.locator("#check-in-url").get_attribute("href")

    member = new_page(**PHONE_667)
    log_in(member, "member_user")
    member.goto(url)  # what the phone's camera opens
    member.get_by_role("button", name="Điểm danh có mặt").tap()
    expect(member.locator("#check-in-done")).to_contain_text("Đã ghi nhận: có mặt")
    attendance = meeting.attendances.get(member=world.m1)
    assert attendance.status == "present" and attendance.method == Attendance.Method.SELF_CHECK_IN

    tampered = url[:-3] + ("xyz" if not url.endswith("xyz") else "abc")
    member.goto(tampered)
    expect(member.locator("#check-in-error")).to_contain_text("Mã điểm danh không hợp lệ")

    secretary.goto(f"/hop/{meeting.pk}/")
    secretary.get_by_role("button", name="Kết thúc buổi họp").tap()
    expect(secretary.locator("#meeting-state")).to_have_text("Đã kết thúc")
    member.goto(url)  # the code of a meeting now closed
    expect(member.locator("#check-in-error")).to_contain_text("không diễn ra lúc này")


def test_after_closing_the_secretary_writes_the_minutes_and_downloads_them_on_a_phone(
    world, new_page, log_in, horizontal_overflow, tmp_path
):
    from docx import Document

    meeting = _meeting(world)
    page = new_page(**PHONE_667, accept_downloads=True)
    log_in(page, "r1c1_secretary")
    page.goto(f"/hop/{meeting.pk}/")
    expect(page.get_by_role("link", name="Biên bản (dự thảo, .docx)")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Kết thúc buổi họp").tap()
    expect(page.locator(".alert")).to_contain_text("Ghi biên bản")
    page.get_by_role("link", name="Ghi biên bản").tap()
    page.get_by_label("Người chủ trì").fill("Trần Văn Chủ")
    page.get_by_label("Thư ký").fill("Lê Thị Ghi")
    page.get_by_label("Kết luận của chủ trì").fill("Chi bộ thống nhất sửa đèn ngõ 3.\nGiao tổ 1 theo dõi.")
    assert horizontal_overflow(page) <= 0
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu biên bản").tap()
    expect(page.locator("dl")).to_contain_text("Trần Văn Chủ")
    with page.expect_download() as download:
        page.get_by_role("link", name="Biên bản (.docx)").tap()
    path = tmp_path / "bien-ban.docx"
    download.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "BIÊN BẢN" in text and "Chủ trì: đồng chí Trần Văn Chủ" in text
    assert "Chi bộ thống nhất sửa đèn ngõ 3.\nGiao tổ 1 theo dõi." in text and "DỰ THẢO" not in text
