"""The permission walk's rows for the comments pages (access/tests/test_permissions.py).

The side's member (m1, placed in R1C1; twin m3 in R2C1) has two ad hoc requests: one waiting for the
cell's comment and one commented, waiting for the commune committee's confirmation. A request is
seen by its residential cell and commune committee (the residence side) and by the member's
workplace side; it is answered by the cell's writers (and the commune's staff), confirmed by the
commune committee's; residence users never see the workplace's pages of the member."""

import datetime

from haichieu.access.tests.access_tables import Target, everyone, row, table

# Whoever reads somewhere: the lists (each within its own scope).
READERS_ANYWHERE = dict(
    admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=200, w2_staff=200,
    r1_staff=200, r1c1_secretary=200, r2_staff=200,
)  # fmt: skip
WRITERS_ANYWHERE = {p: 200 for p in READERS_ANYWHERE if p != "w1_viewer"}
# Those who see m1's requests: the workplace side of W1C1 and the residence side of R1C1.
REQUEST_READERS = dict(
    admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w1_viewer=200, r1_staff=200,
    r1c1_secretary=200,
)  # fmt: skip
# Those who read R1C1 itself (its figures): the residence side above it and its own secretary.
R1C1_READERS = dict(admin=200, province_staff=200, r1_staff=200, r1c1_secretary=200)
ANSWERERS = ("admin", "province_staff", "r1_staff", "r1c1_secretary")
CONFIRMERS = ("admin", "province_staff", "r1_staff")


def _request(side, key: str):
    """The side's member's request: "pending" (to comment on) or "awaiting" (commented, waiting for
    the commune committee), made once per world."""
    cache = f"comment_request_{key}"
    if cache not in side.__dict__:
        from haichieu.comments.models import Comment, CommentAnswer, CommentForm, CommentRequest

        link = side.liaison
        form = CommentForm.objects.in_force(datetime.date.today().year, CommentForm.Audience.REGULAR)
        request = CommentRequest.objects.create(
            member=side.member, liaison=link, cell=side.residential_cell, commune_org=side.commune,
            workplace_org=side.committee, form=form, year=datetime.date.today().year,
            purpose="election" if key == "pending" else "appointment",
            deadline=datetime.date.today() + datetime.timedelta(days=10),
            state="pending" if key == "pending" else "awaiting_confirmation",
        )  # fmt: skip
        if key == "awaiting":
            comment = Comment.objects.create(request=request, text="Gương mẫu.")
            CommentAnswer.objects.bulk_create(
                CommentAnswer(comment=comment, criterion=c, level=1) for c in form.criteria.all()
            )
        side.__dict__[cache] = request
    return side.__dict__[cache]


def _answer(side):
    request = _request(side, "pending")
    data = {f"level_{c.pk}": "2" for c in request.form.criteria.all()}
    return Target({"pk": request.pk}, data={**data, "text": "Tham gia đầy đủ các hoạt động."})


COMMENTS_EXPECTED: dict = {
    "comments:list": row(get=table(404, **READERS_ANYWHERE), post=table(404, **READERS_ANYWHERE)),
    "comments:progress": row(get=table(404, **READERS_ANYWHERE), post=table(404, **READERS_ANYWHERE)),
    # Empty forms: their errors (nothing is written).
    "comments:round": row(get=table(404, **WRITERS_ANYWHERE), post=table(404, **WRITERS_ANYWHERE)),
    "comments:ask": row(get=table(404, **WRITERS_ANYWHERE), post=table(404, **WRITERS_ANYWHERE)),
    "comments:detail": row(
        lambda s: {"pk": _request(s, "pending").pk},
        get=table(404, **REQUEST_READERS),
        post=table(404, **REQUEST_READERS),
    ),  # fmt: skip
    # The residence side only: the workplace that sees the request gets 404 here.
    "comments:answer": row(
        _answer,
        get=table(404, **dict.fromkeys(ANSWERERS, 200)),
        post=table(404, **dict.fromkeys(ANSWERERS, 302)),
        writes=ANSWERERS,
    ),
    "comments:confirm": row(
        lambda s: {"pk": _request(s, "awaiting").pk},
        get=everyone(405, anonymous=405),
        post=table(404, **dict.fromkeys(CONFIRMERS, 302), r1c1_secretary=403),
        writes=CONFIRMERS,
    ),
    # A download: a logged read ("export" entry), not a change.
    "comments:docx": row(
        lambda s: {"pk": _request(s, "awaiting").pk},
        get=table(404, **REQUEST_READERS),
        post=table(404, **REQUEST_READERS),
    ),  # fmt: skip
    # The figures of the side's residential cell (R1C1, twin R2C1): its readers see them, GET only
    # (a POST is refused once the organisation is known to be theirs); the exports are logged reads.
    **{
        name: row(
            lambda s: Target(query=f"org={s.residential_cell.pk}"),
            get=table(404, **R1C1_READERS),
            post=table(404, **dict.fromkeys(R1C1_READERS, 405)),
        )
        for name in ("comments:figures", "comments:figures_timeliness_xlsx", "comments:figures_criteria_xlsx")
    },
}
