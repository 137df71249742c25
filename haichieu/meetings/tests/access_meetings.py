"""Expected answers of the meetings views for every persona (walked by access/tests/test_permissions.py).

The side's meeting is an open one of its residential cell (R1C1, twin R2C1), inviting its member."""

import datetime

from haichieu.access.tests.access_tables import Target, everyone, row, table, today_text

# Residential cell R1C1 (and those above it): the admin, the province's and R1's staff, its secretary.
R1C1 = {"admin": 200, "province_staff": 200, "r1_staff": 200, "r1c1_secretary": 200}
R1C1_WRITERS = tuple(R1C1)
REDIRECT = dict.fromkeys(R1C1, 302)
# Those who see member m1 (the workplace and the residence sides, the member).
M1_READERS = {
    **R1C1,
    "w1_staff": 200,
    "w1c1_secretary": 200,
    "w1_viewer": 200,
    "member_user": 200,
}


FEED_OWNERS = {"member_user": 302, "w1c1_secretary": 302, "r1c1_secretary": 302}


def _feed_token(s) -> str:
    """member_user's current calendar link; on the twin, the same signed with another key."""
    from django.core import signing

    from haichieu.meetings.calendar import FEED_SALT, feed_token

    if s.second:
        return signing.Signer(key="not the server's key", salt=FEED_SALT).sign_object({"u": 1, "g": 0})
    return feed_token(s.world.member_user)


def _form(s) -> dict:
    return {
        "kind": "thematic",
        "date": today_text(),
        "start_time": "08:00",
        "place": "Hội trường",
        "agenda": "Chuyên đề.",
        "version": s.meeting.version,
    }


# The task's member is the side's received member (placed in the residential cell, not exempt: the
# side's m1 is exempt in the walk); W1's users read it, as the cell's side does.
TASK_READERS = {**R1C1, "w1_staff": 200, "w1c1_secretary": 200, "w1_viewer": 200}


def _due() -> str:
    return f"{datetime.date.today() + datetime.timedelta(days=30):%d/%m/%Y}"


def _task(s):
    """A task the residential cell gave the side's received member (made once per side)."""
    if "task" not in s.__dict__:
        from haichieu.meetings import services_tasks

        s.__dict__["task"] = services_tasks.task_give(
            actor=s.world.admin,
            cell=s.residential_cell,
            member=s.received.member,
            kind="propaganda",
            description="Tuyên truyền phòng chống cháy nổ.",
            due_date=datetime.date.today() + datetime.timedelta(days=30),
        )
    return s.__dict__["task"]


