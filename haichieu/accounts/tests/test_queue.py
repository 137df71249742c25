"""The home page's work queue (issue 13): one block per role, every count the number of rows of the
list it links to, a "how to" on every item and the role's guide on every block, a quiet "nothing to
do", and a query count that does not grow with the data."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from haichieu.comments import services as comment_services
from haichieu.comments.models import CommentRequest
from haichieu.exemptions.models import Exemption
from haichieu.liaisons import services as liaison_services
from haichieu.liaisons.models import ChangeNotice, Liaison
from haichieu.meetings import services as meeting_services
from haichieu.meetings import services_tasks
from haichieu.meetings.models import Attendance, Meeting, Task
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

ITEM = re.compile(r'data-item="(\w+)" data-count="(\d+)">\s*<a href="([^"]+)"')
BLOCK = re.compile(r'data-block="([\w-]+)"')


def _today():
    return timezone.localdate()


def _linked(world, name, *, status=Liaison.Status.ACTIVE):
    member = make_member(world.w1c1, name)
    Liaison.objects.create(
        member=member, workplace_org=world.w1, commune_org=world.r1, cell=world.r1c1, status=status
    )
    Member.objects.filter(pk=member.pk).update(link_status=status)
    return member


@pytest.fixture
def busy(world):
    """Work waiting on every side: a returned and a waiting (overdue) introduction, a change notice
    of an ended period, comments pending, overdue and to confirm, a member below the minimum, an
    exemption ending, a departure reported, tasks due and in progress, a meeting ahead."""
    today = _today()
    hk = Commune.objects.get(code="00070")
    back = make_member(world.w1c1, "Trả Văn Về", residence_commune=hk)
    waiting = make_member(world.w1c2, "Chờ Thị Nhận", residence_commune=hk)
    late = make_member(world.w1c2, "Muộn Văn Hạn", residence_commune=hk)
    liaison_services.liaison_introduce(actor=world.w1_staff, members=[back, waiting, late])
    liaison_services.liaison_return(
        actor=world.r1_staff, liaison=Liaison.objects.get(member=back), reason=Liaison.ReturnReason.DUPLICATE
    )
    Liaison.objects.filter(member=late).update(receive_due=today - datetime.timedelta(days=3))
    liaison_services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind=ChangeNotice.Kind.POSITION_CHANGE,
        event_date=today - datetime.timedelta(days=200),
        new_position="Phó Trưởng phòng",
    )
    absent = _linked(world, "Vắng Văn Mãi")
    present = _linked(world, "Có Thị Mặt")
    _linked(world, "Mới Văn Đến", status=Liaison.Status.RECEIVED)
    meeting = Meeting.objects.create(
        cell=world.r1c1, date=today, start_time=datetime.time(7, 0), place="Nhà văn hóa", agenda="Họp.",
        state=Meeting.State.CLOSED,
    )  # fmt: skip
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=m, status=s, source=Attendance.Source.LIAISON)
        for m, s in [(absent, Attendance.Status.UNEXCUSED), (present, Attendance.Status.PRESENT)]
    )
    comment_services.open_comment_round(
        actor=world.w1_staff, org=world.w1, year=today.year, deadline=today + datetime.timedelta(days=20)
    )
    requests = list(CommentRequest.objects.order_by("pk"))
    assert len(requests) >= 3
    CommentRequest.objects.filter(pk=requests[0].pk).update(deadline=today - datetime.timedelta(days=1))
    CommentRequest.objects.filter(pk=requests[1].pk).update(state=CommentRequest.State.AWAITING_CONFIRMATION)
    Exemption.objects.create(
        member=world.m2, reason=Exemption.Reason.TREATMENT, decided_by=world.w1, decided_on=today,
        start_date=today - datetime.timedelta(days=60), end_date=today + datetime.timedelta(days=10),
    )  # fmt: skip
    liaison_services.departure_report(
        actor=world.r1c1_secretary, liaison=Liaison.objects.get(member=present), date=today
    )
    upcoming = meeting_services.meeting_create(
        actor=world.admin, cell=world.r1c1, kind="regular", date=today + datetime.timedelta(days=5),
        start_time=datetime.time(19, 30), place="Nhà văn hóa", agenda="1. Thông báo tình hình.",
    )  # fmt: skip
    assert upcoming.attendances.filter(member=world.m1).exists()
    for due in (today - datetime.timedelta(days=1), today + datetime.timedelta(days=30)):
        services_tasks.task_give(
            actor=world.admin, cell=world.r1c1, member=world.m1, kind="propaganda",
            description="Tuyên truyền phòng chống cháy nổ.", due_date=today + datetime.timedelta(days=30),
        )  # fmt: skip
        Task.objects.filter(pk=Task.objects.latest("pk").pk).update(due_date=due)
    return world


def _items(body: str) -> list[tuple[str, int, str]]:
    return [(key, int(count), href.replace("&amp;", "&")) for key, count, href in ITEM.findall(body)]


def _rows(client, key: str, href: str) -> int:
    """The number of rows the list behind an item shows, read from the list's own page."""
    path = urlsplit(href)
    query = path.query + ("&" if path.query else "") + "size=200"
    response = client.get(f"{path.path}?{query}")
    assert response.status_code == 200, href
    ctx = response.context
    if key in ("to_introduce", "returned"):
        assert ctx["page"].total == len(ctx["page"].rows)
        return len(ctx["page"].rows)
    if key == "digests":
        return sum(1 for row in ctx["rows"] if row["state"] in ("due", "overdue"))
    if key == "exemptions_ending":
        return len(ctx["ending"])
    if key == "incoming":
        return len(ctx["rows"])
    if key == "incoming_overdue":
        return sum(1 for row in ctx["rows"] if row["overdue"])
    if key == "departures":
        return len(ctx["reports"])
    if key == "unplaced":
        return len([b for b in ctx["roster"] if b["group"] is None][0]["liaisons"])
    if key == "upcoming":
        return len(ctx["own"].upcoming)
    if key == "tasks_open":
        return sum(1 for t in ctx["tasks"] if t.outcome == Task.Outcome.IN_PROGRESS)
    return len(ctx["page"].rows)  # comments, meetings of the workplace, tasks due


