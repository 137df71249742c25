"""The residence's answer (services.comment_submit, comment_confirm), ad hoc requests, the facts the
form opens with, deadlines and overdue counts, reminders, and who sees which request."""

import datetime

import pytest
from django.http import Http404

from haichieu.access import comment_request_get_for, comment_requests_visible_to
from haichieu.comments import rules, selectors, services
from haichieu.comments.models import CommentRequest
from haichieu.core.services import ConflictError, ServiceError
from haichieu.liaisons.models import ChangeNotice, InboxItem, Liaison, ReminderSent
from haichieu.liaisons.reminders import send_reminders
from haichieu.meetings.models import Attendance, Meeting
from haichieu.members.models import Member
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 20)
DEADLINE = D(2026, 12, 15)


@pytest.fixture
def opened(world):
    services.open_comment_round(actor=world.w1_staff, org=world.w1, year=2026, deadline=DEADLINE, today=TODAY)
    return CommentRequest.objects.get(member=world.m1)


def all_top(request):
    return {c.pk: 1 for c in request.form.criteria.all()}


def test_the_cell_answers_the_commune_confirms_and_the_workplace_is_told_at_once(world, opened):
    services.comment_submit(
        actor=world.r1c1_secretary, request=opened, levels=all_top(opened), text="Gương mẫu."
    )
    opened.refresh_from_db()
    assert opened.state == CommentRequest.State.AWAITING_CONFIRMATION and opened.answered_at is None
    assert not InboxItem.objects.filter(recipient_org=world.w1, kind=InboxItem.Kind.COMMENT).exists()
    assert InboxItem.objects.filter(recipient_org=world.r1, kind=InboxItem.Kind.COMMENT).exists()
    with pytest.raises(ServiceError, match="không có quyền"):
        services.comment_confirm(actor=world.r1c1_secretary, request=opened)  # the cell does not confirm

    services.comment_confirm(actor=world.r1_staff, request=opened)
    opened.refresh_from_db()
    assert opened.state == CommentRequest.State.ANSWERED and opened.answered_at is not None
    assert opened.comment.confirmed_by == world.r1_staff
    item = InboxItem.objects.get(recipient_org=world.w1, kind=InboxItem.Kind.COMMENT)
    assert "Nguyễn Văn An" in item.summary
    with pytest.raises(ConflictError):
        services.comment_confirm(actor=world.r1_staff, request=opened)


def test_without_the_communes_confirmation_the_comment_goes_to_the_workplace_at_once(world, opened, settings):
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "RULES": {**settings.HAICHIEU["RULES"], "COMMENT_CONFIRM_BY_COMMUNE": False},
    }
    levels = {**all_top(opened), opened.form.criteria.get(key="proposal").pk: 2}
    comment = services.comment_submit(actor=world.r1c1_secretary, request=opened, levels=levels, text="Tốt.")
    opened.refresh_from_db()
    assert opened.state == CommentRequest.State.ANSWERED
    assert InboxItem.objects.filter(recipient_org=world.w1, kind=InboxItem.Kind.COMMENT).count() == 1
    assert sorted(comment.answers.values_list("criterion__key", "level")) == sorted(
        [("example", 1), ("civic_duty", 1), ("meetings", 1), ("contact", 1), ("mobilise", 1), ("proposal", 2)]
    )
    with pytest.raises(ConflictError, match="đã được nhận xét"):
        services.comment_submit(actor=world.r1c1_secretary, request=opened, levels=levels, text="Lần hai.")


@pytest.mark.parametrize(
    "who, levels, text, message",
    [
        ("r1c1_secretary", "missing", "Tốt.", "Chưa chọn mức cho: Đề nghị"),
        ("r1c1_secretary", "four", "Tốt.", "Chưa chọn mức cho"),
        ("r1c1_secretary", "top", "   ", "Vui lòng ghi nhận xét"),
        ("w1_staff", "top", "Tốt.", "không có quyền"),  # the workplace does not answer
        ("r2_staff", "top", "Tốt.", "không có quyền"),
    ],
)
def test_a_comment_is_refused_incomplete_or_from_outside_the_cell(world, opened, who, levels, text, message):
    chosen = all_top(opened)
    if levels == "missing":
        chosen.pop(opened.form.criteria.get(key="proposal").pk)
    if levels == "four":
        chosen[opened.form.criteria.first().pk] = 4
    with pytest.raises(ServiceError, match=message):
        services.comment_submit(actor=getattr(world, who), request=opened, levels=chosen, text=text)
    opened.refresh_from_db()
    assert opened.state == CommentRequest.State.PENDING


