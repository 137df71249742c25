"""Expected answers of the residence-side liaison views for every persona (walked by core/tests/test_permissions.py)."""

from haichieu.core.tests.access_tables import everyone, table  # noqa: F401


def introduced_liaison(world):
    """An introduction from W1 waiting at R1 (made once per world)."""
    if "_introduced_liaison" not in world.__dict__:
        from haichieu.liaisons import services
        from haichieu.testing import make_member

        member = make_member(
            world.w1c2, "Phạm Thu Hằng", residence_commune=world.m1.residence_commune,
            residence_province=world.m1.residence_province, address_hamlet="Tổ dân phố số 2",
        )  # fmt: skip
        result = services.liaison_introduce(actor=world.w1_staff, members=[member])
        world.__dict__["_introduced_liaison"] = result.introduced[0]
    return world.__dict__["_introduced_liaison"]


def m1_liaison(world):
    return world.m1.liaisons.get()


# Commune committee R1 (and those above it): admin, province staff, R1 staff.
R1 = {"admin": 200, "province_staff": 200, "r1_staff": 200}
# Residential cell R1C1: the same and its secretary.
R1C1 = {**R1, "r1c1_secretary": 200}

# name -> (kwargs builder taking the world, {persona: expected status})
RESIDENCE_EXPECTED: dict = {
    # Lists scoped to the user (an empty list, not 404, for those who cover nothing there).
    "liaisons:residence_incoming": (None, everyone(200)),
    "liaisons:residence_cells": (None, everyone(200)),
    "liaisons:residence_group_options": (None, everyone(200)),
    "liaisons:residence_receive": (lambda w: {"pk": introduced_liaison(w).pk}, table(404, **R1)),
    "liaisons:residence_return": (lambda w: {"pk": introduced_liaison(w).pk}, table(404, **R1)),
    "liaisons:residence_cell": (lambda w: {"pk": w.r1c1.pk}, table(404, **R1C1)),
    "liaisons:residence_place": (lambda w: {"pk": m1_liaison(w).pk}, table(404, **R1C1)),
    "liaisons:residence_no_longer_resides": (lambda w: {"pk": m1_liaison(w).pk}, table(404, **R1C1)),
    "liaisons:residence_book": (lambda w: {"pk": w.r1.pk}, table(404, **R1)),
    # POST only: a GET is refused before anything is looked up.
    "liaisons:residence_group_create": (lambda w: {"pk": w.r1c1.pk}, everyone(405, anonymous=405)),
    "liaisons:residence_activate": (lambda w: {"pk": m1_liaison(w).pk}, everyone(405, anonymous=405)),
}
