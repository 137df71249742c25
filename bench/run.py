"""`python -m bench.run` (`make bench`): seed a data set, time the key pages, print one JSON object.

Environment:
  BENCH_MEMBERS  members in the data set (default 100000)
  BENCH_REPEAT   timed requests per operation (default 40), after BENCH_WARMUP (default 5)
  DATABASE_URL   when set, PostgreSQL: the bench uses its own database next to it
                 (BENCH_DATABASE_URL, default the same server's `haichieu_bench`), created,
                 and dropped and created again when it holds a data set of another size.
                 When not set, SQLite in var/bench/haichieu-bench.sqlite3.
  BENCH_ONLY     comma-separated operation names to run (default: all)

A data set of the right size is reused, so the second run only times. The JSON goes to stdout,
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


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _postgres_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True), parts.path.lstrip("/")


def _postgres_create(url: str, *, drop: bool = False) -> None:
    conn, name = _postgres_admin(url)
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def configure_database() -> str:
    """Point the settings (read from the environment) at the bench database; return the vendor."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        bench_url = os.environ.get("BENCH_DATABASE_URL") or urlunsplit(
            urlsplit(url)._replace(path=f"/{BENCH_DB_NAME}")
        )
        _postgres_create(bench_url)
        os.environ["DATABASE_URL"] = bench_url
        return "postgresql"
    path = Path(os.environ.get("BENCH_SQLITE_PATH", "var/bench/haichieu-bench.sqlite3")).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["SQLITE_PATH"] = str(path)
    return "sqlite"


def reset_database() -> None:
    """An empty bench database (the data set there has another size)."""
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
    from haichieu.demo.seed import seed_demo
    from haichieu.members.models import Member

    migrate()
    from .imports import remove_imported

    if removed := remove_imported():  # an import run stopped before deleting what it created
        log(f"removed {removed} members left by an import run")
    if Member.objects.count() == members and User.objects.filter(username="bantochuc").exists():
        log(f"reusing the data set of {members} members")
        return
    if Member.objects.exists():
        log("the bench database holds another data set: starting again")
        reset_database()
        migrate()
    log(f"seeding {members} members …")
    result = seed_demo(members=members, seed=2026, log=log)
    log(
        f"seeded {result.members} members, {result.liaisons} liaisons, {result.organizations} "
        f"organisations in {result.seconds:.1f} s"
    )


def tidy_database(vendor: str) -> None:
    """Leave the tables as autovacuum keeps them in production before timing anything.

    A reused data set carries the dead rows of earlier runs (the import operations write 20,000
    members and roll back): unvacuumed, the coverage counts' table alone read 4 ms instead of 0.3.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")


def main() -> int:
    members = int(os.environ.get("BENCH_MEMBERS", "100000"))
    repetitions = int(os.environ.get("BENCH_REPEAT", "40"))
    warmup = int(os.environ.get("BENCH_WARMUP", "5"))
    only = [n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haichieu.settings")
    vendor = configure_database()

    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    from .measure import run_operations
    from .operations import bench_context

    started = time.perf_counter()
    ensure_data_set(members)
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
    from .imports import run_import_operations

    for extra in (run_import_operations,):
        operations.update(extra(names=only, log=log))
    print(json.dumps({"members": members, "database": vendor, "operations": operations}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
