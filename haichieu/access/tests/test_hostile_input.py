"""Hostile input never gets a server error: every URL pattern, GET and POST, as the superuser, the
province's staff and an outsider, with malformed values in its path and in every parameter the
views and forms read (issue 9, finding 6).

The requests start from the permission walk's (test_permissions.py): its world, and each pattern's
object and form as its row names them, so a hostile value reaches as far into a view as a real one
would. Hypothesis then replaces parameters one group at a time; the examples are derandomized, so
every run (and CI) sends the same requests. Each request runs in a savepoint rolled back after it.
"""

import copy
import inspect
import logging
import re
from urllib.parse import quote

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haichieu.access.tests.access_tables import Target
from haichieu.access.tests.test_permissions import EXPECTED, walk_world  # noqa: F401

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "province_staff", "outsider")
FORM_CONTENT = "application/x-www-form-urlencoded"
_READ = re.compile(
    r"""request\.(?:GET|POST)\.(?:get|getlist)\(\s*["'](\w+)["']|["'](\w+)["']\s+in\s+request\.(?:GET|POST)"""
)
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")

# Values in a URL's path: zero, negative, a year out of range, just past int32 and int64, 23 digits.
HOSTILE_PATH = [
    "0",
    "-1",
    "0000",
    "9999",
    "10000",
    str(2**31),
    str(2**63),
    "9" * 23,
    "١٢",
    "a" * 300,
]
# Each parameter alone gets this: a list whose last value (what .get() reads) is 23 digits.
OVERFLOWING = ["1,abc,99999999999999999999999", "²", "9" * 23]
# Every parameter at once gets each of these in turn.
EVERYWHERE = ["9" * 23, "", "\x00", "\ud800", "a" * 10_000, "²", ["1", str(2**63)]]
# Values of a query or form parameter.
HOSTILE_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "-99999999999999999999999",
    "99999999999999999999999",
    str(2**63),
    str(2**31),
    "1,abc,99999999999999999999999",
    "1,,2",
    ",",
    "1 2",
    "0x10",
    "1e9",
    "NaN",
    "²",
    "١٢",
    "\x00",
    "1\x00",
    "\ud800",
    "\udfff\ud800",
    "\u202e1",
    "𝟙",
    "a" * 10_000,
    "9" * 10_000,
    "0000",
    "9999",
    "10000",
    "00/00/0000",
    "31/02/2024",
    "01/01/0001",
    "31/12/9999",
    "9999-12-31",
    "0001-01-01",
    "xlsx",
    "docx",
    "pdf",
    "1",
    "..",
    "/",
    "//evil.example/",
    "https://evil.example/",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "%",
    "%s",
    "\\",
    "\r\n",
    "\t",
]


# Read through helpers (the pager's cursors and size, the "next" page), or plausible to try.
ALWAYS = {"after", "before", "size", "format", "next", "ids", "org", "year", "period", "page"}


def _names_read(module) -> set[str]:
    """The parameters a module reads (request.GET/POST) and the fields of the forms it uses."""
    names = {match[1] or match[2] for match in _READ.finditer(inspect.getsource(module))}
    for value in vars(module).values():
        if inspect.isclass(value) and issubclass(value, forms.BaseForm):
            names.update(value.base_fields)
    return names


def _parameters(pattern) -> list[str]:
    """The parameters worth trying on a pattern: what its view's module reads, and ALWAYS."""
    view = inspect.unwrap(getattr(pattern.callback, "view_class", pattern.callback))
    module = inspect.getmodule(view)
    if module is not None and module.__name__.startswith("haichieu."):
        names = _names_read(module)
    else:  # Django's own views (sign-in, password change): their forms' fields
        names = set(getattr(view, "form_class", forms.Form).base_fields)
    return sorted(ALWAYS | names)


def _patterns(patterns=None, namespace="", route=""):
    """{name: (route, parameters worth trying)} of every pattern but the Django admin's."""
    found = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                found.update(_patterns(entry.url_patterns, ns, route + str(entry.pattern)))
        elif isinstance(entry, URLPattern):
            found[f"{namespace}{entry.name}"] = (route + str(entry.pattern), _parameters(entry))
    return found


PATTERNS = _patterns()

text_values = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.text(max_size=20),
)
parameter_values = st.one_of(text_values, st.lists(text_values, min_size=2, max_size=3))


def _encode(value: str) -> str:
    # Lone surrogates go out as the bytes a hostile client would send (invalid UTF-8).
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _form_body(data: dict) -> str:
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append(f"{_encode(str(key))}={_encode(str(item))}")
    return "&".join(pairs)


