import pytest


def _transactional(item: pytest.Item) -> bool:
    """Whether the test empties the database when it ends (pytest-django's own test: a live
    server, `transactional_db`, or `django_db(transaction=True)` or with `reset_sequences`)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])
    ):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """`make test` runs the tests on every core (pytest-xdist, `--dist loadgroup
    --no-loadscope-reorder`: scripts/run-tests.sh). A transactional test empties its worker's
    database when it ends, with what the migrations put there (the comment forms, the rating
    schemes): a test after it on that worker would find none. pytest-django runs them after all the
    others (its own hook, after this one, sorts them last); here each file's transactional tests
    are one group, so that a worker is handed them only once every other test has been handed out,
    in that order."""
    for item in items:
        if _transactional(item):
            item.add_marker(pytest.mark.xdist_group(f"transactional:{item.nodeid.split('::')[0]}"))


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
