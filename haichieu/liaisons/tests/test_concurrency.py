"""Users acting at once get answers, never a server error, and nothing is written twice."""

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _postgres_url() -> tuple[str, str]:
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"hc_concurrency_{uuid.uuid4().hex[:8]}"
    return name, urlunsplit(parts._replace(path=f"/{name}"))


def _server(sql: str) -> None:
    """A statement outside any transaction (CREATE/DROP DATABASE), on the test server."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(sql)


def test_many_users_at_once_get_answers_and_nothing_twice(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["HAICHIEU_VAR_DIR"] = str(tmp_path)
    env["ALLOWED_HOSTS"] = "testserver"
    created = None
    if connection.vendor == "postgresql":
        created, env["DATABASE_URL"] = _postgres_url()
        _server(f'CREATE DATABASE "{created}"')
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path}/concurrency.sqlite3"  # named by URL, as the review did
    try:
        result = subprocess.run(
            [sys.executable, "-m", "haichieu.liaisons.tests.concurrency_probe"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip # one call
    finally:
        if created:
            _server(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    for kind, statuses in found["statuses"].items():
        assert len(statuses) == 5 and set(statuses) <= {200, 302}, (kind, statuses, result.stderr[-3000:])
    assert found["introduced_each"] == 5
    assert found["links_of_same"] == 1
    # Seven letters from the threads (one a batch confirmed five times at once), one made before them
    # (the link whose report is confirmed).
    assert found["letters"] == found["distinct_letter_numbers"] == 8
    assert found["letters_of_batched"] == 1
    assert found["groups"] == 1
    # A cell's report sent five times makes one; a report confirmed five times ends the link once.
    assert (found["reports_of_same"], found["reported_link"]) == (1, "active")
    assert (found["notices_of_confirmed"], found["confirmed_link"]) == (1, "ended")