EXPECTED = {
    "province_staff": {"workplace": {"to_introduce", "returned", "digests", "comments_overdue", "below_minimum",
                                     "exemptions_ending"}},
    "w1_staff": {"workplace": None},
    "w1c1_secretary": {"workplace": None},
    "r1_staff": {"commune": {"incoming", "incoming_overdue", "comments_pending", "comments_awaiting", "departures"}},
    "r1c1_secretary": {"cell": {"unplaced", "comments_pending", "comments_overdue", "tasks_due"}},
    "member_user": {"member": {"upcoming", "tasks_open"}},
    "admin": {"workplace": None, "commune": None},
}  # fmt: skip


@pytest.mark.parametrize("user", list(EXPECTED))
def test_every_count_is_the_number_of_rows_of_the_list_it_links_to(busy, client_for, user):
    client = client_for(getattr(busy, user))
    body = client.get(reverse("home")).content.decode()
    kinds = [block.split("-")[0] for block in BLOCK.findall(body)]
    assert set(kinds) == set(EXPECTED[user]) and len(kinds) == len(EXPECTED[user])
    items = _items(body)
    assert items
    counted = {key for key, count, _ in items if count}
    for key, count, href in items:
        assert (key, _rows(client, key, href)) == (key, count)
    wanted = set().union(*(keys for keys in EXPECTED[user].values() if keys))
    assert wanted <= counted, (user, wanted - counted)


def test_each_block_names_what_to_do_and_links_the_roles_guide(busy, client_for):
    body = client_for(busy.r1c1_secretary).get(reverse("home")).content.decode()
    assert f'href="{reverse("care:guide", args=["chi-bo-noi-cu-tru"])}"' in body
    assert "Họp chi ủy cùng Ban công tác Mặt trận" in body  # the how-to of the comments to write
    assert body.count("data-how-to") == body.count('class="mb-2 queue-item')
    member = client_for(busy.member_user).get(reverse("home")).content.decode()
    assert f'href="{reverse("care:guide", args=["dang-vien"])}"' in member
    assert busy.r1c1.name in member  # the own link: where the member is linked
    assert (
        f"{(_today() + datetime.timedelta(days=5)):%d/%m/%Y}"
        in client_for(busy.r1c1_secretary).get(reverse("home")).content.decode()
    )  # the cell's next meeting


def test_a_block_with_nothing_to_do_says_so_and_still_shows_its_zeros(world, client_for):
    body = client_for(world.r2_staff).get(reverse("home")).content.decode()
    assert "Không có việc cần làm." in body
    assert all(count == 0 for _, count, _ in _items(body)) and len(_items(body)) == 5


def test_a_user_with_several_roles_sees_one_block_per_role(world, client_for):
    from haichieu.accounts.models import Role

    Role.objects.create(user=world.w1_staff, organization=world.r1c1, kind=Role.Kind.SECRETARY)
    body = client_for(world.w1_staff).get(reverse("home")).content.decode()
    assert BLOCK.findall(body) == ["workplace", f"cell-{world.r1c1.pk}"]


def test_the_cell_secretary_reaches_the_queue_from_the_cell_page(world, client_for):
    body = client_for(world.r1c1_secretary).get(reverse("liaisons:residence_cell", args=[world.r1c1.pk]))
    assert f'href="{reverse("home")}" id="nav-queue"' in body.content.decode()


@pytest.mark.parametrize(
    "user, most",
    [("admin", 30), ("province_staff", 24), ("r1_staff", 20), ("r1c1_secretary", 20), ("member_user", 16)],
)
def test_the_home_page_costs_the_same_queries_whatever_the_data(
    world, client_for, django_assert_max_num_queries, user, most
):
    client = client_for(getattr(world, user))
    client.get(reverse("home"))
    with django_assert_max_num_queries(most) as small:
        client.get(reverse("home"))
    _more_work(world)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert client.get(reverse("home")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def _more_work(world):
    """Forty more members to introduce, introduced, linked, with comments and tasks."""
    hk = Commune.objects.get(code="00070")
    today = _today()
    members = [make_member(world.w1c1, f"Thêm Văn {i}", residence_commune=hk) for i in range(20)]
    liaison_services.liaison_introduce(actor=world.w1_staff, members=members[:10])
    for i in range(20):
        _linked(world, f"Nối Thị {i}")
    comment_services.open_comment_round(
        actor=world.w1_staff, org=world.w1, year=today.year, deadline=today + datetime.timedelta(days=20)
    )
