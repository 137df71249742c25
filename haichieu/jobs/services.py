"""Starting background work and running it (issue 14).

An app registers each kind of work it can run in the background (`register`), with the function
that does it: `runner(job, progress) -> Outcome`. The function calls the same service as the
synchronous path, as the user who asked (`job.owner`), so the work is checked, written and audited
exactly as in the request. `start` records the job and enqueues it (django-tasks); the worker calls
`run`, which reports progress in its own short writes (never inside the work's transaction) and keeps
the outcome: a message, a page to go to, a file to download for JOB_RESULT_HOURS.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from haichieu.core.audit import audit_record
from haichieu.core.models import WorkerHeartbeat
from haichieu.core.services import ServiceError
from haichieu.core.worker import heartbeat_max_age

from .models import Job, result_expiry

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    message: str
    url: str = ""
    file_name: str = ""
    file_data: bytes | None = None
    content_type: str = ""


class JobFailed(Exception):
    """The work refused (bad file, no right, nothing applied): `message` tells the user why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


Progress = Callable[[int, int, str], None]
Runner = Callable[[Job, Progress], Outcome]
_KINDS: dict[str, Runner] = {}

FAILED_UNEXPECTEDLY = (
    "Việc này dừng vì một lỗi không lường trước; không có thay đổi nào dở dang được lưu. Hãy thử lại."
)


def register(kind: str) -> Callable[[Runner], Runner]:
    def add(runner: Runner) -> Runner:
        _KINDS[kind] = runner
        return runner

    return add


def start(
    *, owner, kind: str, title: str, params: dict | None = None, input_name: str = "", input_data=None
) -> Job:
    """Record a job and put it in the worker's queue (once the request's transaction commits)."""
    if kind not in _KINDS:
        raise ServiceError(f"Không có loại việc chạy nền “{kind}”.")
    from .tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(
            owner=owner,
            kind=kind,
            title=title[:255],
            params=params or {},
            input_name=input_name[:255],
            input_data=input_data,
            message="Đang chờ tiến trình nền nhận việc.",
        )
        audit_record(actor=owner, action="create", target=job, note=f"Việc chạy nền: {kind}")
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def progress_for(job_id: int) -> Progress:
    """Write the job's progress now (its own statement, outside any other transaction's work)."""

    def report(done: int, total: int, message: str = "") -> None:
        Job.objects.filter(pk=job_id).update(done=max(done, 0), total=max(total, 0), message=message[:1000])

    return report


def run(job_id: int, worker_id: str = "") -> None:
    """Run the job `job_id` (the worker's task); a job already started or finished is left alone."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now(), message="Đang bắt đầu.", worker_id=worker_id[:64]
    )
    if not claimed:
        return
    prune()
    job = Job.objects.select_related("owner").get(pk=job_id)
    runner = _KINDS.get(job.kind)
    now = timezone.now
    try:
        if runner is None:
            raise JobFailed(f"Không có loại việc chạy nền “{job.kind}”.")
        outcome = runner(job, progress_for(job.pk))
    except (JobFailed, ServiceError) as exc:
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED, message=exc.message[:1000], finished_at=now()
        )
        return
    except Exception:
        logger.exception("background job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED, message=FAILED_UNEXPECTEDLY, finished_at=now(), input_data=None
        )
        raise
    finished = now()
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.DONE,
        message=outcome.message[:1000],
        done=F("total"),
        result_url=outcome.url[:255],
        result_name=outcome.file_name[:255],
        result_content_type=outcome.content_type[:100],
        result_data=outcome.file_data,
        input_data=None,  # the uploaded file is not kept once applied
        finished_at=finished,
        expires_at=result_expiry(finished),
    )


def prune(now=None) -> int:
    """Drop the result files past their keeping time (the job's line stays in the list)."""
    return (
        Job.objects.filter(expires_at__lte=now or timezone.now())
        .exclude(result_data=None)
        .update(result_data=None, input_data=None)
    )


ABANDONED = (
    "Tiến trình nền đã dừng giữa chừng (máy chủ khởi động lại?). Phần việc đang ghi dở không được lưu; "
    "hãy yêu cầu lại."
)


def fail_abandoned() -> int:
    """Fail the running jobs whose worker no longer beats (it was stopped or died mid-way): its
    transaction was rolled back with it, and the user is told to ask again rather than wait."""
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - heartbeat_max_age())
    return (
        Job.objects.filter(state=Job.State.RUNNING)
        .exclude(worker_id="")
        .exclude(worker_id__in=alive.values("worker_id"))
        .update(state=Job.State.FAILED, message=ABANDONED, finished_at=timezone.now(), input_data=None)
    )
