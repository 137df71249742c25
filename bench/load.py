"""`python -m bench.load` (`make load`): many users at once against gunicorn, on the bench's data set.

The data set is the benchmark's (bench.run: the same database per size, reused or seeded, the
statistics' summary refreshed, vacuumed). gunicorn serves it with deploy/gunicorn.conf.py on a free
port of 127.0.0.1 (plain HTTP on loopback: DEBUG off, a random secret key, the deployment's
settings otherwise, but not HAICHIEU_PRODUCTION, whose cookies are sent over HTTPS only). locust
runs headless in its own process (bench/locustfile.py): LOAD_USERS simulated users (default 50)
for LOAD_SECONDS (default 60), signing in during the ramp-up (LOAD_SPAWN_RATE per second, default
5), then opening the benchmark's pages as their demo user — member lists and searches, coverage,
inboxes, tracking books, the roll-call, statistics, member pages — and tapping the roll-call;
one provincial user uploads a 20-row .xlsx and gets its preview (not confirmed).

Afterwards the data is as found: the taps' attendance gets its status back, the sessions, audit
entries and recovery codes of the run are deleted, the import's files lived in a temporary
directory. Environment as bench.run (DATABASE_URL, BENCH_DATABASE_URL, BENCH_MEMBERS), plus
LOAD_USERS, LOAD_SECONDS, LOAD_SPAWN_RATE, LOAD_WORKERS (gunicorn workers, default 2).

One JSON object on stdout, logs on stderr:
  {"users", "seconds", "requests", "errors", "rps", "p50_ms", "p95_ms", "p99_ms",   (pages, whole run)
   "steady": {"seconds", "requests", …},   (pages requested after the last user signed in)
   "sign_in": {"users", "requests", "errors", …},   (login page, password, code: apart)
   "pages": {name: {…}}, "members", "database", "workers", "load_average",
   "db_cpu_ms_per_request", "db_server_cpu_ms_per_request", "db_backends"}   (PostgreSQL, bench/dbcpu.py)
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .dbcpu import DatabaseCpu

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "HaiChieu@2026"  # the demo users' (haichieu.demo)
MEMBER_PAGES = 20  # member pages per demo user, in its scope
IMPORT_ROWS = 20


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_plan(directory: Path) -> tuple[dict, dict]:
    """The plan the simulated users follow, and what to put back afterwards."""
    from django.contrib.sessions.models import Session
    from django.urls import reverse
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from haichieu.access.objects import members_visible_to
    from haichieu.accounts.models import User
    from haichieu.accounts.signin import recovery_device, totp_device, two_factor_required
    from haichieu.core.models import AuditEntry
    from haichieu.meetings.models import Attendance

    from .imports import build_import_file
    from .operations import (
        BENCH_USERNAME,
        OPERATION_USERS,
        OPERATIONS,
        ROLES,
        TAP_STATUSES,
        Post,
        bench_context,
    )

    ctx = bench_context()
    users: dict[str, dict] = {username: {"pages": [], "taps": []} for username in ROLES.values()}
    for name, build in OPERATIONS.items():
        username = OPERATION_USERS.get(name, BENCH_USERNAME)
        target = build(ctx)
        if isinstance(target, Post):
            users[username]["taps"].append({"url": target.url, "statuses": list(TAP_STATUSES)})
        else:
            users[username]["pages"].append((name, target))
    undo: dict = {
        "audit_after": AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "sessions": set(Session.objects.values_list("session_key", flat=True)),
        "attendance": dict(Attendance.objects.filter(pk=ctx.attendance_pk).values_list("pk", "status")),
        "tokens": [],
        "device": None,
    }
    codes_needed = int(os.environ.get("LOAD_USERS", "50")) // len(ROLES) + 2
    for username, spec in users.items():
        user = User.objects.get(username=username)
        visible = members_visible_to(user).order_by("pk").values_list("pk", flat=True)[:MEMBER_PAGES]
        # A member's page is one page among the others, of one of MEMBER_PAGES members.
        spec["members"] = [reverse("members:detail", args=[pk]) for pk in visible]
        spec["pages"].append(("member_detail", None))
        if two_factor_required(user):
            # As the bench's client (measure.signed_in_client): the device made once; the second
            # step is taken with recovery codes made for this run (a TOTP code serves one sign-in
            # per 30 s).
            if totp_device(user) is None:
                user.totpdevice_set.create(name="bench", confirmed=True)
            device = recovery_device(user)
            if device is None:
                device = StaticDevice.objects.create(user=user, name="load", confirmed=True)
                undo["device"] = device.pk
            codes = [StaticToken.random_token() for _ in range(codes_needed)]
            undo["tokens"] += [device.token_set.create(token=code).pk for code in codes]
            spec["codes"] = codes
    importer = User.objects.get(username=BENCH_USERNAME)
    import_file = directory / "import.xlsx"
    build_import_file(import_file, user=importer, rows=IMPORT_ROWS)
    plan = {
        "password": PASSWORD,
        "spawn_rate": float(os.environ.get("LOAD_SPAWN_RATE", "5")),
        "users": users,
        "import": {
            "username": BENCH_USERNAME,
            "file": str(import_file),
            "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        },
    }
    return plan, undo


def restore(undo: dict) -> dict:
    """Put the data back as found; what was removed."""
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from haichieu.core.models import AuditEntry
    from haichieu.meetings.models import Attendance

    from .imports import remove_imported

    with transaction.atomic():
        for pk, status in undo["attendance"].items():
            Attendance.objects.filter(pk=pk).update(status=status)
        audit = AuditEntry.objects.filter(pk__gt=undo["audit_after"]).delete()[0]
        new_sessions = Session.objects.exclude(session_key__in=undo["sessions"])
        sessions = new_sessions.delete()[0]
        StaticToken.objects.filter(pk__in=undo["tokens"]).delete()
        if undo["device"]:
            StaticDevice.objects.filter(pk=undo["device"]).delete()
    return {"audit_entries": audit, "sessions": sessions, "imported_members": remove_imported()}


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def application_name(port: int) -> str:
    """The name the load's gunicorn gives its database connections (bench/dbcpu.py finds them by it)."""
    return f"haichieu-load-{port}"


