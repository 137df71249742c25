"""`haichieu ensure_admin` (issue 14): the first administrator from the environment, once."""

import pytest
from django.core.management import CommandError, call_command

from haichieu.accounts.models import User
from haichieu.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_it_creates_the_administrator_once_and_leaves_it_alone_after(monkeypatch):
    monkeypatch.setenv("HAICHIEU_ADMIN_USERNAME", "quantri")
    monkeypatch.setenv("HAICHIEU_ADMIN_PASSWORD", "Mật-khẩu-đủ-dài-2026")
    call_command("ensure_admin")
    admin = User.objects.get(username="quantri")
    assert admin.is_superuser and admin.is_staff and admin.check_password("Mật-khẩu-đủ-dài-2026")
    entry = AuditEntry.objects.get(action="create", target_repr__contains="quantri")
    assert "quản trị viên đầu tiên" in entry.note
    # At the next start, with another password: nothing changes.
    monkeypatch.setenv("HAICHIEU_ADMIN_PASSWORD", "Mật-khẩu-khác-2027")
    call_command("ensure_admin")
    admin.refresh_from_db()
    assert admin.check_password("Mật-khẩu-đủ-dài-2026")
    assert User.objects.filter(username="quantri").count() == 1
    assert AuditEntry.objects.filter(action="create", target_repr__contains="quantri").count() == 1


def test_without_the_variables_it_does_nothing(monkeypatch):
    monkeypatch.delenv("HAICHIEU_ADMIN_USERNAME", raising=False)
    count = User.objects.count()
    call_command("ensure_admin")
    assert User.objects.count() == count


def test_a_weak_or_missing_password_is_refused_and_nothing_is_written(monkeypatch):
    monkeypatch.setenv("HAICHIEU_ADMIN_USERNAME", "quantri")
    monkeypatch.delenv("HAICHIEU_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="HAICHIEU_ADMIN_PASSWORD"):
        call_command("ensure_admin")
    monkeypatch.setenv("HAICHIEU_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="chưa đạt"):
        call_command("ensure_admin")
    assert not User.objects.filter(username="quantri").exists()
    assert not AuditEntry.objects.filter(target_repr__contains="quantri").exists()
