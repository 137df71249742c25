"""Backups: `haichieu backup --output FILE` and `haichieu restore FILE` (issue 14).

One file holds a consistent snapshot of the database and the stored files:

- the database: SQLite through its online backup API (a page-by-page copy that sees one moment,
  while the app keeps writing); PostgreSQL through `pg_dump --format=custom` (one snapshot
  transaction);
- the stored files under MEDIA_ROOT, when the deployment sets one (uploads live in the database
  today: exemption scans, Word templates);
- `manifest.json`: format version, database vendor, the applied migrations, when, and the sha256 of
  every part.

The parts are packed in a tar stream and encrypted as it is written (`SealedWriter`): AES-256-GCM
over 1 MiB chunks, each with its own nonce (a random prefix, the chunk number and a "last chunk"
flag, so chunks can be neither reordered nor cut off), the header as associated data. The key is
derived from `HAICHIEU_BACKUP_KEY` with scrypt and a random salt per file; the header carries an
HMAC made with a second derived key, so a wrong key is told apart from a damaged file before any
chunk is opened.

`restore` opens everything into a staging directory first (every chunk authenticated, every part
checked against the manifest), and only then touches the target: the stored files are swapped in
by renaming (and swapped back if the database step fails), the database is rebuilt in one step —
SQLite's backup API writes the whole target in one transaction, `pg_restore --single-transaction`
likewise — so a failure leaves the target as it was.
"""

from __future__ import annotations

import datetime
import getpass
import gzip
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .audit import audit_record
from .models import AuditEntry

FORMAT = 1
KEY_VARIABLE = "HAICHIEU_BACKUP_KEY"
MAGIC = b"HAICHIEU-BACKUP\n"
CHUNK = 1 << 20
TAG = 16
SALT_LEN = 16
NONCE_PREFIX_LEN = 7
KEY_CHECK_LEN = 32
HEADER_LEN = len(MAGIC) + 1 + SALT_LEN + NONCE_PREFIX_LEN + KEY_CHECK_LEN
# scrypt's cost (RFC 7914's interactive figures): about 0.1 s and 16 MiB per open, so a stolen file
# cannot be tried against many guessed keys cheaply.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_KEY_LENGTH = 16

MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3.gz"
PGDUMP_PART = "database.pgdump"
FILES_DIR = "files"
PART_NAME = re.compile(r"^(manifest\.json|database\.sqlite3\.gz|database\.pgdump|files/[^\x00]+)$")

