"""Background work (issue 14): a members import above the size runs in the worker, with progress,
and the same outcome as the request; the job is its owner's only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from haichieu.core.models import AuditEntry, WorkerHeartbeat
from haichieu.core.worker import Heartbeat, beat, worker_alive
from haichieu.jobs import services
from haichieu.jobs.models import Job
from haichieu.members.models import Member
from haichieu.members.tests.import_files import workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"]


NAMES = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Lâm", "Minh", "Nam"]


def _rows(n: int) -> list[list]:
    return [
        [i, f"Nguyễn Văn {NAMES[i % 10]}", "05/06/1980", "Nam", f"9371{i:04d}", "02/01/2005", "W1C1"]
        for i in range(1, n + 1)
    ]


@pytest.fixture(autouse=True)
def small_background(settings, tmp_path):
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "IMPORT_DIR": str(tmp_path / "uploads"),
        "JOB_IMPORT_ROWS": 3,
        "WORKER_HEARTBEAT_SECONDS": 3600,
    }


def _upload_and_confirm(client, rows: int, django_capture_on_commit_callbacks):
    response = client.post(
        reverse("members:import"),
        {"file": SimpleUploadedFile("lon.xlsx", workbook_bytes([HEADER, *_rows(rows)]))},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response["Location"].rstrip("/").split("/")[-1]
    preview = client.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("members:import_confirm", args=[token]))
    return preview, confirmed


def test_a_large_import_runs_in_the_worker_with_its_progress(
    run_worker, world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.w1_staff)
    before = Member.objects.count()
    preview, response = _upload_and_confirm(client, 5, django_capture_on_commit_callbacks)
    assert 'id="import-background"' in preview
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.owner == world.w1_staff and job.state == Job.State.QUEUED and job.input_data
    assert Member.objects.count() == before  # nothing written in the request
    page = client.get(response["Location"]).content.decode()
    assert "Đang chờ" in page and 'id="job-bar"' in page and 'hx-trigger="every 2s"' in page

    run_worker()

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert (job.done, job.total) == (5, 5) and job.percent == 100
    assert job.message == "Đã nhập “lon.xlsx”: 5 đảng viên mới, 0 hồ sơ cập nhật, 0 không đổi."
    assert job.input_data is None and job.expires_at > job.finished_at
    assert Member.objects.count() == before + 5
    # Audited as the user who asked.
    created = AuditEntry.objects.filter(action="create", target_type="members.member")
    assert created.count() == 5 and set(created.values_list("actor", flat=True)) == {world.w1_staff.pk}
    # The polled fragment stops polling once done and links to the result.
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "Hoàn thành" in fragment and "hx-trigger" not in fragment and 'id="job-link"' in fragment
    assert "lon.xlsx" in client.get(reverse("jobs:list")).content.decode()


def test_a_small_import_stays_in_the_request(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.w1_staff)
    before = Member.objects.count()
    preview, response = _upload_and_confirm(client, 3, django_capture_on_commit_callbacks)
    assert 'id="import-background"' not in preview
    assert response["Location"] == reverse("members:list")
    assert Member.objects.count() == before + 3 and not Job.objects.exists()


def test_a_refused_import_fails_with_the_requests_message(
    run_worker, world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.w1_staff)
    rows = _rows(4)
    rows[1][2] = "không phải ngày"
    response = client.post(
        reverse("members:import"), {"file": SimpleUploadedFile("loi.xlsx", workbook_bytes([HEADER, *rows]))}
    )
    token = response["Location"].rstrip("/").split("/")[-1]
    before = Member.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:import_confirm", args=[token]))
    run_worker()
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and job.message.startswith("Chưa nhập gì: có 1 dòng không hợp lệ")
    assert Member.objects.count() == before  # nothing half-written


def test_progress_is_written_as_the_work_goes(world):
    job = Job.objects.create(owner=world.w1_staff, kind="members_import", title="x")
    report = services.progress_for(job.pk)
    report(250, 1000, "Đang kiểm tra: 250/1000 dòng.")
    job.refresh_from_db()
    assert (job.done, job.total, job.percent, job.message) == (250, 1000, 25, "Đang kiểm tra: 250/1000 dòng.")


def test_result_files_download_while_kept_then_go(world, client_for, settings):
    client = client_for(world.w1_staff)

    @services.register("test_export")
    def export(job, progress):
        progress(1, 1, "")
        return services.Outcome(
            message="Xong.", file_name="ket-qua.xlsx", file_data=b"PK-data", content_type="x/y"
        )

    job = Job.objects.create(owner=world.w1_staff, kind="test_export", title="Xuất thử")
    services.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.has_file
    response = client.get(reverse("jobs:result", args=[job.pk]))
    assert response.status_code == 200 and response.content == b"PK-data"
    assert "ket-qua.xlsx" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="export", target_type="jobs.job", actor=world.w1_staff).exists()
    # Past its keeping time the file is gone (and pruned on the next run).
    Job.objects.filter(pk=job.pk).update(expires_at=job.finished_at)
    assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 404
    assert services.prune() == 1 and Job.objects.get(pk=job.pk).result_data is None


def test_another_users_job_is_not_found(world, client_for):
    job = Job.objects.create(owner=world.w1_staff, kind="members_import", title="Việc của người khác")
    client = client_for(world.w2_staff)
    for name in ("jobs:detail", "jobs:result"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.post(reverse(name, args=[job.pk])).status_code == 404
    assert "Việc của người khác" not in client.get(reverse("jobs:list")).content.decode()


def test_the_job_list_costs_the_same_for_many_jobs(world, client_for, django_assert_max_num_queries):
    client = client_for(world.w1_staff)
    Job.objects.bulk_create(
        [Job(owner=world.w1_staff, kind="members_import", title=f"Việc {i}") for i in range(30)]
    )
    with django_assert_max_num_queries(8):
        assert client.get(reverse("jobs:list")).status_code == 200


def test_the_worker_heartbeat(world):
    assert not worker_alive()
    beat("w-1")
    assert worker_alive()
    WorkerHeartbeat.objects.update(seen_at="2000-01-01T00:00:00Z")
    assert not worker_alive()
    heartbeat = Heartbeat("w-2", every=3600)
    heartbeat.start()  # its first beat before the worker takes a task
    assert WorkerHeartbeat.objects.filter(worker_id="w-2").exists() and worker_alive()
    heartbeat.stop()
    assert not WorkerHeartbeat.objects.filter(worker_id="w-2").exists()  # a clean stop removes its row


def _sheet_values(data: bytes) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    return [r for r in rows if not (r[0] or "").__str__().startswith("Ngày xuất")]


def test_a_large_member_export_is_the_same_file_made_by_the_worker(
    run_worker, world, client_for, settings, django_capture_on_commit_callbacks
):
    client = client_for(world.w1_staff)
    query = {"org": "W1", "format": "xlsx"}
    direct = b"".join(client.get(reverse("members:list"), query).streaming_content)
    settings.HAICHIEU = {**settings.HAICHIEU, "JOB_EXPORT_ROWS": 1}
    exports = AuditEntry.objects.filter(action="export", target_type="members.member")
    before = exports.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("members:list"), query)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert exports.count() == before  # audited when the file is made

    run_worker()

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert job.result_name == "dang-vien-w1.xlsx"
    made = client.get(reverse("jobs:result", args=[job.pk]))
    assert _sheet_values(made.content) == _sheet_values(direct)
    entry = exports.latest("pk")
    assert (
        exports.count() == before + 1 and entry.actor == world.w1_staff and entry.note == "org=W1&format=xlsx"
    )
    assert job.message == f"Đã xuất danh sách {len(_sheet_values(direct)) - 5} đảng viên."


def test_the_worker_schedule_queues_each_command_once_a_day(
    run_worker, world, settings, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from haichieu.jobs import schedule
    from haichieu.jobs.models import ScheduledRun
    from haichieu.liaisons.models import InboxItem

    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "WORKER_SCHEDULE": {"send_reminders": "06:00", "not_a_command": "00:00"},
    }
    day = timezone.localdate()
    early = timezone.make_aware(datetime.datetime.combine(day, datetime.time(5, 59)))
    late = early + datetime.timedelta(minutes=2)
    assert schedule.tick(early) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.tick(late) == ["send_reminders"]
        assert schedule.tick(late + datetime.timedelta(hours=1)) == []  # once a day
    before = InboxItem.objects.filter(kind=InboxItem.Kind.REMINDER).count()
    run_worker()
    run = ScheduledRun.objects.get()
    assert (run.name, run.day) == ("send_reminders", day) and run.output.startswith("Đã nhắc:")
    # The world has overdue work: the reminders went out as `haichieu send_reminders` sends them.
    assert InboxItem.objects.filter(kind=InboxItem.Kind.REMINDER).count() > before


def test_without_a_worker_the_immediate_backend_runs_the_job_in_the_request(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    """HAICHIEU_TASKS_IMMEDIATE=1 (a demo on one machine): the same job, run at the request's commit."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(world.w1_staff)
    before = Member.objects.count()
    _, response = _upload_and_confirm(client, 5, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == Job.State.DONE and Member.objects.count() == before + 5
    assert "Hoàn thành" in client.get(response["Location"]).content.decode()


def test_a_job_whose_worker_stopped_beating_is_failed_not_left_running(world, client_for):
    import datetime

    from django.utils import timezone

    beat("alive-worker")
    beat("gone-worker")
    WorkerHeartbeat.objects.filter(worker_id="gone-worker").update(
        seen_at=timezone.now() - datetime.timedelta(hours=1)
    )
    kept = Job.objects.create(
        owner=world.w1_staff, kind="members_import", title="a", state="running", worker_id="alive-worker"
    )
    lost = Job.objects.create(
        owner=world.w1_staff, kind="members_import", title="b", state="running", worker_id="gone-worker"
    )
    assert services.fail_abandoned() == 1
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert (
        kept.state == Job.State.RUNNING
        and lost.state == Job.State.FAILED
        and lost.message == services.ABANDONED
    )
    page = client_for(world.w1_staff).get(reverse("jobs:detail", args=[lost.pk])).content.decode()
    assert "Không thành công" in page and "hx-trigger" not in page


def test_the_worker_records_itself_on_the_job(
    world, client_for, run_worker, django_capture_on_commit_callbacks
):
    client = client_for(world.w1_staff)
    _upload_and_confirm(client, 5, django_capture_on_commit_callbacks)
    run_worker()
    assert Job.objects.get().worker_id  # the worker that ran it (its heartbeat row's id)
