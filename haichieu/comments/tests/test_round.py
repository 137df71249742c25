"""Who gets a yearly comment request (comments/rules.py) and the round that writes them
(services.open_comment_round, the `open_comment_round` command)."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from haichieu.comments import rules, services
from haichieu.comments.models import CommentForm, CommentRequest
from haichieu.core.models import AuditEntry
from haichieu.core.services import ServiceError
from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import InboxItem, Liaison
from haichieu.members.models import Member
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 20)
DEADLINE = D(2026, 12, 15)


def linked(world, name, *, cell="r1c1", status=Liaison.Status.ACTIVE, workplace="w1c2", **fields):
    member = make_member(getattr(world, workplace), name, **fields)
    Liaison.objects.create(
        member=member,
        workplace_org=world.w1,
        commune_org=world.r1,
        cell=getattr(world, cell) if cell else None,
        status=status,
    )
    return member


def skipped_ids(plan, reason):
    return set(plan.skipped[reason])


def test_the_forms_of_the_year_are_loaded_as_data_with_the_issues_criteria_and_levels():
    regular = CommentForm.objects.in_force(2026, CommentForm.Audience.REGULAR)
    excused = CommentForm.objects.in_force(2027, CommentForm.Audience.EXCUSED)  # a later year: the latest
    assert regular.code == "3-213" and excused.code == "4-213"
    assert [(c.level_1, c.level_2, c.level_3) for c in regular.criteria.all()] == [
        ("Nêu gương tốt", "Nêu gương", "Chưa nêu gương"),
        ("Gương mẫu đi đầu", "Gương mẫu", "Chưa gương mẫu"),
        ("Tham gia đầy đủ", "Chưa đầy đủ", "Không tham gia"),
        ("Thường xuyên, tích cực", "Thường xuyên", "Chưa thường xuyên"),
        ("Rất tích cực", "Tích cực", "Chưa tích cực"),
        ("Biểu dương", "Không đề nghị", "Xem xét xử lý"),
    ]
    assert [c.key for c in excused.criteria.all()] == ["example", "civic_duty", "family"]
    assert {c.level_1 for c in excused.criteria.all()} == {"Thực hiện tốt"}
    assert CommentForm.objects.in_force(2025, CommentForm.Audience.REGULAR) is None


def test_the_round_asks_every_placed_working_member_and_skips_the_others_with_the_reason(world):
    placed = linked(world, "Bùi Thị Nhận", status=Liaison.Status.RECEIVED)
    introduced = linked(world, "Cao Văn Giới", status=Liaison.Status.INTRODUCED)
    unplaced = linked(world, "Đào Văn Chờ", status=Liaison.Status.RECEIVED, cell=None)
    ended = linked(world, "Lê Văn Hết", status=Liaison.Status.ENDED)
    excused = linked(world, "Phan Văn Lính", liaison_category=Member.LiaisonCategory.BARRACKS)
    exempt = linked(world, "Vũ Thị Miễn")
    Exemption.objects.create(
        member=exempt, reason=Exemption.Reason.AGE_HEALTH, decided_by=world.w1c2,
        decided_on=D(2026, 1, 1), start_date=D(2026, 1, 1), end_date=D(2027, 1, 1),
    )  # fmt: skip
    lapsed = linked(world, "Vũ Thị Hết Miễn")  # an exemption that ended before the round: asked
    Exemption.objects.create(
        member=lapsed, reason=Exemption.Reason.AGE_HEALTH, decided_by=world.w1c2,
        decided_on=D(2026, 1, 1), start_date=D(2026, 1, 1), end_date=D(2026, 6, 30),
    )  # fmt: skip
    resident = make_member(world.r1c1, "Hoàng Văn Hưu")  # not a working member: not in the round
    left = linked(world, "Đinh Văn Mất", status=Liaison.Status.ACTIVE)
    Member.objects.filter(pk=left.pk).update(status=Member.Status.DECEASED)

    plan = rules.yearly_round(world.w1, 2026, TODAY)

    assert {p.member_id for p in plan.placements} == {world.m1.pk, placed.pk, lapsed.pk}
    assert skipped_ids(plan, "not_linked") == {world.m2.pk, ended.pk}
    assert skipped_ids(plan, "not_placed") == {introduced.pk, unplaced.pk}
    assert skipped_ids(plan, "excused") == {excused.pk}
    assert skipped_ids(plan, "exempt") == {exempt.pk}
    everyone = {p.member_id for p in plan.placements} | {i for ids in plan.skipped.values() for i in ids}
    assert resident.pk not in everyone and left.pk not in everyone and world.m3.pk not in everyone


def test_a_member_who_moved_mid_year_is_asked_of_the_cell_where_they_are_placed_now(world):
    mover = make_member(world.w1c2, "Trịnh Văn Chuyển")
    old = Liaison.objects.create(
        member=mover, workplace_org=world.w1, commune_org=world.r1, cell=world.r1c1,
        status=Liaison.Status.ENDED, end_reason=Liaison.EndReason.MOVED,
    )  # fmt: skip
    Liaison.objects.create(
        member=mover, workplace_org=world.w1, commune_org=world.r2, cell=world.r2c1,
        status=Liaison.Status.ACTIVE, previous=old,
    )  # fmt: skip
    plan = rules.yearly_round(world.w1, 2026, TODAY)
    (placement,) = [p for p in plan.placements if p.member_id == mover.pk]
    assert (placement.cell_id, placement.commune_org_id) == (world.r2c1.pk, world.r2.pk)


def test_the_round_is_written_once_audited_once_and_tells_each_cell(world):
    linked(world, "Bùi Thị Nhận")
    linked(world, "Cao Văn Hai", cell="r1c2")
    result = services.open_comment_round(
        actor=world.w1_staff, org=world.w1, year=2026, deadline=DEADLINE, today=TODAY
    )
    assert (result.created, result.cells) == (3, 2)
    assert result.skipped == {"not_linked": 1}  # m2
    requests = CommentRequest.objects.filter(year=2026)
    assert requests.count() == 3
    request = requests.get(member=world.m1)
    assert (request.cell, request.commune_org, request.workplace_org) == (world.r1c1, world.r1, world.w1)
    assert (request.state, request.deadline, request.form.code) == ("pending", DEADLINE, "3-213")
    items = InboxItem.objects.filter(kind=InboxItem.Kind.COMMENT_REQUEST)
    assert sorted((i.recipient_org.code, i.due_date) for i in items) == [
        ("R1C1", DEADLINE),
        ("R1C2", DEADLINE),
    ]
    assert "đề nghị nhận xét 2 đảng viên năm 2026" in items.get(recipient_org=world.r1c1).summary
    entry = AuditEntry.objects.get(note="comment_round")
    assert entry.changes["after"]["created"] == 3 and entry.target_id == str(world.w1.pk)

    again = services.open_comment_round(
        actor=world.w1_staff, org=world.w1, year=2026, deadline=DEADLINE, today=TODAY
    )
    assert again.created == 0 and again.skipped == {"already_requested": 3, "not_linked": 1}
    assert CommentRequest.objects.count() == 3 and items.count() == 2


def test_the_database_refuses_a_second_yearly_request_for_a_member_and_year(world):
    services.open_comment_round(actor=world.admin, org=world.w1, year=2026, deadline=DEADLINE, today=TODAY)
    first = CommentRequest.objects.get(member=world.m1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentRequest.objects.create(
            member=first.member, liaison=first.liaison, cell=first.cell, workplace_org=first.workplace_org,
            form=first.form, year=2026, purpose="yearly", deadline=DEADLINE,
        )  # fmt: skip
    # An ad hoc request the same year is another thing.
    CommentRequest.objects.create(
        member=first.member, liaison=first.liaison, cell=first.cell, workplace_org=first.workplace_org,
        form=first.form, year=2026, purpose="election", deadline=DEADLINE,
    )  # fmt: skip


@pytest.mark.parametrize(
    "user, org, year, deadline, message",
    [
        ("w2_staff", "w1", 2026, DEADLINE, "không có quyền"),
        ("w1_viewer", "w1", 2026, DEADLINE, "không có quyền"),
        ("r1_staff", "r1", 2026, DEADLINE, "nơi công tác mở"),
        ("r1_staff", "w1", 2026, DEADLINE, "không có quyền"),
        ("w1_staff", "w1", 2026, D(2026, 11, 1), "đã qua"),
        ("w1_staff", "w1", 2029, DEADLINE, "không hợp lệ"),
    ],
)
def test_the_round_is_refused_outside_the_scope_or_with_bad_dates(world, user, org, year, deadline, message):
    with pytest.raises(ServiceError, match=message):
        services.open_comment_round(
            actor=getattr(world, user), org=getattr(world, org), year=year, deadline=deadline, today=TODAY
        )
    assert not CommentRequest.objects.exists()


def run(*args):
    out = StringIO()
    call_command("open_comment_round", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_one_json_object_and_creates_nothing_new_when_run_again(world):
    linked(world, "Bùi Thị Nhận", liaison_category=Member.LiaisonCategory.STUDENT)
    deadline = f"{datetime.date.today() + datetime.timedelta(days=20):%d/%m/%Y}"
    year = str(datetime.date.today().year)
    first = json.loads(run("--org", "W1", "--year", year, "--deadline", deadline, "--format", "json"))
    assert first == {"created": 1, "skipped": {"not_linked": 1, "excused": 1}}
    second = json.loads(run("--org", "W1", "--year", year, "--deadline", deadline, "--format", "json"))
    assert second == {"created": 0, "skipped": {"already_requested": 1, "not_linked": 1, "excused": 1}}
    assert "Đã tạo 0 phiếu" in run("--org", "W1", "--year", year, "--deadline", deadline)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--org", "KHONGCO", "--year", "2026", "--deadline", "15/12/2026"], "Không tìm thấy tổ chức"),
        (["--org", "W1", "--year", "hai", "--deadline", "15/12/2026"], "Năm"),
        (["--org", "W1", "--year", "2026", "--deadline", "31/02/2026"], "Hạn trả lời"),
        (["--org", "R1", "--year", "2026", "--deadline", "15/12/2026"], "nơi công tác"),
    ],
)
def test_the_command_refuses_bad_arguments_in_vietnamese(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not CommentRequest.objects.exists()


def test_the_round_costs_the_same_queries_for_3_or_60_members(world, django_assert_max_num_queries):
    for n in range(2):
        linked(world, f"Đảng Viên Nhỏ {n}")
    with django_assert_max_num_queries(20) as small:
        services.open_comment_round(
            actor=world.w1_staff, org=world.w1, year=2026, deadline=DEADLINE, today=TODAY
        )
    CommentRequest.objects.all().delete()
    for n in range(57):
        linked(world, f"Đảng Viên Lớn {n}", cell="r1c2" if n % 2 else "r1c1")
    with django_assert_max_num_queries(len(small)):
        result = services.open_comment_round(
            actor=world.w1_staff, org=world.w1, year=2026, deadline=DEADLINE, today=TODAY
        )
    assert result.created == 60
