"""The permission walk's rows for the exemption pages (access/tests/test_permissions.py).

Exemptions are the workplace side's: its readers of the member's cell see them, its writers record
them; the residence side, the member and everyone else get 404 (they see only "miễn đến …" where
they list the member)."""

import datetime

from haichieu.access.tests.access_tables import Target, everyone, row, table

READERS = dict(admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=200)
WRITERS_GET = dict(admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=403)
WRITERS_POST = dict(admin=302, province_staff=302, w1_staff=302, w1c1_secretary=302, w1_viewer=403)
WRITERS = ("admin", "province_staff", "w1_staff", "w1c1_secretary")
LIST_READERS = dict(
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


def _exemption(side):
    """The side's member's exemption in force (ending within the reminder window), with a scan."""
    if "exemption" not in side.__dict__:
        from haichieu.exemptions.models import Exemption, ExemptionScan

        today = datetime.date.today()
        exemption = Exemption.objects.filter(member=side.member).first()
        if exemption is None:
            exemption = Exemption.objects.create(
                member=side.member,
                reason=Exemption.Reason.FAR_WORK,
                decided_by=side.committee,
                decided_on=today - datetime.timedelta(days=10),
                start_date=today - datetime.timedelta(days=10),
                end_date=today + datetime.timedelta(days=20),
                contact="0912 345 678",
            )
            ExemptionScan.objects.create(
                exemption=exemption, content=b"%PDF-1.4 test", filename="don.pdf",
                content_type="application/pdf", size=13, sha256="0" * 64,
            )  # fmt: skip
        side.__dict__["exemption"] = exemption
    return side.__dict__["exemption"]


def _data(side, start_days, end_days, **extra):
    today = datetime.date.today()
    return {
        "reason": "far_work",
        "decided_by": side.committee.pk,
        "decided_on": f"{today:%d/%m/%Y}",
        "start_date": f"{today + datetime.timedelta(days=start_days):%d/%m/%Y}",
        "end_date": f"{today + datetime.timedelta(days=end_days):%d/%m/%Y}",
        "contact": "Zalo 0912 345 678",
        **extra,
    }


def _of(side, **kwargs):
    return {"pk": side.member.pk, "exemption_pk": _exemption(side).pk, **kwargs}


EXEMPTIONS_EXPECTED = {
    "exemptions:overview": row(get=table(404, **LIST_READERS), post=table(404, **LIST_READERS)),
    "exemptions:member": row(
        lambda s: (_exemption(s), {"pk": s.member.pk})[1],
        get=table(404, **READERS),
        post=table(404, **READERS),
    ),
    "exemptions:create": row(
        lambda s: Target({"pk": s.member.pk}, data=_data(s, 100, 200)),
        get=table(404, **WRITERS_GET),
        post=table(404, **WRITERS_POST),
        writes=WRITERS,
    ),
    "exemptions:update": row(
        lambda s: Target(_of(s), data={**_data(s, 0, 20), "decided_on": f"{datetime.date.today():%d/%m/%Y}"}),
        get=table(404, **WRITERS_GET),
        post=table(404, **WRITERS_POST),
        writes=WRITERS,
    ),
    "exemptions:renew": row(
        lambda s: Target(_of(s), data=_data(s, 21, 385)),
        get=table(404, **WRITERS_GET),
        post=table(404, **WRITERS_POST),
        writes=WRITERS,
    ),
    "exemptions:revoke": row(
        lambda s: Target(_of(s), data={"note": "Trở lại sinh hoạt"}),
        get=everyone(405),
        post=table(404, **WRITERS_POST),
        writes=WRITERS,
    ),
    "exemptions:scan": row(lambda s: _of(s), get=table(404, **READERS), post=everyone(405)),
}
