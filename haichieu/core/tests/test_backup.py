"""`haichieu backup` and `haichieu restore` (core/backup.py), run as an administrator runs them.

A seeded demo (200 members) is backed up, restored into an empty database, and every table is
compared with the original: its row count and a checksum of its rows in primary-key order. On
PostgreSQL (DATABASE_URL) the databases are scratch ones made here, named hc_backup_*, dropped after.
"""

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from haichieu.core import backup as backup_module
from haichieu.core.backup import (
    MANIFEST,
    BackupError,
    SealedWriter,
    _open_into,
    backup_create,
    backup_key,
    backup_restore,
)
from haichieu.core.models import AuditEntry

KEY = "correct-horse-battery-staple-2026"
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith(("postgres://", "postgresql://"))
VENDORS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not ON_POSTGRES or not shutil.which("pg_dump"), reason="PostgreSQL: DATABASE_URL and pg_dump"
        ),
    ),
]


# --- Databases made and read outside the test process ------------------------------------------


@dataclass
class Target:
    """One database (an SQLite file or a scratch PostgreSQL database) and its stored files."""

    vendor: str
    location: str  # SQLite path, or PostgreSQL URL
    media: Path
    var: Path

    def env(self, key: str | None = KEY) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HAICHIEU_BACKUP_KEY")}
        env.update(
            PYTHONPATH=os.pathsep.join(sys.path),
            HAICHIEU_VAR_DIR=str(self.var),
            HAICHIEU_MEDIA_ROOT=str(self.media),
            DJANGO_SETTINGS_MODULE="haichieu.settings",
        )
        if self.vendor == "sqlite":
            env["SQLITE_PATH"] = self.location
        else:
            env["DATABASE_URL"] = self.location
        if key is not None:
            env["HAICHIEU_BACKUP_KEY"] = key
        return env

    def run(self, *args, key: str | None = KEY) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "haichieu.manage", *args],
            env=self.env(key),
            capture_output=True,
            text=True,
            timeout=600,
        )

    def ok(self, *args) -> str:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def connect(self):
        if self.vendor == "sqlite":
            return sqlite3.connect(self.location)
        import psycopg

        return psycopg.connect(self.location)

    def query(self, sql: str) -> list:
        with self.connect() as conn:
            return list(conn.execute(sql).fetchall())

    def tables(self) -> list[str]:
        if self.vendor == "sqlite":
            return [
                r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            ]
        return [
            r[0] for r in self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ]

    def primary_key(self, conn, table: str) -> list[str]:
        if self.vendor == "sqlite":
            rows = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            return [r[1] for r in sorted(rows, key=lambda r: r[5]) if r[5]]
        rows = conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary",
            [f'"{table}"'],
        ).fetchall()
        return [r[0] for r in rows]

    def digest(self) -> dict[str, tuple[int, str]]:
        """{table: (rows, sha256 of the rows in primary-key order)}, leaving out what a backup or a
        restore writes about itself (its audit entry, SQLite's running number for that table)."""
        result = {}
        with self.connect() as conn:
            for table in self.tables():
                where = ""
                if table == "core_auditentry":
                    where = " WHERE action NOT IN ('backup', 'restore')"
                elif table == "sqlite_sequence":
                    where = " WHERE name <> 'core_auditentry'"
                order = ", ".join(f'"{c}"' for c in self.primary_key(conn, table)) or "1"
                rows = conn.execute(f'SELECT * FROM "{table}"{where} ORDER BY {order}').fetchall()
                result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return result

    def audit_actions(self) -> list[str]:
        return [
            r[0]
            for r in self.query(
                "SELECT action FROM core_auditentry WHERE action IN ('backup', 'restore') ORDER BY id"
            )
        ]

    def files(self) -> dict[str, bytes]:
        if not self.media.is_dir():
            return {}
        return {
            p.relative_to(self.media).as_posix(): p.read_bytes() for p in self.media.rglob("*") if p.is_file()
        }


