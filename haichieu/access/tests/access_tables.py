"""Personas, the two halves of the test world, and the rows of the tables of expected answers.

The permission walk (test_permissions.py) sends a GET and a POST to every URL pattern as every
persona. A pattern that names an object is sent twice: once with the object of the first half of
the world (W1, R1, member m1: inside the scope of the W1/R1 personas) and once with its twin of the
second half (W2, R2, m3: outside their scope, inside W2's and R2's). A row states what every persona
gets on the first half's object; on the twin, each persona gets what its counterpart got on the
first (TWIN below: w1_staff on W2 is what w2_staff was on W1, and the W1/R1 personas with no
counterpart get what the outsider got). A row may state the twin's answers itself (`outside`).
A pattern that names no object (a list, a page of one's own) is sent once per method.

A row also says whose POST may change data (`writes`); any other request must change nothing
(a GET never does; reads that are logged, "view" and "export" audit entries, are not changes).
"""

import copy
import datetime
from dataclasses import dataclass, field
from functools import cached_property

PERSONAS = [
    "anonymous",
    "admin",
    "province_staff",
    "w1_staff",
    "w1c1_secretary",
    "w1_viewer",
    "w2_staff",
    "r1_staff",
    "r1c1_secretary",
    "r2_staff",
    "member_user",
    "outsider",
]
LOGGED_IN = PERSONAS[1:]

# Who stands to the second half as each persona stands to the first.
TWIN = {
    **{p: p for p in PERSONAS},
    "w1_staff": "w2_staff",
    "w2_staff": "w1_staff",
    "r1_staff": "r2_staff",
    "r2_staff": "r1_staff",
    "w1c1_secretary": "outsider",
    "w1_viewer": "outsider",
    "r1c1_secretary": "outsider",
    "member_user": "outsider",
}


def everyone(code, anonymous=302):
    return {"anonymous": anonymous, **{p: code for p in LOGGED_IN}}


def table(default, anonymous=302, **overrides):
    result = everyone(default, anonymous)
    result.update(overrides)
    return result


@dataclass
class Target:
    """What a request names: the URL's keyword arguments, a query string, the POSTed form."""

    kwargs: dict = field(default_factory=dict)
    query: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class Row:
    """One URL name: its object (a function of a Side), then {persona: status} for GET and POST."""

    target: object  # Side -> Target (or a dict of URL kwargs); None: the URL names no object
    get: dict | None
    post: dict | None
    writes: tuple = ()  # the personas whose POST (on the first half's object) changes data
    outside: dict | None = None  # {"get": …, "post": …, "writes": …} on the twin, when not by TWIN

    def expected(self, method: str, persona: str, twin: bool) -> int | str:
        answers = getattr(self, method) if not twin or self.outside is None else self.outside.get(method)
        persona = TWIN[persona] if twin and self.outside is None else persona
        return (answers or {}).get(persona, f"an answer in the table (none for {method.upper()})")

    def may_write(self, method: str, persona: str, twin: bool) -> bool:
        if method != "post":
            return False
        if not twin:
            return persona in self.writes
        if self.outside is not None:
            return persona in self.outside.get("writes", ())
        return TWIN[persona] in self.writes


def row(target=None, *, get=None, post=None, writes=(), outside=None) -> Row:
    return Row(target, get, post, tuple(writes), outside)


def today_text() -> str:
    return f"{datetime.date.today():%d/%m/%Y}"


