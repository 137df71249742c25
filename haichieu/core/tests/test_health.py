"""/healthz (issue 14): database, migrations and the worker's heartbeat, as JSON; 200 or 503."""

import datetime

import pytest
from django.db import DatabaseError
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from haichieu.core import health
from haichieu.core.models import WorkerHeartbeat
from haichieu.core.worker import beat

pytestmark = pytest.mark.django_db


def test_a_healthy_deployment_answers_200_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "not configured"},
    }


def test_a_migration_not_applied_makes_it_unhealthy(client, monkeypatch):
    real = MigrationExecutor.migration_plan
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets, clean_start=False: [("pending", False)]
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"
    monkeypatch.setattr(MigrationExecutor, "migration_plan", real)
    assert client.get("/healthz").status_code == 200


def test_an_unreachable_database_makes_it_unhealthy(client, monkeypatch):
    monkeypatch.setattr(health, "_database", lambda: "unreachable")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unhealthy",
        "checks": {"database": "unreachable", "migrations": "unknown", "worker": "unknown"},
    }


def test_the_database_check_reports_a_refused_query(monkeypatch):
    class Broken:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *args):
            return False

    class Connection:
        def cursor(self):
            return Broken()

    monkeypatch.setattr(health, "connections", {"default": Connection()})
    assert health._database() == "unreachable"


def test_the_worker_is_watched_once_it_beats(client, settings):
    now = timezone.now()
    beat("w-1")
    WorkerHeartbeat.objects.filter(worker_id="w-1").update(seen_at=now - datetime.timedelta(seconds=30))
    assert client.get("/healthz").json()["checks"]["worker"] == "ok"
    WorkerHeartbeat.objects.filter(worker_id="w-1").update(seen_at=now - datetime.timedelta(seconds=91))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "stale"
    settings.HAICHIEU = {**settings.HAICHIEU, "WORKER_HEARTBEAT_MAX_AGE": 600}
    assert client.get("/healthz").status_code == 200
    settings.HAICHIEU = {**settings.HAICHIEU, "WORKER_HEARTBEAT_MAX_AGE": 90}
    beat("w-2")  # the newest of several workers counts
    assert client.get("/healthz").json()["checks"]["worker"] == "ok"


def test_a_required_worker_that_never_beat_is_missing(client, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "WORKER_REQUIRED": True}
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "missing"


def test_it_tells_nothing_about_people(client, world):
    body = client.get("/healthz").content.decode()
    assert world.w1_staff.username not in body and set(client.get("/healthz").json()) == {"status", "checks"}
