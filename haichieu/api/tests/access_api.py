"""The API's access table: every operation of /api/v1/, what each persona's token gets on the first
half's object (W1/R1, member m1) and, by access_tables.TWIN, on its twin (W2/R2, m3), and for a list
whether the object is among its rows.

test_scope.py walks it for every persona; a new operation without a row fails there
(`test_every_operation_has_a_row`).
"""

import datetime
from dataclasses import dataclass, field

from haichieu.access.tests.access_tables import PERSONAS, TWIN, table

LOGGED_IN = PERSONAS[1:]

# Who reads each object of the side, as the pages' own tables say (access/tests/test_permissions.py
# and the apps' access_*.py): members:detail, organizations:detail, meetings and comments rows…
M1_READERS = ("admin", "province_staff", "w1_staff", "w1c1_secretary", "w1_viewer", "r1_staff", "r1c1_secretary",
              "member_user")  # fmt: skip
CELL_READERS = ("admin", "province_staff", "w1_staff", "w1c1_secretary", "w1_viewer")
NOTICE_READERS = ("admin", "province_staff", "w1_staff", "w1_viewer", "r1_staff")
MEETING_READERS = ("admin", "province_staff", "r1_staff", "r1c1_secretary")
REQUEST_READERS = ("admin", "province_staff", "w1_staff", "w1c1_secretary", "w1_viewer", "r1_staff",
                   "r1c1_secretary")  # fmt: skip
RATING_READERS = CELL_READERS
M1_WRITERS = ("admin", "province_staff", "w1_staff", "w1c1_secretary")
M1_READ_ONLY = ("w1_viewer", "r1_staff", "r1c1_secretary", "member_user")
READERS_ANYWHERE = tuple(p for p in LOGGED_IN if p not in ("member_user", "outsider"))


def statuses(ok: int, readers, **others) -> dict:
    """{persona: status}: `ok` for `readers`, 404 for the other signed-in personas, 401 without a
    token; `others` overrides."""
    return {**table(404, anonymous=401, **dict.fromkeys(readers, ok)), **others}


@dataclass
class ApiRow:
    method: str
    path: object  # Side -> path under /api/v1
    status: dict  # persona -> status on the first half's object
    contains: object = None  # Side -> id that a list holds for `readers` (and only for them)
    readers: tuple = ()
    body: object = None  # Side -> JSON body of a POST
    writes: tuple = field(default=())  # the personas whose POST changes data

    def expected(self, persona: str, twin: bool) -> int:
        return self.status[TWIN[persona] if twin else persona]

    def sees(self, persona: str, twin: bool) -> bool:
        return (TWIN[persona] if twin else persona) in self.readers


def _rating(side):
    if "rating" not in side.__dict__:
        from haichieu.ratings.models import Rating

        side.__dict__["rating"] = Rating.objects.create(
            member=side.member, year=2025, exempt=True, rated_at=datetime.datetime.now(datetime.UTC)
        )
    return side.__dict__["rating"]


def _comment_request(side):
    from haichieu.comments.tests.access_comments import _request

    return _request(side, "pending")


EVERYONE = table(200, anonymous=401)

API_EXPECTED = {
    "organization_list": ApiRow("get", lambda s: "/organizations?size=200", EVERYONE,
                                contains=lambda s: s.cell.pk, readers=CELL_READERS),
    "organization_detail": ApiRow("get", lambda s: f"/organizations/{s.cell.pk}", statuses(200, CELL_READERS)),
    "member_list": ApiRow("get", lambda s: "/members?size=200", EVERYONE, contains=lambda s: s.member.pk,
                          readers=M1_READERS),
    "member_detail": ApiRow("get", lambda s: f"/members/{s.member.pk}", statuses(200, M1_READERS)),
    "member_event": ApiRow(
        "post", lambda s: f"/members/{s.member.pk}/events",
        statuses(201, M1_WRITERS, **dict.fromkeys(M1_READ_ONLY, 403)),
        body=lambda s: {"kind": "job_transfer", "event_date": f"{datetime.date.today():%Y-%m-%d}",
                        "details": "Điều động sang Sở Xây dựng."},
        writes=M1_WRITERS,
    ),
    "liaison_list": ApiRow("get", lambda s: "/liaisons?size=200", EVERYONE, contains=lambda s: s.liaison.pk,
                           readers=M1_READERS),
    "liaison_detail": ApiRow("get", lambda s: f"/liaisons/{s.liaison.pk}", statuses(200, M1_READERS)),
    "notice_list": ApiRow("get", lambda s: "/notices?size=200", EVERYONE, contains=lambda s: s.notice.pk,
                          readers=NOTICE_READERS),
    "notice_detail": ApiRow("get", lambda s: f"/notices/{s.notice.pk}", statuses(200, NOTICE_READERS)),
    "meeting_list": ApiRow("get", lambda s: "/meetings?size=200", EVERYONE, contains=lambda s: s.meeting.pk,
                           readers=MEETING_READERS),
    "meeting_detail": ApiRow("get", lambda s: f"/meetings/{s.meeting.pk}", statuses(200, MEETING_READERS)),
    "meeting_attendance": ApiRow("get", lambda s: f"/meetings/{s.meeting.pk}/attendance",
                                 statuses(200, MEETING_READERS), contains=lambda s: s.attendance.pk,
                                 readers=MEETING_READERS),
    "attendance_mark": ApiRow(
        "post", lambda s: f"/meetings/{s.meeting.pk}/attendance/{s.attendance.pk}",
        statuses(200, MEETING_READERS), body=lambda s: {"status": "present"}, writes=MEETING_READERS,
    ),
    "comment_request_list": ApiRow("get", lambda s: "/comment-requests?size=200", EVERYONE,
                                   contains=lambda s: _comment_request(s).pk, readers=REQUEST_READERS),
    "comment_request_detail": ApiRow("get", lambda s: f"/comment-requests/{_comment_request(s).pk}",
                                     statuses(200, REQUEST_READERS)),
    "rating_list": ApiRow("get", lambda s: "/ratings?size=200", EVERYONE, contains=lambda s: _rating(s).pk,
                          readers=RATING_READERS),
    "meeting_figures": ApiRow("get", lambda s: f"/statistics/meetings?organization={s.cell.pk}&year=2025",
                              statuses(200, CELL_READERS)),
    "coverage": ApiRow("get", lambda s: f"/statistics/coverage?organization={s.cell.pk}",
                       statuses(200, CELL_READERS)),
}  # fmt: skip
