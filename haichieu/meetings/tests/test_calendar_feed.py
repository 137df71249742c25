"""The subscribable calendar feed (issue 11, "upcoming meetings with a calendar feed"): a secret URL
per user that a calendar app polls without signing in. The token is signed with the server's key
and names a generation the user can move on ("make a new link"), which revokes the old URL. A bad,
forged or revoked token answers 404 and reveals nothing."""

import datetime

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from haichieu.core.models import AuditEntry
from haichieu.meetings import calendar, services
from haichieu.meetings.models import CalendarFeed, Meeting

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _meeting(world, cell, days, *, closed=False):
    meeting = services.meeting_create(
        actor=world.admin,
        cell=cell,
        kind="regular",
        date=TODAY + datetime.timedelta(days=days),
        start_time=datetime.time(19, 30),
        place="Nhà văn hóa",
        agenda="Thông báo tình hình địa phương.",
    )
    if closed:
        services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.OPEN)
        services.meeting_set_state(actor=world.admin, meeting=meeting, state=Meeting.State.CLOSED)
    return meeting


def _feed_url(user) -> str:
    return reverse("meetings:feed", args=[calendar.feed_token(user)])


def _events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_a_calendar_app_reads_the_members_meetings_without_signing_in(world):
    ahead = _meeting(world, world.r1c1, 10)
    recent = _meeting(world, world.r1c1, -5, closed=True)
    _meeting(world, world.r1c1, -400, closed=True)  # too old for the feed
    _meeting(world, world.r2c1, 3)  # another cell's: m1 is not invited
    events = _events(Client().get(_feed_url(world.member_user)))
    uids = sorted(str(e["uid"]) for e in events)
    assert uids == sorted(f"meeting-{m.pk}@haichieu" for m in (ahead, recent))
    assert all("Chi bộ" in str(e["summary"]) for e in events)


def test_a_cell_secretary_gets_the_cells_meetings(world):
    planned = _meeting(world, world.r1c1, 7)
    other = _meeting(world, world.r1c2, 7)
    events = _events(Client().get(_feed_url(world.r1c1_secretary)))
    assert [str(e["uid"]) for e in events] == [f"meeting-{planned.pk}@haichieu"]
    assert other.pk != planned.pk


def test_a_new_link_revokes_the_old_one_and_is_audited(world, client_for):
    _meeting(world, world.r1c1, 10)
    old = _feed_url(world.member_user)
    client = client_for(world.member_user)
    page = client.get(reverse("meetings:mine")).content.decode()
    assert old in page and "Google Calendar" in page  # the link and how to subscribe
    response = client.post(reverse("meetings:feed_renew"))
    assert response.status_code == 302 and response["Location"] == reverse("meetings:mine")
    new = _feed_url(world.member_user)
    assert new != old
    assert Client().get(old).status_code == 404
    assert len(_events(Client().get(new))) == 1
    assert new in client.get(reverse("meetings:mine")).content.decode()
    entry = AuditEntry.objects.get(target_type="meetings.calendarfeed")
    assert entry.actor == world.member_user and entry.action == "update"
    assert CalendarFeed.objects.get(user=world.member_user).generation == 1


def test_bad_forged_and_foreign_tokens_answer_404_and_reveal_nothing(world):
    member_token = calendar.feed_token(world.member_user)
    payload, _, signature = member_token.rpartition(":")
    forged = signing.Signer(salt="another.salt").sign_object({"u": world.member_user.pk, "g": 0})
    for token in (
        "x",
        "abc:def",
        f"{payload}:{signature[:-2]}zz",
        forged,
        signing.Signer(salt=calendar.FEED_SALT).sign_object({"u": 999999, "g": 0}),
        signing.Signer(salt=calendar.FEED_SALT).sign_object({"u": world.member_user.pk, "g": 5}),
        signing.Signer(salt=calendar.FEED_SALT).sign_object(["not", "a", "dict"]),
        signing.Signer(salt=calendar.FEED_SALT).sign_object({"u": "1", "g": "0"}),
    ):
        response = Client().get(reverse("meetings:feed", args=[token]))
        assert response.status_code == 404, token
        assert b"BEGIN:VCALENDAR" not in response.content
    # A user with neither a member record nor a cell to keep (nothing to show): 404 too.
    assert Client().get(_feed_url(world.outsider)).status_code == 404
    assert Client().get(_feed_url(world.w1_staff)).status_code == 404
    # A user switched off: the link stops.
    world.member_user.is_active = False
    world.member_user.save(update_fields=["is_active"])
    assert Client().get(reverse("meetings:feed", args=[member_token])).status_code == 404


def test_renewing_is_post_only_and_404_for_a_user_without_a_feed(world, client_for):
    assert client_for(world.member_user).get(reverse("meetings:feed_renew")).status_code == 405
    assert client_for(world.w1_staff).post(reverse("meetings:feed_renew")).status_code == 404
    assert not CalendarFeed.objects.exists()
    response = client_for(world.r1c1_secretary).post(reverse("meetings:feed_renew"))
    assert response.status_code == 302 and response["Location"] == reverse("meetings:list")


def test_the_secretary_finds_the_link_on_the_meetings_page(world, client_for):
    page = client_for(world.r1c1_secretary).get(reverse("meetings:list")).content.decode()
    assert _feed_url(world.r1c1_secretary) in page
    page = client_for(world.w1_staff).get(reverse("meetings:list")).content.decode()
    assert 'id="calendar-feed"' not in page


def test_the_feed_query_count_does_not_grow_with_the_meetings(world, django_assert_max_num_queries):
    for days in range(1, 4):
        _meeting(world, world.r1c1, days)
    url = _feed_url(world.member_user)
    with django_assert_max_num_queries(4):
        assert len(_events(Client().get(url))) == 3
    for day in range(4, 40):
        cell = world.r1c1 if day % 2 else world.r1c2
        _meeting(world, cell, day)
    with django_assert_max_num_queries(4):
        assert len(_events(Client().get(url))) == 21
