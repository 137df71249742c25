"""`python -m bench.run` (`make bench`): seed a data set, time the key pages, print one JSON object.

Environment:
  BENCH_MEMBERS  members in the data set (default 100000)
  BENCH_REPEAT   timed requests per operation (default 40), after BENCH_WARMUP (default 5)
  DATABASE_URL   when set, PostgreSQL: the bench uses its own database next to it, one per
                 size (BENCH_DATABASE_URL, default the same server's `haichieu_bench` for
                 100,000 members and `haichieu_bench_<members>` for another size), created when
                 missing, with the settings a deployment needs (DEPLOYMENT_SETTINGS).
                 When not set, SQLite in var/bench/haichieu-bench.sqlite3 (-<members> likewise).
  BENCH_ONLY     comma-separated operation names to run (default: all)

A data set of the right size is reused, so the second run only times; data sets of other sizes
are kept beside it. The roll-call's meeting (haichieu.demo.meetings), the comment round of the
bench year (haichieu.demo.comments) and the year's two meetings of every residential cell with
their marks (haichieu.demo.meetings.seed_bench_history) are added to a data set that lacks them, once; members the
meeting step adds to a small data set are not counted in its size. A database that holds anything else (a seed cut off half-way) is emptied and
seeded again. The JSON goes to stdout,
everything else to stderr:
  {"members": N, "database": "postgresql"|"sqlite",
   "operations": {name: {"median_ms", "p95_ms", "queries", "floor_median_ms", "ratio", "rows"}}}
"""

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DB_NAME = "haichieu_bench"
DEFAULT_MEMBERS = 100000
# What a deployment sets on its database (README "PostgreSQL settings"): the data of a province
# is held in memory or on SSD, where a random read costs about what a sequential one does.
DEPLOYMENT_SETTINGS = {"random_page_cost": "1.1"}


def bench_db_name(members: int) -> str:
    """One database per data-set size, so that a run at another size keeps the first one."""
    return BENCH_DB_NAME if members == DEFAULT_MEMBERS else f"{BENCH_DB_NAME}_{members}"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _postgres_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True), parts.path.lstrip("/")


def _postgres_create(url: str, *, drop: bool = False) -> None:
    """Create the database if missing (or drop it first), with DEPLOYMENT_SETTINGS as its defaults.

    `ALTER DATABASE … SET` applies to the connections opened afterwards: Django's, here.
    """
    conn, name = _postgres_admin(url)
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
        for setting, value in DEPLOYMENT_SETTINGS.items():
            conn.execute(f'ALTER DATABASE "{name}" SET {setting} = {value}')


def configure_database(members: int = DEFAULT_MEMBERS) -> str:
    """Point the settings (read from the environment) at the bench database of this size; return
    the vendor."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        bench_url = os.environ.get("BENCH_DATABASE_URL") or urlunsplit(
            urlsplit(url)._replace(path=f"/{bench_db_name(members)}")
        )
        _postgres_create(bench_url)
        os.environ["DATABASE_URL"] = bench_url
        return "postgresql"
    default_path = f"var/bench/{bench_db_name(members).replace('_', '-')}.sqlite3"
    path = Path(os.environ.get("BENCH_SQLITE_PATH", default_path)).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["SQLITE_PATH"] = str(path)
    return "sqlite"


def reset_database() -> None:
    """An empty bench database (what it holds is not a whole data set of its size)."""
    from django.db import connections

    connections.close_all()
    url = os.environ.get("DATABASE_URL", "")
    if url:
        _postgres_create(url, drop=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(os.environ["SQLITE_PATH"] + suffix).unlink(missing_ok=True)


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)


def ensure_data_set(members: int) -> None:
    from haichieu.accounts.models import User
    from haichieu.demo.comments import seed_bench_comments
    from haichieu.demo.meetings import added_members, seed_bench_history, seed_bench_meeting
    from haichieu.demo.seed import seed_demo
    from haichieu.members.models import Member

    migrate()
    from .imports import remove_imported

    if removed := remove_imported():  # an import run stopped before deleting what it created
        log(f"removed {removed} members left by an import run")
    seeded = Member.objects.count() - added_members().count()  # the meeting step's are not counted
    if seeded == members and User.objects.filter(username="bantochuc").exists():
        log(f"reusing the data set of {members} members")
        seed_bench_meeting(log=log)  # a data set seeded before the step: added now, once
        seed_bench_comments(log=log)  # likewise the comment round
        seed_bench_history(log=log)  # and the residential cells' meetings of the year
        return
    if Member.objects.exists():
        log("the bench database holds an incomplete data set: starting again")
        reset_database()
        migrate()
    log(f"seeding {members} members …")
    result = seed_demo(members=members, seed=2026, log=log)
    log(
        f"seeded {result.members} members, {result.liaisons} liaisons, {result.organizations} "
        f"organisations in {result.seconds:.1f} s"
    )
    seed_bench_meeting(log=log)
    seed_bench_comments(log=log)
    seed_bench_history(log=log)


def tidy_database(vendor: str) -> None:
    """Leave the tables as autovacuum keeps them in production before timing anything.

    A reused data set carries the dead rows of earlier runs (the import operations write 20,000
    members and roll back): unvacuumed, the coverage counts' table alone read 4 ms instead of 0.3.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")


def main() -> int:
    members = int(os.environ.get("BENCH_MEMBERS", str(DEFAULT_MEMBERS)))
    repetitions = int(os.environ.get("BENCH_REPEAT", "40"))
    warmup = int(os.environ.get("BENCH_WARMUP", "5"))
    only = [n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haichieu.settings")
    vendor = configure_database(members)

    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    from .measure import run_operations
    from .operations import bench_context

    started = time.perf_counter()
    ensure_data_set(members)
    from haichieu.stats.summary import statistics_refresh

    # The statistics' summary tables, as the deployment's cron (refresh_statistics) keeps them.
    log(f"statistics summary refreshed: {statistics_refresh()}")
    tidy_database(vendor)
    log(
        f"data set ready in {time.perf_counter() - started:.1f} s; timing {repetitions} requests per operation"
    )
    with override_settings(
        ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], DEBUG=False
    ):
        operations = run_operations(
            bench_context(), repetitions=repetitions, warmup=warmup, names=only, log=log
        )
    # Operations that are not one page behind a URL report their own figures under their names.
    from .comments import run_comment_operations
    from .imports import run_import_operations

    for extra in (run_import_operations, run_comment_operations):
        operations.update(extra(names=only, log=log))
    print(json.dumps({"members": members, "database": vendor, "operations": operations}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