# Rows that `migrate` itself writes (Django's bookkeeping and the data migrations' reference rows):
# a database holding only these is empty for `restore` (a fresh deployment migrates on start).
FILLED_BY_MIGRATE = [
    "contenttypes.ContentType",
    "auth.Permission",
    "comments.CommentForm",
    "comments.Criterion",
    "ratings.RatingScheme",
    "ratings.RatingLevel",
]
BOOKKEEPING_TABLES = {"django_migrations", "sqlite_sequence"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (Vietnamese) says why and what to do."""


# --- The key -------------------------------------------------------------------------------------


def backup_key(environ=None) -> bytes:
    """The secret from HAICHIEU_BACKUP_KEY; refused when missing or too short to be a key."""
    value = (environ if environ is not None else os.environ).get(KEY_VARIABLE, "").strip()
    if not value:
        raise BackupError(
            f"Chưa có khóa sao lưu: đặt biến môi trường {KEY_VARIABLE} (ví dụ tạo bằng "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`) và cất khóa ở nơi an toàn, "
            "tách khỏi các tệp sao lưu — mất khóa thì không khôi phục được."
        )
    if len(value) < MIN_KEY_LENGTH:
        raise BackupError(f"Khóa sao lưu {KEY_VARIABLE} quá ngắn: cần ít nhất {MIN_KEY_LENGTH} ký tự.")
    return value.encode()


def _derive(secret: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """(encryption key, key-check key): two independent 32-byte keys from one scrypt run."""
    material = Scrypt(salt=salt, length=64, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(secret)
    return material[:32], material[32:]


# --- The sealed stream ---------------------------------------------------------------------------


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class SealedWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given into `out`, chunk by chunk."""

    def __init__(self, out, secret: bytes):
        super().__init__()
        self._out = out
        salt = secrets.token_bytes(SALT_LEN)
        self._prefix = secrets.token_bytes(NONCE_PREFIX_LEN)
        key, check_key = _derive(secret, salt)
        head = MAGIC + bytes([FORMAT]) + salt + self._prefix
        self._header = head + hmac.new(check_key, head, hashlib.sha256).digest()
        self._aead = AESGCM(key)
        self._buffer = bytearray()
        self._counter = 0
        out.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk is flagged
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._out.write(self._aead.encrypt(nonce, chunk, self._header))
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


def _opened_chunks(src, secret: bytes) -> Iterator[bytes]:
    """The plaintext of a sealed stream, chunk by chunk, each authenticated before it is given out."""
    header = src.read(HEADER_LEN)
    if len(header) < HEADER_LEN or not header.startswith(MAGIC):
        raise BackupError("Tệp này không phải tệp sao lưu của Hai Chiều (hoặc đã bị cắt mất phần đầu).")
    if header[len(MAGIC)] != FORMAT:
        raise BackupError(
            f"Tệp sao lưu theo định dạng {header[len(MAGIC)]}, phiên bản này chỉ đọc định dạng {FORMAT}."
        )
    at = len(MAGIC) + 1
    salt, prefix = header[at : at + SALT_LEN], header[at + SALT_LEN : at + SALT_LEN + NONCE_PREFIX_LEN]
    key, check_key = _derive(secret, salt)
    expected = hmac.new(check_key, header[:-KEY_CHECK_LEN], hashlib.sha256).digest()
    if not hmac.compare_digest(expected, header[-KEY_CHECK_LEN:]):
        raise BackupError(
            f"Sai khóa: tệp sao lưu này được mã hóa bằng một khóa khác với {KEY_VARIABLE} hiện tại "
            "(hoặc phần đầu tệp đã bị sửa). Không khôi phục gì."
        )
    aead = AESGCM(key)
    counter = 0
    chunk = src.read(CHUNK + TAG)
    while True:
        following = src.read(CHUNK + TAG)
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, counter, last), chunk, header)
        except InvalidTag:
            raise BackupError(
                f"Tệp sao lưu đã bị sửa hoặc hỏng (đoạn thứ {counter + 1} không khớp mã xác thực, "
                "hoặc tệp bị cắt ngắn). Không khôi phục gì."
            ) from None
        if last:
            return
        chunk, counter = following, counter + 1


class OpenedReader(io.RawIOBase):
    """A read-only stream over `_opened_chunks` (what tarfile reads)."""

    def __init__(self, src, secret: bytes):
        super().__init__()
        self._chunks = _opened_chunks(src, secret)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


# --- Parts and the manifest ---------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader(io.RawIOBase):
    def __init__(self, f):
        super().__init__()
        self._f = f
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._f.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def _add_part(tar: tarfile.TarFile, name: str, path: Path, parts: dict) -> None:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime = int(path.stat().st_mtime)
    info.mode = 0o600
    with open(path, "rb") as f:
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    parts[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}


def media_root() -> Path | None:
    """Where stored files live (MEDIA_ROOT), or None when the deployment keeps none on disk."""
    return Path(settings.MEDIA_ROOT).resolve() if settings.MEDIA_ROOT else None


def applied_migrations() -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        state.setdefault(app_label, []).append(name)
    return state


def migrations_on_disk() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _quoted(table: str) -> str:
    return connection.ops.quote_name(table)


def data_tables() -> list[str]:
    """The tables that hold someone's data: all but the bookkeeping and what `migrate` fills."""
    skip = set(BOOKKEEPING_TABLES)
    for label in FILLED_BY_MIGRATE:
        try:
            skip.add(apps.get_model(label)._meta.db_table)
        except LookupError:
            pass
    return [t for t in connection.introspection.table_names() if t not in skip]