class Targets:
    """Makes targets of one vendor; drops the PostgreSQL ones at the end."""

    def __init__(self, vendor: str, root: Path):
        self.vendor, self.root, self.made = vendor, root, []

    def new(self, name: str) -> Target:
        folder = self.root / name
        folder.mkdir()
        if self.vendor == "sqlite":
            location = str(folder / "haichieu.sqlite3")
        else:
            import psycopg

            db = f"hc_backup_{secrets.token_hex(4)}_{name}"
            with psycopg.connect(self._server_url("postgres"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db}"')
            self.made.append(db)
            location = self._server_url(db)
        return Target(self.vendor, location, folder / "media", folder / "var")

    def _server_url(self, db: str) -> str:
        return POSTGRES_URL.rsplit("/", 1)[0] + "/" + db

    def drop(self) -> None:
        if not self.made:
            return
        import psycopg

        with psycopg.connect(self._server_url("postgres"), autocommit=True) as conn:
            for db in self.made:
                assert db.startswith("hc_backup_")
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@dataclass
class Site:
    targets: Targets
    source: Target
    file: Path
    before: dict  # the source's tables when it was backed up
    files: dict


@pytest.fixture(scope="module", params=VENDORS)
def site(request, tmp_path_factory):
    """A migrated demo with 200 members and two stored files, and its backup."""
    targets = Targets(request.param, tmp_path_factory.mktemp(f"backup-{request.param}"))
    try:
        source = targets.new("source")
        source.ok("migrate", "--noinput", "-v", "0")
        source.ok("seed_demo", "--members", "200")
        (source.media / "scans" / "2026").mkdir(parents=True)
        (source.media / "scans" / "2026" / "miễn-giảm.pdf").write_bytes(b"%PDF-1.4 " + os.urandom(3000))
        (source.media / "readme.txt").write_text("tệp lưu trữ", encoding="utf-8")
        before = source.digest()
        file = targets.root / "haichieu.hcbak"
        out = source.ok("backup", "--output", str(file))
        assert "Đã sao lưu" in out and "2 tệp lưu trữ" in out
        yield Site(targets, source, file, before, source.files())
    finally:
        targets.drop()


# --- The round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("migrated", [True, False], ids=["migrated-target", "blank-target"])
def test_restore_rebuilds_every_table_and_file(site, migrated):
    target = site.targets.new(f"restored_{migrated:d}")
    if migrated:  # how a new server starts: the app migrates its empty database first
        target.ok("migrate", "--noinput", "-v", "0")
    out = target.ok("restore", str(site.file))
    assert "Đã khôi phục" in out
    after = target.digest()
    assert after == site.before
    assert after["members_member"][0] == 200 and after["accounts_user"][0] > 0
    assert target.files() == site.files
    # The restore is in the restored database's log; the backup's own entry came after its snapshot.
    assert target.audit_actions() == ["restore"]
    assert site.source.audit_actions()[0] == "backup"


def test_a_file_made_with_another_key_is_refused(site):
    target = site.targets.new("other_key")
    result = target.run("restore", str(site.file), key="another-key-of-enough-length")
    assert result.returncode != 0
    assert "Sai khóa" in result.stderr
    assert target.tables() in ([], ["sqlite_sequence"]) and not target.files()


@pytest.mark.parametrize("damage", ["flipped-byte", "cut-short", "chunk-dropped"])
def test_an_altered_file_is_refused(site, damage, tmp_path):
    data = bytearray(site.file.read_bytes())
    if damage == "flipped-byte":
        data[len(data) // 2] ^= 0x01
    elif damage == "cut-short":
        data = data[: len(data) - 100]
    else:  # a whole chunk taken out: chunks are numbered, so the next one no longer opens
        start = backup_module.HEADER_LEN
        size = backup_module.CHUNK + backup_module.TAG
        data = data[:start] + data[start + size :]
    altered = tmp_path / "altered.hcbak"
    altered.write_bytes(bytes(data))
    target = site.targets.new(f"altered_{damage.replace('-', '_')}")
    result = target.run("restore", str(altered))
    assert result.returncode != 0
    assert "đã bị sửa hoặc hỏng" in result.stderr
    assert target.tables() in ([], ["sqlite_sequence"]) and not target.files()


def test_a_database_holding_data_is_kept_unless_forced(site):
    source = site.source
    with source.connect() as conn:
        conn.execute("UPDATE accounts_user SET first_name = 'Đã sửa sau sao lưu'")
        conn.execute("UPDATE members_member SET full_name = full_name || ' (sửa)'")
        conn.commit()
    (source.media / "readme.txt").write_text("đã sửa", encoding="utf-8")
    changed = source.digest()
    assert changed != site.before

    result = source.run("restore", str(site.file))
    assert result.returncode != 0
    assert "đang có dữ liệu" in result.stderr and "--force" in result.stderr
    assert source.digest() == changed and source.files()["readme.txt"] == "đã sửa".encode()

    out = source.ok("restore", "--force", str(site.file))
    assert "thay thế dữ liệu cũ" in out
    assert source.digest() == site.before
    assert source.files() == site.files
    assert source.audit_actions() == ["restore"]  # the snapshot's log, and this restore


def test_a_backup_without_a_key_is_refused(site, tmp_path):
    output = tmp_path / "nokey.hcbak"
    result = site.source.run("backup", "--output", str(output), key=None)
    assert result.returncode != 0
    assert "HAICHIEU_BACKUP_KEY" in result.stderr
    assert not output.exists()


# --- The file format, in process -----------------------------------------------------------------


def _sealed(path: Path, members: dict[str, bytes], manifest: dict) -> None:
    with open(path, "wb") as out:
        sealed = SealedWriter(out, KEY.encode())
        with tarfile.open(fileobj=sealed, mode="w|") as tar:
            for name, body in [*members.items(), (MANIFEST, json.dumps(manifest).encode())]:
                info = tarfile.TarInfo(name)
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
        sealed.close()


def _manifest(parts: dict[str, bytes]) -> dict:
    return {
        "format": 1,
        "database": {"vendor": connection.vendor, "part": "database.sqlite3.gz"},
        "migrations": {},
        "parts": {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)} for n, b in parts.items()},
    }


