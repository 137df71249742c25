"""What `send_reminders` (liaisons/reminders.py) reminds of exemptions: those ending within
EXEMPTION_ENDING_WITHIN_DAYS and those ended without renewal, each once per state, to the
member's grassroots committee (the reminder job maps the cell to it)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from haichieu.members.models import Member

from . import rules
from .models import Exemption


def exemptions_due(today: datetime.date) -> Iterator[tuple[str, int]]:
    """(key, workplace cell id) of each exemption to remind of; the key names its state and end
    date, so a renewal's own end is reminded again and a reminded one never twice."""
    active = Exemption.objects.filter(member__status__in=Member.ACTIVE_STATUSES)
    for state, qs in (
        ("ending", rules.ending_soon(active, today)),
        ("ended", rules.ended_unrenewed(active, today)),
    ):
        for pk, end, cell_id in qs.values_list("pk", "end_date", "member__workplace_cell_id").iterator(
            chunk_size=5000
        ):
            yield f"exemption:{pk}:{state}:{end.isoformat()}", cell_id
