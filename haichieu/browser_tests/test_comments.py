"""The residence's comment end to end (issue 12): the workplace opens the yearly round, the cell's
secretary fills the comment on a phone with the year's attendance shown and the meetings criterion
pre-ticked from it, the commune committee confirms, the workplace reads the comment."""

import datetime
import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from haichieu.comments.models import CommentForm, CommentRequest
from haichieu.meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def comment_forms():
    """The year's forms are data loaded by a migration: a transactional test run before this one
    flushed them, so they are loaded again the way the migration does."""
    if not CommentForm.objects.exists():
        importlib.import_module("haichieu.comments.migrations.0002_comment_forms_2026").load(apps, None)


def test_round_comment_confirmation_and_answer(world, page, new_page, log_in, horizontal_overflow):
    today = datetime.date.today()
    meeting = Meeting.objects.create(
        cell=world.r1c1, date=today.replace(month=1, day=10), start_time=datetime.time(19, 30),
        place="Nhà văn hóa", agenda="Thông báo tình hình địa phương.", state=Meeting.State.CLOSED,
    )  # fmt: skip
    Attendance.objects.create(meeting=meeting, member=world.m1, source="liaison", status="present",
                              contribution="Đề xuất lắp đèn ngõ 5.")  # fmt: skip

    log_in(page, "w1_staff")
    page.goto("/nhan-xet/mo-dot/")
    page.get_by_label("Tổ chức").fill("W1")
    page.get_by_label("Năm nhận xét").fill(str(today.year))
    page.get_by_label("Hạn trả lời").fill(f"{today + datetime.timedelta(days=20):%d/%m/%Y}")
    page.get_by_role("button", name="Mở đợt và gửi phiếu").click()
    expect(page.get_by_text("Đã gửi 1 phiếu lấy ý kiến nhận xét")).to_be_visible()
    expect(page.locator("#comment-progress")).to_contain_text(world.r1.name)
    request = CommentRequest.objects.get(member=world.m1)

    phone = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    log_in(phone, "r1c1_secretary")
    phone.goto("/nhan-xet/")
    phone.get_by_role("link", name="Nguyễn Văn An").click()
    phone.locator("#main").get_by_role("link", name="Nhận xét", exact=True).click()
    expect(phone.locator("#facts-attendance")).to_have_text("dự 1/1 buổi được mời")
    expect(phone.locator("#comment-facts")).to_contain_text("Đề xuất lắp đèn ngõ 5.")
    expect(phone.get_by_role("radio", name="Tham gia đầy đủ")).to_be_checked()
    assert horizontal_overflow(phone) <= 0
    for level in ("Nêu gương tốt", "Gương mẫu", "Thường xuyên, tích cực", "Tích cực", "Không đề nghị"):
        phone.get_by_role("radio", name=level, exact=True).check()
    phone.get_by_label("Nhận xét khác").fill("Gương mẫu, tham gia đầy đủ các buổi sinh hoạt.")
    phone.get_by_role("button", name="Gửi nhận xét").click()
    expect(phone.get_by_role("alert")).to_contain_text("chờ đảng ủy xác nhận")

    commune = new_page()
    log_in(commune, "r1_staff")
    commune.goto(f"/nhan-xet/{request.pk}/")
    commune.get_by_role("button", name="Xác nhận và gửi nơi công tác").click()
    expect(commune.get_by_text("Đã xác nhận và gửi nhận xét về nơi công tác.")).to_be_visible()

    page.goto("/lien-he/van-ban-den/")
    expect(page.get_by_text("đã gửi nhận xét đồng chí Nguyễn Văn An")).to_be_visible()
    page.goto(f"/nhan-xet/{request.pk}/")
    expect(page.locator("#comment-text")).to_have_text("Gương mẫu, tham gia đầy đủ các buổi sinh hoạt.")
    expect(page.locator("#comment-levels")).to_contain_text("Tham gia đầy đủ")
