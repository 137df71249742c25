import os
import secrets
import subprocess
import sys


def run_check(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "HAICHIEU_PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "haichieu.manage", "check", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_the_insecure_default_secret():
    result = run_check(HAICHIEU_PRODUCTION="1")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = run_check(
        "--deploy", "--fail-level", "WARNING", HAICHIEU_PRODUCTION="1", SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert result.returncode == 0, result.stderr


def run_python(code: str, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"SECRET_KEY", "HAICHIEU_PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "DATABASE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; " + code],
        env={**environment, "DJANGO_SETTINGS_MODULE": "haichieu.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_outside_debug_a_weak_key_refuses_to_start():
    result = run_check(SECRET_KEY="a" * 50)
    assert result.returncode != 0
    assert "SECRET_KEY is weak" in result.stderr
    assert run_check(SECRET_KEY="a" * 50, DEBUG="1").returncode == 0  # a developer's own machine


def test_production_refuses_debug():
    result = run_check(HAICHIEU_PRODUCTION="1", SECRET_KEY=secrets.token_urlsafe(50), DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_without_a_key_each_installation_makes_its_own(tmp_path):
    first = run_python("print(settings.SECRET_KEY)", HAICHIEU_VAR_DIR=str(tmp_path / "a"))
    again = run_python("print(settings.SECRET_KEY)", HAICHIEU_VAR_DIR=str(tmp_path / "a"))
    other = run_python("print(settings.SECRET_KEY)", HAICHIEU_VAR_DIR=str(tmp_path / "b"))
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout != other.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_sqlite_named_by_url_gets_the_same_options(tmp_path):
    code = "d = settings.DATABASES['default']; print(d['OPTIONS']['transaction_mode'], d['OPTIONS']['timeout'], 'WAL' in d['OPTIONS']['init_command'])"
    by_url = run_python(code, DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3", SQLITE_PATH="")
    by_default = run_python(code, SQLITE_PATH=str(tmp_path / "y.sqlite3"))
    assert by_url.returncode == 0, by_url.stderr
    assert by_url.stdout == by_default.stdout == "IMMEDIATE 20 True\n"


def test_passwords_are_hashed_with_argon2_and_older_hashes_still_check():
    # The tests hash with MD5 for speed (conftest.py): read the project's own list.
    from django.contrib.auth.hashers import check_password, make_password
    from django.test import override_settings

    from haichieu import settings as project

    assert project.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=project.PASSWORD_HASHERS):
        assert make_password("Mat-khau-2026").startswith("argon2$")
        assert check_password("Mat-khau-2026", make_password("Mat-khau-2026", hasher="pbkdf2_sha256"))
