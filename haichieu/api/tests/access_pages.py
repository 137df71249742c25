"""The permission walk's rows for the API (access/tests/test_permissions.py).

The walk signs in with a session, which is no API credential: every operation of /api/v1/ answers
401 to every persona (405 to the method it does not take) and changes nothing. What each persona's
token gets, in and out of scope, is walked by test_scope.py (access_api.py). The schema and its
docs page are public (they hold no data). The token pages are each user's own."""

from haichieu.access.tests.access_tables import everyone, row, table


def _token(side):
    """A token of the side's workplace committee's staff (w1_staff; twin: w2_staff)."""
    if "api_token" not in side.__dict__:
        from haichieu.api.services import api_token_create

        owner = side.world.w2_staff if side.second else side.world.w1_staff
        side.__dict__["api_token"] = api_token_create(actor=owner, name="Phần mềm báo cáo")[0]
    return side.__dict__["api_token"]


NO_SESSION = everyone(401, anonymous=401)
NOT_THIS_METHOD = everyone(405, anonymous=405)


def _get(target=None):
    return row(target, get=NO_SESSION, post=NOT_THIS_METHOD)


def _post(target):
    return row(target, get=NOT_THIS_METHOD, post=NO_SESSION)


API_PAGES_EXPECTED = {
    # The form to make a token: an empty form shows its error, writes nothing.
    "api_tokens": row(get=everyone(200), post=everyone(200)),
    "api_token_revoke": row(
        lambda s: {"pk": _token(s).pk},
        get=everyone(405, anonymous=405),
        post=table(404, w1_staff=302),
        writes=("w1_staff",),
    ),
    "api:api-root": row(get=everyone(404, anonymous=404), post=everyone(404, anonymous=404)),
    "api:openapi-json": row(get=everyone(200, anonymous=200), post=everyone(200, anonymous=200)),
    "api:openapi-view": row(get=everyone(200, anonymous=200), post=everyone(200, anonymous=200)),
    "api:organization_list": _get(),
    "api:organization_detail": _get(lambda s: {"pk": s.cell.pk}),
    "api:member_list": _get(),
    "api:member_detail": _get(lambda s: {"pk": s.member.pk}),
    "api:member_event": _post(lambda s: {"pk": s.member.pk}),
    "api:liaison_list": _get(),
    "api:liaison_detail": _get(lambda s: {"pk": s.liaison.pk}),
    "api:notice_list": _get(),
    "api:notice_detail": _get(lambda s: {"pk": s.notice.pk}),
    "api:meeting_list": _get(),
    "api:meeting_detail": _get(lambda s: {"pk": s.meeting.pk}),
    "api:meeting_attendance": _get(lambda s: {"pk": s.meeting.pk}),
    "api:attendance_mark": _post(lambda s: {"pk": s.meeting.pk, "attendance_pk": s.attendance.pk}),
    "api:comment_request_list": _get(),
    "api:comment_request_detail": _get(lambda s: {"pk": s.member.pk}),
    "api:rating_list": _get(),
    "api:coverage": _get(),
    "api:meeting_figures": _get(),
}
