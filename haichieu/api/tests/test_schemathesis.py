"""schemathesis runs the OpenAPI schema of /api/v1/ for each demo role: bounded, derandomized
examples of every operation, valid ones and malformed ones, through the app's WSGI handler.
No answer may be a 5xx, and no object answered may lie outside the caller's scope (each is looked
up again through the access rule)."""

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from schemathesis.generation import GenerationMode

from haichieu import access
from haichieu.accounts.models import User
from haichieu.api.services import api_token_create
from haichieu.demo.accounts import DEMO_USERNAMES

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 3  # per operation, role and mode: the whole run stays well under a minute

# The access rule's answer to "may this user see this object?", per path of the API.
SCOPES = {
    "/api/v1/organizations": access.organizations_visible_to,
    "/api/v1/members": access.members_visible_to,
    "/api/v1/liaisons": access.liaisons_visible_to,
    "/api/v1/notices": access.notices_visible_to,
    "/api/v1/meetings": access.meetings_visible_to,
    "/api/v1/comment-requests": access.comment_requests_visible_to,
    "/api/v1/ratings": access.ratings_visible_to,
}


def _scope_of(path: str):
    """The scoped queryset function for an operation's path: the attendance of a meeting by its own."""
    if path.startswith("/api/v1/meetings/{pk}/attendance"):
        return access.attendances_visible_to
    return next((fn for prefix, fn in SCOPES.items() if path.startswith(prefix)), None)


@pytest.fixture(scope="module")
def demo_keys(django_db_setup, django_db_blocker):
    """The demo province (small) and a token for each demo login, rolled back after the module."""
    from haichieu.demo.seed import seed_demo

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        seed_demo(members=30, seed=11)
        keys = {
            name: api_token_create(actor=User.objects.get(username=name), name="schemathesis")[1]
            for name in DEMO_USERNAMES
        }
        yield keys
        transaction.set_rollback(True)


@pytest.fixture
def wsgi_app():
    """The app's WSGI handler, in the test's transaction: Django's own test client likewise keeps
    the end of a request from closing the connection (which would end the transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _outside(user, path: str, body) -> list:
    """The objects of an answer that the access rule does not give `user`."""
    scope = _scope_of(path)
    if scope is None or not isinstance(body, dict):
        return []
    if "items" in body:
        ids = {item["id"] for item in body["items"]}
    elif "notice" in body:  # a recorded event: its notice and member
        ids = set()
        if body["notice"] is not None:
            ids = {body["notice"]["member_id"]}
    else:
        ids = {body["id"]} if "id" in body else set()
    if path.endswith("/events"):
        scope = access.members_visible_to
    elif path.startswith("/api/v1/meetings/{pk}/attendance/"):
        scope = access.attendances_visible_to
    seen = set(scope(user).filter(pk__in=ids).values_list("pk", flat=True))
    return sorted(ids - seen)


def _explore(operation, mode, *, user, headers, problems: list, statuses: list) -> None:
    """Bounded, derandomized examples of one operation in one mode, each request undone."""

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            try:
                body = response.json()
            except ValueError:
                body = None
            outside = _outside(user, operation.path, body) if response.status_code < 300 else []
            transaction.set_rollback(True)
        if mode == GenerationMode.POSITIVE:  # a malformed case may also spoil its own credentials
            statuses.append(response.status_code)
        where = f"{case.method} {case.formatted_path} {case.query or ''} {case.body if case.body is not None else ''}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        if outside:
            problems.append(f"{where}: objects outside the scope of {user.username}: {outside}")

    run()


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_the_schema_holds_for_each_demo_role(demo_keys, wsgi_app, username, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "API_RATE": "100000/min"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    user = User.objects.get(username=username)
    headers = {"Authorization": f"Bearer {demo_keys[username]}"}
    problems: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _explore(operation, mode, user=user, headers=headers, problems=problems, statuses=statuses)
    assert len(operations) >= 17
    # Well-formed requests: the token was taken (no 401) and the lists answered.
    assert 401 not in statuses and statuses.count(200) >= 7, sorted(set(statuses))
    assert not problems, "\n".join(sorted(set(problems))[:30])


def test_an_object_outside_the_scope_is_found_by_the_check(demo_keys):
    """The scope check itself: a member of another workplace is outside `coquan`'s scope."""
    from haichieu.members.models import Member

    coquan = User.objects.get(username="coquan")
    foreign = Member.objects.exclude(pk__in=access.members_visible_to(coquan).values("pk")).first()
    assert _outside(coquan, "/api/v1/members/{pk}", {"id": foreign.pk}) == [foreign.pk]
    assert _outside(coquan, "/api/v1/members", {"items": [{"id": foreign.pk}], "next": None}) == [foreign.pk]
