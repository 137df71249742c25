"""Every operation of /api/v1/ as every persona's token, on the first half's object and its twin
outside the W1/R1 personas' scope (access_api.py): out of scope is 404 and changes nothing, a list
holds the object exactly for those who read it, a write changes data only for its writers, and no
request answers 500."""

import pytest
from django.db import connection, transaction

from haichieu.access.tests.access_tables import PERSONAS, TWIN, Side
from haichieu.access.tests.test_permissions import _changes_data
from haichieu.api.api import api
from haichieu.api.models import ApiToken
from haichieu.api.services import api_token_create
from haichieu.testing import build_world

from .access_api import API_EXPECTED, LOGGED_IN, READERS_ANYWHERE

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker):
    """The world, both sides' objects and a token per persona, made once for every persona's walk."""
    from django.test import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        world = build_world()
        sides = [Side(world, second=second) for second in (False, True)]
        for entry in API_EXPECTED.values():
            for side in sides:
                entry.path(side)
                if entry.contains:
                    entry.contains(side)
        keys = {p: api_token_create(actor=getattr(world, p), name="Kiểm thử")[1] for p in LOGGED_IN}
        keys["anonymous"] = None
        yield world, sides, keys
        transaction.set_rollback(True)


def operation_names() -> set[str]:
    """The view function of every operation in the OpenAPI schema."""
    paths = api.get_openapi_schema()["paths"]
    return {
        op["operationId"].removeprefix("haichieu_api_endpoints_")
        for ops in paths.values()
        for op in ops.values()
    }


def test_every_operation_has_a_row():
    operations = operation_names()
    assert operations == set(API_EXPECTED), (
        f"without a row: {sorted(operations - set(API_EXPECTED))}; "
        f"rows of no operation: {sorted(set(API_EXPECTED) - operations)}"
    )


def _send(api_call, key, method, path, body):
    """(response, data-changing statements) of one request, undone afterwards."""
    changes: list[str] = []

    def record(execute, sql, params, many, context):
        # The token's "last used" mark is bookkeeping, not a change of the data.
        if _changes_data(sql, params) and ApiToken._meta.db_table not in sql:
            changes.append(" ".join(sql.split())[:100])
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(record):
        response = api_call(key, method, path, body)
        transaction.set_rollback(True)
    return response, changes


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_answers_every_persona_as_its_row_says(api_world, api_call, persona):
    world, sides, keys = api_world
    failures = []
    for name, entry in API_EXPECTED.items():
        for side in sides:
            twin = side.second
            path = entry.path(side)
            body = entry.body(side) if entry.body else None
            response, changes = _send(api_call, keys[persona], entry.method, path, body)
            where = f"{name} {entry.method.upper()} {path} [{side.label}]"
            expected = entry.expected(persona, twin)
            if response.status_code != expected:
                failures.append(
                    f"{where}: expected {expected}, got {response.status_code} {response.content[:200]}"
                )
                continue
            if response.status_code == 404:
                assert response.json() == {"detail": "Không tìm thấy."}, where  # nothing told
            may_write = entry.method == "post" and (TWIN[persona] if twin else persona) in entry.writes
            if changes and not may_write:
                failures.append(f"{where}: changed data: {changes[0][:100]}")
            elif may_write and not changes:
                failures.append(f"{where}: its row says this POST writes, and it changed nothing")
            if entry.contains and response.status_code == 200:
                ids = {item["id"] for item in response.json()["items"]}
                held = entry.contains(side) in ids
                if held != entry.sees(persona, twin):
                    failures.append(f"{where}: the object is {'' if held else 'not '}in the list")
    assert not failures, f"{len(failures)} unexpected answers as {persona}:\n" + "\n".join(failures)


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_coverage_of_the_whole_scope_is_for_those_who_read_somewhere(api_world, api_call, persona):
    _, _, keys = api_world
    response = api_call(keys[persona], "get", "/statistics/coverage")
    assert response.status_code == (200 if persona in READERS_ANYWHERE else 404)


def test_a_residence_reader_gets_no_workplace_only_field(api_world, api_call):
    """r1_staff sees m1 (placed in R1C1) without the card number or national ID; w1_staff with them."""
    world, sides, keys = api_world
    member = sides[0].member
    residence = api_call(keys["r1_staff"], "get", f"/members/{member.pk}").json()
    assert residence["full_name"] == member.full_name
    assert residence["party_card_number"] is None and residence["national_id"] is None
    assert residence["admission_date"] is None
    workplace = api_call(keys["w1_staff"], "get", f"/members/{member.pk}").json()
    assert workplace["party_card_number"] == member.party_card_number
    listed = api_call(keys["r1_staff"], "get", "/members").json()["items"]
    assert [m["party_card_number"] for m in listed if m["id"] == member.pk] == [None]
