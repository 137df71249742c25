"""App servers started as the deployment starts them (deploy/gunicorn.conf.py), on a free loopback
port, for the deployment tests (issue 14)."""

from __future__ import annotations

import contextlib
import os
import shutil
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
# Debian's nginx (scripts/ensure-nginx.sh); /usr/sbin is not on every user's PATH.
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def stop(process: subprocess.Popen) -> None:
    """End a server the test started: politely, then for good after 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
        stop(process)


def _command_environment(**env: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HAICHIEU_"))}
    environment.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "haichieu.settings",
            "SECRET_KEY": settings.SECRET_KEY,
            **env,
        }
    )
    return environment


@contextlib.contextmanager
def worker_process(var_dir: Path, **env: str):
    """`haichieu db_worker` as the deployment runs it (compose's worker service, systemd's
    haichieu-worker.service), beating every second; stopped on exit."""
    var_dir.mkdir(parents=True, exist_ok=True)
    log = var_dir / "worker.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "haichieu.manage", "db_worker"],
            env=_command_environment(
                HAICHIEU_VAR_DIR=str(var_dir),
                HAICHIEU_WORKER_HEARTBEAT_SECONDS="1",
                HAICHIEU_WORKER_SCHEDULE_JSON="{}",
                **env,
            ),
            cwd=var_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, log
    finally:
        stop(process)


def manage(*args: str, **env: str) -> str:
    """`haichieu ARGS` in a subprocess, with the test process's key; its output."""
    environment = _command_environment(**env)
    result = subprocess.run(
        [sys.executable, "-m", "haichieu.manage", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@contextlib.contextmanager
def nginx_in_front(site: str, tmp: Path, *, app: str, certs: Path, static: Path):
    """Debian's nginx running `site` (deploy/nginx/haichieu.conf as docs/deploy.md installs it) on
    free loopback ports, with only what a test cannot take from the server changed: the app's address
    (`app`, host:port, for the socket), the ports, the certificate folder and the static files' folder.
    Yields (http base, https base)."""
    http_port, https_port = free_port(), free_port()
    replacements = [
        ("server unix:/run/haichieu/gunicorn.sock", f"server {app}"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/haichieu/certs/", f"{certs}/"),
        ("/var/lib/haichieu/static/", f"{static}/"),
    ]
    for old, new in replacements:
        assert old in site, f"the site file no longer says {old!r}"
        site = site.replace(old, new)
    # IPv6 may be absent in the sandbox; the test listens on 127.0.0.1 only.
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "site.conf").write_text(site)
    temp = tmp / "temp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private folders
    (tmp / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp}/site.conf;
}}
"""
    )
    command = [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"nginx stopped: {(tmp / 'error.log').read_text()[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", https_port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise AssertionError("nginx did not listen")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}"
    finally:
        stop(process)
