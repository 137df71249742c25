"""Expected answers of the workplace-side liaison views for every persona (walked by access/tests/test_permissions.py).

Each row names its object through a Side (access/tests/access_tables.py): the walk sends it with the
W1/R1 object, then with its W2/R2 twin.
"""

import datetime

from haichieu.access.tests.access_tables import Target, everyone, row, table, today_text

READERS = dict(
    admin=200,
    province_staff=200,
    w1_staff=200,
    w1c1_secretary=200,
    w1_viewer=200,
    w2_staff=200,
    r1_staff=200,
    r1c1_secretary=200,
    r2_staff=200,
)
M1_WORKPLACE = dict(admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=200)
NOTICE_READERS = dict(admin=200, province_staff=200, w1_staff=200, w1_viewer=200, r1_staff=200)
# Who writes on W1's members: the committee above, W1's staff, the secretary of the member's cell.
W1C1_WRITERS = ("admin", "province_staff", "w1_staff", "w1c1_secretary")
# Who writes somewhere: opens their own bulk introductions (whose members they may not see: none listed).
SOME_WRITERS = (*W1C1_WRITERS, "w2_staff", "r1_staff", "r1c1_secretary", "r2_staff")
NOBODY = {"get": everyone(404), "post": everyone(404)}


def _letter(s):
    return Target(query=f"ids={s.introduced.pk}")


def _own_batch(s):
    """A bulk introduction previewed by the persona (of the member still to introduce); on the twin,
    one previewed by someone else (404 for everyone)."""
    from haichieu.liaisons.models import IntroductionBatch

    owner = s.world.outsider if s.second else s.user
    if owner is None:  # the world is being built: no persona yet
        return {"pk": 999_999_999}
    batch = IntroductionBatch.objects.create(
        created_by=owner, letter_date=datetime.date.today(), member_ids=[s.to_introduce.pk]
    )
    return {"pk": batch.pk}


def _digest(s):
    return {**s.digest, "fmt": "xlsx"}


# name -> row(object, get={persona: status}, post={persona: status}, writes=personas whose POST writes)
WORKPLACE_EXPECTED: dict = {
    "liaisons:coverage": row(get=table(404, **READERS), post=table(404, **READERS)),
    # A POST keeps the selection to preview (a stored batch) and redirects to its page.
    "liaisons:introduce": row(
        lambda s: Target(data={"member": s.to_introduce.pk}),
        get=everyone(405),
        post=table(404, admin=302, province_staff=302, w1_staff=302, w1c1_secretary=302),
        writes=W1C1_WRITERS,
    ),
    # One's own bulk introduction (preview, then result): someone else's is 404 for everyone.
    "liaisons:introduce_batch": row(
        _own_batch,
        get=table(404, **{p: 200 for p in SOME_WRITERS}),
        post=table(404, **{p: 200 for p in SOME_WRITERS}),
        outside=NOBODY,
    ),
    # Confirming issues the letters of the members one may introduce and marks the batch issued.
    "liaisons:introduce_confirm": row(
        _own_batch,
        get=everyone(405),
        post=table(404, **{p: 302 for p in SOME_WRITERS}),
        writes=SOME_WRITERS,
        outside={"get": everyone(405), "post": everyone(404)},
    ),
    # Withdrawing a letter the commune has not acted on: the member's workplace writers.
    "liaisons:withdraw": row(
        lambda s: Target({"pk": s.introduced.pk}, data={"note": "Nhầm địa chỉ."}),
        get=table(404, admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=403),
        post=table(404, admin=302, province_staff=302, w1_staff=302, w1c1_secretary=302, w1_viewer=403),
        writes=W1C1_WRITERS,
    ),
    "liaisons:letters": row(_letter, get=table(404, **M1_WORKPLACE), post=table(404, **M1_WORKPLACE)),
    "liaisons:detail": row(
        lambda s: {"pk": s.liaison.pk},
        get=table(404, **M1_WORKPLACE, r1_staff=200, r1c1_secretary=200, member_user=200),
        post=table(404, **M1_WORKPLACE, r1_staff=200, r1c1_secretary=200, member_user=200),
    ),
    "liaisons:member_event": row(
        lambda s: Target(
            {"member_pk": s.member.pk},
            data={"kind": "position_change", "event_date": today_text(), "new_position": "Phó phòng"},
        ),
        get=table(404, admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=403),
        post=table(404, admin=302, province_staff=302, w1_staff=302, w1c1_secretary=302, w1_viewer=403),
        writes=W1C1_WRITERS,
    ),
    "liaisons:digests": row(get=table(404, **READERS), post=table(404, **READERS)),
    "liaisons:digest_download": row(
        _digest,
        get=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
        post=table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
    ),
    "liaisons:digest_send": row(
        lambda s: s.digest,
        get=everyone(405),
        post=table(404, admin=302, province_staff=302, w1_staff=302, w1_viewer=403),
        writes=("admin", "province_staff", "w1_staff"),
    ),
    "liaisons:inbox": row(get=everyone(200), post=everyone(200)),
    "liaisons:notices": row(get=table(404, **READERS), post=table(404, **READERS)),
    # A notice's page: the readers of its sender (W1) or its receiver (R1), not a cell under either.
    "liaisons:notice": row(
        lambda s: {"pk": s.notice.pk},
        get=table(404, **NOTICE_READERS),
        post=table(404, **NOTICE_READERS),
    ),
    # The rules in force: every user who reads some organisation's lists (not a plain member).
    "liaisons:rules": row(get=table(404, **READERS), post=table(404, **READERS)),
    # Marks read only the items of the user's own organisations: R1's item is r1_staff's.
    "liaisons:inbox_read": row(
        lambda s: Target(data={"item": s.inbox_item.pk}),
        get=everyone(405),
        post=everyone(302),
        writes=("r1_staff",),
    ),
}
