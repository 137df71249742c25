"""Tasks a residential cell gives its linked members (issue 11): who may give one to whom, what the
workplace and the member see, the notice, the outcome, and the query counts."""

import datetime

import pytest
from django.urls import reverse

from haichieu.core.models import AuditEntry
from haichieu.core.services import ServiceError
from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import InboxItem, Liaison
from haichieu.meetings import services, services_tasks
from haichieu.meetings.models import Meeting, Task
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today
IN_A_MONTH = TODAY() + datetime.timedelta(days=30)


def _form(who, **extra):
    return {
        "member": who.pk,
        "kind": "front_committee",
        "description": "Tham gia Ban công tác Mặt trận khu dân cư số 1, phụ trách tuyên truyền.",
        "due_date": f"{IN_A_MONTH:%d/%m/%Y}",
        **extra,
    }


def _meeting(world, cell=None):
    meeting = services.meeting_create(
        actor=world.admin,
        cell=cell or world.r1c1,
        kind="regular",
        date=TODAY(),
        start_time=datetime.time(19, 30),
        place="Nhà văn hóa",
        agenda="1. Thông báo tình hình địa phương.",
    )
    return services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.OPEN)


def _task(world, member=None, cell=None, **extra):
    return services_tasks.task_give(
        actor=world.admin,
        cell=cell or world.r1c1,
        member=member or world.m1,
        kind=extra.pop("kind", "propaganda"),
        description=extra.pop("description", "Tuyên truyền phòng chống cháy nổ ở tổ dân phố."),
        due_date=extra.pop("due_date", IN_A_MONTH),
        **extra,
    )


def _linked_member(world, name, *, cell, status=Liaison.Status.RECEIVED):
    member = make_member(world.w1c1, name)
    Liaison.objects.create(
        member=member, workplace_org=world.w1, commune_org=world.r1, cell=cell, status=status
    )
    return member


# --- who may give a task to whom ---------------------------------------------------------------
def test_the_cell_secretary_gives_a_task_from_the_meeting_and_the_workplace_is_told(world, client_for):
    meeting = _meeting(world)
    client = client_for(world.r1c1_secretary)
    url = (
        reverse("meetings:task_create", args=[world.r1c1.pk]) + f"?member={world.m1.pk}&meeting={meeting.pk}"
    )
    page = client.get(url).content.decode()
    assert "Nguyễn Văn An" in page and "Tham gia Ban công tác Mặt trận khu dân cư" in page
    response = client.post(url, _form(world.m1, meeting=meeting.pk))
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:task_detail", args=[task.pk]
    )
    assert (task.cell, task.member, task.meeting, task.given_by) == (
        world.r1c1,
        world.m1,
        meeting,
        world.r1c1_secretary,
    )
    assert task.liaison == world.m1.liaisons.get() and task.outcome == Task.Outcome.IN_PROGRESS
    assert task.due_date == IN_A_MONTH and task.given_at is not None
    item = InboxItem.objects.get(kind=InboxItem.Kind.TASK)
    assert item.recipient_org == world.w1 and item.liaison == task.liaison and item.due_date == IN_A_MONTH
    assert "Nguyễn Văn An" in item.summary and "Chi bộ tổ dân phố số 1" in item.summary
    assert "Mặt trận" in item.summary
    entry = AuditEntry.objects.get(target_type="meetings.task", action="create")
    assert entry.actor == world.r1c1_secretary and entry.changes["after"]["member"] == "Nguyễn Văn An"
    # The meeting's page offers it, and lists the tasks given there.
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert (
        reverse("meetings:task_create", args=[world.r1c1.pk]) in detail and "phụ trách tuyên truyền" in detail
    )


def test_the_commune_committee_above_the_cell_gives_one_too(world, client_for):
    response = client_for(world.r1_staff).post(
        reverse("meetings:task_create", args=[world.r1c1.pk]), _form(world.m1)
    )
    assert response.status_code == 302 and Task.objects.get().given_by == world.r1_staff


@pytest.mark.parametrize("case", ["unlinked", "unplaced", "other_cell", "ended", "exempt"])
def test_no_task_for_a_member_not_linked_and_placed_in_the_cell(world, client_for, case):
    if case == "unlinked":
        member = world.m2  # no link at all
    elif case == "unplaced":
        member = _linked_member(world, "Phan Văn Chờ", cell=None, status=Liaison.Status.INTRODUCED)
    elif case == "other_cell":
        member = _linked_member(world, "Hồ Văn Khác", cell=world.r1c2)
    elif case == "ended":
        member = _linked_member(world, "Lý Văn Đi", cell=world.r1c1, status=Liaison.Status.ENDED)
    else:
        member = world.m1
        Exemption.objects.create(
            member=member,
            reason=Exemption.Reason.TREATMENT,
            decided_by=world.w1,
            decided_on=TODAY(),
            start_date=TODAY() - datetime.timedelta(days=1),
            end_date=IN_A_MONTH,
        )
    with pytest.raises(ServiceError) as refused:
        _task(world, member=member)
    assert refused.value.field == "member"
    response = client_for(world.r1c1_secretary).post(
        reverse("meetings:task_create", args=[world.r1c1.pk]), _form(member)
    )
    assert (
        response.status_code == 200 and "Hãy chọn một đảng viên trong danh sách" in response.content.decode()
    )
    assert not Task.objects.exists() and not InboxItem.objects.filter(kind=InboxItem.Kind.TASK).exists()


