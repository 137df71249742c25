"""The one task the worker runs: a `Job` (haichieu/jobs/services.py decides what it does)."""

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> None:
    services.run(job_id)
