"""A batch of more than JOB_LETTERS introduction letters is written by the worker (issue 14): the same
.docx as the download in the request, kept as the job's result, the same audit entries (one per
letter), and the same 404 for a letter outside the user's scope."""

import io

import pytest
from django.urls import reverse
from docx import Document

from haichieu.core.models import AuditEntry
from haichieu.jobs.models import Job
from haichieu.liaisons import services
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

from .test_documents import full_text

pytestmark = pytest.mark.django_db
LIMIT = 2


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "JOB_LETTERS": LIMIT, "WORKER_HEARTBEAT_SECONDS": 3600}


def _letters(world, names, *, staff=None, cell=None):
    hk = Commune.objects.get(code="00070")
    members = [
        make_member(cell or world.w1c1, name, residence_commune=hk, residence_province=hk.province)
        for name in names
    ]
    return services.liaison_introduce(actor=staff or world.w1_staff, members=members).introduced


def _ids(liaisons) -> str:
    return ",".join(str(x.pk) for x in liaisons)


def _text(data: bytes) -> str:
    return full_text(Document(io.BytesIO(data)))


def _exported():
    return AuditEntry.objects.filter(action="export", note__startswith="Giấy giới thiệu")


def test_a_batch_up_to_the_setting_is_downloaded_in_the_request(world, client_for):
    liaisons = _letters(world, ["Phạm Thu Hằng", "Lã Thị Hoa"])
    response = client_for(world.w1_staff).get(reverse("liaisons:letters"), {"ids": _ids(liaisons)})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not Job.objects.exists()
    assert _exported().count() == LIMIT


def test_a_larger_batch_is_written_by_the_worker_the_same_document_and_audit(
    world, client_for, run_worker, django_capture_on_commit_callbacks, settings
):
    liaisons = _letters(world, ["Phạm Thu Hằng", "Lã Thị Hoa", "Mạc Văn Long"])
    client = client_for(world.w1_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("liaisons:letters"), {"ids": _ids(liaisons)})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert not _exported().exists()  # nothing written in the request

    run_worker()

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert (job.done, job.total, job.result_name) == (3, 3, "giay-gioi-thieu.docx")
    assert job.owner == world.w1_staff
    assert sorted(_exported().values_list("target_id", flat=True)) == sorted(str(x.pk) for x in liaisons)
    assert set(_exported().values_list("actor", flat=True)) == {world.w1_staff.pk}
    result = client.get(reverse("jobs:result", args=[job.pk]))
    assert result.status_code == 200

    settings.HAICHIEU = {**settings.HAICHIEU, "JOB_LETTERS": 100}
    inline = client.get(reverse("liaisons:letters"), {"ids": _ids(liaisons)})
    in_request = _text(b"".join(inline.streaming_content))
    assert _text(result.content) == in_request and in_request.count("Mạc Văn Long") >= 1


def test_a_large_batch_with_a_letter_out_of_scope_is_not_found_and_starts_nothing(world, client_for):
    mine = _letters(world, ["Phạm Thu Hằng", "Lã Thị Hoa", "Mạc Văn Long"])
    theirs = _letters(world, ["Khổng Văn Tú"], staff=world.w2_staff, cell=world.w2c1)
    response = client_for(world.w1_staff).get(reverse("liaisons:letters"), {"ids": _ids(mine + theirs)})
    assert response.status_code == 404
    assert not Job.objects.exists() and not _exported().exists()


def test_a_letter_gone_from_the_scope_before_the_worker_runs_fails_the_job_without_a_file(
    world, client_for, run_worker, django_capture_on_commit_callbacks
):
    liaisons = _letters(world, ["Phạm Thu Hằng", "Lã Thị Hoa", "Mạc Văn Long"])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.w1_staff).get(reverse("liaisons:letters"), {"ids": _ids(liaisons)})
    liaisons[0].member.workplace_cell = world.w2c1
    liaisons[0].member.save(update_fields=["workplace_cell"])

    run_worker()

    job = Job.objects.get()
    assert job.state == Job.State.FAILED and "không còn trong phạm vi" in job.message
    assert not job.result_name and not _exported().exists()
