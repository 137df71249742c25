"""Expected answers of the statistics views for every persona (walked by access/tests/test_permissions.py).

The page and its export of the side's workplace committee (W1, twin W2): those who read it. GET
only: a POST is refused before anything is read (405)."""

from haichieu.access.tests.access_tables import Target, everyone, row, table

W1_READERS = {"admin": 200, "province_staff": 200, "w1_staff": 200, "w1_viewer": 200}

STATISTICS_EXPECTED = {
    name: row(
        lambda s: Target(query=f"org={s.committee.pk}"),
        get=table(404, **W1_READERS),
        post=everyone(405, anonymous=405),
    )
    for name in ("statistics:dashboard", "statistics:dashboard_xlsx")
}
