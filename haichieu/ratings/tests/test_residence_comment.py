"""The residence's yearly comment beside the rating (issue 12): on the list, on the form, in the
.xlsx list for the rating meeting, with the flags where it and the facts disagree; never blocking
the rating; never shown to the residence side through the ratings."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from haichieu.comments import services as comment_services
from haichieu.comments.models import CommentRequest
from haichieu.liaisons.models import Liaison
from haichieu.meetings.models import Attendance, Meeting
from haichieu.ratings.models import Rating
from haichieu.ratings.tests.test_views import ALL, _form, _list
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2026


def link(world, member):
    Liaison.objects.create(
        member=member, workplace_org=world.w1, commune_org=world.r1, cell=world.r1c1,
        status=Liaison.Status.ACTIVE,
    )  # fmt: skip


DEADLINE = D(2026, 12, 15)


def open_round(world, deadline=DEADLINE):
    comment_services.open_comment_round(
        actor=world.w1_staff, org=world.w1, year=YEAR, deadline=deadline, today=D(2026, 11, 20)
    )


def answer(world, member, *, text, lower=(), proposal=2, confirm=True):
    request = CommentRequest.objects.get(member=member, year=YEAR)
    levels = {c.pk: 2 if c.key in lower else 1 for c in request.form.criteria.all()}
    levels[request.form.criteria.get(key="proposal").pk] = proposal
    comment_services.comment_submit(actor=world.r1c1_secretary, request=request, levels=levels, text=text)
    if confirm:
        comment_services.comment_confirm(actor=world.r1_staff, request=request)
    return request


def absent_twice(member, cell):
    for month in (3, 9):
        meeting = Meeting.objects.create(
            cell=cell, date=D(YEAR, month, 10), start_time=datetime.time(19, 30), place="Nhà văn hóa",
            agenda="Sinh hoạt định kỳ.", state=Meeting.State.CLOSED,
        )  # fmt: skip
        Attendance.objects.create(meeting=meeting, member=member, source="liaison", status="unexcused")


def row(page, member):
    """The list's row of `member` (its HTML)."""
    start = page.index(f'data-member="{member.pk}"')
    return page[start : page.index("</tr>", start)]


def test_the_comment_stands_beside_the_rating_on_the_list_and_the_form(world, client_for):
    open_round(world)
    answer(world, world.m1, text="Gương mẫu, gần gũi bà con.", lower=("contact",), proposal=1)
    client = client_for(world.w1_staff)
    listed = client.get(_list(world.w1, YEAR)).content.decode()
    mine = row(listed, world.m1)
    assert 'data-residence-comment="answered"' in mine and "Gương mẫu, gần gũi bà con." in mine
    assert "Biểu dương" in mine  # the proposal
    assert "Nêu gương tốt; Gương mẫu đi đầu; Tham gia đầy đủ; Thường xuyên; Rất tích cực" in mine
    assert "Đảng ủy xác nhận: r1_staff" in mine
    assert 'data-residence-comment="none"' in row(listed, world.m2)  # no request: none asked
    form = client.get(_form(world.w1, world.m1, YEAR)).content.decode()
    assert 'id="residence-comment"' in form
    assert "Giữ mối liên hệ với chi ủy, chi bộ và nhân dân nơi cư trú: <strong>Thường xuyên</strong>" in form
    assert "Gương mẫu, gần gũi bà con." in form and "Đảng ủy xác nhận: r1_staff" in form


def test_a_comment_not_answered_reads_pending_awaiting_or_overdue(world, client_for):
    link(world, world.m2)
    open_round(world)
    client = client_for(world.w1_staff)
    # Deadlines far from today either way, so the test reads the same whenever it runs.
    CommentRequest.objects.filter(member=world.m2).update(deadline=D(2026, 1, 10))
    CommentRequest.objects.filter(member=world.m1).update(deadline=D(2099, 12, 31))
    answer(world, world.m1, text="Chờ xác nhận.", confirm=False)
    listed = client.get(_list(world.w1, YEAR)).content.decode()
    assert 'data-residence-comment="awaiting"' in row(listed, world.m1)
    assert "Chờ xác nhận." not in listed  # not final: the workplace does not read it yet
    assert 'data-residence-comment="overdue"' in row(listed, world.m2) and "Quá hạn" in row(listed, world.m2)
    CommentRequest.objects.filter(member=world.m2).update(deadline=D(2099, 12, 31))
    listed = client.get(_list(world.w1, YEAR)).content.decode()
    assert 'data-residence-comment="pending"' in row(listed, world.m2)
    assert "Chưa có nhận xét, hạn 31/12/2099" in row(listed, world.m2)


