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
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import haichieu
from haichieu.access.tests.access_tables import Side, Target
from haichieu.access.tests.test_permissions import EXPECTED, url_patterns, walk_world  # noqa: F401

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "province_staff", "outsider")
FORM_CONTENT = "application/x-www-form-urlencoded"
ROOT = Path(haichieu.__file__).parent
_READ = re.compile(r"""request\.(?:GET|POST)\.(?:get|getlist)\(\s*["'](\w+)["']|["'](\w+)["']\s+in\s+request\.(?:GET|POST)""")
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")

# Values in a URL's path: zero, negative, a year out of range, just past int32 and int64, 23 digits.
HOSTILE_PATH = [
    "0", "-1", "00", "0000", "9999", "10000", str(2**31), str(2**63), "9" * 19, "9" * 23,
    "1.5", "1e3", "١٢", "²", "%00", "a" * 300,
]  # fmt: skip
# Values of a query or form parameter.
HOSTILE_VALUES = [
    "", " ", "0", "-1", "-99999999999999999999999", "99999999999999999999999", str(2**63), str(2**31),
    "1,abc,99999999999999999999999", "1,,2", ",", "1 2", "0x10", "1e9", "NaN", "²", "١٢", "\x00",
    "1\x00", "\ud800", "\udfff\ud800", "\u202e1", "𝟙", "a" * 10_000, "9" * 10_000, "0000", "9999",
    "10000", "00/00/0000", "31/02/2024", "01/01/0001", "31/12/9999", "9999-12-31", "0001-01-01",
    "xlsx", "docx", "pdf", "1", "..", "/", "//evil.example/", "https://evil.example/", "' OR 1=1 --",
    "<script>alert(1)</script>", "{{ 7*7 }}", "%", "%s", "\\", "\r\n", "\t",
]  # fmt: skip


def _parameter_names() -> list[str]:
    """Every parameter the views read (request.GET/POST) and every field of every form."""
    names: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        for match in _READ.finditer(text):
            names.add(match[1] or match[2])
    for module in _form_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                names.update(cls.base_fields)
    # The list pages' cursors and page size are read through helpers; the import keeps a token.
    names.update({"after", "before", "size", "ids", "token", "year", "period", "month", "page"})
    return sorted(names)


def _form_modules():
    import importlib

    for path in ROOT.rglob("forms*.py"):
        if "tests" not in path.parts:
            yield importlib.import_module(".".join(path.relative_to(ROOT.parent).with_suffix("").parts))


PARAMETERS = _parameter_names()
PATTERNS = {f"{ns}{name}": route for ns, name, route in url_patterns() if not ns.startswith("admin:")}

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
def hostile(walk_world, django_db_blocker):
    """(a logged-in client per persona, each pattern's object and form on the first half)."""
    world, sides = walk_world
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


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_hostile_path_value_gets_a_server_error(hostile, name):
    clients, targets = hostile
    route, target = PATTERNS[name], targets[name]
    failures = []
    for parameter in _PARAM.findall(route):
        for value in HOSTILE_PATH:
            url = _path(route, {**target.kwargs, parameter: value})
            body = _form_body(target.data)
            for persona, client in clients.items():
                for method in ("get", "post"):
                    status = _status(client, method, url, body)
                    if not isinstance(status, int) or status >= 500:
                        failures.append(f"{method.upper()} {url[:120]} as {persona}: {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(
    max_examples=8,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changed=st.dictionaries(st.sampled_from(PARAMETERS), parameter_values, min_size=1, max_size=5),
    path=st.dictionaries(st.just("*"), st.sampled_from(HOSTILE_PATH), max_size=1),
)
def test_no_hostile_parameter_gets_a_server_error(hostile, name, persona, changed, path):
    clients, targets = hostile
    route, target = PATTERNS[name], targets[name]
    kwargs = dict(target.kwargs)
    if path and (parameters := _PARAM.findall(route)):
        kwargs[parameters[len(changed) % len(parameters)]] = path["*"]
    url = _path(route, kwargs)
    query = _form_body({**_query(target), **changed})
    body = _form_body({**target.data, **changed})
    client = clients[persona]
    for method, sent in (("get", f"{url}?{query}"), ("post", url)):
        status = _status(client, method, sent, body if method == "post" else "")
        assert isinstance(status, int) and status < 500, f"{method.upper()} {sent[:300]}: {status}"
