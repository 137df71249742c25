"""Timing: each operation against the floor, in the same run, interleaved request by request."""

import re
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haichieu.accounts.models import User

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


def run_operations(ctx: BenchContext, *, repetitions: int, warmup: int, names=None, log=None) -> dict:
    """{name: figures} for every registered operation (or those in `names`)."""
    clients: dict[str, Client] = {}
    results = {}
    for name, build in OPERATIONS.items():
        if names and name not in names:
            continue
        username = OPERATION_USERS.get(name, ctx.user.username)
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        url = build(ctx)
        results[name] = measure(
            client, url, repetitions=repetitions, warmup=warmup, floor_rows=FLOOR_ROWS.get(name)
        )
        if log:
            log(f"{name}: {url} -> {results[name]}")
    return results