def server_environment(directory: Path, port: int, workers: int) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_REPLICA_URL", "DEBUG", "HAICHIEU_PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        DJANGO_SETTINGS_MODULE="haichieu.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        HAICHIEU_VAR_DIR=str(directory / "var"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_ACCESS_LOG="",
        PGAPPNAME=application_name(port),
    )
    return env


def main() -> int:
    users = int(os.environ.get("LOAD_USERS", "50"))
    seconds = float(os.environ.get("LOAD_SECONDS", "60"))
    workers = int(os.environ.get("LOAD_WORKERS", "2"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haichieu.settings")
    from .run import DEFAULT_MEMBERS, configure_database, ensure_data_set, tidy_database

    members = int(os.environ.get("BENCH_MEMBERS", str(DEFAULT_MEMBERS)))
    vendor = configure_database(members)

    import django

    django.setup()
    from haichieu.stats.summary import statistics_refresh

    ensure_data_set(members)
    log(f"statistics summary refreshed: {statistics_refresh()}")
    tidy_database(vendor)

    with tempfile.TemporaryDirectory(prefix="haichieu-load-") as tmp:
        directory = Path(tmp)
        plan, undo = build_plan(directory)
        (directory / "var" / "static").mkdir(parents=True)  # STATIC_ROOT: the files come from the finders
        plan_path = directory / "plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        from django.db import connections

        connections.close_all()
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        db_cpu = DatabaseCpu(
            os.environ.get("DATABASE_URL", "") if vendor == "postgresql" else "", application_name(port)
        )
        log(f"gunicorn ({workers} workers) on {host}, {vendor}, {members} members")
        server = subprocess.Popen(
            [
                *[sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
                # gunicorn's control socket is one path per machine: not this run's to take.
                *["--no-control-socket", "haichieu.wsgi"],
            ],
            env=server_environment(directory, port, workers),
            cwd=directory,
            stdout=sys.stderr,
            stderr=sys.stderr,
        )
        try:
            wait_until_up(f"{host}/dang-nhap/", server)
            log(f"locust: {users} users for {seconds:.0f} s")
            db_cpu.start()
            run = subprocess.run(
                [sys.executable, "-m", "bench.locustfile", str(plan_path), host, str(users), str(seconds)],
                env={**os.environ, "PYTHONPATH": server_environment(directory, port, workers)["PYTHONPATH"]},
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=sys.stderr,
                text=True,
                check=True,
            )
        finally:
            db_cpu.stop()
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            removed = restore(undo)
            log(f"data put back: {removed}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    # PostgreSQL's CPU per request the server answered in the window (pages and sign-ins).
    result.update(db_cpu.figures(result["requests"] + result["sign_in"]["requests"]))
    if db_cpu.error:
        log(f"PostgreSQL CPU not measured: {db_cpu.error}")
    result.update(
        members=members, database=vendor, workers=workers, load_average=[round(x, 2) for x in os.getloadavg()]
    )
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["errors"] == 0 and result["sign_in"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
