"""What every part of the demo shares: the fixed day, the batch size, the error, random helpers."""

from __future__ import annotations

import datetime
import itertools
import random

TODAY = datetime.date(2026, 1, 15)  # fixed, so a seed gives the same data on any day
BATCH = 5000


class DemoError(Exception):
    """The demo cannot be built (message in Vietnamese)."""


def date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return datetime.date.fromordinal(rng.randint(start.toordinal(), max(start.toordinal(), end.toordinal())))


def weighted(pairs):
    """(values, cumulative weights) for `rng.choices(values, cum_weights=...)`."""
    values = [v for v, _ in pairs]
    cum = list(itertools.accumulate(w for _, w in pairs))
    return values, cum
