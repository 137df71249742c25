"""What /healthz reports (issue 14): the database answers, every migration is applied, and the
background worker beats. JSON with no personal data; 200 when healthy, 503 otherwise.

Each worker (`haichieu db_worker`) writes its row of `WorkerHeartbeat` every few seconds
(core/worker.py). Until a worker has beaten once, the check reads "not configured" and does not make
the deployment unhealthy, unless HAICHIEU_WORKER_REQUIRED=1 says a worker must run ("missing"). When
the newest heartbeat is older than WORKER_HEARTBEAT_MAX_AGE (the age past which `worker_alive()`
says no), it is "stale".
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import WorkerHeartbeat
from .worker import heartbeat_max_age


def _database() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return "ok"


def _migrations() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "unknown"
    return "pending" if plan else "ok"


def _worker(now: datetime.datetime) -> str:
    try:
        beat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except DatabaseError:
        return "unknown"
    if beat is None:
        return "missing" if settings.HAICHIEU.get("WORKER_REQUIRED") else "not configured"
    return "ok" if now - beat <= heartbeat_max_age() else "stale"


def health_report() -> tuple[bool, dict]:
    """(healthy, report): each check's state, and the overall status."""
    now = timezone.now()
    checks = {"database": _database()}
    if checks["database"] == "ok":
        checks["migrations"] = _migrations()
        checks["worker"] = _worker(now)
    else:
        checks["migrations"] = checks["worker"] = "unknown"
    healthy = (
        checks["database"] == "ok"
        and checks["migrations"] == "ok"
        and checks["worker"]
        in {
            "ok",
            "not configured",
        }
    )
    return healthy, {"status": "ok" if healthy else "unhealthy", "checks": checks}
