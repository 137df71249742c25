"""Coverage counts keep working members apart from members whose official cell is residential.

Regulation 213-QĐ/TW concerns members who work: a retired member whose official cell is the cell of
their residential group is never in the coverage (issue 15). The counts gain `working` (the
member's cell is not residential) in their key; the triggers write it and the coverage reads only
those rows, while the tree's member counts still read them all. Everything is recounted.

This migration carries the SQL as it was then; it imports nothing from the app.
"""

import importlib

from django.db import migrations, models

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION liaisons_member_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Writers under one root organisation take turns (advisory lock, roots in order): they all
    -- touch the root's rows and could otherwise deadlock taking them in different orders.
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_advisory_xact_lock(hashtext('liaisons_coveragecount:' || root))
        FROM (SELECT DISTINCT substr(c.path, 1, 4) AS root
              FROM (SELECT DISTINCT workplace_cell_id FROM (SELECT workplace_cell_id, link_status, liaison_category, 1 AS d FROM new_rows WHERE status IN ('probationary', 'full')) rows) ch
              JOIN organizations_organization c ON c.id = ch.workplace_cell_id ORDER BY 1) roots;
        INSERT INTO liaisons_coveragecount (org_id, link_status, liaison_category, working, members)
        SELECT o.id, ch.link_status, ch.liaison_category, NOT c.is_residential, SUM(ch.d)
        FROM (SELECT workplace_cell_id, link_status, liaison_category, SUM(d) AS d FROM (SELECT workplace_cell_id, link_status, liaison_category, 1 AS d FROM new_rows WHERE status IN ('probationary', 'full')) rows GROUP BY workplace_cell_id, link_status, liaison_category) ch
        JOIN organizations_organization c ON c.id = ch.workplace_cell_id
        JOIN LATERAL generate_series(1, c.depth) AS k ON true
        JOIN organizations_organization o ON o.path = substr(c.path, 1, k * 4)
        GROUP BY o.id, ch.link_status, ch.liaison_category, NOT c.is_residential
        HAVING SUM(ch.d) <> 0
        ORDER BY o.id, ch.link_status, ch.liaison_category, NOT c.is_residential
        ON CONFLICT (org_id, link_status, liaison_category, working)
        DO UPDATE SET members = liaisons_coveragecount.members + EXCLUDED.members;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_advisory_xact_lock(hashtext('liaisons_coveragecount:' || root))
        FROM (SELECT DISTINCT substr(c.path, 1, 4) AS root
              FROM (SELECT DISTINCT workplace_cell_id FROM (SELECT workplace_cell_id, link_status, liaison_category, -1 AS d FROM old_rows WHERE status IN ('probationary', 'full')) rows) ch
              JOIN organizations_organization c ON c.id = ch.workplace_cell_id ORDER BY 1) roots;
        INSERT INTO liaisons_coveragecount (org_id, link_status, liaison_category, working, members)
        SELECT o.id, ch.link_status, ch.liaison_category, NOT c.is_residential, SUM(ch.d)
        FROM (SELECT workplace_cell_id, link_status, liaison_category, SUM(d) AS d FROM (SELECT workplace_cell_id, link_status, liaison_category, -1 AS d FROM old_rows WHERE status IN ('probationary', 'full')) rows GROUP BY workplace_cell_id, link_status, liaison_category) ch
        JOIN organizations_organization c ON c.id = ch.workplace_cell_id
        JOIN LATERAL generate_series(1, c.depth) AS k ON true
        JOIN organizations_organization o ON o.path = substr(c.path, 1, k * 4)
        GROUP BY o.id, ch.link_status, ch.liaison_category, NOT c.is_residential
        HAVING SUM(ch.d) <> 0
        ORDER BY o.id, ch.link_status, ch.liaison_category, NOT c.is_residential
        ON CONFLICT (org_id, link_status, liaison_category, working)
        DO UPDATE SET members = liaisons_coveragecount.members + EXCLUDED.members;
    ELSE
        PERFORM pg_advisory_xact_lock(hashtext('liaisons_coveragecount:' || root))
        FROM (SELECT DISTINCT substr(c.path, 1, 4) AS root
              FROM (SELECT DISTINCT workplace_cell_id FROM (SELECT workplace_cell_id, link_status, liaison_category, 1 AS d FROM new_rows WHERE status IN ('probationary', 'full') UNION ALL SELECT workplace_cell_id, link_status, liaison_category, -1 AS d FROM old_rows WHERE status IN ('probationary', 'full')) rows) ch
              JOIN organizations_organization c ON c.id = ch.workplace_cell_id ORDER BY 1) roots;
        INSERT INTO liaisons_coveragecount (org_id, link_status, liaison_category, working, members)
        SELECT o.id, ch.link_status, ch.liaison_category, NOT c.is_residential, SUM(ch.d)
        FROM (SELECT workplace_cell_id, link_status, liaison_category, SUM(d) AS d FROM (SELECT workplace_cell_id, link_status, liaison_category, 1 AS d FROM new_rows WHERE status IN ('probationary', 'full') UNION ALL SELECT workplace_cell_id, link_status, liaison_category, -1 AS d FROM old_rows WHERE status IN ('probationary', 'full')) rows GROUP BY workplace_cell_id, link_status, liaison_category) ch
        JOIN organizations_organization c ON c.id = ch.workplace_cell_id
        JOIN LATERAL generate_series(1, c.depth) AS k ON true
        JOIN organizations_organization o ON o.path = substr(c.path, 1, k * 4)
        GROUP BY o.id, ch.link_status, ch.liaison_category, NOT c.is_residential
        HAVING SUM(ch.d) <> 0
        ORDER BY o.id, ch.link_status, ch.liaison_category, NOT c.is_residential
        ON CONFLICT (org_id, link_status, liaison_category, working)
        DO UPDATE SET members = liaisons_coveragecount.members + EXCLUDED.members;
    END IF;
    RETURN NULL;
