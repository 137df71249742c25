"""The permission walk's rows for the yearly rating pages (access/tests/test_permissions.py).

Ratings are the workplace side's (issue 12): the readers of the member's workplace cell see the
list and the export, its writers rate; the residence side, the member and everyone else get 404,
GET and POST alike. The rows name the side's workplace cell (W1C1, twin W2C1) and its member."""

from haichieu.access.tests.access_tables import Target, row, table

YEAR = 2025  # a year with a scheme (loaded by the data migration)
READERS = dict(admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=200)
WRITERS_GET = dict(admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=403)
WRITERS_POST = dict(admin=302, province_staff=302, w1_staff=302, w1c1_secretary=302, w1_viewer=403)
WRITERS = ("admin", "province_staff", "w1_staff", "w1c1_secretary")
CONDITIONS = ["nhiem_vu_dung_han", "khong_thuoc_truong_hop_khong_hoan_thanh"]


def _org(side):
    return {"org_pk": side.cell.pk, "year": YEAR}


RATINGS_EXPECTED = {
    "ratings:list": row(_org, get=table(404, **READERS), post=table(404, **READERS)),
    # A download: a logged read ("export" entry), not a change; POST is refused once the page is seen.
    "ratings:xlsx": row(_org, get=table(404, **READERS), post=table(404, **dict.fromkeys(READERS, 405))),
    "ratings:rate": row(
        lambda s: Target(
            {**_org(s), "pk": s.member.pk}, data={"score": "85,5", "conditions": CONDITIONS, "note": "Tốt"}
        ),
        get=table(404, **WRITERS_GET),
        post=table(404, **WRITERS_POST),
        writes=WRITERS,
    ),
    # The distribution of the side's workplace cell: its readers, GET only; the residence side: 404.
    **{
        name: row(
            lambda s: Target(query=f"org={s.cell.pk}&year={YEAR}"),
            get=table(404, **READERS),
            post=table(404, **dict.fromkeys(READERS, 405)),
        )
        for name in ("ratings:figures", "ratings:figures_xlsx")
    },
}