class Side:
    """One half of the test world: a workplace committee and one of its cells, a commune committee and
    one of its residential cells, a member who works in the one and lives in the other (active
    liaison), and the objects made here on first use: an empty cell, an introduction waiting at the commune, one
    received and waiting for the cell, a member still to introduce, a change notice for the digest.
    Everything made here is made once per world, before the walk sends any request. The user and
    client are the persona's (rows that depend on them, like the import's own upload, use them)."""

    def __init__(self, world, *, second: bool, user=None, client=None):
        self.world, self.second, self.user, self.client = world, second, user, client
        w = world
        self.committee, self.cell = (w.w2, w.w2c1) if second else (w.w1, w.w1c1)
        self.commune, self.residential_cell = (w.r2, w.r2c1) if second else (w.r1, w.r1c1)
        self.member = w.m3 if second else w.m1
        self.label = "W2/R2 (twin)" if second else "W1/R1"

    def as_persona(self, user, client) -> "Side":
        """The same side (and the objects already made) for one persona's requests."""
        side = copy.copy(self)
        side.user, side.client = user, client
        return side

    def _new_member(self, name):
        from haichieu.testing import make_member

        member = self.member
        return make_member(
            self.cell,
            name,
            residence_commune=member.residence_commune,
            residence_province=member.residence_province,
            address_hamlet=member.address_hamlet,
        )

    def _introduce(self, name):
        from haichieu.liaisons import services

        result = services.liaison_introduce(actor=self.world.admin, members=[self._new_member(name)])
        return result.introduced[0]

    @cached_property
    def empty_cell(self):
        """A workplace cell of the committee with no member (one that may be deactivated)."""
        from haichieu.testing import make_org

        code = f"{self.committee.code}C9"
        return make_org(self.committee, code, f"Chi bộ {code}")

    @cached_property
    def liaison(self):
        return self.member.liaisons.get()

    @cached_property
    def introduced(self):
        """An introduction waiting at the commune committee (with its letter)."""
        return self._introduce("Phạm Thu Hằng")

    @cached_property
    def received(self):
        """An introduction the commune has received into the residential cell, not yet confirmed."""
        from haichieu.liaisons import services

        liaison = self._introduce("Đỗ Minh Khoa")
        return services.liaison_receive(actor=self.world.admin, liaison=liaison, cell=self.residential_cell)

    @cached_property
    def departure(self):
        """A residential cell's "no longer lives here" report on a received member, waiting for the
        commune committee (made by the superuser: the second half has no cell secretary)."""
        from haichieu.liaisons import services

        liaison = services.liaison_receive(
            actor=self.world.admin, liaison=self._introduce("Ngô Thị Rời"), cell=self.residential_cell
        )
        return services.departure_report(actor=self.world.admin, liaison=liaison, date=datetime.date.today())

    @cached_property
    def meeting(self):
        """An open meeting of the residential cell, inviting the side's member (issue 11): held before
        the member's exemption of the walk (exemptions' rows) starts, ten days ago."""
        from haichieu.meetings import services
        from haichieu.meetings.models import Meeting

        meeting = services.meeting_create(
            actor=self.world.admin,
            cell=self.residential_cell,
            kind=Meeting.Kind.REGULAR,
            date=datetime.date.today() - datetime.timedelta(days=30),
            start_time=datetime.time(19, 30),
            place="Nhà văn hóa",
            agenda="Thông báo tình hình địa phương.",
        )
        return services.meeting_set_state(actor=self.world.admin, meeting=meeting, state=Meeting.State.OPEN)

    @cached_property
    def attendance(self):
        """The side's member's invitation to that meeting."""
        return self.meeting.attendances.get(member=self.member)

    @cached_property
    def to_introduce(self):
        """A working member of the cell not yet introduced to the residence."""
        return self._new_member("Vũ Thị Lan")

    @cached_property
    def inbox_item(self):
        """An unread item of the commune committee's inbox (the waiting introduction)."""
        return self.introduced.inbox_items.filter(recipient_org=self.commune).get()

    @cached_property
    def notice(self):
        """The change notice of the digest (from the committee to the commune)."""
        from haichieu.liaisons.models import ChangeNotice

        assert self.digest  # made with the digest
        return ChangeNotice.objects.get(member=self.member, kind="long_absence", sender_org=self.committee)

    @cached_property
    def digest(self) -> dict:
        """The URL arguments of this period's digest from the committee to the commune (one notice)."""
        from haichieu.liaisons.models import ChangeNotice

        today = datetime.date.today()
        ChangeNotice.objects.create(
            member=self.member,
            kind="long_absence",
            direction="to_residence",
            sender_org=self.committee,
            recipient_org=self.commune,
            event_date=today,
            details="Đi công tác dài ngày.",
        )
        return {
            "sender_pk": self.committee.pk,
            "recipient_pk": self.commune.pk,
            "year": today.year,
            "period": (today.month - 1) // 3 + 1,
        }
