"""PostgreSQL only: a finer sample of folded names for the planner's estimate of a search.

The member list asks PostgreSQL how many names contain a search (members.selectors
`_estimated_matches`) to choose between sorting the matches and walking the list's order. For a
pattern inside the name, PostgreSQL reads that estimate off the column's histogram: at the default
target of 100 entries, one entry that happens to hold a rare fragment puts it at 1 % of the
members. At 1,000,000 members "quach thi" (218 names) was estimated at 8,573 after one ANALYZE,
and the walk the list then chose took 700 ms instead of 32; with 1,000 entries, 62 to 626 in four
ANALYZEs (one such entry is 0.1 %). SQLite has no estimate to sharpen.
"""

from django.db import migrations

FORWARD = ["ALTER TABLE members_member ALTER COLUMN name_folded SET STATISTICS 1000"]
BACKWARD = ["ALTER TABLE members_member ALTER COLUMN name_folded SET STATISTICS -1"]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("members", "0009_member_old_identity_card_number")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
