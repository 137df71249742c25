"""Timing: each operation against the floor, in the same run, interleaved request by request.

A page (a URL) is compared with the floor reading as many rows (FLOOR_URL); a write (`Post`) with
the write floor (FLOOR_WRITE_URL), which updates the one row the write changes. Clients enforce the
CSRF check as a browser meets it: a write sends the token its page gave, as the page's script does.
"""

import itertools
import re
import statistics
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY

from haichieu.accounts.models import User
from haichieu.accounts.signin import totp_device, two_factor_required

from .operations import FLOOR_ROWS, OPERATION_USERS, OPERATIONS, BenchContext, Post, with_params

FLOOR_URL = "/__bench__/floor/"
FLOOR_WRITE_URL = "/__bench__/floor/write/"
# List pages mark each row of their table (`<tr data-row>`), list (`<li data-row>`: the nodes of
# the party tree) or screen (`<section data-row>`: the people of a roll-call) with `data-row`.
_ROW = re.compile(r"<(?:tr|li|section) data-row\b")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _post(client: Client, url: str, data: dict, token: str):
    response = client.post(url, data, HTTP_X_CSRFTOKEN=token)
    if response.status_code != 200:
        raise RuntimeError(f"POST {url} answered {response.status_code}")
    return response


def _timed(send: Callable[[], object]) -> float:
    started = time.perf_counter()
    send()
    return (time.perf_counter() - started) * 1000


def _queries(send: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        send()
    return len(captured.captured_queries)


def count_queries(client: Client, url: str) -> int:
    return _queries(lambda: _get(client, url))


def poster(client: Client, write: Post) -> tuple[Callable[[], object], Callable[[], object]]:
    """(send the write's next request, send its floor's): the write's page is opened first, for the
    CSRF token (its cookie) both then send."""
    _get(client, write.page)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    numbers = itertools.count()

    def send():
        return _post(client, write.url, write.data(next(numbers)), token)

    def floor():
        return _post(client, FLOOR_WRITE_URL, {"pk": write.floor_pk}, token)

    return send, floor


def count_rows(client: Client, url: str) -> int:
    return len(_ROW.findall(_get(client, url).content.decode()))


def measure(
    client: Client, target: str | Post, *, repetitions: int, warmup: int, floor_rows: int | None = None
) -> dict:
    """Figures of one operation: a page (its URL) or a write (`Post`, one row: the floor's)."""
    if isinstance(target, Post):
        rows = 1
        send, floor = poster(client, target)
    else:
        url = target
        rows = count_rows(client, url)
        floor_url = with_params(FLOOR_URL, n=rows if floor_rows is None else floor_rows)

        def send():
            return _get(client, url)

        def floor():
            return _get(client, floor_url)

    for _ in range(warmup):
        send()
        floor()
    queries = _queries(send)
    times, floor_times = [], []
    for _ in range(repetitions):
        times.append(_timed(send))
        floor_times.append(_timed(floor))
    median = statistics.median(times)
    floor_median = statistics.median(floor_times)
    return {
        "median_ms": round(median, 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "queries": queries,
        "floor_median_ms": round(floor_median, 2),
        "ratio": round(median / floor_median, 2),
        "rows": rows,
    }


def signed_in_client(username: str) -> Client:
    """A client signed in as `username`; a user who must use two-factor sign-in (provincial staff)
    gets a session verified with an authenticator device (the bench's own, made once), as after
    entering the code: such a user's pages cost what they cost in production. The client enforces
    the CSRF check, as a browser meets it."""
    client = Client(enforce_csrf_checks=True)
    user = User.objects.get(username=username)
    client.force_login(user)
    if two_factor_required(user):
        device = totp_device(user) or user.totpdevice_set.create(name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def run_operations(ctx: BenchContext, *, repetitions: int, warmup: int, names=None, log=None) -> dict:
    """{name: figures} for every registered operation (or those in `names`)."""
    clients: dict[str, Client] = {}
    results = {}
    for name, build in OPERATIONS.items():
        if names and name not in names:
            continue
        username = OPERATION_USERS.get(name, ctx.user.username)
        if username not in clients:
            clients[username] = signed_in_client(username)
        client = clients[username]
        target = build(ctx)
        results[name] = measure(
            client, target, repetitions=repetitions, warmup=warmup, floor_rows=FLOOR_ROWS.get(name)
        )
        if log:
            shown = f"POST {target.url}" if isinstance(target, Post) else target
            log(f"{name}: {shown} -> {results[name]}")
    return results