def test_an_excused_member_is_asked_ad_hoc_on_form_4_213_with_the_portals_reference(world):
    soldier = make_member(world.w1c2, "Phan Văn Lính", liaison_category=Member.LiaisonCategory.BARRACKS)
    Liaison.objects.create(member=soldier, workplace_org=world.w1, commune_org=world.r1, cell=world.r1c2,
                           status=Liaison.Status.ACTIVE)  # fmt: skip
    result = services.comment_requests_ask(
        actor=world.w1_staff, members=[soldier, world.m2, world.m3], purpose="appointment",
        deadline=DEADLINE, portal_reference=" HN-2026-000123 ", today=TODAY,
    )  # fmt: skip
    (request,) = result.created
    assert (request.form.code, request.cell, request.purpose) == ("4-213", world.r1c2, "appointment")
    assert request.portal_reference == "HN-2026-000123" and request.workplace_org == world.w1
    assert [(m, why) for m, why in result.skipped] == [
        (world.m2, rules.Skip.NOT_LINKED.label),
        (world.m3, "Bạn không có quyền lấy ý kiến nhận xét đảng viên này."),
    ]
    assert InboxItem.objects.filter(
        recipient_org=world.r1c2, kind="comment_request", due_date=DEADLINE
    ).exists()
    with pytest.raises(ServiceError, match="Mục đích"):
        services.comment_requests_ask(
            actor=world.w1_staff, members=[soldier], purpose="yearly", deadline=DEADLINE, today=TODAY
        )


def _meeting(cell, day, member, status, contribution=""):
    meeting = Meeting.objects.create(
        cell=cell, date=day, start_time=datetime.time(19), place="Nhà văn hóa", agenda="…",
        state=Meeting.State.CLOSED,
    )  # fmt: skip
    Attendance.objects.create(meeting=meeting, member=member, source="liaison", status=status,
                              contribution=contribution)  # fmt: skip


def test_the_form_opens_with_the_years_facts_across_both_links_and_suggests_the_meetings_level(world, opened):
    m1 = world.m1
    _meeting(
        world.r2c1, D(2026, 3, 1), m1, Attendance.Status.PRESENT, "Đề xuất sửa đường."
    )  # before the move
    _meeting(world.r1c1, D(2026, 9, 1), m1, Attendance.Status.UNEXCUSED)
    _meeting(world.r1c1, D(2026, 10, 1), m1, Attendance.Status.EXEMPT)  # not expected
    _meeting(world.r1c1, D(2025, 9, 1), m1, Attendance.Status.UNEXCUSED)  # another year
    ChangeNotice.objects.create(member=m1, kind="position_change", direction="to_residence",
                                sender_org=world.w1, recipient_org=world.r1, event_date=D(2026, 5, 2))  # fmt: skip
    facts = selectors.comment_facts(opened)
    assert (facts.expected, facts.attended, facts.rate) == (2, 1, 50.0)
    assert [a.contribution for a in facts.contributions] == ["Đề xuất sửa đường."]
    assert [n.kind for n in facts.notices] == ["position_change"]
    assert facts.suggested_meetings_level == 2


@pytest.mark.parametrize("attended, expected, level", [(2, 2, 1), (1, 2, 2), (0, 2, 3), (0, 0, None)])
def test_the_meetings_level_suggested_from_attendance(attended, expected, level):
    assert rules.suggested_meetings_level(attended, expected) == level


def test_progress_counts_answered_pending_and_overdue_per_commune_and_cell(world):
    for n in range(3):
        member = make_member(world.w1c2, f"Đảng Viên {n}")
        Liaison.objects.create(member=member, workplace_org=world.w1, commune_org=world.r1,
                               cell=world.r1c2, status="active")  # fmt: skip
    services.open_comment_round(actor=world.admin, org=world.w1, year=2026, deadline=DEADLINE, today=TODAY)
    r1c2 = CommentRequest.objects.filter(cell=world.r1c2).order_by("pk")
    CommentRequest.objects.filter(pk=r1c2[0].pk).update(state="answered")
    CommentRequest.objects.filter(pk=r1c2[1].pk).update(state="awaiting_confirmation")
    after = DEADLINE + datetime.timedelta(days=1)

    (commune,) = selectors.progress(world.w1_staff, year=2026, today=TODAY)
    assert (commune.name, commune.answered, commune.pending, commune.overdue) == (world.r1.name, 1, 3, 0)
    (commune,) = selectors.progress(world.w1_staff, year=2026, today=after)
    assert (commune.answered, commune.pending, commune.overdue) == (1, 0, 3)  # awaiting: overdue too
    cells = selectors.progress(world.w1_staff, year=2026, today=after, commune=world.r1)
    assert [(c.name, c.answered, c.overdue) for c in cells] == [
        (world.r1c1.name, 0, 1),
        (world.r1c2.name, 1, 2),
    ]
    assert selectors.progress(world.w2_staff, year=2026, today=TODAY) == []
    page = selectors.requests_page(world.r1_staff, today=after, state="overdue", size=10)
    assert len(page.rows) == 3


