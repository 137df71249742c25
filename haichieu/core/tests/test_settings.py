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


def test_passwords_are_hashed_with_argon2_and_older_hashes_still_check():
    # The tests hash with MD5 for speed (conftest.py): read the project's own list.
    from django.contrib.auth.hashers import check_password, make_password
    from django.test import override_settings

    from haichieu import settings as project

    assert project.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=project.PASSWORD_HASHERS):
        assert make_password("Mat-khau-2026").startswith("argon2$")
        assert check_password("Mat-khau-2026", make_password("Mat-khau-2026", hasher="pbkdf2_sha256"))
