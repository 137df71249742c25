"""Walks every URL pattern of the project with GET and POST, as users of every role, in and out of scope.

A new view must be added to EXPECTED (what each persona gets on GET and on POST, and whose POST
writes), or this test fails: so no view can ship without a decision on who may open it and who may
send it a form. Objects outside the scope answer 404 and nothing changes; a view never answers 500.
How the rows name their objects and their twins outside the scope: access_tables.py.

Each request runs in a savepoint rolled back after it (and the client's cookies are put back), so
every request sees the same data, and a POST that writes leaves nothing for the next one.
"""

import copy
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from haichieu.access.tests.access_tables import PERSONAS, Side, Target, everyone, row, table
from haichieu.api.tests.access_pages import API_PAGES_EXPECTED
from haichieu.audit.tests.access_audit import AUDIT_EXPECTED
from haichieu.care.tests.access_care import CARE_EXPECTED
from haichieu.comments.tests.access_comments import COMMENTS_EXPECTED
from haichieu.core.models import AuditEntry
from haichieu.documents.tests.access_documents import DOCUMENTS_EXPECTED
from haichieu.exemptions.tests.access_exemptions import EXEMPTIONS_EXPECTED
from haichieu.jobs.tests.access_jobs import JOBS_EXPECTED
from haichieu.liaisons.tests.access_residence import RESIDENCE_EXPECTED
from haichieu.liaisons.tests.access_workplace import WORKPLACE_EXPECTED
from haichieu.meetings.tests.access_meetings import MEETINGS_EXPECTED
from haichieu.members.tests.access_import import IMPORT_EXPECTED
from haichieu.ratings.tests.access_ratings import RATINGS_EXPECTED
from haichieu.review.tests.access_review import REVIEW_EXPECTED
from haichieu.stats.tests.access_statistics import STATISTICS_EXPECTED
from haichieu.testing import build_world

pytestmark = pytest.mark.django_db

W1C1_MANAGERS = ("admin", "province_staff", "w1_staff")  # those who manage W1C1's parent W1
MEMBER_WRITERS = dict(
    admin=200,
    province_staff=200,
    w1_staff=200,
    w1c1_secretary=200,
    w2_staff=200,
    r1_staff=200,
    r1c1_secretary=200,
    r2_staff=200,
)
M1_READERS = dict(
    admin=200,
    province_staff=200,
    w1_staff=200,
    w1c1_secretary=200,
    w1_viewer=200,
    r1_staff=200,
    r1c1_secretary=200,
    member_user=200,
)
M1_READ_ONLY = dict(w1_viewer=403, r1_staff=403, r1c1_secretary=403, member_user=403)

# name -> row(object, get={persona: status}, post={persona: status}, writes=personas whose POST writes)
EXPECTED = {
    "home": row(get=everyone(200), post=everyone(200)),
    "profile": row(get=everyone(200), post=everyone(200)),
    "healthz": row(get=everyone(200, anonymous=200), post=everyone(200, anonymous=200)),
    "login": row(get=everyone(302, anonymous=200), post=everyone(302, anonymous=200)),
    # The second step of a sign-in: without a password step waiting for it, back to the login page.
    "login_code": row(get=everyone(302, anonymous=302), post=everyone(302, anonymous=302)),
    # One's own two-factor set-up (the secret waits in the session): an empty form shows its errors.
    "two_factor": row(get=everyone(200), post=everyone(200)),
    # Logging out writes its audit entry.
    "logout": row(get=everyone(405, anonymous=405), post=everyone(302), writes=PERSONAS[1:]),
    "password_change": row(get=everyone(200), post=everyone(200)),  # an empty form: its errors
    "password_change_done": row(get=everyone(200), post=everyone(405)),
    "organizations:tree": row(get=everyone(200), post=everyone(200)),
    "organizations:create_root": row(get=table(404, admin=200), post=table(404, admin=200)),
    "organizations:commune_options": row(get=everyone(200), post=everyone(200)),
    # The organisation chooser's suggestions: every signed-in user, each within their own scope.
    "organizations:search_options": row(get=everyone(200), post=everyone(200)),
    "organizations:detail": row(
        lambda s: {"pk": s.committee.pk},
        get=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
        post=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
    ),
    "organizations:children": row(
        lambda s: {"pk": s.committee.pk},
        get=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
        post=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
    ),
    "organizations:create": row(
        lambda s: Target(
            {"parent_pk": s.committee.pk}, data={"code": "MOI", "name": "Chi bộ Mới", "kind": "cell"}
        ),
        get=table(404, admin=200, province_staff=200, w1_staff=200),
        post=table(404, admin=302, province_staff=302, w1_staff=302),
        writes=W1C1_MANAGERS,
    ),
    "organizations:update": row(
        lambda s: Target(
            {"pk": s.cell.pk}, data={"code": s.cell.code, "name": "Chi bộ Đổi tên", "kind": "cell"}
        ),
        get=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=403, w1c1_secretary=403),
        post=table(404, admin=302, province_staff=302, w1_staff=302, w1_viewer=403, w1c1_secretary=403),
        writes=W1C1_MANAGERS,
    ),
    "organizations:move": row(
        lambda s: {"pk": s.cell.pk},  # an empty form: its errors
        get=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=403, w1c1_secretary=403),
        post=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=403, w1c1_secretary=403),
    ),
    # POST only: a GET is refused before anything is looked up. (The empty cell is not W1C1's.)
    "organizations:set_active": row(
        lambda s: Target({"pk": s.empty_cell.pk}, data={"active": "0"}),
        get=everyone(405),
        post=table(404, admin=302, province_staff=302, w1_staff=302, w1_viewer=403),
        writes=W1C1_MANAGERS,
    ),
    "members:list": row(get=everyone(200), post=everyone(200)),
    "members:create": row(get=table(404, **MEMBER_WRITERS), post=table(404, **MEMBER_WRITERS)),
    "members:detail": row(
        lambda s: {"pk": s.member.pk}, get=table(404, **M1_READERS), post=table(404, **M1_READERS)
    ),
    "members:update": row(
        lambda s: {"pk": s.member.pk},  # an empty form: its errors
        get=table(404, **{**M1_READERS, **M1_READ_ONLY}),
        post=table(404, **{**M1_READERS, **M1_READ_ONLY}),
    ),
}