def test_the_queue_counts_each_request_once_across_the_sides_in_a_constant_number_of_queries(
    world, django_assert_num_queries
):
    """requests_count (the home page's work queue) counts the union of the sides of what a user sees:
    a request both of the user's cell and of their commune, or of their workplace too, once; the
    same number as the list's query, in one query whatever the number of sides or requests."""
    for n in range(3):
        member = make_member(world.w1c2, f"Đảng Viên {n}")
        Liaison.objects.create(member=member, workplace_org=world.w1, commune_org=world.r1,
                               cell=world.r1c2, status="active")  # fmt: skip
    services.open_comment_round(actor=world.admin, org=world.w1, year=2026, deadline=DEADLINE, today=TODAY)
    after = DEADLINE + datetime.timedelta(days=1)
    users = (
        world.admin,
        world.w1_staff,
        world.r1_staff,
        world.r1c1_secretary,
        world.w2_staff,
        world.province_staff,
    )
    for user in users:
        for state, day in (("pending", TODAY), ("overdue", after), ("", TODAY)):
            expected = selectors.requests_for(user, today=day, state=state).count()
            with django_assert_num_queries(1):  # the count (the scope: read for the list above)
                assert selectors.requests_count(user, today=day, state=state) == expected, (user, state)
    assert selectors.requests_count(world.r1_staff, today=TODAY, state="pending") == 4
    assert selectors.requests_count(world.r1_staff, today=TODAY, cell=world.r1c2, state="pending") == 3
    # The progress counts them once too (R1's staff see them on the cell side and the commune side).
    (commune,) = selectors.progress(world.r1_staff, year=2026, today=TODAY)
    assert (commune.pending, commune.total) == (4, 4)
    assert [
        row.total for row in selectors.progress(world.r1_staff, year=2026, today=TODAY, commune=world.r1)
    ] == [1, 3]


def test_scope_a_cell_sees_only_its_requests_the_commune_its_cells_the_workplace_its_members(world, opened):
    other = make_member(world.w1c2, "Cao Văn Hai")
    Liaison.objects.create(member=other, workplace_org=world.w1, commune_org=world.r1, cell=world.r1c2,
                           status="active")  # fmt: skip
    services.comment_requests_ask(actor=world.admin, members=[other], purpose="election", deadline=DEADLINE,
                                  today=TODAY)  # fmt: skip
    theirs = CommentRequest.objects.get(member=other)

    def seen(user, side=""):
        return set(comment_requests_visible_to(user, side=side).values_list("member__full_name", flat=True))

    assert seen(world.r1c1_secretary) == {"Nguyễn Văn An"}
    assert seen(world.r1_staff) == {"Nguyễn Văn An", "Cao Văn Hai"}
    assert seen(world.w1_staff) == seen(world.w1_viewer) == {"Nguyễn Văn An", "Cao Văn Hai"}
    assert seen(world.w1_staff, "residence") == set()
    assert seen(world.r1_staff, "workplace") == set()
    assert seen(world.w1c1_secretary) == {"Nguyễn Văn An"}  # m1 works in W1C1, the other in W1C2
    for user in ("w2_staff", "r2_staff", "member_user", "outsider"):
        assert seen(getattr(world, user)) == set(), user
    with pytest.raises(Http404):
        comment_request_get_for(world.r1c1_secretary, theirs.pk)
    assert comment_request_get_for(world.r1_staff, theirs.pk) == theirs


def test_reminders_near_the_deadline_and_once_overdue_each_once(world, opened):
    assert send_reminders(today=TODAY)["comment"] == 0  # 25 days ahead: not yet
    near = DEADLINE - datetime.timedelta(days=3)
    assert send_reminders(today=near)["comment"] == 1
    assert send_reminders(today=near)["comment"] == 0
    item = InboxItem.objects.get(recipient_org=world.r1c1, kind=InboxItem.Kind.REMINDER)
    assert "phiếu lấy ý kiến nhận xét" in item.summary
    late = DEADLINE + datetime.timedelta(days=1)
    assert send_reminders(today=late)["comment"] == 1
    assert send_reminders(today=late + datetime.timedelta(days=5))["comment"] == 0
    assert ReminderSent.objects.filter(kind="comment").count() == 2
    # An answered request is not reminded.
    CommentRequest.objects.filter(pk=opened.pk).update(state="answered", deadline=late)
    assert send_reminders(today=late + datetime.timedelta(days=9))["comment"] == 0
