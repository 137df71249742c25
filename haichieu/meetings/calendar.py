"""A meeting as an iCalendar entry (RFC 5545) made with the maintained `icalendar` library, and the
secret link of a user's subscribable calendar (`feed_token`, `feed_user`).

A calendar app polls its subscriptions without signing in, so the feed's URL is its own key: it
names the user and the generation of their link (`CalendarFeed`), signed with the server's key
under its own salt. Making a new link moves the generation on and every older link stops working.
A token that is malformed, forged, revoked, or names a user switched off gives no user (404).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from .models import CalendarFeed, Meeting

DEFAULT_LENGTH = datetime.timedelta(hours=2)


def meeting_ics(meeting: Meeting) -> bytes:
    return meetings_ics([meeting])


def meetings_ics(meetings, *, name: str = "") -> bytes:
    """One calendar with an entry per meeting (their cells read with them); `name`: the title a
    calendar app gives a subscribed calendar."""
    calendar = Calendar()
    calendar.add("prodid", "-//Hai Chieu//Sinh hoat chi bo//VI")
    calendar.add("version", "2.0")
    if name:
        calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()


def _event(meeting: Meeting) -> Event:
    start = timezone.make_aware(
        datetime.datetime.combine(meeting.date, meeting.start_time), timezone.get_default_timezone()
    )
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{settings.HAICHIEU.get('CALENDAR_DOMAIN', 'haichieu')}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", start + DEFAULT_LENGTH)
    event.add("summary", f"{meeting.get_kind_display()} — {meeting.cell.name}")
    event.add("location", meeting.place)
    event.add("description", meeting.agenda)
    if meeting.state == Meeting.State.CLOSED:
        event.add("status", "CONFIRMED")
    return event


FEED_SALT = "haichieu.meetings.calendar-feed"


def feed_token(user) -> str:
    """The secret of the user's calendar link now (one query)."""
    generation = CalendarFeed.objects.filter(user=user).values_list("generation", flat=True).first() or 0
    return signing.Signer(salt=FEED_SALT).sign_object({"u": user.pk, "g": generation}, compress=False)


def feed_user(token: str):
    """The active user whose current link `token` is; None for anything else (one query at most)."""
    try:
        data = signing.Signer(salt=FEED_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None
    if not isinstance(data, dict):
        return None
    user_id, generation = data.get("u"), data.get("g")
    if type(user_id) is not int or type(generation) is not int or user_id <= 0 or generation < 0:
        return None
    current = Q(calendar_feed__generation=generation)
    if generation == 0:  # no link made anew yet: no row
        current |= Q(calendar_feed__isnull=True)
    return get_user_model().objects.filter(current, pk=user_id, is_active=True).first()
