"""A province with known 213 numbers for 2026 (on top of the shared world), the score's and the
report's test data set. What each organisation should score, with the default weights (coverage 30,
receptions 15, notices 15, comments 20, attendance 20), is worked out in test_score.py."""

import datetime

from django.utils import timezone

from haichieu.comments.models import Comment, CommentAnswer, CommentForm, CommentRequest, Criterion
from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import ChangeNotice, Digest, Liaison
from haichieu.meetings.models import Attendance, Meeting
from haichieu.members.models import Member
from haichieu.organizations.models import Organization
from haichieu.testing import make_member, make_org

YEAR = 2026
D = datetime.date
L = Liaison.Status
S = Attendance.Status


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _introduced(w3c1, w, name, *, status, due, received=None, returned=None, category="regular"):
    member = make_member(w3c1, name, liaison_category=category)
    Liaison.objects.create(
        member=member, workplace_org=w3c1.parent_node(), commune_org=w.r1, status=status, receive_due=due,
        introduced_at=moment(due - datetime.timedelta(days=15)), letter_date=due - datetime.timedelta(days=15),
        received_at=moment(received) if received else None, returned_at=moment(returned) if returned else None,
    )  # fmt: skip
    Member.objects.filter(pk=member.pk).update(link_status=status)
    return member


def _meeting(cell, day, marks):
    meeting = Meeting.objects.create(
        cell=cell, date=day, start_time=datetime.time(19, 30), place="Nhà văn hóa", agenda="Họp.",
        state=Meeting.State.CLOSED,
    )  # fmt: skip
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=m, status=s, source=Attendance.Source.LIAISON)
        for m, s in marks.items()
    )


def _request(w, member, *, answered=None, proposal=None):
    liaison = Liaison.objects.get(member=member, status=L.ACTIVE)
    form = CommentForm.objects.in_force(YEAR, CommentForm.Audience.REGULAR)
    request = CommentRequest.objects.create(
        member=member, liaison=liaison, cell=liaison.cell, commune_org=liaison.commune_org,
        workplace_org=liaison.workplace_org, form=form, year=YEAR, purpose=CommentRequest.Purpose.YEARLY,
        deadline=D(YEAR, 11, 30),
        state=CommentRequest.State.ANSWERED if answered else CommentRequest.State.PENDING,
        answered_at=moment(answered) if answered else None,
    )  # fmt: skip
    CommentRequest.objects.filter(pk=request.pk).update(created_at=moment(D(YEAR, 10, 1)))
    if answered:
        comment = Comment.objects.create(request=request, text="Gương mẫu.")
        criterion = Criterion.objects.get(form=form, key="proposal")
        CommentAnswer.objects.create(comment=comment, criterion=criterion, level=proposal)
    return request


def build(w) -> dict:
    """See the module. W3 is a third workplace committee whose members were introduced to R1."""
    w3 = make_org(w.province, "W3", "Đảng bộ Trường Đại học", Organization.Kind.GRASSROOTS)
    w3c1 = make_org(w3, "W3C1", "Chi bộ Khoa Toán")
    # Receptions at R1 (deadlines in 2026): A in time, B late, C not answered, D returned in time.
    a = _introduced(w3c1, w, "Âu Thị An", status=L.RECEIVED, due=D(YEAR, 3, 10), received=D(YEAR, 3, 5),
                    category="study")  # fmt: skip
    b = _introduced(w3c1, w, "Bùi Văn Bảo", status=L.ACTIVE, due=D(YEAR, 4, 10), received=D(YEAR, 4, 20))
    c = _introduced(w3c1, w, "Cao Thị Cúc", status=L.INTRODUCED, due=D(YEAR, 6, 1))
    d = _introduced(w3c1, w, "Đinh Văn Dũng", status=L.RETURNED, due=D(YEAR, 5, 10), returned=D(YEAR, 5, 1))
    # W1's lists of changes to R1: period 1 sent in time, period 2 late, period 3 not sent.
    for day in (D(YEAR, 2, 10), D(YEAR, 5, 5), D(YEAR, 8, 1)):
        ChangeNotice.objects.create(
            member=w.m1, kind=ChangeNotice.Kind.POSITION_CHANGE, direction=ChangeNotice.Direction.TO_RESIDENCE,
            sender_org=w.w1, recipient_org=w.r1, event_date=day,
        )  # fmt: skip
    Digest.objects.create(
        sender_org=w.w1, recipient_org=w.r1, year=YEAR, period=1, sent_at=moment(D(YEAR, 4, 10))
    )
    Digest.objects.create(
        sender_org=w.w1, recipient_org=w.r1, year=YEAR, period=2, sent_at=moment(D(YEAR, 8, 1))
    )
    # Comments: m1's answered in time with "Biểu dương", m3's overdue.
    _request(w, w.m1, answered=D(YEAR, 11, 20), proposal=1)
    _request(w, w.m3)
    # Linked members at residential meetings: m1 one of two, m3 one of one.
    _meeting(w.r1c1, D(YEAR, 6, 1), {w.m1: S.PRESENT})
    _meeting(w.r1c1, D(YEAR, 10, 1), {w.m1: S.UNEXCUSED})
    _meeting(w.r2c1, D(YEAR, 6, 1), {w.m3: S.PRESENT})
    # m2 exempt for the year (age and health).
    Exemption.objects.create(
        member=w.m2, reason=Exemption.Reason.AGE_HEALTH, decided_by=w.w1, decided_on=D(YEAR, 1, 2),
        start_date=D(YEAR, 1, 2), end_date=D(YEAR, 12, 31),
    )  # fmt: skip
    return {"w3": w3, "a": a, "b": b, "c": c, "d": d}
