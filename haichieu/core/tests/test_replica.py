"""Reports read from a replica (issue 14): with DATABASE_REPLICA_URL set, the statistics page and
the exports read there; every write, and every other read, goes to the primary."""

import sqlite3
import time

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

from haichieu.core import replica
from haichieu.core.models import AuditEntry
from haichieu.core.replica import REPLICA, ReplicaRouter, replica_reads
from haichieu.members.models import Member

from .servers import app_server, database_url, manage


def test_the_router_sends_only_report_reads_to_a_configured_replica(monkeypatch):
    router = ReplicaRouter()
    assert router.db_for_read(Member) is None  # default
    with replica_reads():
        assert router.db_for_read(Member) is None  # no replica configured: the primary
        monkeypatch.setattr(replica, "replica_configured", lambda: True)
        assert router.db_for_read(Member) == REPLICA
        assert router.db_for_write(Member) == "default"  # writes never
    assert router.db_for_read(Member) is None
    assert router.allow_migrate(REPLICA, "members") is False and router.allow_migrate("default", "members")


def _admin_dsn(dbname: str) -> str:
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=dbname,
    )


RENAMED = "Đảng bộ đọc từ bản sao"
EXPORTS_SQL = "SELECT count(*) FROM core_auditentry WHERE action = 'export'"


def _ask_the_server(base: str, session: str) -> None:
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, session)
    page = browser.get(f"{base}/thong-ke/", timeout=60)
    assert page.status_code == 200, page.text[:2000]
    assert f"Thống kê thực hiện Quy định 213: {RENAMED}" in page.text
    # Another page reads the primary.
    tree = browser.get(f"{base}/to-chuc/", timeout=60)
    assert tree.status_code == 200 and RENAMED not in tree.text
    # The export reads the replica too; its audit entry is written to the primary.
    assert browser.get(f"{base}/thong-ke/thong-ke.xlsx", timeout=60).status_code == 200


def _copy_database(admin, primary: str, replica: str) -> None:
    """CREATE DATABASE … TEMPLATE, which needs the template to itself: a connection an earlier test
    left open (a worker thread's, a server's still closing) is given a few seconds to go, then ended."""
    for _ in range(10):
        try:
            admin.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')
            return
        except psycopg.errors.ObjectInUse:
            time.sleep(0.5)
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [primary],
    )
    admin.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_statistics_page_reads_from_the_replica_and_writes_to_the_primary(
    world, client, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the replica stands in as a second PostgreSQL database")
    client.force_login(world.province_staff)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    primary = connection.settings_dict["NAME"]
    replica = f"{primary}_replica"
    connection.close()  # a template database takes no other connection while it is copied
    with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{replica}"')
        _copy_database(admin, primary, replica)
    try:
        # The replica differs from the primary in one name: the page shows which one it read.
        with psycopg.connect(_admin_dsn(replica), autocommit=True) as copy:
            copy.execute(
                "UPDATE organizations_organization SET name = %s WHERE id = %s", [RENAMED, world.province.pk]
            )
        replica_url = database_url().rsplit("/", 1)[0] + f"/{replica}"
        exports = AuditEntry.objects.filter(action="export").count()
        with app_server(
            tmp_path / "app", DATABASE_URL=database_url(), DATABASE_REPLICA_URL=replica_url
        ) as base:
            _ask_the_server(base, session)
        assert AuditEntry.objects.filter(action="export").count() == exports + 1
        with psycopg.connect(_admin_dsn(replica)) as copy:
            [(in_replica,)] = copy.execute(EXPORTS_SQL).fetchall()
        assert in_replica == exports
    finally:
        connection.close()
        with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{replica}" WITH (FORCE)')


WORLD_AND_SESSION = """
from django.contrib.sessions.backends.db import SessionStore
from haichieu.testing import build_world
world = build_world()
user = world.province_staff
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(world.province.pk, session.session_key)
"""


def test_on_sqlite_the_statistics_page_reads_from_a_second_file_and_writes_to_the_first(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite run of the replica test (PostgreSQL has its own)")
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {"SQLITE_PATH": str(primary), "HAICHIEU_VAR_DIR": str(tmp_path)}
    manage("migrate", "--noinput", "-v", "0", **env)
    province_pk, session = manage("shell", "-c", WORLD_AND_SESSION, **env).split()[-2:]
    with sqlite3.connect(primary) as source, sqlite3.connect(replica) as copy:
        source.backup(copy)
        copy.execute(
            "UPDATE organizations_organization SET name = ? WHERE id = ?", [RENAMED, int(province_pk)]
        )
    with app_server(
        tmp_path / "app", SQLITE_PATH=str(primary), DATABASE_REPLICA_URL=f"sqlite:///{replica}"
    ) as base:
        _ask_the_server(base, session)
    with sqlite3.connect(primary) as source, sqlite3.connect(replica) as copy:
        assert source.execute(EXPORTS_SQL).fetchone()[0] == 1
        assert copy.execute(EXPORTS_SQL).fetchone()[0] == 0
        names = {row[0] for row in source.execute("SELECT name FROM organizations_organization")}
        assert RENAMED not in names
