"""A meeting as an iCalendar entry (RFC 5545) made with the maintained `icalendar` library."""

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting

DEFAULT_LENGTH = datetime.timedelta(hours=2)


def meeting_ics(meeting: Meeting) -> bytes:
    return meetings_ics([meeting])


def meetings_ics(meetings) -> bytes:
    """One calendar with an entry per meeting (their cells read with them)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Hai Chieu//Sinh hoat chi bo//VI")
    calendar.add("version", "2.0")
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