def test_the_choice_lists_only_the_members_the_cell_may_give_a_task(world, client_for):
    received = _linked_member(world, "Đỗ Minh Khoa", cell=world.r1c1)
    _linked_member(world, "Hồ Văn Khác", cell=world.r1c2)
    page = client_for(world.r1c1_secretary).get(reverse("meetings:task_create", args=[world.r1c1.pk]))
    text = page.content.decode()
    assert "Nguyễn Văn An" in text and received.full_name in text
    assert "Hồ Văn Khác" not in text and "Trần Thị Bình" not in text


def test_not_by_the_workplace_nor_another_commune_404_on_get_and_post(world, client_for):
    url = reverse("meetings:task_create", args=[world.r1c1.pk])
    for user in (world.w1_staff, world.w1c1_secretary, world.r2_staff, world.member_user, world.outsider):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url, _form(world.m1)).status_code == 404
    # A workplace cell gives no task: 404 even for its own secretary.
    workplace = reverse("meetings:task_create", args=[world.w1c1.pk])
    assert client_for(world.w1c1_secretary).post(workplace, _form(world.m1)).status_code == 404
    with pytest.raises(ServiceError):
        services_tasks.task_give(
            actor=world.w1_staff,
            cell=world.r1c1,
            member=world.m1,
            kind="propaganda",
            description="Việc gì đó.",
            due_date=IN_A_MONTH,
        )
    assert not Task.objects.exists()


def test_a_meeting_of_another_cell_is_refused(world):
    other = _meeting(world, cell=world.r1c2)
    with pytest.raises(ServiceError) as refused:
        _task(world, meeting=other)
    assert refused.value.field == "meeting" and not Task.objects.exists()


def test_bad_values_get_vietnamese_errors_and_write_nothing(world, client_for):
    client = client_for(world.r1c1_secretary)
    url = reverse("meetings:task_create", args=[world.r1c1.pk])
    yesterday = TODAY() - datetime.timedelta(days=1)
    cases = [
        ({"due_date": "31/02/2026"}, "Thời hạn không hợp lệ"),
        ({"due_date": f"{yesterday:%d/%m/%Y}"}, "Thời hạn phải từ hôm nay trở đi"),
        ({"due_date": ""}, "Vui lòng nhập thời hạn"),
        ({"kind": "chores"}, "Loại nhiệm vụ không hợp lệ"),
        ({"description": "  "}, "Vui lòng nhập nội dung nhiệm vụ"),
        ({"description": "x" * 2001}, "Nội dung nhiệm vụ dài quá 2000 ký tự"),
        ({"member": "abc"}, "Hãy chọn một đảng viên trong danh sách"),
        ({"meeting": "99999999999999999999999"}, "Hãy chọn một buổi sinh hoạt trong danh sách"),
    ]
    for extra, message in cases:
        response = client.post(url, _form(world.m1, **extra))
        assert response.status_code == 200, extra
        assert message in response.content.decode(), extra
    assert not Task.objects.exists() and not AuditEntry.objects.filter(target_type="meetings.task").exists()


# --- the outcome ------------------------------------------------------------------------------
def test_the_cell_records_the_outcome_with_who_and_when(world, client_for):
    task = _task(world)
    client = client_for(world.r1c1_secretary)
    url = reverse("meetings:task_outcome", args=[task.pk])
    response = client.post(
        url, {"outcome": "done", "outcome_note": "Đã tuyên truyền ở 3 buổi họp tổ.", "version": task.version}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:task_detail", args=[task.pk]
    )
    task.refresh_from_db()
    assert task.outcome == Task.Outcome.DONE and task.outcome_note == "Đã tuyên truyền ở 3 buổi họp tổ."
    assert task.outcome_by == world.r1c1_secretary and task.outcome_at is not None
    entry = AuditEntry.objects.get(target_type="meetings.task", action="update")
    assert entry.changes["outcome"] == ["in_progress", "done"]
    # A form sent from a page loaded before that change: refused, nothing written.
    stale = client.post(url, {"outcome": "not_done", "outcome_note": "", "version": 1})
    assert stale.status_code == 200 and "vừa được người khác thay đổi" in stale.content.decode()
    bad = client.post(url, {"outcome": "forgotten", "version": task.version})
    assert bad.status_code == 200 and "Kết quả không hợp lệ" in bad.content.decode()
    task.refresh_from_db()
    assert task.outcome == Task.Outcome.DONE
    assert AuditEntry.objects.filter(target_type="meetings.task", action="update").count() == 1


