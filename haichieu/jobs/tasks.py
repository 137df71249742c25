"""The one task the worker runs: a `Job` (haichieu/jobs/services.py decides what it does)."""

from django_tasks import TaskContext, task

from . import services


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> None:
    worker_ids = context.task_result.worker_ids
    services.run(job_id, worker_id=worker_ids[-1] if worker_ids else "")
