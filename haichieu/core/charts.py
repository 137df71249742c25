"""Charts as data: what a page draws with Chartkick.js over Chart.js, both served by the app from the
`chartkick` package (settings.STATICFILES_DIRS), never from a CDN.

The page renders `_chart.html`: an empty element naming its data, and the data as a JSON script
element (not executed); static/haichieu/charts.js draws every such element once the page has loaded.
No inline script, so the Content-Security-Policy stays `script-src 'self'`. The chart is an addition:
every chart has its table beside it on the page (the figures stay readable without script, by a
screen reader, on paper).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

# The chart types of Chartkick.js a page may ask for.
KINDS = ("BarChart", "ColumnChart", "PieChart", "LineChart", "AreaChart")


@dataclass(frozen=True)
class Chart:
    kind: str
    data: list | dict
    label: str  # the chart's accessible name: what it shows, in a sentence
    options: dict = field(default_factory=dict)
    id: str = field(default_factory=lambda: f"chart-{secrets.token_hex(6)}")

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"

    @property
    def spec(self) -> dict:
        """What charts.js passes to `new Chartkick[type](element, data, options)`."""
        return {"type": self.kind, "data": self.data, "options": self.options}


def series(names_and_points: list[tuple[str, list[tuple[str, float | int | None]]]]) -> list[dict]:
    """Several series on the same categories, as Chartkick.js reads them."""
    return [{"name": name, "data": [list(point) for point in points]} for name, points in names_and_points]
