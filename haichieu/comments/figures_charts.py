"""The comments' figures as charts (core/charts.py): the page shows each beside its table."""

from __future__ import annotations

from haichieu.core.charts import Chart, series

from .figures import FormShares

LEVEL_NAMES = ("Mức 1 (cao nhất)", "Mức 2", "Mức 3")


def criterion_chart(form: FormShares) -> Chart | None:
    """One bar per criterion of the form, split into the share of each level (percent); None when no
    comment on the form has come back (nothing to draw)."""
    if not form.answered:
        return None
    points = [
        (name, [(c.label, c.shares[i] or 0) for c in form.criteria]) for i, name in enumerate(LEVEL_NAMES)
    ]
    return Chart(
        "BarChart",
        series(points),
        label=f"Tỷ lệ đảng viên ở từng mức của từng tiêu chí, Mẫu {form.code}",
        options={"stacked": True, "suffix": "%", "max": 100, "colors": ["#198754", "#ffc107", "#dc3545"]},
    )
