import datetime
import io
import json

import pytest
from django.core.management import call_command

from haichieu.liaisons import services
from haichieu.liaisons.models import InboxItem, ReminderSent
from haichieu.liaisons.reminders import send_reminders
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(world):
    hk = Commune.objects.get(code="00070")
    late = make_member(
        world.w1c1, "Phan Văn Muộn", residence_commune=hk, admission_date=datetime.date(2026, 1, 5)
    )
    fresh = make_member(
        world.w1c1, "Phan Văn Mới", residence_commune=hk, admission_date=datetime.date(2026, 11, 10)
    )
    secret = make_member(
        world.w1c2, "Phan Văn Kín", liaison_category="secret", admission_date=datetime.date(2020, 1, 1)
    )
    introduced = make_member(
        world.w1c2, "Phan Thị Chờ", residence_commune=hk, admission_date=datetime.date(2025, 1, 1)
    )
    services.liaison_introduce(actor=world.w1_staff, members=[introduced], today=datetime.date(2026, 10, 1))
    return late, fresh, secret, introduced


def test_reminds_each_overdue_item_once(world, overdue):
    today = datetime.date(2026, 11, 22)
    first = send_reminders(today=today)
    # m2 (no commune, admitted 2010) and "Phan Văn Muộn" are overdue for W1; the secret one never is.
    assert first["introduce"] == 2
    assert first["receive"] == 1  # the introduction of 01/10 was due 16/10
    assert first["sent"] == first["introduce"] + first["receive"] + first["digest"]
    assert InboxItem.objects.filter(kind="reminder", recipient_org=world.w1).count() == 1
    assert InboxItem.objects.filter(kind="reminder", recipient_org=world.r1).count() == 1
    again = send_reminders(today=today)
    assert again == {"introduce": 0, "receive": 0, "digest": 0, "exemption": 0, "comment": 0, "sent": 0}
    assert InboxItem.objects.filter(kind="reminder").count() == 2


def test_a_new_overdue_item_is_reminded_later(world, overdue):
    send_reminders(today=datetime.date(2026, 11, 22))
    later = send_reminders(today=datetime.date(2026, 12, 15))
    assert later["introduce"] == 1  # "Phan Văn Mới" is now past 30 days
    assert ReminderSent.objects.filter(kind="introduce").count() == 3


def test_overdue_digest_is_reminded(world):
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=datetime.date(2026, 8, 3),
        new_position="Phó phòng",
    )
    assert send_reminders(today=datetime.date(2026, 10, 10))["digest"] == 0  # within the 15 days' grace
    assert send_reminders(today=datetime.date(2026, 10, 20))["digest"] == 1
    assert send_reminders(today=datetime.date(2026, 10, 21))["digest"] == 0


def test_command_prints_json(world, overdue):
    out = io.StringIO()
    call_command("send_reminders", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"introduce", "receive", "digest", "exemption", "comment", "sent"}
    assert data["sent"] >= 2
    out = io.StringIO()
    call_command("send_reminders", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["sent"] == 0
    assert Member.objects.filter(full_name="Phan Văn Kín").exists()