def test_a_part_that_does_not_match_its_checksum_is_refused(tmp_path):
    parts = {"database.sqlite3.gz": b"database", "files/a.txt": b"a"}
    manifest = _manifest(parts)
    _sealed(tmp_path / "good.hcbak", parts, manifest)
    (tmp_path / "good").mkdir()
    assert _open_into(tmp_path / "good.hcbak", KEY.encode(), tmp_path / "good")["parts"] == manifest["parts"]

    # Sealed with the right key, but the part is not the one the manifest lists.
    _sealed(tmp_path / "bad.hcbak", {**parts, "files/a.txt": b"b"}, manifest)
    (tmp_path / "bad").mkdir()
    with pytest.raises(BackupError, match="files/a.txt không khớp mã kiểm tra sha256"):
        _open_into(tmp_path / "bad.hcbak", KEY.encode(), tmp_path / "bad")

    _sealed(tmp_path / "short.hcbak", {"database.sqlite3.gz": b"database"}, manifest)
    (tmp_path / "short").mkdir()
    with pytest.raises(BackupError, match="thiếu phần files/a.txt"):
        _open_into(tmp_path / "short.hcbak", KEY.encode(), tmp_path / "short")


@pytest.mark.parametrize("name", ["../outside", "files/../../outside", "/etc/passwd", "other.txt"])
def test_a_part_outside_the_format_is_refused(tmp_path, name):
    parts = {"database.sqlite3.gz": b"database", name: b"x"}
    _sealed(tmp_path / "evil.hcbak", parts, _manifest(parts))
    (tmp_path / "staging").mkdir()
    with pytest.raises(BackupError, match="mục không hợp lệ"):
        _open_into(tmp_path / "evil.hcbak", KEY.encode(), tmp_path / "staging")
    assert not (tmp_path / "outside").exists()


