"""The permission walk's rows for data that needs care and the role guides (issue 13).

The care pages are for users who read some organisation's lists (a plain member and an outsider:
404); each user sees only the records of their scope, so the page itself answers everyone who reads
somewhere, on either half of the world alike. A guide holds no one's data: every signed-in user may
download any role's guide (the rules page lists them all); it is a GET.
"""

from haichieu.access.tests.access_tables import everyone, row, table

READERS = table(200, member_user=404, outsider=404)
SAME = {"get": READERS, "post": READERS}

CARE_EXPECTED = {
    "care:overview": row(get=READERS, post=READERS),
    "care:check": row(lambda s: {"key": "thieu-noi-cu-tru"}, get=READERS, post=READERS, outside=SAME),
    "care:guide": row(
        lambda s: {"role": "dang-vien"},
        get=everyone(200),
        post=everyone(405),
        outside={"get": everyone(200), "post": everyone(405)},
    ),
}
