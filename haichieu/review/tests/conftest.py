import datetime

import pytest
from django.utils import timezone

ON = datetime.date(2026, 12, 31)


@pytest.fixture
def on_day(monkeypatch):
    """Today is ON (the last day of the data set's year) for every reader of timezone.localdate()."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else ON

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return ON
