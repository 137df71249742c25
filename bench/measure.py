"""Timing: each operation against the floor, in the same run, interleaved request by request."""

import re
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY

from haichieu.accounts.models import User
from haichieu.accounts.signin import totp_device, two_factor_required

from .operations import FLOOR_ROWS, OPERATION_USERS, OPERATIONS, BenchContext, with_params

FLOOR_URL = "/__bench__/floor/"
# List pages mark each row of their table (`<tr data-row>`) or list (`<li data-row>`: the nodes of
# the party tree) with `data-row`.
_ROW = re.compile(r"<(?:tr|li) data-row\b")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    _get(client, url)
    return (time.perf_counter() - started) * 1000


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured.captured_queries)


def count_rows(client: Client, url: str) -> int:
    return len(_ROW.findall(_get(client, url).content.decode()))


def measure(
    client: Client, url: str, *, repetitions: int, warmup: int, floor_rows: int | None = None
) -> dict:
    rows = count_rows(client, url)
    floor_url = with_params(FLOOR_URL, n=rows if floor_rows is None else floor_rows)
    for _ in range(warmup):
        _get(client, url)
        _get(client, floor_url)
    queries = count_queries(client, url)
    times, floor_times = [], []
    for _ in range(repetitions):
        times.append(_timed(client, url))
        floor_times.append(_timed(client, floor_url))
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
    entering the code: such a user's pages cost what they cost in production."""
    client = Client()
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
        url = build(ctx)
        results[name] = measure(
            client, url, repetitions=repetitions, warmup=warmup, floor_rows=FLOOR_ROWS.get(name)
        )
        if log:
            log(f"{name}: {url} -> {results[name]}")
    return results
