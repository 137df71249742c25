"""The yearly round of a large organisation runs in the worker (issue 14): unit by unit, each its own
`open_comment_round` as the user who asked, and the same requests as the round opened in one go."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from haichieu.comments import rules
from haichieu.comments.jobs import round_units
from haichieu.comments.models import CommentRequest
from haichieu.core.models import AuditEntry
from haichieu.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_background(settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "JOB_ROUND_MEMBERS": 0, "WORKER_HEARTBEAT_SECONDS": 3600}


def test_the_provinces_round_is_opened_by_the_worker_unit_by_unit(
    run_worker, world, client_for, django_capture_on_commit_callbacks
):
    today = datetime.date.today()
    deadline = today + datetime.timedelta(days=20)
    expected = {
        (p.member_id, p.cell_id) for p in rules.yearly_round(world.province, today.year, today).placements
    }
    assert expected
    client = client_for(world.province_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:round"),
            {"org": world.province.code, "year": today.year, "deadline": f"{deadline:%d/%m/%Y}"},
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert not CommentRequest.objects.exists()  # nothing in the request

    run_worker()

    job.refresh_from_db()
    units = round_units(world.province)
    assert job.state == Job.State.DONE, job.message
    assert (job.done, job.total) == (len(units), len(units)) and len(units) > 1
    assert set(CommentRequest.objects.values_list("member_id", "cell_id")) == expected
    assert job.message.startswith(f"Đã gửi {len(expected)} phiếu lấy ý kiến nhận xét năm {today.year}")
    audited = AuditEntry.objects.filter(note="comment_round")
    assert audited.count() == len(units) and set(audited.values_list("actor", flat=True)) == {
        world.province_staff.pk
    }
    assert job.result_url == f"{reverse('comments:progress')}?year={today.year}"


def test_a_bad_deadline_is_refused_before_any_job(world, client_for):
    response = client_for(world.province_staff).post(
        reverse("comments:round"), {"org": world.province.code, "year": "2026", "deadline": "01/01/2000"}
    )
    assert response.status_code == 200 and "đã qua" in response.content.decode()
    assert not Job.objects.exists()


def test_a_cell_serving_two_committees_is_counted_once_as_in_the_request(
    run_worker, world, client_for, django_capture_on_commit_callbacks
):
    """R1C1 serves W1's member (the world's) and, here, W2's too: the worker opens W1 and W2 apart,
    yet reports one cell for it, the same figures as the round opened in one request."""
    from haichieu.comments import services
    from haichieu.comments.jobs import round_message
    from haichieu.liaisons.models import Liaison
    from haichieu.testing import make_member

    member = make_member(world.w2c1, "Phạm Văn Dũng")
    Liaison.objects.create(
        member=member,
        workplace_org=world.w2,
        commune_org=world.r1,
        cell=world.r1c1,
        status=Liaison.Status.ACTIVE,
    )
    today = datetime.date.today()
    deadline = today + datetime.timedelta(days=20)
    with transaction.atomic():  # the round in one request, undone: what it would have said
        in_request = services.open_comment_round(
            actor=world.province_staff, org=world.province, year=today.year, deadline=deadline, today=today
        )
        transaction.set_rollback(True)
    assert in_request.cells == len({world.r1c1.pk, world.r2c1.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.province_staff).post(
            reverse("comments:round"),
            {"org": world.province.code, "year": today.year, "deadline": f"{deadline:%d/%m/%Y}"},
        )
    run_worker()

    job = Job.objects.get()
    assert job.state == Job.State.DONE, job.message
    assert job.message == round_message(in_request, year=today.year)


def test_the_units_results_add_up_as_one_round():
    from haichieu.comments.services import RoundResult, round_results_sum

    total = round_results_sum(
        [
            RoundResult(created=2, skipped={"excused": 1}, cell_ids=frozenset({1, 2})),
            RoundResult(created=3, skipped={"not_linked": 2, "excused": 1}, cell_ids=frozenset({2, 3})),
        ]
    )
    assert (total.created, total.cells) == (5, 3)
    assert list(total.skipped.items()) == [("not_linked", 2), ("excused", 2)]  # the reasons' own order
