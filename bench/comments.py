"""The yearly comment round at scale (issue 12), reported with the other operations by bench/run.py.

`comment_round_open`: provincial staff open the yearly round for the whole province (100,000 members
in the bench data) through the service the page and the command call
(comments.services.open_comment_round: comments.rules.yearly_round decides who gets a request and
from which residential cell, the requests are written in bulk, one inbox item per cell, one audit
entry). The data set holds the round of the bench year (haichieu.demo.comments), so the round timed
is the next year's: every member who needs a request gets one, none is skipped as asked already.

Its floor: the same rows (those the round wrote, read back) inserted with `bulk_create` into the
same table, no rule, no inbox, no audit. Each repetition runs the round, then the floor, each in a
transaction rolled back, so every one starts from the same tables; afterwards the tables they wrote
are vacuumed on PostgreSQL (the dead rows of the rolled-back inserts). Figures: requests created,
the median time and requests per second of each, the ratio, the queries of the round.

Environment: BENCH_ROUND_REPEAT (default 3) timed repetitions, after one untimed.
"""

from __future__ import annotations

import datetime
import os
import statistics
import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from haichieu.accounts.models import Role
from haichieu.comments.models import CommentRequest
from haichieu.comments.services import open_comment_round
from haichieu.core.models import AuditEntry
from haichieu.demo.comments import BENCH_OPENER, BENCH_YEAR
from haichieu.demo.common import TODAY
from haichieu.liaisons.models import InboxItem

ROUND_REPEAT = int(os.environ.get("BENCH_ROUND_REPEAT", "3"))
ROUND_YEAR = BENCH_YEAR + 1  # the year after the data set's round: nobody asked yet
ROUND_DEADLINE = datetime.date(ROUND_YEAR, 12, 31)
# What the round writes for each request, and the floor writes again.
ROW_FIELDS = [f.attname for f in CommentRequest._meta.concrete_fields if not f.primary_key]


class _RolledBack(Exception):
    pass


@contextmanager
def rolled_back():
    """A transaction that is rolled back however the block ends."""
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, value


def _floor(rows: list[dict]) -> int:
    """The bare bulk insert of the round's rows: the same model, `bulk_create`, nothing else."""
    return len(CommentRequest.objects.bulk_create([CommentRequest(**row) for row in rows]))


def _vacuum() -> None:
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (CommentRequest, InboxItem, AuditEntry):
                cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')


def measure_round_open(*, repeat: int = ROUND_REPEAT, log=None) -> dict:
    """Figures of the province's round against its floor (see the module)."""
    role = Role.objects.select_related("user", "organization").get(user__username=BENCH_OPENER)
    actor, province = role.user, role.organization
    times, floor_times = [], []
    rows: list[dict] = []
    result = None
    queries = 0
    for n in range(repeat + 1):  # the first one untimed: caches warm, rows read for the floor
        with rolled_back():
            with CaptureQueriesContext(connection) as captured:
                ms, result = _timed(
                    open_comment_round, actor=actor, org=province, year=ROUND_YEAR,
                    deadline=ROUND_DEADLINE, today=TODAY,
                )  # fmt: skip
            queries = len(captured.captured_queries)
            if not rows:
                rows = list(
                    CommentRequest.objects.filter(year=ROUND_YEAR, purpose=CommentRequest.Purpose.YEARLY)
                    .order_by("pk")
                    .values(*ROW_FIELDS)
                )
        with rolled_back():
            floor_ms, written = _timed(_floor, rows)
        if n:
            times.append(ms)
            floor_times.append(floor_ms)
        if log:
            log(f"comment_round_open run {n}{' (untimed)' if not n else ''}: round {ms:.0f} ms, "
                f"floor {floor_ms:.0f} ms, {result.created} requests")  # fmt: skip
    _vacuum()
    assert result is not None
    if not result.created or written != result.created:
        raise RuntimeError(f"the round created {result.created} requests, the floor {written}")
    median, floor_median = statistics.median(times), statistics.median(floor_times)
    return {
        "rows": result.created,
        "cells": result.cells,
        "skipped": result.skipped,
        "median_ms": round(median, 1),
        "rows_per_s": round(result.created / median * 1000),
        "queries": queries,
        "floor_median_ms": round(floor_median, 1),
        "floor_rows_per_s": round(result.created / floor_median * 1000),
        "ratio": round(median / floor_median, 2),
    }


def run_comment_operations(*, names=(), log=None) -> dict:
    """{"comment_round_open": …} (unless `names` leaves it out)."""
    results = {}
    if not names or "comment_round_open" in names:
        results["comment_round_open"] = measure_round_open(log=log)
        if log:
            log(f"comment_round_open: {results['comment_round_open']}")
    return results
