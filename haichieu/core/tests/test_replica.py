"""Reports read from a replica (issue 14): with DATABASE_REPLICA_URL set, the statistics page and
the exports read there; every write, and every other read, goes to the primary."""

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

from haichieu.core import replica
from haichieu.core.models import AuditEntry
from haichieu.core.replica import REPLICA, ReplicaRouter, replica_reads
from haichieu.members.models import Member

from .servers import app_server, database_url


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


@pytest.mark.django_db(transaction=True)
def test_the_statistics_page_reads_from_the_replica_and_writes_to_the_primary(world, client, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the replica stands in as a second PostgreSQL database")
    client.force_login(world.province_staff)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    primary = connection.settings_dict["NAME"]
    replica = f"{primary}_replica"
    connection.close()  # a template database takes no other connection while it is copied
    with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{replica}"')
        admin.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')
    try:
        # The replica differs from the primary in one name: the page shows which one it read.
        with psycopg.connect(_admin_dsn(replica), autocommit=True) as copy:
            copy.execute(
                "UPDATE organizations_organization SET name = %s WHERE id = %s",
                ["Đảng bộ đọc từ bản sao", world.province.pk],
            )
        replica_url = database_url().rsplit("/", 1)[0] + f"/{replica}"
        exports = AuditEntry.objects.filter(action="export").count()
        with app_server(
            tmp_path / "app", DATABASE_URL=database_url(), DATABASE_REPLICA_URL=replica_url
        ) as base:
            browser = requests.Session()
            browser.cookies.set(settings.SESSION_COOKIE_NAME, session)
            page = browser.get(f"{base}/thong-ke/", timeout=60)
            assert page.status_code == 200, page.text[:2000]
            assert "Thống kê thực hiện Quy định 213: Đảng bộ đọc từ bản sao" in page.text
            # Another page reads the primary.
            home = browser.get(f"{base}/to-chuc/", timeout=60)
            assert home.status_code == 200 and "Đảng bộ đọc từ bản sao" not in home.text
            # The export reads the replica too; its audit entry is written to the primary.
            export = browser.get(f"{base}/thong-ke/thong-ke.xlsx", timeout=60)
            assert export.status_code == 200
        assert AuditEntry.objects.filter(action="export").count() == exports + 1
        with psycopg.connect(_admin_dsn(replica)) as copy:
            [(in_replica,)] = copy.execute(
                "SELECT count(*) FROM core_auditentry WHERE action = 'export'"
            ).fetchall()
        assert in_replica == exports
    finally:
        connection.close()
        with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{replica}" WITH (FORCE)')
