"""Expected answers of the meetings views for every persona (walked by access/tests/test_permissions.py).

The side's meeting is an open one of its residential cell (R1C1, twin R2C1), inviting its member."""

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


def _form(s) -> dict:
    return {
        "kind": "thematic",
        "date": today_text(),
        "start_time": "08:00",
        "place": "Hội trường",
        "agenda": "Chuyên đề.",
        "version": s.meeting.version,
    }


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
    "meetings:workplace": row(get=everyone(200), post=everyone(200)),
    "meetings:member": row(
        lambda s: {"pk": s.member.pk}, get=table(404, **M1_READERS), post=table(404, **M1_READERS)
    ),
}
# The figures page of an organisation's year and its two exports ("export" entries: logged reads):
# those who read the residential cell (its twin: R2's staff).
for _name in ("meetings:figures", "meetings:figures_meetings", "meetings:figures_attendance"):
    MEETINGS_EXPECTED[_name] = row(
        lambda s: Target(query=f"org={s.residential_cell.pk}"),
        get=table(404, **R1C1),
        post=table(404, **R1C1),
    )
