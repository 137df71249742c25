"""The yearly round of a large organisation runs in the worker (issue 14): unit by unit, each its own
`open_comment_round` as the user who asked, and the same requests as the round opened in one go."""

import datetime

import pytest
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
