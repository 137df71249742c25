"""`make load` at a tiny size: the script itself (gunicorn, locust, the data put back), on a small
data set of its own (SQLite in a temporary directory, or a scratch PostgreSQL database beside
DATABASE_URL, dropped afterwards). About 20 s."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {"requests", "errors", "rps", "p50_ms", "p95_ms", "p99_ms"}
MEMBERS = 300


class Database:
    """The small data set's database, read directly (the script runs in other processes)."""

    def __init__(self, tmp_path: Path):
        url = os.environ.get("DATABASE_URL", "").strip()
        self.env = {"BENCH_MEMBERS": str(MEMBERS)}
        if url:
            parts = urlsplit(url)
            self.url = urlunsplit(parts._replace(path=f"{parts.path}_loadtest"))
            self.admin = urlunsplit(parts._replace(path="/postgres"))
            self.env["BENCH_DATABASE_URL"] = self.url
        else:
            self.url = ""
            self.path = tmp_path / "load.sqlite3"
            self.env["BENCH_SQLITE_PATH"] = str(self.path)

    def count(self, table: str) -> int:
        if self.url:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        with sqlite3.connect(self.path) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def drop(self) -> None:
        if self.url:
            import psycopg

            name = urlsplit(self.url).path.lstrip("/")
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    yield db
    db.drop()


def test_make_load_prints_its_figures_and_puts_the_data_back(database):
    env = {
        **os.environ,
        **database.env,
        "LOAD_USERS": "2",
        "LOAD_SECONDS": "5",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run = subprocess.run(
        [sys.executable, "-m", "bench.load"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1, run.stdout  # one JSON object, the logs on stderr
    result = json.loads(lines[0])
    assert {"users", "seconds", *FIGURES, "sign_in", "steady", "pages"} <= set(result)
    assert result["users"] == 2 and 4 <= result["seconds"] <= 15
    assert result["members"] == MEMBERS
    assert result["database"] == ("postgresql" if database.url else "sqlite")
    assert result["errors"] == 0 and result["requests"] > 0
    assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    # Both users signed in: the provincial one with the second step (a recovery code of the run).
    sign_in = result["sign_in"]
    assert FIGURES <= set(sign_in) and sign_in["errors"] == 0 and sign_in["users"] == 2
    assert sign_in["requests"] == 2 * 2 + 1, sign_in  # the login page and the password twice, one code
    # The provincial user's first task: the import's upload and preview.
    assert result["pages"]["member_import: preview"]["errors"] == 0
    assert "sign_in: password" not in result["pages"]
    # The data as found: no session, recovery code or audit entry of the run, nothing imported.
    assert database.count("django_session") == 0
    assert database.count("otp_static_statictoken") == 0
    # (the seed writes a few entries of its own: the run's are the sign-ins, the member pages read
    # and the taps)
    assert (
        database.count(
            "core_auditentry WHERE action IN ('login', 'view') OR target_type = 'meetings.attendance'"
        )
        == 0
    )
    assert "data put back" in run.stderr
    # PostgreSQL's CPU per request: the run's backends and the whole server, read from /proc.
    if database.url:
        assert result["db_backends"] >= 1
        assert result["db_cpu_ms_per_request"] > 0 and result["db_server_cpu_ms_per_request"] > 0
    else:
        assert result["db_cpu_ms_per_request"] is None and result["db_server_cpu_ms_per_request"] is None
