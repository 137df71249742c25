"""Expected answers of the audit pages for every persona (walked by access/tests/test_permissions.py).

The audit log is for those who manage an organisation (staff, administrators); what it lists is
scoped (test_views.py). A member's own pages answer only a user with a member record.
"""

from haichieu.access.tests.access_tables import Target, everyone, row, table

MANAGERS = dict(admin=200, province_staff=200, w1_staff=200, w2_staff=200, r1_staff=200, r2_staff=200)


def _about_member(s):
    return Target(query=f"member={s.member.party_card_number}")


AUDIT_EXPECTED: dict = {
    "audit:log": row(_about_member, get=table(404, **MANAGERS), post=table(404, **MANAGERS)),
    # The export is a download: GET only; it writes its own "export" entry (a logged read).
    "audit:export": row(_about_member, get=table(404, **MANAGERS), post=everyone(405)),
    "audit:own_reads": row(get=table(404, member_user=200), post=table(404, member_user=200)),
    "audit:own_data": row(get=table(404, member_user=200), post=everyone(405)),
}
