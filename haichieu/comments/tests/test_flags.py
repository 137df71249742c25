"""Flags where a residence's comment and the facts disagree (comments/flags.py, issue 12): each one
raised, and not raised when the facts agree; a whole list in a constant number of queries."""

import datetime

import pytest
from django.db.models import Prefetch

from haichieu.comments import flags, services
from haichieu.comments.models import Comment, CommentAnswer, CommentRequest
from haichieu.liaisons.models import Liaison
from haichieu.meetings.models import Attendance, Meeting
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2026
TODAY = D(2026, 11, 20)
DEADLINE = D(2026, 12, 15)


def link(world, member, cell=None):
    Liaison.objects.create(
        member=member, workplace_org=world.w1, commune_org=world.r1, cell=cell or world.r1c1,
        status=Liaison.Status.ACTIVE,
    )  # fmt: skip


def open_round(world):
    services.open_comment_round(actor=world.w1_staff, org=world.w1, year=YEAR, deadline=DEADLINE, today=TODAY)


def answer(world, member, *, text="Gương mẫu ở khu dân cư.", lower=(), confirm=True):
    """The cell comments on `member` (every criterion at the top level but those in `lower`, at 2)
    and the commune confirms."""
    request = CommentRequest.objects.get(member=member, year=YEAR)
    levels = {c.pk: 2 if c.key in lower else 1 for c in request.form.criteria.all()}
    services.comment_submit(actor=world.r1c1_secretary, request=request, levels=levels, text=text)
    if confirm:
        services.comment_confirm(actor=world.r1_staff, request=request)
    return request


def attend(member, cell, statuses):
    for n, status in enumerate(statuses, start=1):
        meeting = Meeting.objects.create(
            cell=cell, date=D(YEAR, n * 2, 10), start_time=datetime.time(19, 30), place="Nhà văn hóa",
            agenda="Sinh hoạt định kỳ.", state=Meeting.State.CLOSED,
        )  # fmt: skip
        Attendance.objects.create(meeting=meeting, member=member, source="liaison", status=status)


def loaded(members=None):
    qs = CommentRequest.objects.filter(year=YEAR, purpose="yearly")
    if members is not None:
        qs = qs.filter(member__in=members)
    answers = CommentAnswer.objects.select_related("criterion")
    return list(
        qs.select_related("comment", "cell").prefetch_related(Prefetch("comment__answers", queryset=answers))
    )


def codes(found, member):
    return [f.code for f in found.get(member.pk, [])]


def test_top_level_on_meetings_with_attendance_below_the_minimum_is_flagged(world):
    link(world, world.m2)
    open_round(world)
    attend(world.m1, world.r1c1, ["present", "unexcused"])  # 1 of 2: below the minimum of 2
    attend(world.m2, world.r1c1, ["present", "late"])  # 2 of 2: the facts agree
    answer(world, world.m1, lower=("example",))
    answer(world, world.m2, lower=("example",), text="Tham gia đầy đủ.")
    found = flags.flags_for(loaded(), YEAR)
    assert codes(found, world.m1) == [flags.MEETINGS_VS_ATTENDANCE]
    assert "Tham gia đầy đủ" in found[world.m1.pk][0].text and "1/2 buổi" in found[world.m1.pk][0].text
    assert world.m2.pk not in found


def test_meetings_below_top_or_no_meeting_expected_is_not_flagged(world):
    link(world, world.m2)
    open_round(world)
    attend(world.m1, world.r1c1, ["unexcused", "unexcused"])
    answer(world, world.m1, lower=("meetings",))  # "Chưa đầy đủ": agrees with the facts
    answer(world, world.m2, lower=("example",), text="Khác.")  # no meeting expected: nothing to hold against
    assert flags.flags_for(loaded(), YEAR) == {}


def test_the_same_text_as_last_year_is_flagged_whitespace_and_case_aside(world):
    link(world, world.m2)
    open_round(world)
    form = CommentRequest.objects.get(member=world.m1).form
    for member, text in ((world.m1, "Gương mẫu,  chấp hành tốt\nquy định."), (world.m2, "Chưa tích cực.")):
        last = CommentRequest.objects.create(
            member=member, liaison=Liaison.objects.get(member=member), cell=world.r1c1, commune_org=world.r1,
            workplace_org=world.w1, form=form, year=YEAR - 1, purpose="yearly", deadline=D(YEAR - 1, 12, 1),
            state=CommentRequest.State.ANSWERED,
        )  # fmt: skip
        Comment.objects.create(request=last, text=text)
    answer(world, world.m1, text="gương mẫu, chấp hành tốt quy định.", lower=("example",))
    answer(world, world.m2, text="Đã tích cực hơn năm trước.", lower=("example",))
    found = flags.flags_for(loaded(), YEAR)
    assert codes(found, world.m1) == [flags.SAME_TEXT_AS_LAST_YEAR]
    assert found[world.m1.pk][0].text == "Nội dung nhận xét năm 2026 giống hệt nhận xét năm 2025."
    assert world.m2.pk not in found


def test_every_criterion_at_the_top_for_every_member_of_a_cell_is_flagged(world):
    link(world, world.m2)
    open_round(world)
    answer(world, world.m1, text="Tốt.")
    answer(world, world.m2, text="Rất tốt.")
    found = flags.flags_for(loaded(), YEAR)
    assert codes(found, world.m1) == codes(found, world.m2) == [flags.ALL_TOP_IN_CELL]
    assert found[world.m1.pk][0].text.startswith("Chi bộ tổ dân phố số 1 xếp mức cao nhất ở mọi tiêu chí")


def test_all_top_is_not_flagged_for_one_comment_or_when_one_member_is_rated_lower(world):
    link(world, world.m2)
    open_round(world)
    answer(world, world.m1, text="Tốt.")
    assert flags.flags_for(loaded(), YEAR) == {}  # one comment only: nothing to compare
    answer(world, world.m2, text="Còn hạn chế.", lower=("contact",))
    assert flags.flags_for(loaded(), YEAR) == {}
    # Counted over the cell's answered comments, not only those of the list given.
    assert flags.flags_for(loaded([world.m1]), YEAR) == {}


def test_a_comment_not_yet_confirmed_is_not_flagged_nor_counted(world):
    link(world, world.m2)
    open_round(world)
    answer(world, world.m1, text="Tốt.")
    answer(world, world.m2, text="Rất tốt.", confirm=False)
    assert flags.flags_for(loaded(), YEAR) == {}


def test_flags_for_a_list_cost_three_queries_whatever_its_length(world, django_assert_num_queries):
    members = [make_member(world.w1c1, f"Đảng Viên {n}") for n in range(12)]
    for member in members:
        link(world, member)
    open_round(world)
    for member in members:
        attend(member, world.r1c1, ["unexcused"])
        answer(world, member, text="Tốt.")
    requests = loaded()
    with django_assert_num_queries(3):
        found = flags.flags_for(requests, YEAR)
    assert {m.pk for m in members} <= set(found)
    assert all(codes(found, m) == [flags.MEETINGS_VS_ATTENDANCE, flags.ALL_TOP_IN_CELL] for m in members)
