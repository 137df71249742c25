"""Shared pieces for services: the error they raise with a Vietnamese message, and the versioned
update every write of a versioned row goes through."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, Model, QuerySet
from django.utils import timezone


class ServiceError(Exception):
    """A rule was broken; `message` is shown to the user as it is (Vietnamese)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else changed the object first."""


def versioned_update(
    model_or_qs: type[Model] | QuerySet,
    pk: Any,
    version: int | None,
    *,
    now: datetime.datetime | None = None,
    **changes: Any,
) -> bool:
    """Write `changes` to row `pk` if it still has `version`: its `version` goes up by one and its
    `updated_at` becomes `now` (the current time by default). True if the row was updated.

    One conditional UPDATE, so two writers of the same row cannot both succeed (optimistic lock,
    on SQLite as on PostgreSQL: STYLE.md habit 3); the caller turns False into its ConflictError.
    `model_or_qs` may be a queryset that adds conditions (a liaison still in one of some states).
    `version=None` writes whatever the version now is (a change that is not an edit of a form the
    user saw, e.g. an event that changes the member's status), still counting it as a new version.
    """
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    qs = qs.filter(pk=pk) if version is None else qs.filter(pk=pk, version=version)
    return bool(qs.update(version=F("version") + 1, updated_at=now or timezone.now(), **changes))