END $$
"""

# SQLite's triggers name the counted columns, so they are made again.
SQLITE_TRIGGERS = [
    ('CREATE TRIGGER member_coverage_insert AFTER INSERT ON members_member BEGIN INSERT INTO '
 'liaisons_coveragecount (org_id, link_status, liaison_category, working, members) SELECT id, '
 'NEW.link_status, NEW.liaison_category, working, 1 FROM (SELECT o.id, NOT c.is_residential AS '
 'working FROM organizations_organization c JOIN organizations_organization o ON o.path IN '
 '(substr(c.path, 1, 4), substr(c.path, 1, 8), substr(c.path, 1, 12), substr(c.path, 1, 16), '
 'substr(c.path, 1, 20), substr(c.path, 1, 24), substr(c.path, 1, 28), substr(c.path, 1, 32), '
 'substr(c.path, 1, 36), substr(c.path, 1, 40), substr(c.path, 1, 44), substr(c.path, 1, 48), '
 'substr(c.path, 1, 52), substr(c.path, 1, 56), substr(c.path, 1, 60), substr(c.path, 1, 64), '
 'substr(c.path, 1, 68), substr(c.path, 1, 72), substr(c.path, 1, 76), substr(c.path, 1, 80), '
 'substr(c.path, 1, 84), substr(c.path, 1, 88), substr(c.path, 1, 92), substr(c.path, 1, 96), '
 'substr(c.path, 1, 100), substr(c.path, 1, 104), substr(c.path, 1, 108), substr(c.path, 1, 112), '
 'substr(c.path, 1, 116), substr(c.path, 1, 120), substr(c.path, 1, 124), substr(c.path, 1, 128), '
 'substr(c.path, 1, 132), substr(c.path, 1, 136), substr(c.path, 1, 140), substr(c.path, 1, 144), '
 'substr(c.path, 1, 148), substr(c.path, 1, 152), substr(c.path, 1, 156), substr(c.path, 1, 160), '
 'substr(c.path, 1, 164), substr(c.path, 1, 168), substr(c.path, 1, 172), substr(c.path, 1, 176), '
 'substr(c.path, 1, 180), substr(c.path, 1, 184), substr(c.path, 1, 188), substr(c.path, 1, 192), '
 'substr(c.path, 1, 196), substr(c.path, 1, 200), substr(c.path, 1, 204), substr(c.path, 1, 208), '
 'substr(c.path, 1, 212), substr(c.path, 1, 216), substr(c.path, 1, 220), substr(c.path, 1, 224), '
 'substr(c.path, 1, 228), substr(c.path, 1, 232), substr(c.path, 1, 236), substr(c.path, 1, 240), '
 'substr(c.path, 1, 244), substr(c.path, 1, 248), substr(c.path, 1, 252)) WHERE c.id = '
 "NEW.workplace_cell_id) WHERE NEW.status IN ('probationary', 'full') ON CONFLICT (org_id, "
 'link_status, liaison_category, working) DO UPDATE SET members = members + excluded.members; END'),
    ('CREATE TRIGGER member_coverage_delete AFTER DELETE ON members_member BEGIN UPDATE '
 "liaisons_coveragecount SET members = members - 1 WHERE OLD.status IN ('probationary', 'full') "
 'AND link_status = OLD.link_status AND liaison_category = OLD.liaison_category AND working = '
 '(SELECT NOT is_residential FROM organizations_organization WHERE id = OLD.workplace_cell_id) AND '
 'org_id IN (SELECT o.id FROM organizations_organization c JOIN organizations_organization o ON '
 'o.path IN (substr(c.path, 1, 4), substr(c.path, 1, 8), substr(c.path, 1, 12), substr(c.path, 1, '
 '16), substr(c.path, 1, 20), substr(c.path, 1, 24), substr(c.path, 1, 28), substr(c.path, 1, 32), '
 'substr(c.path, 1, 36), substr(c.path, 1, 40), substr(c.path, 1, 44), substr(c.path, 1, 48), '
 'substr(c.path, 1, 52), substr(c.path, 1, 56), substr(c.path, 1, 60), substr(c.path, 1, 64), '
 'substr(c.path, 1, 68), substr(c.path, 1, 72), substr(c.path, 1, 76), substr(c.path, 1, 80), '
 'substr(c.path, 1, 84), substr(c.path, 1, 88), substr(c.path, 1, 92), substr(c.path, 1, 96), '
 'substr(c.path, 1, 100), substr(c.path, 1, 104), substr(c.path, 1, 108), substr(c.path, 1, 112), '
 'substr(c.path, 1, 116), substr(c.path, 1, 120), substr(c.path, 1, 124), substr(c.path, 1, 128), '
 'substr(c.path, 1, 132), substr(c.path, 1, 136), substr(c.path, 1, 140), substr(c.path, 1, 144), '
 'substr(c.path, 1, 148), substr(c.path, 1, 152), substr(c.path, 1, 156), substr(c.path, 1, 160), '
 'substr(c.path, 1, 164), substr(c.path, 1, 168), substr(c.path, 1, 172), substr(c.path, 1, 176), '
 'substr(c.path, 1, 180), substr(c.path, 1, 184), substr(c.path, 1, 188), substr(c.path, 1, 192), '
 'substr(c.path, 1, 196), substr(c.path, 1, 200), substr(c.path, 1, 204), substr(c.path, 1, 208), '
 'substr(c.path, 1, 212), substr(c.path, 1, 216), substr(c.path, 1, 220), substr(c.path, 1, 224), '
 'substr(c.path, 1, 228), substr(c.path, 1, 232), substr(c.path, 1, 236), substr(c.path, 1, 240), '
 'substr(c.path, 1, 244), substr(c.path, 1, 248), substr(c.path, 1, 252)) WHERE c.id = '
 'OLD.workplace_cell_id); END'),
    ('CREATE TRIGGER member_coverage_update AFTER UPDATE OF workplace_cell_id, status, link_status, '
 'liaison_category ON members_member WHEN OLD.workplace_cell_id IS NOT NEW.workplace_cell_id OR '
 'OLD.status IS NOT NEW.status OR OLD.link_status IS NOT NEW.link_status OR OLD.liaison_category '
 'IS NOT NEW.liaison_category BEGIN UPDATE liaisons_coveragecount SET members = members - 1 WHERE '
 "OLD.status IN ('probationary', 'full') AND link_status = OLD.link_status AND liaison_category = "
 'OLD.liaison_category AND working = (SELECT NOT is_residential FROM organizations_organization '
 'WHERE id = OLD.workplace_cell_id) AND org_id IN (SELECT o.id FROM organizations_organization c '
 'JOIN organizations_organization o ON o.path IN (substr(c.path, 1, 4), substr(c.path, 1, 8), '
 'substr(c.path, 1, 12), substr(c.path, 1, 16), substr(c.path, 1, 20), substr(c.path, 1, 24), '
 'substr(c.path, 1, 28), substr(c.path, 1, 32), substr(c.path, 1, 36), substr(c.path, 1, 40), '
 'substr(c.path, 1, 44), substr(c.path, 1, 48), substr(c.path, 1, 52), substr(c.path, 1, 56), '
 'substr(c.path, 1, 60), substr(c.path, 1, 64), substr(c.path, 1, 68), substr(c.path, 1, 72), '
 'substr(c.path, 1, 76), substr(c.path, 1, 80), substr(c.path, 1, 84), substr(c.path, 1, 88), '
 'substr(c.path, 1, 92), substr(c.path, 1, 96), substr(c.path, 1, 100), substr(c.path, 1, 104), '
 'substr(c.path, 1, 108), substr(c.path, 1, 112), substr(c.path, 1, 116), substr(c.path, 1, 120), '
 'substr(c.path, 1, 124), substr(c.path, 1, 128), substr(c.path, 1, 132), substr(c.path, 1, 136), '
 'substr(c.path, 1, 140), substr(c.path, 1, 144), substr(c.path, 1, 148), substr(c.path, 1, 152), '
 'substr(c.path, 1, 156), substr(c.path, 1, 160), substr(c.path, 1, 164), substr(c.path, 1, 168), '
 'substr(c.path, 1, 172), substr(c.path, 1, 176), substr(c.path, 1, 180), substr(c.path, 1, 184), '
 'substr(c.path, 1, 188), substr(c.path, 1, 192), substr(c.path, 1, 196), substr(c.path, 1, 200), '
 'substr(c.path, 1, 204), substr(c.path, 1, 208), substr(c.path, 1, 212), substr(c.path, 1, 216), '
 'substr(c.path, 1, 220), substr(c.path, 1, 224), substr(c.path, 1, 228), substr(c.path, 1, 232), '
 'substr(c.path, 1, 236), substr(c.path, 1, 240), substr(c.path, 1, 244), substr(c.path, 1, 248), '
 'substr(c.path, 1, 252)) WHERE c.id = OLD.workplace_cell_id); INSERT INTO liaisons_coveragecount '
 '(org_id, link_status, liaison_category, working, members) SELECT id, NEW.link_status, '
 'NEW.liaison_category, working, 1 FROM (SELECT o.id, NOT c.is_residential AS working FROM '
 'organizations_organization c JOIN organizations_organization o ON o.path IN (substr(c.path, 1, '
 '4), substr(c.path, 1, 8), substr(c.path, 1, 12), substr(c.path, 1, 16), substr(c.path, 1, 20), '
 'substr(c.path, 1, 24), substr(c.path, 1, 28), substr(c.path, 1, 32), substr(c.path, 1, 36), '
 'substr(c.path, 1, 40), substr(c.path, 1, 44), substr(c.path, 1, 48), substr(c.path, 1, 52), '
 'substr(c.path, 1, 56), substr(c.path, 1, 60), substr(c.path, 1, 64), substr(c.path, 1, 68), '
 'substr(c.path, 1, 72), substr(c.path, 1, 76), substr(c.path, 1, 80), substr(c.path, 1, 84), '
 'substr(c.path, 1, 88), substr(c.path, 1, 92), substr(c.path, 1, 96), substr(c.path, 1, 100), '
 'substr(c.path, 1, 104), substr(c.path, 1, 108), substr(c.path, 1, 112), substr(c.path, 1, 116), '
 'substr(c.path, 1, 120), substr(c.path, 1, 124), substr(c.path, 1, 128), substr(c.path, 1, 132), '
 'substr(c.path, 1, 136), substr(c.path, 1, 140), substr(c.path, 1, 144), substr(c.path, 1, 148), '
 'substr(c.path, 1, 152), substr(c.path, 1, 156), substr(c.path, 1, 160), substr(c.path, 1, 164), '
 'substr(c.path, 1, 168), substr(c.path, 1, 172), substr(c.path, 1, 176), substr(c.path, 1, 180), '
 'substr(c.path, 1, 184), substr(c.path, 1, 188), substr(c.path, 1, 192), substr(c.path, 1, 196), '
 'substr(c.path, 1, 200), substr(c.path, 1, 204), substr(c.path, 1, 208), substr(c.path, 1, 212), '
 'substr(c.path, 1, 216), substr(c.path, 1, 220), substr(c.path, 1, 224), substr(c.path, 1, 228), '
 'substr(c.path, 1, 232), substr(c.path, 1, 236), substr(c.path, 1, 240), substr(c.path, 1, 244), '
 'substr(c.path, 1, 248), substr(c.path, 1, 252)) WHERE c.id = NEW.workplace_cell_id) WHERE '
 "NEW.status IN ('probationary', 'full') ON CONFLICT (org_id, link_status, liaison_category, "
 'working) DO UPDATE SET members = members + excluded.members; END'),
]

# Counts the members already there, working members apart.
COUNT_SQL = """
INSERT INTO liaisons_coveragecount (org_id, link_status, liaison_category, working, members)
WITH RECURSIVE levels(k) AS (
    SELECT 1 UNION ALL SELECT k + 1 FROM levels WHERE k < (SELECT MAX(depth) FROM organizations_organization)
), per_cell AS (
    SELECT workplace_cell_id AS cell_id, link_status, liaison_category, COUNT(*) AS n
    FROM members_member WHERE status IN ('probationary', 'full') GROUP BY workplace_cell_id, link_status, liaison_category
)
SELECT o.id, per_cell.link_status, per_cell.liaison_category, NOT c.is_residential, SUM(per_cell.n)
FROM per_cell
JOIN organizations_organization c ON c.id = per_cell.cell_id
JOIN levels ON levels.k <= c.depth
JOIN organizations_organization o ON o.path = substr(c.path, 1, levels.k * 4)
WHERE 1 = 1
GROUP BY o.id, per_cell.link_status, per_cell.liaison_category, NOT c.is_residential
"""


TRIGGERS = ("member_coverage_insert", "member_coverage_delete", "member_coverage_update")


def _earlier(name):
    return importlib.import_module(f"haichieu.liaisons.migrations.{name}")


def drop_sqlite_triggers(apps, schema_editor):
    """SQLite rebuilds the counts table to change it, which its triggers on members_member forbid."""
    if schema_editor.connection.vendor == "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def uninstall(apps, schema_editor):
    """The counts go (the old key cannot hold them) and SQLite's triggers with them; `restore_as_before`
    counts again once the old key is back."""
    drop_sqlite_triggers(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM liaisons_coveragecount")


def install(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        if postgres:
            cursor.execute(POSTGRES_FUNCTION)  # the triggers call it by name: they stay
            cursor.execute("LOCK TABLE members_member IN SHARE MODE")
        else:
            for sql in SQLITE_TRIGGERS:
                cursor.execute(sql)
        cursor.execute("DELETE FROM liaisons_coveragecount")
        cursor.execute(COUNT_SQL)


def restore_as_before(apps, schema_editor):
    """Back to the SQL of 0004 and 0007 (frozen there), once the counts have their old key again."""
    postgres = schema_editor.connection.vendor == "postgresql"
    m0004 = _earlier("0004_coverage_counts_kept_by_triggers")
    with schema_editor.connection.cursor() as cursor:
        if postgres:
            cursor.execute(_earlier("0007_coverage_function_sums_per_cell").POSTGRES_FUNCTION)
            cursor.execute("LOCK TABLE members_member IN SHARE MODE")
        else:
            for sql in m0004.SQLITE_TRIGGERS:
                cursor.execute(sql)
        cursor.execute("DELETE FROM liaisons_coveragecount")
        cursor.execute(m0004.COUNT_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("liaisons", "0012_departure_reports_confirmed_by_the_commune"),
        ("organizations", "0004_one_committee_per_commune"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, restore_as_before),
        migrations.RemoveConstraint(
            model_name="coveragecount",
            name="coverage_count_once",
        ),
        migrations.AddField(
            model_name="coveragecount",
            name="working",
            field=models.BooleanField(default=True),
        ),
        migrations.AddConstraint(
            model_name="coveragecount",
            constraint=models.UniqueConstraint(
                fields=("org", "link_status", "liaison_category", "working"), name="coverage_count_once"
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
