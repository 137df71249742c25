"""The permission walk's rows for the 213 score and the yearly review report (issue 13).

Both read one organisation through the access rule: those who read the workplace committee W1 (its
twin: W2's staff) get the page and the download ("export" entry: a logged read); everyone else 404,
GET and POST alike; a reader's POST is refused (405) once the access rule has answered."""

from haichieu.access.tests.access_tables import row, table

YEAR = 2026
W1_READERS = dict(admin=200, province_staff=200, w1_staff=200, w1_viewer=200)


def _org(side):
    return {"org_pk": side.committee.pk, "year": YEAR}


REVIEW_EXPECTED = {
    # The user's first organisation: a redirect for whoever reads somewhere.
    "review:start": row(get=table(302, member_user=404, outsider=404), post=table(405)),
    "review:score": row(
        _org, get=table(404, **W1_READERS), post=table(404, **dict.fromkeys(W1_READERS, 405))
    ),
    "review:score_xlsx": row(
        _org, get=table(404, **W1_READERS), post=table(404, **dict.fromkeys(W1_READERS, 405))
    ),
    "review:report": row(
        _org, get=table(404, **W1_READERS), post=table(404, **dict.fromkeys(W1_READERS, 405))
    ),
}
