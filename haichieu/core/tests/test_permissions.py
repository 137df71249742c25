"""Walks every URL pattern of the project with users of every role, in and out of scope.

A new view must be added to EXPECTED (with what each persona gets), or this test fails: so no
view can ship without a decision on who may open it. Out-of-scope objects answer 404.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from haichieu.core.tests.access_tables import PERSONAS, everyone, table
from haichieu.liaisons.tests.access_residence import RESIDENCE_EXPECTED
from haichieu.liaisons.tests.access_workplace import WORKPLACE_EXPECTED
from haichieu.members.tests.access_import import IMPORT_EXPECTED

pytestmark = pytest.mark.django_db

# name -> (kwargs builder, {persona: expected status})
EXPECTED = {
    "home": (None, everyone(200)),
    "healthz": (None, everyone(200, anonymous=200)),
    "login": (None, everyone(302, anonymous=200)),
    "logout": (None, everyone(405, anonymous=405)),
    "password_change": (None, everyone(200)),
    "password_change_done": (None, everyone(200)),
    "organizations:tree": (None, everyone(200)),
    "organizations:create_root": (None, table(404, admin=200)),
    "organizations:commune_options": (None, everyone(200)),
    "organizations:detail": (
        lambda w: {"pk": w.w1.pk},
        table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
    ),
    "organizations:children": (
        lambda w: {"pk": w.w1.pk},
        table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
    ),
    "organizations:create": (
        lambda w: {"parent_pk": w.w1.pk},
        table(404, admin=200, province_staff=200, w1_staff=200),
    ),
    "organizations:update": (
        lambda w: {"pk": w.w1c1.pk},
        table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=403, w1c1_secretary=403),
    ),
    "organizations:move": (
        lambda w: {"pk": w.w1c1.pk},
        table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=403, w1c1_secretary=403),
    ),
    # POST only: a GET is refused before anything is looked up.
    "organizations:set_active": (lambda w: {"pk": w.w1c1.pk}, everyone(405)),
    "members:list": (None, everyone(200)),
    "members:create": (
        None,
        table(
            404,
            admin=200,
            province_staff=200,
            w1_staff=200,
            w1c1_secretary=200,
            w2_staff=200,
            r1_staff=200,
            r1c1_secretary=200,
            r2_staff=200,
        ),
    ),  # fmt: skip
    "members:detail": (
        lambda w: {"pk": w.m1.pk},
        table(
            404,
            admin=200,
            province_staff=200,
            w1_staff=200,
            w1c1_secretary=200,
            w1_viewer=200,
            r1_staff=200,
            r1c1_secretary=200,
            member_user=200,
        ),
    ),  # fmt: skip
    "members:update": (
        lambda w: {"pk": w.m1.pk},
        table(
            404,
            admin=200,
            province_staff=200,
            w1_staff=200,
            w1c1_secretary=200,
            w1_viewer=403,
            r1_staff=403,
            r1c1_secretary=403,
            member_user=403,
        ),
    ),  # fmt: skip
}

EXPECTED.update(WORKPLACE_EXPECTED)
EXPECTED.update(RESIDENCE_EXPECTED)
EXPECTED.update(IMPORT_EXPECTED)

# The Django admin is one guarded site (superusers only); its index stands for all its pages.
ADMIN_INDEX = ("admin:index", table(302, admin=200))


def url_names(patterns=None, namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_pattern_has_an_expected_table():
    names = {n for n in url_names() if not n.startswith("admin:")}
    missing = names - set(EXPECTED)
    assert not missing, f"URL patterns without an access expectation: {sorted(missing)}"
    assert not set(EXPECTED) - names, "EXPECTED names a URL that no longer exists"


def test_every_expectation_covers_every_persona():
    for name, (_, expected) in EXPECTED.items():
        assert set(expected) == set(PERSONAS), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_checks_ownership_on_every_url(world, client, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    failures = []
    for name, (kwargs, expected) in [*EXPECTED.items(), (ADMIN_INDEX[0], (None, ADMIN_INDEX[1]))]:
        built = dict(kwargs(world)) if kwargs else {}
        query = built.pop("?", "")  # a builder may add a query string under "?"
        url = reverse(name, kwargs=built or None) + (f"?{query}" if query else "")
        status = client.get(url).status_code
        if status != expected[persona]:
            failures.append(f"{name} {url}: expected {expected[persona]}, got {status}")
    assert not failures, "\n".join(failures)
