"""Reads of reports from a replica (issue 14).

With DATABASE_REPLICA_URL set, settings.py adds a "replica" database and this router. Only the
reads made inside `replica_reads()` (the statistics pages and the exports, through
`@reads_from_replica`) go there; every other read and every write goes to "default". A replica
trails its primary by a moment: figures and exports may miss the last second's changes, which is
why nothing that is then written back is read there.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

REPLICA = "replica"

_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("haichieu_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send this block's reads to the replica, when one is configured."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def reads_from_replica(view):
    """A view (after its sign-in check: the user is read from "default") whose reads go to the
    replica. A response that streams is consumed inside the block too."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with replica_reads():
            response = view(request, *args, **kwargs)
            if getattr(response, "streaming", False):
                response.streaming_content = list(response.streaming_content)
            return response

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema; `migrate` runs on "default" only.
        return db != REPLICA
