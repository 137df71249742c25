import pytest

from haichieu.stats import figures

from .known import TODAY, build_province


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """The figures' "today" (the kept counts are the state of the data, all of it before TODAY)."""
    monkeypatch.setattr(figures, "today", lambda: TODAY)


@pytest.fixture
def province(world):
    return build_province(world)
