import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_optional(settings):
    """Most tests sign in with `force_login` as the province's staff or the superuser, who must set
    up two-factor sign-in first: the sign-in tests (accounts/tests, browser_tests/test_two_factor.py)
    turn the requirement back on with the `two_factor_required` fixture."""
    settings.HAICHIEU = {**settings.HAICHIEU, "TWO_FACTOR_REQUIRED": False}


@pytest.fixture
def two_factor_required(settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "TWO_FACTOR_REQUIRED": True}


@pytest.fixture
def world(db):
    from haichieu.testing import build_world

    return build_world()


@pytest.fixture
def client_for(client):
    """Log a test client in as a user: `client_for(world.w1_staff)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def run_worker(monkeypatch):
    """Run the background worker (`haichieu db_worker --batch`) in-process until the queue is empty.

    The worker closes stale connections between tasks, as a request's end does; inside a test's
    transaction that would close the test's own connection (PostgreSQL), so it is left open here."""
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run
