"""App servers started as the deployment starts them (deploy/gunicorn.conf.py), on a free loopback
port, for the deployment tests (issue 14)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the test database this test process uses (PostgreSQL)."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def app_server(var_dir: Path, **env: str):
    """gunicorn with one worker on a free port; yields its base URL once /healthz answers."""
    port = free_port()
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HAICHIEU_", "GUNICORN_", "DATABASE_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "haichieu.settings",
            # The test process's key: the sessions it makes are valid on the servers.
            "SECRET_KEY": settings.SECRET_KEY,
            "HAICHIEU_VAR_DIR": str(var_dir),
            "HAICHIEU_TWO_FACTOR_REQUIRED": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_ACCESS_LOG": "",
            **env,
        }
    )
    log = var_dir / f"gunicorn-{port}.log"
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "haichieu.wsgi"],
            env=environment,
            cwd=var_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn stopped: {log.read_text()[-3000:]}")
            try:
                requests.get(f"{base}/healthz", timeout=15)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not answer: {log.read_text()[-3000:]}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def manage(*args: str, **env: str) -> str:
    """`haichieu ARGS` in a subprocess, with the test process's key; its output."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HAICHIEU_"))}
    environment.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "haichieu.settings",
            "SECRET_KEY": settings.SECRET_KEY,
            **env,
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "haichieu.manage", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
