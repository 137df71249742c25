"""Expected answers of the workplace-side liaison views for every persona (walked by core/tests/test_permissions.py)."""

import datetime

from haichieu.core.tests.access_tables import everyone, table
from haichieu.liaisons.models import ChangeNotice, Liaison

READERS = dict(
    admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=200, w2_staff=200,
    r1_staff=200, r1c1_secretary=200, r2_staff=200,
)  # fmt: skip
M1_WORKPLACE = dict(admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=200)


def _m1_letter(w):
    liaison = Liaison.objects.get(member=w.m1)
    Liaison.objects.filter(pk=liaison.pk).update(
        letter_number=7, letter_symbol="GGT/ĐU", letter_date=datetime.date.today()
    )
    return {"?": f"ids={liaison.pk}"}


def _digest(w, fmt="xlsx"):
    today = datetime.date.today()
    ChangeNotice.objects.get_or_create(
        member=w.m1, kind="position_change", direction="to_residence", sender_org=w.w1, recipient_org=w.r1,
        event_date=today, defaults={"details": "Chức vụ mới: Phó phòng."},
    )  # fmt: skip
    kwargs = {
        "sender_pk": w.w1.pk,
        "recipient_pk": w.r1.pk,
        "year": today.year,
        "period": (today.month - 1) // 3 + 1,
    }
    return {**kwargs, "fmt": fmt} if fmt else kwargs


# name -> (kwargs builder taking the world, {persona: expected status})
WORKPLACE_EXPECTED: dict = {
    "liaisons:coverage": (None, table(404, **READERS)),
    "liaisons:introduce": (None, everyone(405)),  # POST only
    "liaisons:letters": (_m1_letter, table(404, **M1_WORKPLACE)),
    "liaisons:detail": (
        lambda w: {"pk": Liaison.objects.get(member=w.m1).pk},
        table(404, **M1_WORKPLACE, r1_staff=200, r1c1_secretary=200, member_user=200),
    ),
    "liaisons:member_event": (
        lambda w: {"member_pk": w.m1.pk},
        table(404, admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=403),
    ),
    "liaisons:digests": (None, table(404, **READERS)),
    "liaisons:digest_download": (
        _digest,
        table(404, admin=200, province_staff=200, w1_staff=200, w1_viewer=200),
    ),
    "liaisons:digest_send": (lambda w: _digest(w, fmt=None), everyone(405)),  # POST only
    "liaisons:inbox": (None, everyone(200)),
    "liaisons:notices": (None, table(404, **READERS)),
    "liaisons:inbox_read": (None, everyone(405)),  # POST only
}
