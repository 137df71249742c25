"""Word documents that grow with a list are written by the worker (issue 14): a batch of more than
JOB_LETTERS introduction letters, a tracking book of more than JOB_BOOK_ROWS links. The same .docx as
the download in the request, kept as the job's result, the same audit entries, and the same 404 for
what is outside the user's scope."""

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


# --- the tracking book ------------------------------------------------------------------------
def _book_url(world):
    from django.utils import timezone

    from haichieu.liaisons.models import Liaison

    Liaison.objects.filter(member=world.m1).update(received_at=timezone.now())
    return reverse("liaisons:residence_book", args=[world.r1c1.pk])


def _book_exports():
    return AuditEntry.objects.filter(action="export", note__startswith="Sổ theo dõi")


def _book_text(data: bytes, fmt: str) -> str:
    if fmt == "docx":
        return _text(data)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_large_tracking_book_is_written_by_the_worker_the_same_file(
    world, client_for, run_worker, django_capture_on_commit_callbacks, settings, fmt
):
    url = _book_url(world)
    client = client_for(world.r1c1_secretary)
    settings.HAICHIEU = {**settings.HAICHIEU, "JOB_BOOK_ROWS": 0}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"format": fmt})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert not _book_exports().exists()

    run_worker()

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert job.result_name.startswith("Sổ theo dõi đảng viên 213 - ") and job.result_name.endswith(f".{fmt}")
    assert [(e.actor_id, e.target_id, e.note[-6:]) for e in _book_exports()] == [
        (world.r1c1_secretary.pk, str(world.r1c1.pk), f"({fmt})")
    ]
    result = client.get(reverse("jobs:result", args=[job.pk]))
    settings.HAICHIEU = {**settings.HAICHIEU, "JOB_BOOK_ROWS": 1000}
    inline = client.get(url, {"format": fmt})
    assert inline.status_code == 200 and Job.objects.count() == 1
    in_request = _book_text(b"".join(inline.streaming_content), fmt)
    assert _book_text(result.content, fmt) == in_request and "Nguyễn Văn An" in in_request


def test_the_tracking_book_of_another_side_is_not_found_and_starts_nothing(world, client_for, settings):
    url = _book_url(world)
    settings.HAICHIEU = {**settings.HAICHIEU, "JOB_BOOK_ROWS": 0}
    assert client_for(world.w1_staff).get(url, {"format": "docx"}).status_code == 404
    assert not Job.objects.exists() and not _book_exports().exists()
