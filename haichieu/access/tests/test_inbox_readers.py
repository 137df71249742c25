"""E-mail about an inbox item goes to exactly the people who can read that inbox (issue 8)."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from haichieu.access import inbox_readers, scope_for
from haichieu.accounts.models import Role, User
from haichieu.liaisons import selectors, services
from haichieu.liaisons.models import InboxItem

pytestmark = pytest.mark.django_db

MAIL = {"EMAIL_HOST": "mail.intranet", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def _people(world):
    """Staff of the ward with roles ending and starting around today, all with e-mail."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    cases = {
        "current": (today - 30 * day, None),
        "ends_tomorrow": (today - 30 * day, today + day),
        "ends_today": (today - 30 * day, today),
        "ended_yesterday": (today - 30 * day, today - day),
        "starts_today": (today, None),
        "starts_tomorrow": (today + day, None),
    }
    for name, (start, end) in cases.items():
        user = User.objects.create_user(username=name, email=f"{name}@ward.vn", password="x")
        Role.objects.create(
            user=user, organization=world.r1, kind=Role.Kind.STAFF, start_date=start, end_date=end
        )
    # Roles that never read this inbox: a plain member's, and staff of the ward's own cell.
    plain = User.objects.create_user(username="plain", email="plain@ward.vn", password="x")
    Role.objects.create(user=plain, organization=world.r1, kind=Role.Kind.MEMBER)
    cell = User.objects.create_user(username="cell", email="cell@ward.vn", password="x")
    Role.objects.create(user=cell, organization=world.r1c1, kind=Role.Kind.SECRETARY)
    User.objects.filter(username="r1_staff").update(email="r1_staff@ward.vn")


def _can_read_inbox(user, org) -> bool:
    user = User.objects.get(pk=user.pk)  # a fresh request's user: no cached scope
    return org.pk in scope_for(user).inbox_org_ids


@override_settings(**MAIL)
def test_email_goes_to_exactly_the_inbox_readers(world, django_capture_on_commit_callbacks):
    _people(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(org=world.r1, kind=InboxItem.Kind.INTRODUCTION, summary="Giới thiệu đảng viên")
    assert len(mail.outbox) == 1
    emailed = set(mail.outbox[0].to)
    readers = {u.email for u in User.objects.all() if u.email and _can_read_inbox(u, world.r1)}
    assert emailed == readers
    assert emailed == {
        "current@ward.vn",
        "ends_tomorrow@ward.vn",
        "ends_today@ward.vn",
        "starts_today@ward.vn",
        "r1_staff@ward.vn",
    }  # fmt: skip # one address a line would hide the set
    assert {u.email for u in inbox_readers(world.r1)} == emailed


def test_a_plain_member_role_does_not_read_the_cells_inbox(world):
    """The member's role on the workplace cell shows the member's own record, not the cell's letters."""
    InboxItem.objects.create(recipient_org=world.w1c1, kind=InboxItem.Kind.INTRODUCTION, summary="x")
    assert not selectors.inbox_for(world.member_user).exists()
    assert selectors.inbox_unread_count(world.member_user) == 0
    assert selectors.inbox_for(world.w1c1_secretary).count() == 1
    assert selectors.inbox_unread_count(world.w1c1_secretary) == 1


def test_role_active_on_is_the_one_definition(world):
    today = timezone.localdate()
    _people(world)
    active = set(
        Role.objects.active_on(today).filter(organization=world.r1).values_list("user__username", flat=True)
    )
    assert active == {"current", "ends_tomorrow", "ends_today", "starts_today", "r1_staff", "plain"}
    tomorrow = today + datetime.timedelta(days=1)
    later = set(
        Role.objects.active_on(tomorrow)
        .filter(organization=world.r1)
        .values_list("user__username", flat=True)
    )
    assert later == {"current", "ends_tomorrow", "starts_today", "starts_tomorrow", "r1_staff", "plain"}