EXPECTED.update(WORKPLACE_EXPECTED)
EXPECTED.update(RESIDENCE_EXPECTED)
EXPECTED.update(IMPORT_EXPECTED)
EXPECTED.update(AUDIT_EXPECTED)
EXPECTED.update(DOCUMENTS_EXPECTED)
EXPECTED.update(EXEMPTIONS_EXPECTED)
EXPECTED.update(MEETINGS_EXPECTED)
EXPECTED.update(CARE_EXPECTED)
EXPECTED.update(COMMENTS_EXPECTED)
EXPECTED.update(RATINGS_EXPECTED)
EXPECTED.update(REVIEW_EXPECTED)
EXPECTED.update(STATISTICS_EXPECTED)
EXPECTED.update(API_PAGES_EXPECTED)
EXPECTED.update(JOBS_EXPECTED)

# The Django admin is one guarded site (superusers only); its index stands for all its pages.
ADMIN_INDEX = {"admin:index": row(get=table(302, admin=200), post=table(302, admin=200))}

_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_LOGGED_READS = {AuditEntry.Action.VIEW.value, AuditEntry.Action.EXPORT.value}


def _changes_data(sql: str, params) -> bool:
    """Whether a statement changes data (sessions and the audit entries of reads are not changes)."""
    if not _WRITE.match(sql) or Session._meta.db_table in sql:
        return False
    if AuditEntry._meta.db_table in sql and _LOGGED_READS & {str(p) for p in params or ()}:
        return False
    return True


def _tables_written() -> dict:
    """PostgreSQL: rows written in this transaction per table, sessions and the audit log left out.

    The statements a request sends are watched (`_send`), but the import writes with COPY through
    psycopg itself, which no execute wrapper sees; the server's own counters do.
    """
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname NOT IN (%s, %s)",
            [Session._meta.db_table, AuditEntry._meta.db_table],
        )
        return dict(cursor.fetchall())


