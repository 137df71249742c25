"""The background worker's heartbeat (issue 14).

`haichieu db_worker` (django-tasks-db's worker, extended in haichieu/jobs) runs `Heartbeat` beside its
loop: a thread that writes the worker's row in `WorkerHeartbeat` every WORKER_HEARTBEAT_SECONDS.
`worker_alive()` is what the health check asks: has any worker written within
WORKER_HEARTBEAT_MAX_AGE seconds?
"""

import datetime
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(settings.HAICHIEU.get(name, default))


def beat(worker_id: str) -> None:
    """Record that worker `worker_id` is alive now."""
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id[:64], defaults={"seen_at": timezone.now()})


def heartbeat_max_age() -> datetime.timedelta:
    """A heartbeat older than this (WORKER_HEARTBEAT_MAX_AGE seconds) is a worker gone."""
    return datetime.timedelta(seconds=_setting("WORKER_HEARTBEAT_MAX_AGE", 90))


def worker_alive(max_age: int | None = None) -> bool:
    """True when some worker has written its heartbeat within `max_age` seconds (the setting
    WORKER_HEARTBEAT_MAX_AGE by default)."""
    age = heartbeat_max_age() if max_age is None else datetime.timedelta(seconds=max_age)
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - age).exists()


class Heartbeat:
    """A daemon thread beating for one worker until `stop()`; the row is removed on a clean stop.
    `on_beat` runs after each beat in the thread (the worker's schedule, jobs/schedule.py)."""

    def __init__(self, worker_id: str, every: int | None = None, on_beat: Callable[[], object] | None = None):
        self.worker_id = worker_id[:64]
        self.on_beat = on_beat
        self.every = _setting("WORKER_HEARTBEAT_SECONDS", 15) if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="haichieu-heartbeat", daemon=True)

    def start(self) -> None:
        """The first beat now, in the caller's thread (before the worker takes its first task), then
        one every `self.every` seconds from the thread."""
        self._beat()
        self._thread.start()

    def _beat(self) -> None:
        try:
            beat(self.worker_id)
        except DatabaseError:  # a locked SQLite file, a restarting server: try again later
            logger.warning("worker heartbeat not written", exc_info=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                self._beat()
                if self.on_beat is not None:
                    try:
                        self.on_beat()
                    except Exception:  # the schedule must not stop the heartbeat
                        logger.exception("worker schedule failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            pass
