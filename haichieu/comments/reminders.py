"""What `send_reminders` (liaisons/reminders.py) reminds of comment requests: each one not answered
once when its deadline comes within COMMENT_REMIND_WITHIN_DAYS and once more when it has passed, to
the residential cell that answers it (its inbox)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from . import rules
from .models import CommentRequest


def comment_requests_due(today: datetime.date) -> Iterator[tuple[str, int]]:
    """(key, residential cell id) of each request to remind of; the key names its state and deadline,
    so a request is reminded once near its deadline and once overdue, never twice for either."""
    for state, q in (("soon", rules.due_soon_q(today)), ("overdue", rules.overdue_q(today))):
        for pk, deadline, cell_id in (
            CommentRequest.objects.filter(q)
            .values_list("pk", "deadline", "cell_id")
            .iterator(chunk_size=5000)
        ):
            yield f"comment:{pk}:{state}:{deadline.isoformat()}", cell_id