def url_patterns(patterns=None, namespace="", route=""):
    """(namespace, name or None, route) of every URL pattern, walking the resolver."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, ns, route + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, route + str(entry.pattern)


def test_every_url_pattern_has_an_expected_table():
    patterns = [(ns, name, route) for ns, name, route in url_patterns() if not ns.startswith("admin:")]
    unnamed = [route for _, name, route in patterns if not name]
    assert not unnamed, f"URL patterns without a name (name them and add them to EXPECTED): {unnamed}"
    names = {f"{ns}{name}" for ns, name, _ in patterns}
    missing = names - set(EXPECTED)
    assert not missing, f"URL patterns without an access expectation (GET and POST): {sorted(missing)}"
    assert not set(EXPECTED) - names, f"EXPECTED names URLs that no longer exist: {set(EXPECTED) - names}"


def test_every_expectation_covers_every_persona_and_both_methods():
    problems = []
    for name, entry in {**EXPECTED, **ADMIN_INDEX}.items():
        tables = {"GET": entry.get, "POST": entry.post}
        if entry.outside is not None:
            tables.update({"GET outside": entry.outside["get"], "POST outside": entry.outside["post"]})
        for method, expected in tables.items():
            if not isinstance(expected, dict) or set(expected) != set(PERSONAS):
                problems.append(f"{name}: {method} does not give an answer for every persona")
        if unknown := set(entry.writes) - set(PERSONAS):
            problems.append(f"{name}: writes names unknown personas {sorted(unknown)}")
    assert not problems, "\n".join(problems)


def _send(client, method: str, url: str, data: dict):
    """(status or what was raised, the data-changing statements, the redirect) of one request, undone."""
    cookies = copy.deepcopy(client.cookies)
    changes: list[str] = []

    def record(execute, sql, params, many, context):
        if _changes_data(sql, params):
            changes.append(" ".join(sql.split())[:100])
        return execute(sql, params, many, context)

    location = ""
    with transaction.atomic():
        before = _tables_written()
        with connection.execute_wrapper(record):
            try:
                response = client.post(url, data) if method == "post" else client.get(url)
            except Exception as exc:  # the test client re-raises a view's exception: a 500
                status = f"500 ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                location = response.get("Location", "")
        if not isinstance(status, str):  # after an error PostgreSQL answers nothing more in this transaction
            after = _tables_written()
            changes += [f"rows written in {t}" for t, n in after.items() if n != before.get(t, 0)]
        transaction.set_rollback(True)
    client.cookies = cookies
    return status, changes, location


def walk(world, sides, client, persona):
    """Every (name, method, side, url, expected status, may write, status, changes, redirect) for one persona."""
    user = None if persona == "anonymous" else getattr(world, persona)
    if user is not None:
        client.force_login(user)
    sides = [side.as_persona(user, client) for side in sides]
    requests = []
    # Every object is made before the first request: a request's savepoint would undo it.
    for name, entry in {**EXPECTED, **ADMIN_INDEX}.items():
        for side in sides if entry.target else [None]:
            target = entry.target(side) if side else Target()
            target = target if isinstance(target, Target) else Target(kwargs=target)
            url = reverse(name, kwargs=target.kwargs or None) + (f"?{target.query}" if target.query else "")
            requests.append((name, entry, side, url, target.data))
    results = []
    for name, entry, side, url, data in requests:
        twin = side is not None and side.second
        for method in ("get", "post"):
            expected = entry.expected(method, persona, twin)
            may_write = entry.may_write(method, persona, twin)
            status, changes, location = _send(client, method, url, data)
            results.append((name, method, side, url, expected, may_write, status, changes, location))
    return results


@pytest.fixture(scope="module")
def walk_world(django_db_setup, django_db_blocker):
    """The world and both sides' objects, made once for every persona's walk: they live in a
    transaction rolled back after the module, and each persona's test runs in a savepoint in it."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        world = build_world()
        sides = [Side(world, second=second) for second in (False, True)]
        for entry in EXPECTED.values():
            for side in sides if entry.target else []:
                entry.target(side)  # makes the objects the rows name (without a persona: no upload)
        yield world, sides
        transaction.set_rollback(True)


@pytest.fixture
def import_dir(settings, tmp_path):
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_DIR": str(tmp_path / "uploads")}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_every_persona_as_its_table_says(walk_world, client, persona, import_dir):
    login_urls = (resolve_url(settings.LOGIN_URL), reverse("admin:login"))
    failures = []
    for name, method, side, url, expected, may_write, status, changes, location in walk(
        *walk_world, client, persona
    ):
        where = f"{name} {method.upper()} {url}" + (f" [{side.label}]" if side else "")
        if status != expected:
            failures.append(f"{where}: expected {expected}, got {status}")
        elif persona == "anonymous" and status == 302 and not location.startswith(login_urls):
            failures.append(f"{where}: an anonymous user is sent to {location}, not to the login page")
        if changes and not may_write:
            failures.append(f"{where}: changed data ({len(changes)} statements, first: {changes[0]})")
        elif may_write and not changes and status == expected:
            failures.append(f"{where}: changed nothing, but its table says this POST writes")
    assert not failures, f"{len(failures)} unexpected answers as {persona}:\n" + "\n".join(failures)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("admin", "province_staff")])
def test_no_persona_below_the_province_makes_a_communes_committee(walk_world, client, persona):
    """The residential-node rule (issue 9, finding 1) walked like the rest: every persona who does
    not manage the province POSTs a committee for a commune with none, under and onto every node of
    both sides; no request may write, and the commune still has no committee."""
    from haichieu.liaisons.services import commune_committee_for
    from haichieu.organizations.models import Commune

    world, sides = walk_world
    orphan = Commune.objects.get_or_create(
        code="09988",
        defaults={"name": "Xã Ứng Thiên", "division_type": "xã", "province": world.r1.commune.province,
                  "name_folded": "xa ung thien"},
    )[0]  # fmt: skip # one call
    committee = {"name": "Đảng ủy xã Ứng Thiên", "kind": "grassroots", "is_residential": "on",
                 "province": orphan.province_id, "commune": orphan.pk}  # fmt: skip # the form as posted
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    failures = []
    for side in sides:
        for org in (side.committee, side.cell, side.commune, side.residential_cell):
            for url, data in (
                (reverse("organizations:create", args=[org.pk]), {**committee, "code": f"X{org.pk}"}),
                (reverse("organizations:update", args=[org.pk]), {**committee, "code": org.code}),
            ):
                status, changes, _ = _send(client, "post", url, data)
                if changes or (isinstance(status, str) and status.startswith("500")):
                    failures.append(f"POST {url} as {persona}: {status}, {changes[:1]}")
    assert commune_committee_for(orphan) is None
    assert not failures, "\n".join(failures)
