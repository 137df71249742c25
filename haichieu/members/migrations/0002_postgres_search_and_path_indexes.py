"""PostgreSQL-only indexes: trigram search on folded names, better statistics on tree paths.

A diacritic-free substring search needs pg_trgm to stay fast (DESIGN.md), and rare subtrees get a
bad plan unless the statistics target on the path column is raised. SQLite needs neither.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS member_name_folded_trgm ON members_member USING gin (name_folded gin_trgm_ops)",
    "ALTER TABLE organizations_organization ALTER COLUMN path SET STATISTICS 1000",
]
BACKWARD = [
    "DROP INDEX IF EXISTS member_name_folded_trgm",
    "ALTER TABLE organizations_organization ALTER COLUMN path SET STATISTICS -1",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("organizations", "0001_initial"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
