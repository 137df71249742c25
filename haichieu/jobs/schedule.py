"""The worker's schedule (issue 14): periodic commands run by the worker, once a day each.

HAICHIEU["WORKER_SCHEDULE"] maps a command to its local time of day ({"send_reminders": "06:00"} by
default; HAICHIEU_WORKER_SCHEDULE_JSON overrides it, "{}" turns it off when cron or systemd timers
run the commands instead). Every heartbeat of a worker calls `tick`: a command whose time has come
and that has not started today is recorded (`ScheduledRun`, unique per command and day, so of several
workers one starts it) and queued as the task `run_scheduled`. Only the commands in PERIODIC run so.
"""

import datetime
import io

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from . import services
from .models import ScheduledRun

# The commands the schedule may run: idempotent, safe to run again.
PERIODIC = ("send_reminders", "refresh_statistics")


def _schedule() -> dict[str, datetime.time]:
    entries = settings.HAICHIEU.get("WORKER_SCHEDULE", {})
    return {name: datetime.time.fromisoformat(at) for name, at in entries.items() if name in PERIODIC}


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Fail the jobs of workers gone (`services.fail_abandoned`); queue the commands due now and not
    yet started today; the names queued."""
    services.fail_abandoned()
    now = timezone.localtime(now)
    queued = []
    for name, at in _schedule().items():
        if now.time() < at:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=name, day=now.date())
                transaction.on_commit(lambda name=name: run_scheduled.enqueue(name, now.date().isoformat()))
        except IntegrityError:  # started today already (by this worker or another)
            continue
        queued.append(name)
    return queued


@task()
def run_scheduled(name: str, day: str) -> None:
    if name not in PERIODIC:
        return
    out = io.StringIO()
    call_command(name, stdout=out)
    ScheduledRun.objects.filter(name=name, day=day).update(output=out.getvalue()[:10000])
