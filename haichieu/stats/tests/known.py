"""A province with known numbers (the `province` fixture of conftest.py) and what the tests of the
statistics share."""

import datetime

from django.utils import timezone

from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import ChangeNotice, Liaison
from haichieu.meetings.models import Attendance, Meeting
from haichieu.members.models import Member
from haichieu.testing import make_member, make_org

D = datetime.date
TODAY = D(2026, 12, 3)
EARLIER = D(2026, 6, 30)
S = Attendance.Status
LS = Member.LinkStatus


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _link(member, *, commune, cell=None, status, **dates):
    Liaison.objects.filter(member=member).delete()
    liaison = Liaison.objects.create(
        member=member,
        workplace_org=member.workplace_cell.parent_node(),
        commune_org=commune,
        cell=cell,
        status=status,
    )
    Liaison.objects.filter(pk=liaison.pk).update(**dates)
    Member.objects.filter(pk=member.pk).update(link_status=status)
    return liaison


def _meeting(cell, day, marks):
    meeting = Meeting.objects.create(
        cell=cell,
        date=day,
        start_time=datetime.time(19, 30),
        place="Nhà văn hóa",
        agenda="Họp.",
        state=Meeting.State.CLOSED,
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=m, status=st) for m, st in marks.items()
    )


def build_province(world):
    """The world's province with these members (working unless said), as of TODAY / EARLIER:

    W1C1: m1 — introduced 01/03, received 10/03, active 20/03 (R1C1): active / active;
          m5 — category "secret" (HD 33 §1.2: not introduced), no link;
          m7 — admitted 01/09/2026, no link: overdue / not yet a member.
    W1C2: m2 — admitted 2010, no link: overdue both days; exempt (age, health) all 2026;
          m6 — introduced 01/05, returned 10/05: returned (overdue again) both days; exempt (far
          work) from 01/07/2026.
    W2C1: m3 — introduced 01/08 to R2, to receive by 31/08, not received: waiting, overdue today;
                no link yet on EARLIER;
          m4 — category "barracks" (HD 33 §1.1: excused), introduced 05/01, received 20/01.
    R1C1: o1 — the residential cell's own member (not working).
    R1C1 held two meetings: 10/04 (m1 present, o1 absent with a reason) and 10/10 (both present).
    W1 sent R1 a change notice dated 10/02/2026 and no digest (the first quarter's was due 15/04).
    """
    w = world
    _link(w.m1, commune=w.r1, cell=w.r1c1, status=LS.ACTIVE, introduced_at=at(D(2026, 3, 1)),
          received_at=at(D(2026, 3, 10)), activated_at=at(D(2026, 3, 20)))  # fmt: skip
    _link(
        w.m3, commune=w.r2, status=LS.INTRODUCED, introduced_at=at(D(2026, 8, 1)), receive_due=D(2026, 8, 31)
    )
    m4 = make_member(w.w2c1, "Đỗ Văn Bốn", liaison_category=Member.LiaisonCategory.BARRACKS)
    _link(m4, commune=w.r2, cell=w.r2c1, status=LS.RECEIVED, introduced_at=at(D(2026, 1, 5)),
          received_at=at(D(2026, 1, 20)))  # fmt: skip
    make_member(w.w1c1, "Hồ Thị Năm", liaison_category=Member.LiaisonCategory.SECRET)
    m6 = make_member(w.w1c2, "Vũ Văn Sáu")
    _link(
        m6, commune=w.r1, status=LS.RETURNED, introduced_at=at(D(2026, 5, 1)), returned_at=at(D(2026, 5, 10))
    )
    make_member(w.w1c1, "Phan Thị Bảy", admission_date=D(2026, 9, 1))
    o1 = make_member(w.r1c1, "Mai Văn Một")
    for member, reason, start, end in (
        (w.m2, Exemption.Reason.AGE_HEALTH, D(2026, 1, 1), D(2026, 12, 31)),
        (m6, Exemption.Reason.FAR_WORK, D(2026, 7, 1), D(2027, 6, 30)),
    ):
        Exemption.objects.create(
            member=member, reason=reason, decided_by=w.w1, decided_on=start, start_date=start, end_date=end
        )
    _meeting(w.r1c1, D(2026, 4, 10), {w.m1: S.PRESENT, o1: S.EXCUSED})
    _meeting(w.r1c1, D(2026, 10, 10), {w.m1: S.PRESENT, o1: S.PRESENT})
    ChangeNotice.objects.create(
        member=w.m2,
        kind=ChangeNotice.Kind.POSITION_CHANGE,
        direction=ChangeNotice.Direction.TO_RESIDENCE,
        sender_org=w.w1,
        recipient_org=w.r1,
        event_date=D(2026, 2, 10),
    )
    return w


def more_children(world, n, start=0):
    for i in range(start, start + n):
        cell = make_org(world.w1, f"W1X{i}", f"Chi bộ thêm {i}")
        make_member(cell, f"Nguyễn Văn Thêm {i}")
