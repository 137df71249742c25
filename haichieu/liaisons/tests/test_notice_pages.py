"""Issue 15, item 9: the notices page on a phone — each notice opens on its own page (scoped), and
the date filters are the browser's date pickers, read as yyyy-mm-dd or dd/mm/yyyy."""

import datetime

import pytest
from django.urls import reverse

from haichieu.liaisons.models import ChangeNotice

pytestmark = pytest.mark.django_db


def _notice(world, *, sender=None, recipient=None, details="Đi công tác dài ngày ở tỉnh Lào Cai."):
    return ChangeNotice.objects.create(
        member=world.m1,
        kind="long_absence",
        direction="to_residence",
        sender_org=sender or world.w1,
        recipient_org=recipient or world.r1,
        event_date=datetime.date(2026, 11, 3),
        details=details,
    )


def test_a_notice_has_its_own_page_for_its_sender_and_receiver(world, client_for):
    notice = _notice(world)
    url = reverse("liaisons:notice", args=[notice.pk])
    for user in (world.w1_staff, world.r1_staff, world.province_staff):
        page = client_for(user).get(url).content.decode()
        assert "Đi công tác dài ngày ở tỉnh Lào Cai." in page and "03/11/2026" in page, user
        assert "Đảng bộ Sở Tài chính" in page and world.r1.name in page
    # The list links every row (the table's name and the phone's card) to it.
    listed = client_for(world.w1_staff).get(reverse("liaisons:notices")).content.decode()
    assert listed.count(f'href="{url}"') == 2 and 'id="notice-cards"' in listed


def test_a_notice_outside_the_scope_is_404(world, client_for):
    notice = _notice(world, sender=world.w2, recipient=world.r2)
    url = reverse("liaisons:notice", args=[notice.pk])
    for user in (world.w1_staff, world.r1_staff, world.r1c1_secretary, world.outsider, world.member_user):
        assert client_for(user).get(url).status_code == 404, user
        assert client_for(user).post(url).status_code == 404, user
    assert client_for(world.w2_staff).get(url).status_code == 200


def test_date_filters_are_date_pickers_and_read_both_forms(world, client_for):
    _notice(world)
    client = client_for(world.w1_staff)
    page = client.get(reverse("liaisons:notices")).content.decode()
    assert 'type="date" name="start"' in page and 'placeholder="dd/mm/yyyy"' not in page
    for start in ("2026-11-03", "03/11/2026"):
        page = client.get(reverse("liaisons:notices"), {"start": start}).content.decode()
        assert "Lào Cai" in page and 'value="2026-11-03"' in page, start
    page = client.get(reverse("liaisons:notices"), {"start": "2026-11-04"}).content.decode()
    assert "Lào Cai" not in page
    page = client.get(reverse("liaisons:notices"), {"start": "2026-02-31"}).content.decode()
    assert "Từ ngày không hợp lệ" in page