def _path(route: str, kwargs: dict) -> str:
    return "/" + _PARAM.sub(lambda m: _encode(str(kwargs.get(m[1], 1))), route)


def _status(client: Client, method: str, url: str, body: str = "") -> int | str:
    """The status of one request, undone after it; a view's exception is a 500."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        try:
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, body, content_type=FORM_CONTENT)
        except Exception as exc:  # the test client re-raises a view's exception
            status: int | str = f"500 ({type(exc).__name__}: {str(exc)[:200]})"
        else:
            status = response.status_code
        transaction.set_rollback(True)
    client.cookies = cookies
    return status


@pytest.fixture(scope="module")
def hostile(request, django_db_blocker):
    """(a logged-in client per persona, each pattern's object and form on the first half)."""
    world, sides = request.getfixturevalue("walk_world")
    # Thousands of 404s and form errors: their log lines (not errors) would only slow the test.
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    request.addfinalizer(lambda: quiet.setLevel(level))
    with django_db_blocker.unblock():
        clients = {}
        for persona in PERSONAS:
            clients[persona] = Client()
            clients[persona].force_login(getattr(world, persona))
        targets = {}
        for name, entry in EXPECTED.items():
            target = entry.target(sides[0]) if entry.target else Target()
            targets[name] = target if isinstance(target, Target) else Target(kwargs=target)
        yield clients, targets


def _query(target: Target) -> dict:
    return dict(pair.split("=", 1) for pair in target.query.split("&")) if target.query else {}


def _failure(client, method: str, url: str, body: str = "", persona: str = "") -> str | None:
    status = _status(client, method, url, body)
    if isinstance(status, int) and status < 500:
        return None
    return f"{method.upper()} {url[:300]} {body[:300]} as {persona}: {status}"


def _requests(route: str, target: Target, kwargs: dict | None = None, changed: dict | None = None):
    """(method, url, body) of a GET with `changed` in its query and a POST with it in its form."""
    url = _path(route, {**target.kwargs, **(kwargs or {})})
    query = _form_body({**_query(target), **(changed or {})})
    yield "get", f"{url}?{query}" if query else url, ""
    yield "post", url, _form_body({**target.data, **(changed or {})})


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_hostile_path_value_gets_a_server_error(hostile, name):
    clients, targets = hostile
    (route, _), target = PATTERNS[name], targets[name]
    failures = []
    for parameter in _PARAM.findall(route):
        for value in HOSTILE_PATH:
            for method, url, body in _requests(route, target, {parameter: value}):
                for persona in ("admin", "outsider"):
                    failures.append(_failure(clients[persona], method, url, body, persona))
    assert not any(failures), "\n".join(f for f in failures if f)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_hostile_parameter_alone_gets_a_server_error(hostile, name):
    """Each parameter in turn, the rest as a real request sends them: none masks another."""
    clients, targets = hostile
    (route, parameters), target = PATTERNS[name], targets[name]
    failures = []
    for parameter in parameters:
        for method, url, body in _requests(route, target, changed={parameter: OVERFLOWING}):
            failures.append(_failure(clients["province_staff"], method, url, body, "province_staff"))
    assert not any(failures), "\n".join(f for f in failures if f)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_hostile_kind_of_value_in_every_parameter_gets_a_server_error(hostile, name):
    """Every parameter at once, with one kind of hostile value at a time."""
    clients, targets = hostile
    (route, parameters), target = PATTERNS[name], targets[name]
    failures = []
    for value in EVERYWHERE:
        for method, url, body in _requests(route, target, changed=dict.fromkeys(parameters, value)):
            for persona, client in clients.items():
                failures.append(_failure(client, method, url, body, persona))
    assert not any(failures), "\n".join(f for f in failures if f)


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(
    max_examples=6,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_hostile_combination_of_values_gets_a_server_error(hostile, name, data):
    """Hypothesis: several parameters (and sometimes a path value) changed together, as anyone."""
    clients, targets = hostile
    (route, parameters), target = PATTERNS[name], targets[name]
    persona = data.draw(st.sampled_from(PERSONAS), label="persona")
    changed = data.draw(
        st.dictionaries(st.sampled_from(parameters), parameter_values, min_size=1, max_size=8)
    )
    kwargs = {}
    if in_path := _PARAM.findall(route):
        if data.draw(st.booleans(), label="hostile path"):
            kwargs[data.draw(st.sampled_from(in_path))] = data.draw(st.sampled_from(HOSTILE_PATH))
    for method, url, body in _requests(route, target, kwargs, changed):
        failure = _failure(clients[persona], method, url, body, persona)
        assert failure is None, failure