def test_the_key_must_be_set_and_long_enough():
    with pytest.raises(BackupError, match="Chưa có khóa sao lưu"):
        backup_key({})
    with pytest.raises(BackupError, match="quá ngắn"):
        backup_key({"HAICHIEU_BACKUP_KEY": "short"})
    assert backup_key({"HAICHIEU_BACKUP_KEY": f" {KEY} "}) == KEY.encode()


@pytest.mark.django_db(transaction=True)  # a backup reads the database outside any transaction
@pytest.mark.skipif(connection.vendor != "sqlite", reason="in-process round trip: the SQLite test database")
def test_a_failed_database_step_puts_the_stored_files_back(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "kept.txt").write_text("trước khi khôi phục", encoding="utf-8")
    made = backup_create(output=tmp_path / "b.hcbak", secret=KEY.encode())
    assert made.manifest["parts"]["files/kept.txt"]["size"] > 0
    (tmp_path / "media" / "kept.txt").write_text("bản hiện tại", encoding="utf-8")
    (tmp_path / "media" / "new.txt").write_text("mới", encoding="utf-8")

    def failing(part):
        raise BackupError("hỏng giữa chừng")

    monkeypatch.setattr(backup_module, "_restore_sqlite", failing)
    with pytest.raises(BackupError, match="hỏng giữa chừng"):
        backup_restore(path=tmp_path / "b.hcbak", secret=KEY.encode(), force=True)
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == ["kept.txt", "new.txt"]
    assert (tmp_path / "media" / "kept.txt").read_text(encoding="utf-8") == "bản hiện tại"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left
    assert AuditEntry.objects.filter(action="backup").count() == 1
    assert not AuditEntry.objects.filter(action="restore").exists()


def test_a_backup_from_a_newer_version_is_refused():
    from haichieu.core.backup import _check_migrations

    with pytest.raises(BackupError, match="phiên bản Hai Chiều mới hơn.*core.9999_from_the_future"):
        _check_migrations({"migrations": {"core": ["0001_initial", "9999_from_the_future"]}})
    # An older backup is restored, and `migrate` is named for what it lacks.
    assert "core.0005_audit_backup_actions" in _check_migrations({"migrations": {"core": ["0001_initial"]}})


def test_a_file_cut_after_the_archive_ends_is_refused(tmp_path):
    """The tar ends before the stream does; cutting the stream's last chunk off still shows."""
    parts = {"database.sqlite3.gz": b"database"}
    with open(tmp_path / "whole.hcbak", "wb") as out:
        sealed = SealedWriter(out, KEY.encode())
        with tarfile.open(fileobj=sealed, mode="w|") as tar:
            for name, body in [*parts.items(), (MANIFEST, json.dumps(_manifest(parts)).encode())]:
                info = tarfile.TarInfo(name)
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
        sealed.write(b"\0" * (2 * backup_module.CHUNK + 10))  # padding past the tar's end
        sealed.close()
    data = (tmp_path / "whole.hcbak").read_bytes()
    (tmp_path / "ok").mkdir()
    assert _open_into(tmp_path / "whole.hcbak", KEY.encode(), tmp_path / "ok")["parts"]
    full_chunks = (len(data) - backup_module.HEADER_LEN) // (backup_module.CHUNK + backup_module.TAG)
    cut = data[: backup_module.HEADER_LEN + full_chunks * (backup_module.CHUNK + backup_module.TAG)]
    assert len(cut) < len(data)
    (tmp_path / "cut.hcbak").write_bytes(cut)
    (tmp_path / "cut").mkdir()
    with pytest.raises(BackupError, match="đã bị sửa hoặc hỏng"):
        _open_into(tmp_path / "cut.hcbak", KEY.encode(), tmp_path / "cut")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's server versions")
def test_a_dump_from_a_newer_postgresql_server_is_refused_before_anything_changes(tmp_path):
    from haichieu.core.backup import _pg_restore_checked

    newer = (connection.pg_version // 10000 + 1) * 10000
    with pytest.raises(BackupError, match=f"PostgreSQL {newer // 10000}, máy chủ đích là PostgreSQL"):
        _pg_restore_checked(tmp_path / "database.pgdump", {"database": {"server_version": newer}})