def database_holds_data() -> list[str]:
    """The data tables that have at least one row (empty list: the database is empty)."""
    with connection.cursor() as cursor:
        full = []
        for table in data_tables():
            cursor.execute(f"SELECT 1 FROM {_quoted(table)} LIMIT 1")
            if cursor.fetchone():
                full.append(table)
    return full


def _connect() -> None:
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        raise BackupError(f"Không kết nối được cơ sở dữ liệu đã cấu hình ({exc}).") from exc


# --- PostgreSQL's tools --------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    """The connection of `default` as libpq's environment variables (no password on a command line)."""
    db = connection.settings_dict
    options = db.get("OPTIONS", {})
    env = dict(os.environ)
    for variable, value in {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
        "PGAPPNAME": "haichieu-backup",
    }.items():
        if value:
            env[variable] = str(value)
    return env


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
    return int(match.group(1)) if match else None


def pg_tool(name: str, *, at_least: int) -> tuple[str, int]:
    """The path and major version of pg_dump or pg_restore, at least version `at_least`.

    Looked for in HAICHIEU_PG_BIN, then Debian's /usr/lib/postgresql/<version>/bin (newest first),
    then PATH. pg_dump refuses a server newer than itself; pg_restore cannot read a newer archive.
    """
    candidates: list[str] = []
    if os.environ.get("HAICHIEU_PG_BIN"):
        candidates.append(str(Path(os.environ["HAICHIEU_PG_BIN"]) / name))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted((p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: -int(p.name))
        candidates += [str(p / "bin" / name) for p in versions]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    found = []
    for path in candidates:
        if os.access(path, os.X_OK):
            major = _tool_major(path)
            if major is not None:
                if major >= at_least:
                    return path, major
                found.append(f"{path} (phiên bản {major})")
    if not found:
        raise BackupError(
            f"Không tìm thấy {name} trên máy này: cài gói postgresql-client-{at_least} (Debian) "
            "hoặc chỉ thư mục chứa nó bằng biến môi trường HAICHIEU_PG_BIN."
        )
    raise BackupError(
        f"{name} trên máy này cũ hơn cần thiết: cần phiên bản {at_least} trở lên, chỉ thấy "
        f"{', '.join(found)}. Cài gói postgresql-client-{at_least} hoặc đặt HAICHIEU_PG_BIN."
    )


def _run(args: list[str], what: str) -> str:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} không thành công: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _pgdump_tables(tool: str, dump: Path) -> set[str]:
    """The tables an archive creates (from `pg_restore --list`)."""
    listing = _run([tool, "--list", str(dump)], "Đọc mục lục bản sao lưu PostgreSQL")
    return {m.group(2) for m in re.finditer(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", listing, re.MULTILINE)}


# --- Backup ---------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    manifest: dict = field(default_factory=dict)


def backup_create(*, output: Path, secret: bytes, actor=None) -> BackupResult:
    """Write an encrypted snapshot of the database and the stored files to `output`.

    The file appears under its name only once complete (written beside it, then renamed). The
    audit entry is written after the snapshot, so a restored database shows its restore, not this.
    """
    output = Path(output).resolve()
    if output.is_dir():
        raise BackupError(f"{output} là một thư mục: hãy cho tên tệp sao lưu, ví dụ {output}/haichieu.hcbak.")
    if not output.parent.is_dir():
        raise BackupError(f"Thư mục {output.parent} không tồn tại.")
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Chưa sao lưu được cơ sở dữ liệu {vendor}: chỉ SQLite và PostgreSQL.")
    _connect()
    manifest: dict = {
        "format": FORMAT,
        "app": "haichieu",
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor},
        "migrations": applied_migrations(),
        "parts": {},
    }
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".haichieu-backup-") as staging:
        staging_dir = Path(staging)
        if vendor == "sqlite":
            part_name, part = SQLITE_PART, staging_dir / SQLITE_PART
            copy = staging_dir / "database.sqlite3"
            target = sqlite3.connect(copy)
            try:
                connection.connection.backup(target)  # one consistent moment, writers carry on
            finally:
                target.close()
            # pg_dump's archive is compressed already; an SQLite file shrinks to about a quarter.
            with open(copy, "rb") as raw, gzip.open(part, "wb", compresslevel=6) as packed:
                shutil.copyfileobj(raw, packed, CHUNK)
            copy.unlink()
            manifest["database"]["sqlite_version"] = sqlite3.sqlite_version
        else:
            server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
            tool, major = pg_tool("pg_dump", at_least=server_major)
            part_name, part = PGDUMP_PART, staging_dir / PGDUMP_PART
            _run(
                [tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={part}"],
                "pg_dump",
            )
            manifest["database"].update(server_version=connection.pg_version, pg_dump_version=major)  # type: ignore[attr-defined]
        manifest["database"]["part"] = part_name
        sealed_path = staging_dir / "sealed"
        with open(sealed_path, "wb") as out:
            sealed = SealedWriter(out, secret)
            with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                _add_part(tar, part_name, part, manifest["parts"])
                part.unlink()
                root = media_root()
                manifest["files_root"] = str(root) if root else None
                if root and root.is_dir():
                    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                        _add_part(
                            tar, f"{FILES_DIR}/{path.relative_to(root).as_posix()}", path, manifest["parts"]
                        )
                body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(body), 0o600, int(timezone.now().timestamp())
                tar.addfile(info, io.BytesIO(body))
            sealed.close()
            out.flush()
            os.fsync(out.fileno())
        os.chmod(sealed_path, 0o600)
        os.replace(sealed_path, output)
    result = BackupResult(
        path=output, size=output.stat().st_size, sha256=_sha256_file(output), manifest=manifest
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BACKUP,
            target_type="backup",
            target_repr=output.name,
            changes={
                "file": str(output),
                "size": result.size,
                "sha256": result.sha256,
                "database": vendor,
                "files": sum(1 for name in manifest["parts"] if name.startswith(FILES_DIR + "/")),
            },
            note=_command_line_note(),
        )
    return result


def _command_line_note() -> str:
    try:
        user = os.getlogin()
    except OSError:
        user = getpass.getuser()
    return f"Dòng lệnh, tài khoản hệ thống {user}"


# --- Restore --------------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    replaced_data: list[str]
    migrate_needed: list[str]
    audited: bool = True


def _open_into(path: Path, secret: bytes, staging: Path) -> dict:
    """Open a backup file into `staging`: every chunk authenticated, every part checked against the
    manifest, nothing outside the parts the format knows. Returns the manifest."""
    try:
        src = open(path, "rb")
    except OSError as exc:
        raise BackupError(f"Không mở được tệp sao lưu {path}: {exc.strerror}.") from exc
    seen: dict[str, str] = {}
    with src, OpenedReader(src, secret) as reader:
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    name = member.name
                    if (
                        not member.isfile()
                        or not PART_NAME.match(name)
                        or name in seen
                        or any(p in ("", ".", "..") for p in name.split("/"))
                    ):
                        raise BackupError(f"Tệp sao lưu chứa mục không hợp lệ: {name!r}. Không khôi phục gì.")
                    dest = staging / name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    with open(dest, "wb") as out:
                        while block := extracted.read(CHUNK):
                            digest.update(block)
                            out.write(block)
                    seen[name] = digest.hexdigest()
                # Read on to the flagged last chunk, past the tar's end: a file cut there is refused too.
                while reader.read(CHUNK):
                    pass
        except tarfile.TarError as exc:
            raise BackupError(f"Nội dung tệp sao lưu hỏng ({exc}). Không khôi phục gì.") from exc
    if MANIFEST not in seen:
        raise BackupError("Tệp sao lưu thiếu bản kê (manifest.json). Không khôi phục gì.")
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
        parts = manifest["parts"]
        vendor = manifest["database"]["vendor"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(
            "Bản kê (manifest.json) của tệp sao lưu không đọc được. Không khôi phục gì."
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"Bản kê theo định dạng {manifest.get('format')}, phiên bản này đọc định dạng {FORMAT}."
        )
    contents = {name: sha for name, sha in seen.items() if name != MANIFEST}
    for name, sha in sorted(contents.items()):
        if name not in parts:
            raise BackupError(f"Tệp sao lưu có phần {name} không có trong bản kê. Không khôi phục gì.")
        if parts[name].get("sha256") != sha:
            raise BackupError(f"Phần {name} không khớp mã kiểm tra sha256 trong bản kê. Không khôi phục gì.")
    missing = sorted(set(parts) - set(contents))
    if missing:
        raise BackupError(f"Tệp sao lưu thiếu phần {', '.join(missing)}. Không khôi phục gì.")
    if manifest["database"].get("part") not in contents:
        raise BackupError("Tệp sao lưu không có phần cơ sở dữ liệu. Không khôi phục gì.")
    if vendor != connection.vendor:
        raise BackupError(
            f"Tệp sao lưu là cơ sở dữ liệu {vendor}, cơ sở dữ liệu đang cấu hình là {connection.vendor}: "
            "khôi phục vào cùng loại cơ sở dữ liệu."
        )
    return manifest


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup made by a newer version of the code; return what `migrate` must still apply."""
    backed_up = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    on_disk = migrations_on_disk()
    unknown = sorted(backed_up - on_disk)
    if unknown:
        shown = ", ".join(f"{a}.{n}" for a, n in unknown[:5])
        raise BackupError(
            f"Tệp sao lưu được tạo bởi phiên bản Hai Chiều mới hơn (có migration chưa có ở đây: {shown}"
            f"{'…' if len(unknown) > 5 else ''}). Cài phiên bản đó rồi khôi phục."
        )
    return sorted(f"{a}.{n}" for a, n in on_disk - backed_up)


def _sqlite_checked(part: Path) -> Path:
    """The backup's SQLite database unpacked beside its part and checked (before any change)."""
    database = part.with_suffix("")
    try:
        with gzip.open(part, "rb") as packed, open(database, "wb") as raw:
            shutil.copyfileobj(packed, raw, CHUNK)
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as source:
            verdict = source.execute("PRAGMA quick_check").fetchone()[0]
    except (OSError, EOFError, zlib.error, sqlite3.Error) as exc:
        raise BackupError(f"Cơ sở dữ liệu trong tệp sao lưu hỏng ({exc}). Không khôi phục gì.") from exc
    if verdict != "ok":
        raise BackupError(f"Cơ sở dữ liệu trong tệp sao lưu hỏng ({verdict}). Không khôi phục gì.")
    return database


def _restore_sqlite(database: Path) -> None:
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        connection.close()
        connection.ensure_connection()
        try:
            # The backup API writes the whole target in one transaction: all of it or none of it.
            source.backup(connection.connection)
        except sqlite3.Error as exc:
            raise BackupError(
                f"Ghi cơ sở dữ liệu SQLite không thành công ({exc}); dữ liệu cũ giữ nguyên."
            ) from exc
    finally:
        source.close()
        connection.close()


def _pg_restore_checked(part: Path, manifest: dict) -> str:
    """pg_restore able to read the archive, once the target is known to take it (before any change)."""
    made_on = int(manifest["database"].get("server_version") or 0) // 10000
    target = connection.pg_version // 10000  # type: ignore[attr-defined]
    if made_on > target:
        raise BackupError(
            f"Bản sao lưu được tạo từ PostgreSQL {made_on}, máy chủ đích là PostgreSQL {target}: khôi phục "
            f"vào máy chủ PostgreSQL {made_on} trở lên."
        )
    tool, _ = pg_tool("pg_restore", at_least=int(manifest["database"].get("pg_dump_version") or 0))
    in_dump = _pgdump_tables(tool, part)
    extra = sorted(set(connection.introspection.table_names()) - in_dump)
    if extra:
        raise BackupError(
            "Cơ sở dữ liệu đích có bảng không có trong bản sao lưu "
            f"({', '.join(extra[:5])}{'…' if len(extra) > 5 else ''}): khôi phục vào một cơ sở dữ liệu "
            "trống (createdb) hoặc đã migrate bằng đúng phiên bản tạo bản sao lưu."
        )
    return tool


def _restore_postgresql(tool: str, part: Path, *, clean: bool) -> None:
    connection.close()
    args = [tool, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run(
        [*args, f"--dbname={connection.settings_dict['NAME']}", str(part)],
        "pg_restore (dữ liệu cũ giữ nguyên)",
    )


def _swap_files(new_root: Path | None, root: Path) -> Path | None:
    """Put the restored files in place of `root`; returns where the old files went (to put back)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if root.exists():
        old = root.with_name(f".{root.name}.before-restore-{secrets.token_hex(4)}")
        os.replace(root, old)
    if new_root is not None:
        os.replace(new_root, root)
    else:
        root.mkdir()
    return old


def backup_restore(*, path: Path, secret: bytes, force: bool = False, actor=None) -> RestoreResult:
    """Rebuild the database and the stored files from a backup made by `backup_create`.

    Refuses a file made with another key, a damaged or altered one (authentication tag, manifest
    checksums), one made by a newer version, and a target database that holds data unless `force`.
    """
    path = Path(path).resolve()
    _connect()
    root = media_root()
    # Beside the stored files, so the restored ones are renamed into place (same file system).
    staging_parent = root.parent if root else None
    if staging_parent is not None:
        staging_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".haichieu-restore-") as staging:
        staging_dir = Path(staging)
        manifest = _open_into(path, secret, staging_dir)
        migrate_needed = _check_migrations(manifest)
        files = [n for n in manifest["parts"] if n.startswith(FILES_DIR + "/")]
        if files and root is None:
            raise BackupError(
                f"Tệp sao lưu có {len(files)} tệp lưu trữ nhưng MEDIA_ROOT chưa được đặt: đặt MEDIA_ROOT rồi khôi phục."
            )
        holding = database_holds_data()
        if holding and not force:
            raise BackupError(
                f"Cơ sở dữ liệu đích đang có dữ liệu (bảng {', '.join(holding[:5])}{'…' if len(holding) > 5 else ''}): "
                "không khôi phục đè. Dùng một cơ sở dữ liệu trống, hoặc thêm --force để thay toàn bộ dữ liệu "
                "hiện có bằng bản sao lưu."
            )
        part = staging_dir / manifest["database"]["part"]
        if connection.vendor == "sqlite":
            sqlite_database, pg_restore = _sqlite_checked(part), ""
        else:
            sqlite_database, pg_restore = part, _pg_restore_checked(part, manifest)
        old_files = None
        if root is not None:
            new_root = staging_dir / FILES_DIR if (staging_dir / FILES_DIR).is_dir() else None
            old_files = _swap_files(new_root, root)
        try:
            if connection.vendor == "sqlite":
                _restore_sqlite(sqlite_database)
            else:
                clean = bool(connection.introspection.table_names())
                _restore_postgresql(pg_restore, part, clean=clean)
        except BaseException:
            if root is not None:  # put the stored files back as they were
                shutil.rmtree(root, ignore_errors=True)
                if old_files is not None:
                    os.replace(old_files, root)
            raise
        if old_files is not None:
            shutil.rmtree(old_files, ignore_errors=True)
    connection.close()
    result = RestoreResult(
        manifest=manifest, files=len(files), replaced_data=holding, migrate_needed=migrate_needed
    )
    try:
        _audit_restore(actor=actor, path=path, manifest=manifest, files=len(files), replaced=bool(holding))
    except DatabaseError:
        # The data is back; a database from an older version may lack the log's current columns.
        result.audited = False
    return result


def _audit_restore(*, actor, path: Path, manifest: dict, files: int, replaced: bool) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.RESTORE,
            target_type="backup",
            target_repr=path.name,
            changes={
                "file": str(path),
                "sha256": _sha256_file(path),
                "created_at": manifest.get("created_at"),
                "database": manifest["database"]["vendor"],
                "files": files,
                "replaced_data": replaced,
            },
            note=_command_line_note(),
        )


def restore_time_label(manifest: dict) -> str:
    try:
        made = datetime.datetime.fromisoformat(manifest["created_at"])
    except (KeyError, ValueError):
        return "không rõ"
    return timezone.localtime(made).strftime("%d/%m/%Y %H:%M")
