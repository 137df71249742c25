import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from haichieu.core.models import AuditEntry
from haichieu.liaisons import services

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def notices(world):
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=DAY,
        new_position="=Trưởng phòng",
    )
    services.member_record_event(actor=world.w2_staff, member=world.m3, kind="long_absence", event_date=DAY)


def names(response):
    return [n.member.full_name for n in response.context["rows"]]


def test_each_side_sees_the_notices_it_sent_or_received(world, client_for, notices):
    assert names(client_for(world.w1_staff).get(reverse("liaisons:notices"))) == ["Nguyễn Văn An"]
    assert names(client_for(world.r1_staff).get(reverse("liaisons:notices"))) == ["Nguyễn Văn An"]
    assert names(client_for(world.r2_staff).get(reverse("liaisons:notices"))) == ["Lê Đức Cường"]
    assert sorted(names(client_for(world.province_staff).get(reverse("liaisons:notices")))) == [
        "Lê Đức Cường",
        "Nguyễn Văn An",
    ]


def test_filters_and_bad_dates(world, client_for, notices):
    client = client_for(world.province_staff)
    assert names(client.get(reverse("liaisons:notices"), {"kind": "long_absence"})) == ["Lê Đức Cường"]
    assert names(client.get(reverse("liaisons:notices"), {"start": "03/11/2026"})) == []
    response = client.get(reverse("liaisons:notices"), {"start": "32/11/2026"})
    assert "Từ ngày không hợp lệ" in response.content.decode()


def test_export_is_what_the_list_shows_and_is_audited(world, client_for, notices):
    response = client_for(world.w1_staff).get(reverse("liaisons:notices"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "STT")
    assert list(rows[header_at]) == [
        "STT",
        "Ngày biến động",
        "Họ và tên",
        "Loại biến động",
        "Nơi gửi",
        "Nơi nhận",
        "Nội dung",
        "Ngày gửi",
    ]
    data = rows[header_at + 1 :]
    assert [r[2] for r in data] == ["Nguyễn Văn An"]
    assert data[0][1].date() == DAY  # a real date, not text
    assert data[0][6] == "Chức vụ mới: =Trưởng phòng."
    assert AuditEntry.objects.filter(action="export", actor=world.w1_staff).exists()


def test_an_event_left_out_of_notified_events_is_recorded_but_not_sent(world, settings, monkeypatch):
    """NOTIFIED_EVENTS (settings) decides which changes the residence side hears of: another is
    still recorded, changes the member and ends the link, but sends no notice."""
    from haichieu.liaisons.models import InboxItem, Liaison

    notified = [
        k for k in settings.HAICHIEU["RULES"]["NOTIFIED_EVENTS"] if k not in ("position_change", "deceased")
    ]
    monkeypatch.setitem(settings.HAICHIEU["RULES"], "NOTIFIED_EVENTS", notified)
    result = services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=DAY,
        new_position="Phó phòng",
    )
    assert result.notice.recipient_org is None
    assert not InboxItem.objects.filter(recipient_org=world.r1).exists()
    world.m1.refresh_from_db()
    assert world.m1.position == "Phó phòng"
    result = services.member_record_event(
        actor=world.w1_staff, member=world.m1, kind="deceased", event_date=DAY
    )
    assert result.notice.recipient_org is None and result.ended.status == Liaison.Status.ENDED
    assert not InboxItem.objects.filter(recipient_org=world.r1).exists()
    # A kind still notified goes to the commune committee as before.
    services.member_record_event(actor=world.w2_staff, member=world.m3, kind="long_absence", event_date=DAY)
    assert InboxItem.objects.filter(recipient_org=world.r2, kind=InboxItem.Kind.NOTICE).count() == 1