def test_the_workplace_and_the_member_read_the_task_but_cannot_record_its_outcome(world, client_for):
    task = _task(world)
    url = reverse("meetings:task_outcome", args=[task.pk])
    for user in (world.w1_staff, world.w1c1_secretary, world.member_user, world.w2_staff, world.r2_staff):
        client = client_for(user)
        assert client.post(url, {"outcome": "done", "version": task.version}).status_code == 404
    task.refresh_from_db()
    assert task.outcome == Task.Outcome.IN_PROGRESS and task.outcome_by is None
    for user in (world.w1_staff, world.w1c1_secretary, world.member_user, world.r1c1_secretary):
        page = client_for(user).get(reverse("meetings:task_detail", args=[task.pk]))
        assert page.status_code == 200 and "phòng chống cháy nổ" in page.content.decode()
    for user in (world.w2_staff, world.r2_staff, world.outsider):
        assert client_for(user).get(reverse("meetings:task_detail", args=[task.pk])).status_code == 404


# --- what each side sees ------------------------------------------------------------------------
def test_the_workplace_sees_its_members_tasks_wherever_they_live(world, client_for):
    _task(world)
    _task(world, member=world.m3, cell=world.r2c1, description="Tham gia tổ hòa giải Quán Thánh.")
    w1 = client_for(world.w1_staff)
    text = w1.get(reverse("meetings:workplace_tasks")).content.decode()
    assert "phòng chống cháy nổ" in text and "Chi bộ tổ dân phố số 1" in text
    assert "Quán Thánh" not in text
    member_page = w1.get(reverse("meetings:member", args=[world.m1.pk])).content.decode()
    assert "phòng chống cháy nổ" in member_page and "Đang thực hiện" in member_page
    # The workplace tab is linked from the workplace's attendance page.
    assert reverse("meetings:workplace_tasks") in w1.get(reverse("meetings:workplace")).content.decode()
    # Another organisation: not in its list, and the member's page is 404.
    w2 = client_for(world.w2_staff)
    text = w2.get(reverse("meetings:workplace_tasks")).content.decode()
    assert "phòng chống cháy nổ" not in text and "Quán Thánh" in text
    assert w2.get(reverse("meetings:member", args=[world.m1.pk])).status_code == 404


def test_the_member_sees_their_own_tasks_on_their_page(world, client_for):
    task = _task(world)
    _task(world, member=world.m3, cell=world.r2c1, description="Tham gia tổ hòa giải Quán Thánh.")
    text = client_for(world.member_user).get(reverse("meetings:mine")).content.decode()
    assert "phòng chống cháy nổ" in text and f"{task.due_date:%d/%m/%Y}" in text
    assert reverse("meetings:task_detail", args=[task.pk]) in text and "Quán Thánh" not in text


def test_the_cells_list_of_tasks(world, client_for):
    _task(world)
    _task(world, member=world.m3, cell=world.r2c1, description="Tham gia tổ hòa giải Quán Thánh.")
    client = client_for(world.r1c1_secretary)
    text = client.get(reverse("meetings:task_list", args=[world.r1c1.pk])).content.decode()
    assert "phòng chống cháy nổ" in text and "Quán Thánh" not in text
    assert reverse("meetings:task_create", args=[world.r1c1.pk]) in text
    assert client.get(reverse("meetings:task_list", args=[world.r2c1.pk])).status_code == 404
    assert (
        client_for(world.w1_staff).get(reverse("meetings:task_list", args=[world.r1c1.pk])).status_code == 404
    )


# --- query counts -------------------------------------------------------------------------------
def test_the_task_lists_cost_the_same_queries_for_1_or_30_tasks(
    world, client_for, django_assert_max_num_queries
):
    _task(world)
    pages = [
        (world.r1c1_secretary, reverse("meetings:task_list", args=[world.r1c1.pk]), 8),
        (world.w1_staff, reverse("meetings:workplace_tasks"), 8),
        (world.w1_staff, reverse("meetings:member", args=[world.m1.pk]), 14),
        (world.member_user, reverse("meetings:mine"), 14),
    ]

    def measure():
        counts = []
        for user, url, most in pages:
            client = client_for(user)
            client.get(url)  # the session's first request costs its own
            with django_assert_max_num_queries(most) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    few = measure()
    meeting = _meeting(world)
    for n in range(29):
        member = _linked_member(world, f"Đảng Viên Số {n}", cell=world.r1c1) if n % 2 else world.m1
        _task(world, member=member, meeting=meeting, description=f"Nhiệm vụ số {n}")
    assert Task.objects.count() == 30
    assert measure() == few


def test_the_members_page_offers_the_cell_to_give_a_task_and_the_workplace_not(world, client_for):
    give = reverse("meetings:task_create", args=[world.r1c1.pk]) + f"?member={world.m1.pk}"
    page = client_for(world.r1c1_secretary).get(reverse("meetings:member", args=[world.m1.pk]))
    assert give in page.content.decode()
    page = client_for(world.w1_staff).get(reverse("meetings:member", args=[world.m1.pk]))
    assert page.status_code == 200 and "nhiem-vu/giao/" not in page.content.decode()
    # The link's "?member=" chooses the member on the form.
    form = client_for(world.r1c1_secretary).get(give).content.decode()
    assert f'<option value="{world.m1.pk}" selected>' in form
