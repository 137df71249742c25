"""From the comment to the rating (issue 12, "Done when"): the workplace opens the yearly round; the
cell's secretary fills one comment with the year's attendance shown; the commune committee confirms;
the workplace records the rating and sees the residence's comment beside it, and the flag on a
second member whose comment contradicts the facts (top level on meetings, yet absent)."""

import datetime
import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from haichieu.comments import services as comment_services
from haichieu.comments.models import CommentForm, CommentRequest
from haichieu.liaisons.models import Liaison
from haichieu.meetings.models import Attendance, Meeting
from haichieu.ratings.models import Rating, RatingScheme

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def yearly_data():
    """The year's comment forms and rating schemes are data loaded by migrations: a transactional
    test run before this one flushed them, so they are loaded again the way the migrations do."""
    if not CommentForm.objects.exists():
        importlib.import_module("haichieu.comments.migrations.0002_comment_forms_2026").load(apps, None)
    if not RatingScheme.objects.exists():
        importlib.import_module("haichieu.ratings.migrations.0002_load_schemes_2025_2026").load(apps, None)


def test_the_comment_and_its_flag_stand_beside_the_rating(world, page, new_page, log_in):
    today = datetime.date.today()
    year = today.year
    if not RatingScheme.objects.filter(year=year).exists():  # a later year than the data loaded
        latest = RatingScheme.objects.order_by("-year").first()
        levels = list(latest.levels.all())
        latest.pk, latest.year = None, year
        latest.save()
        for level in levels:
            level.pk, level.scheme = None, latest
            level.save()
    Liaison.objects.create(
        member=world.m2, workplace_org=world.w1, commune_org=world.r1, cell=world.r1c1,
        status=Liaison.Status.ACTIVE,
    )  # fmt: skip
    meeting = Meeting.objects.create(
        cell=world.r1c1, date=today.replace(month=1, day=10), start_time=datetime.time(19, 30),
        place="Nhà văn hóa", agenda="Thông báo tình hình địa phương.", state=Meeting.State.CLOSED,
    )  # fmt: skip
    Attendance.objects.create(meeting=meeting, member=world.m1, source="liaison", status="present")
    Attendance.objects.create(meeting=meeting, member=world.m2, source="liaison", status="unexcused")

    # The workplace opens the round.
    log_in(page, "w1_staff")
    page.goto("/nhan-xet/mo-dot/")
    page.get_by_label("Tổ chức").fill("W1")
    page.get_by_label("Năm nhận xét").fill(str(year))
    page.get_by_label("Hạn trả lời").fill(f"{today + datetime.timedelta(days=20):%d/%m/%Y}")
    page.get_by_role("button", name="Mở đợt và gửi phiếu").click()
    expect(page.get_by_text("Đã gửi 2 phiếu lấy ý kiến nhận xét")).to_be_visible()
    first = CommentRequest.objects.get(member=world.m1, year=year)
    second = CommentRequest.objects.get(member=world.m2, year=year)

    # The cell's secretary fills Nguyễn Văn An's comment, the attendance shown and suggesting.
    cell = new_page()
    log_in(cell, "r1c1_secretary")
    cell.goto(f"/nhan-xet/{first.pk}/")
    cell.locator("#main").get_by_role("link", name="Nhận xét", exact=True).click()
    cell.wait_for_load_state("load")
    expect(cell.locator("#facts-attendance")).to_have_text("dự 1/1 buổi được mời")
    expect(cell.get_by_role("radio", name="Tham gia đầy đủ")).to_be_checked()
    for level in ("Nêu gương tốt", "Gương mẫu", "Thường xuyên, tích cực", "Tích cực", "Không đề nghị"):
        cell.get_by_role("radio", name=level, exact=True).check()
    cell.get_by_label("Nhận xét khác").fill("Gương mẫu, tham gia đầy đủ các buổi sinh hoạt.")
    cell.get_by_role("button", name="Gửi nhận xét").click()
    expect(cell.get_by_role("alert")).to_contain_text("chờ đảng ủy xác nhận")
    # The second member's comment (written as the service writes it): "Tham gia đầy đủ" on
    # meetings, although Trần Thị Bình missed the one meeting she was invited to.
    levels = {c.pk: 1 for c in second.form.criteria.all()}
    levels[second.form.criteria.get(key="proposal").pk] = 2
    comment_services.comment_submit(
        actor=world.r1c1_secretary, request=second, levels=levels, text="Tham gia đầy đủ, nhiệt tình."
    )

    # The commune confirms both.
    commune = new_page()
    log_in(commune, "r1_staff")
    for request in (first, second):
        commune.goto(f"/nhan-xet/{request.pk}/")
        commune.get_by_role("button", name="Xác nhận và gửi nơi công tác").click()
        expect(commune.get_by_text("Đã xác nhận và gửi nhận xét về nơi công tác.")).to_be_visible()

    # The workplace rates Nguyễn Văn An with the comment beside the form.
    page.goto(f"/xep-loai/{world.w1.pk}/{year}/")
    row = page.locator(f'#rating-list tr[data-member="{world.m1.pk}"]')
    expect(row).to_contain_text("Gương mẫu, tham gia đầy đủ các buổi sinh hoạt.")
    row.get_by_role("link", name="Xếp loại").click()
    page.wait_for_load_state("load")
    beside = page.locator("#residence-comment")
    expect(beside).to_contain_text("Gương mẫu, tham gia đầy đủ các buổi sinh hoạt.")
    expect(beside).to_contain_text("Tham gia sinh hoạt với chi bộ nơi cư trú và các hoạt động ở nơi cư trú")
    expect(beside).to_contain_text("Đề nghị: Không đề nghị")
    expect(beside).to_contain_text("Đảng ủy xác nhận: r1_staff")
    expect(beside.locator("[data-flag]")).to_have_count(0)
    page.locator("#main").get_by_label("Điểm đánh giá (thang 100)").fill("85")
    for box in page.locator('#main input[name="conditions"]').all():
        box.check()
    page.locator("#main").get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã ghi xếp loại năm")).to_be_visible()
    assert Rating.objects.get(member=world.m1, year=year).level.label == "Hoàn thành tốt nhiệm vụ"

    # Back on the list: the level and the comment side by side; the flag on Trần Thị Bình.
    row = page.locator(f'#rating-list tr[data-member="{world.m1.pk}"]')
    expect(row).to_contain_text("Hoàn thành tốt nhiệm vụ")
    expect(row).to_contain_text("Gương mẫu, tham gia đầy đủ các buổi sinh hoạt.")
    flagged = page.locator(
        f'#rating-list tr[data-member="{world.m2.pk}"] [data-flag="meetings_vs_attendance"]'
    )
    expect(flagged).to_be_visible()
    expect(flagged).to_contain_text("chỉ dự 0/1 buổi")
    # The flag never blocks the rating.
    page.locator(f'#rating-list tr[data-member="{world.m2.pk}"]').get_by_role("link", name="Xếp loại").click()
    page.wait_for_load_state("load")
    expect(page.locator('#residence-comment [data-flag="meetings_vs_attendance"]')).to_be_visible()
    page.locator("#main").get_by_label("Điểm đánh giá (thang 100)").fill("75")
    page.locator("#main").get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã ghi xếp loại năm")).to_be_visible()
    assert Rating.objects.filter(member=world.m2, year=year).exists()