def test_the_flags_show_beside_the_rating_and_never_block_it(world, client_for):
    link(world, world.m2)
    open_round(world)
    absent_twice(world.m2, world.r1c1)
    answer(world, world.m1, text="Gương mẫu.", lower=("example",))
    answer(world, world.m2, text="Tham gia đầy đủ, gương mẫu.", lower=("example",))  # yet absent twice
    client = client_for(world.w1_staff)
    listed = client.get(_list(world.w1, YEAR)).content.decode()
    assert 'data-flag="meetings_vs_attendance"' in row(listed, world.m2)
    assert "chỉ dự 0/2 buổi" in row(listed, world.m2)
    assert "data-flag" not in row(listed, world.m1)
    form = client.get(_form(world.w1, world.m2, YEAR)).content.decode()
    assert 'data-flag="meetings_vs_attendance"' in form
    response = client.post(_form(world.w1, world.m2, YEAR), {"score": "92", "conditions": ALL})
    assert response.status_code == 302
    assert Rating.objects.get(member=world.m2, year=YEAR).level.code == "hoan-thanh-xuat-sac"


def test_the_xlsx_list_carries_the_proposal_the_levels_and_the_flags(world, client_for):
    link(world, world.m2)
    open_round(world)
    absent_twice(world.m2, world.r1c1)
    answer(world, world.m2, text="Tốt.", lower=("example",), proposal=1)
    CommentRequest.objects.filter(member=world.m1).update(deadline=D(2099, 12, 31))
    client = client_for(world.w1_staff)
    client.post(_form(world.w1, world.m2, YEAR), {"score": "85", "conditions": ALL})
    response = client.get(reverse("ratings:xlsx", args=[world.w1.pk, YEAR]))
    rows = [list(r) for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
        values_only=True)]  # fmt: skip
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][8:] == [
        "Nhận xét nơi cư trú: đề nghị",
        "Nhận xét nơi cư trú: các tiêu chí",
        "Cần xem lại",
    ]
    body = {r[1]: r for r in rows[header + 1 :]}
    bình = body["Trần Thị Bình"]
    assert bình[8:10] == [
        "Biểu dương",
        "Nêu gương; Gương mẫu đi đầu; Tham gia đầy đủ; Thường xuyên, tích cực; Rất tích cực",
    ]
    assert "chỉ dự 0/2 buổi" in bình[10]
    assert body["Nguyễn Văn An"][8:] == ["Chưa có nhận xét", None, None]


def test_the_residence_side_never_reaches_the_comment_through_the_ratings(world, client_for):
    open_round(world)
    answer(world, world.m1, text="Gương mẫu.")
    for user in (world.r1c1_secretary, world.r1_staff):
        client = client_for(user)
        for url in (
            _list(world.w1, YEAR),
            _form(world.w1, world.m1, YEAR),
            reverse("ratings:xlsx", args=[world.w1.pk, YEAR]),
        ):
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"score": "80"}).status_code in (404, 405), (user, url)
    # Another workplace's staff: 404 too, and its own list shows nothing of this comment.
    client = client_for(world.w2_staff)
    assert client.get(_form(world.w1, world.m1, YEAR)).status_code == 404
    assert "Gương mẫu." not in client.get(_list(world.w2, YEAR)).content.decode()


def test_the_list_with_comments_and_flags_costs_the_same_queries_for_2_or_40_members(
    world, client_for, django_assert_max_num_queries
):
    open_round(world)
    absent_twice(world.m1, world.r1c1)
    answer(world, world.m1, text="Tốt.", proposal=1)  # every flag's query runs for the small list too
    client = client_for(world.w1_staff)
    with django_assert_max_num_queries(30) as small:
        assert client.get(_list(world.w1, YEAR)).status_code == 200
    count = len(small)
    with django_assert_max_num_queries(30) as one:
        assert client.get(_form(world.w1, world.m1, YEAR)).status_code == 200
    form_count = len(one)
    members = [make_member(world.w1c1, f"Đảng Viên Số {n}") for n in range(38)]
    for member in members:
        link(world, member)
    open_round(world)
    for n, member in enumerate(members):
        if n % 3 == 0:
            absent_twice(member, world.r1c1)
        if n % 3 != 2:
            answer(world, member, text=f"Nhận xét {n}.", confirm=n % 2 == 0)
        if n % 4 == 0:
            client.post(_form(world.w1, member, YEAR), {"score": f"{60 + n}", "conditions": ALL})
    with django_assert_max_num_queries(count):
        response = client.get(_list(world.w1, YEAR) + "?size=100")
    page = response.content.decode()
    assert page.count("data-member=") == 40 and page.count('data-flag="meetings_vs_attendance"') >= 5
    with django_assert_max_num_queries(form_count):  # the form of a member with a flag
        page = client.get(_form(world.w1, members[0], YEAR)).content.decode()
    assert 'data-flag="meetings_vs_attendance"' in page