MEETINGS_EXPECTED: dict = {
    "meetings:list": row(get=everyone(200), post=everyone(200)),
    "meetings:create": row(
        lambda s: Target({"pk": s.residential_cell.pk}, data=_form(s)),
        get=table(404, **R1C1),
        post=table(404, **REDIRECT),
        writes=R1C1_WRITERS,
    ),
    "meetings:detail": row(lambda s: {"pk": s.meeting.pk}, get=table(404, **R1C1), post=table(404, **R1C1)),
    "meetings:update": row(
        lambda s: Target({"pk": s.meeting.pk}, data=_form(s)),
        get=table(404, **R1C1),
        post=table(404, **REDIRECT),
        writes=R1C1_WRITERS,
    ),
    "meetings:state": row(
        lambda s: Target({"pk": s.meeting.pk}, data={"state": "closed"}),
        get=everyone(405, anonymous=405),
        post=table(404, **REDIRECT),
        writes=R1C1_WRITERS,
    ),
    "meetings:invite": row(
        lambda s: {"pk": s.meeting.pk},
        get=everyone(405, anonymous=405),
        post=table(404, **REDIRECT),
        writes=R1C1_WRITERS,
    ),
    # The cell's users and the members the meeting invites (member_user is m1).
    "meetings:calendar": row(
        lambda s: {"pk": s.meeting.pk},
        get=table(404, **R1C1, member_user=200),
        post=table(404, **R1C1, member_user=200),
    ),
    # Downloads: logged reads ("export" entries), not changes.
    "meetings:roster_docx": row(
        lambda s: {"pk": s.meeting.pk}, get=table(404, **R1C1), post=table(404, **R1C1)
    ),
    "meetings:attendance_xlsx": row(
        lambda s: {"pk": s.meeting.pk}, get=table(404, **R1C1), post=table(404, **R1C1)
    ),
    # The minutes: the cell's writers record chair, recorder and conclusion; its readers download them
    # (the side's meeting is open: a draft).
    "meetings:minutes": row(
        lambda s: Target(
            {"pk": s.meeting.pk},
            data={
                "chair": "Trần Văn Chủ",
                "recorder": "",
                "conclusion": "Thống nhất.",
                "version": s.meeting.version,
            },
        ),
        get=table(404, **R1C1),
        post=table(404, **REDIRECT),
        writes=R1C1_WRITERS,
    ),
    "meetings:minutes_docx": row(
        lambda s: {"pk": s.meeting.pk}, get=table(404, **R1C1), post=table(404, **R1C1)
    ),
    "meetings:roll_call": row(
        lambda s: {"pk": s.meeting.pk}, get=table(404, **R1C1), post=table(404, **R1C1)
    ),
    "meetings:mark": row(
        lambda s: Target({"pk": s.meeting.pk, "attendance_pk": s.attendance.pk}, data={"status": "present"}),
        get=everyone(405, anonymous=405),
        post=table(404, **R1C1),
        writes=R1C1_WRITERS,
    ),
    "meetings:check_in_code": row(
        lambda s: {"pk": s.meeting.pk}, get=table(404, **R1C1), post=table(404, **R1C1)
    ),
    # Without a code: refused with its reason (nothing is written).
    "meetings:check_in": row(get=everyone(400), post=everyone(400)),
    # A member's own page and calendar: the member; 404 for a user without a member record.
    "meetings:mine": row(get=table(404, member_user=200), post=table(404, member_user=200)),
    "meetings:mine_calendar": row(get=table(404, member_user=200), post=table(404, member_user=200)),
    # The subscribable calendar: the link is the key, so anyone holding member_user's current link
    # reads it (a calendar app signs in to nothing); on the twin, a forged link: 404 for everyone.
    # Only GET (and HEAD): a POST is refused.
    "meetings:feed": row(
        lambda s: {"token": _feed_token(s)},
        get=everyone(200, anonymous=200),
        post=everyone(405, anonymous=405),
        outside={"get": everyone(404, anonymous=404), "post": everyone(405, anonymous=405)},
    ),
    # A new link (the old one revoked): members who sign in and cells' secretaries.
    "meetings:feed_renew": row(
        get=everyone(405, anonymous=405),
        post=table(404, **FEED_OWNERS),
        writes=tuple(FEED_OWNERS),
    ),
    "meetings:workplace": row(get=everyone(200), post=everyone(200)),
    "meetings:member": row(
        lambda s: {"pk": s.member.pk}, get=table(404, **M1_READERS), post=table(404, **M1_READERS)
    ),
    # Tasks: the residential cell's side gives them and records the outcome; the member's workplace reads.
    "meetings:task_list": row(
        lambda s: {"pk": s.residential_cell.pk}, get=table(404, **R1C1), post=table(404, **R1C1)
    ),
    "meetings:task_create": row(
        lambda s: Target(
            {"pk": s.residential_cell.pk},
            data={
                "member": s.received.member.pk,
                "kind": "front_committee",
                "description": "Tham gia Ban công tác Mặt trận.",
                "due_date": _due(),
            },
        ),
        get=table(404, **R1C1),
        post=table(404, **REDIRECT),
        writes=R1C1_WRITERS,
    ),
    "meetings:task_detail": row(
        lambda s: {"pk": _task(s).pk}, get=table(404, **TASK_READERS), post=table(404, **TASK_READERS)
    ),
    "meetings:task_outcome": row(
        lambda s: Target({"pk": _task(s).pk}, data={"outcome": "done", "outcome_note": "Tốt.", "version": 1}),
        get=everyone(405, anonymous=405),
        post=table(404, **REDIRECT),
        writes=R1C1_WRITERS,
    ),
    "meetings:workplace_tasks": row(get=everyone(200), post=everyone(200)),
}
# The figures page of an organisation's year and its two exports ("export" entries: logged reads):
# those who read the residential cell (its twin: R2's staff).
for _name in ("meetings:figures", "meetings:figures_meetings", "meetings:figures_attendance"):
    MEETINGS_EXPECTED[_name] = row(
        lambda s: Target(query=f"org={s.residential_cell.pk}"),
        get=table(404, **R1C1),
        post=table(404, **R1C1),
    )
