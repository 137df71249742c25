"""Expected answers of the residence-side liaison views for every persona (walked by access/tests/test_permissions.py)."""

from haichieu.access.tests.access_tables import Target, everyone, row, table, today_text

# Commune committee R1 (and those above it): admin, province staff, R1 staff.
R1 = {"admin": 200, "province_staff": 200, "r1_staff": 200}
R1_WRITERS = tuple(R1)
# Residential cell R1C1: the same and its secretary.
R1C1 = {**R1, "r1c1_secretary": 200}
R1C1_WRITERS = tuple(R1C1)


def _on(codes: dict, status: int) -> dict:
    """The same personas answered with another status (e.g. 302 after a successful POST)."""
    return {persona: status for persona in codes}


# name -> row(object, get={persona: status}, post={persona: status}, writes=personas whose POST writes)
RESIDENCE_EXPECTED: dict = {
    # The lists of one commune committee (?org=): 404 for those who do not cover it. Without it they
    # list what the user covers (an empty list, not 404, for those who cover nothing there).
    "liaisons:residence_incoming": row(
        lambda s: Target(
            query=f"org={s.commune.pk}",
            data={"liaisons": s.introduced.pk, "cell": s.residential_cell.pk},
        ),
        get=table(404, **R1),
        post=table(404, **_on(R1, 302)),
        writes=R1_WRITERS,
    ),
    "liaisons:residence_cells": row(
        lambda s: Target(query=f"org={s.commune.pk}"), get=table(404, **R1), post=table(404, **R1)
    ),
    "liaisons:residence_group_options": row(get=everyone(200), post=everyone(200)),
    "liaisons:residence_receive": row(
        lambda s: Target({"pk": s.introduced.pk}, data={"cell": s.residential_cell.pk}),
        get=table(404, **R1),
        post=table(404, **_on(R1, 302)),
        writes=R1_WRITERS,
    ),
    "liaisons:residence_return": row(
        # The confirmation's POST (`confirm=1`): the first step only redirects to it.
        lambda s: Target({"pk": s.introduced.pk}, data={"reason": "wrong_address", "confirm": "1"}),
        get=table(404, **R1),
        post=table(404, **_on(R1, 302)),
        writes=R1_WRITERS,
    ),
    "liaisons:residence_cell": row(
        lambda s: {"pk": s.residential_cell.pk}, get=table(404, **R1C1), post=table(404, **R1C1)
    ),
    "liaisons:residence_place": row(
        lambda s: Target(
            {"pk": s.liaison.pk}, data={"follower_name": "Trần Văn Theo", "version": s.liaison.version}
        ),
        get=table(404, **R1C1),
        post=table(404, **_on(R1C1, 302)),
        writes=R1C1_WRITERS,
    ),
    "liaisons:residence_no_longer_resides": row(
        lambda s: Target({"pk": s.liaison.pk}, data={"date": today_text(), "note": "Đã chuyển nhà."}),
        get=table(404, **R1C1),
        post=table(404, **_on(R1C1, 302)),
        writes=R1C1_WRITERS,
    ),
    # A cell's "no longer lives here" reports: the commune committee's queue and decision, not the cell's.
    "liaisons:residence_departures": row(
        lambda s: Target(query=f"org={s.commune.pk}"), get=table(404, **R1), post=table(404, **R1)
    ),
    "liaisons:residence_departure": row(
        lambda s: Target({"pk": s.departure.pk}, data={"decision": "reject", "reason": "Vẫn ở địa phương."}),
        get=table(404, **R1),
        post=table(404, **_on(R1, 302)),
        writes=R1_WRITERS,
    ),
    "liaisons:residence_book": row(
        lambda s: {"pk": s.commune.pk}, get=table(404, **R1), post=table(404, **R1)
    ),
    # POST only: a GET is refused before anything is looked up (even the login).
    "liaisons:residence_group_create": row(
        lambda s: Target({"pk": s.residential_cell.pk}, data={"name": "Tổ 9"}),
        get=everyone(405, anonymous=405),
        post=table(404, **_on(R1C1, 302)),
        writes=R1C1_WRITERS,
    ),
    "liaisons:residence_activate": row(
        lambda s: {"pk": s.received.pk},
        get=everyone(405, anonymous=405),
        post=table(404, **_on(R1C1, 302)),
        writes=R1C1_WRITERS,
    ),
}
