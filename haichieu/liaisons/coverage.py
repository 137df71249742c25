"""Coverage counts (models.CoverageCount): the triggers that keep them, and recounting them.

Every insert, delete, or change of workplace cell, status, link status or HD 33 category of a
member adds one to, or takes one from, the rows of the member's workplace cell and of each of its
ancestors (their paths are the prefixes of the cell's path), in the writer's own transaction.
Only active members (probationary, full) are counted. A decrement only updates existing rows, so
emptying the tables in any order (test flushes on SQLite) leaves no negative rows behind. On
PostgreSQL, writers under one root organisation first take a transaction-level advisory lock on
it: they all touch the root's rows, and could otherwise deadlock taking them in different orders.

Recounting is only needed when the tree itself changes (a moved organisation gets other
ancestors) or after a repair; both recounts here are idempotent.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from haichieu.members.models import Member

MEMBERS = "members_member"
ORGS = "organizations_organization"
COUNTS = "liaisons_coveragecount"
STEP = 4  # django-treebeard's steplen for Organization paths (Organization.steplen)
MAX_LEVELS = 255 // STEP  # the path column's max_length: every possible ancestor
ACTIVE = "(" + ", ".join(f"'{s.value}'" for s in Member.ACTIVE_STATUSES) + ")"
WATCHED = ("workplace_cell_id", "status", "link_status", "liaison_category")
TRIGGERS = ("member_coverage_insert", "member_coverage_delete", "member_coverage_update")

_POSTGRES_FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION liaisons_coverage_count_add(cell bigint, link text, category text, delta integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    cell_path text;
BEGIN
    SELECT path INTO cell_path FROM {ORGS} WHERE id = cell;
    IF cell_path IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('{COUNTS}:' || substr(cell_path, 1, {STEP})));
    IF delta > 0 THEN
        INSERT INTO {COUNTS} (org_id, link_status, liaison_category, members)
        SELECT o.id, link, category, delta FROM {ORGS} o
        WHERE o.path IN (SELECT substr(cell_path, 1, k * {STEP}) FROM generate_series(1, length(cell_path) / {STEP}) k)
        ORDER BY o.path
        ON CONFLICT (org_id, link_status, liaison_category)
        DO UPDATE SET members = {COUNTS}.members + EXCLUDED.members;
    ELSE
        UPDATE {COUNTS} SET members = members + delta
        WHERE link_status = link AND liaison_category = category AND org_id IN (
            SELECT o.id FROM {ORGS} o
            WHERE o.path IN (SELECT substr(cell_path, 1, k * {STEP}) FROM generate_series(1, length(cell_path) / {STEP}) k)
        );
    END IF;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION liaisons_member_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status IN {ACTIVE} THEN
        PERFORM liaisons_coverage_count_add(OLD.workplace_cell_id, OLD.link_status, OLD.liaison_category, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status IN {ACTIVE} THEN
        PERFORM liaisons_coverage_count_add(NEW.workplace_cell_id, NEW.link_status, NEW.liaison_category, 1);
    END IF;
    RETURN NULL;
END $$
""",
]
_POSTGRES_TRIGGERS = {
    "member_coverage_insert": f"AFTER INSERT ON {MEMBERS} FOR EACH ROW",
    "member_coverage_delete": f"AFTER DELETE ON {MEMBERS} FOR EACH ROW",
    "member_coverage_update": (
        f"AFTER UPDATE OF {', '.join(WATCHED)} ON {MEMBERS} FOR EACH ROW "
        f"WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in WATCHED)})"
    ),
}


def _sqlite_ancestors(row: str) -> str:
    """The ids of the organisations on the path of `row`'s workplace cell (triggers allow no CTE)."""
    prefixes = ", ".join(f"substr(c.path, 1, {k * STEP})" for k in range(1, MAX_LEVELS + 1))
    return (
        f"SELECT o.id FROM {ORGS} c JOIN {ORGS} o ON o.path IN ({prefixes}) "
        f"WHERE c.id = {row}.workplace_cell_id"
    )


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT INTO {COUNTS} (org_id, link_status, liaison_category, members) "
        f"SELECT id, {row}.link_status, {row}.liaison_category, 1 FROM ({_sqlite_ancestors(row)}) "
        f"WHERE {row}.status IN {ACTIVE} "
        f"ON CONFLICT (org_id, link_status, liaison_category) DO UPDATE SET members = members + excluded.members;"
    )


def _sqlite_take(row: str) -> str:
    return (
        f"UPDATE {COUNTS} SET members = members - 1 WHERE {row}.status IN {ACTIVE} "
        f"AND link_status = {row}.link_status AND liaison_category = {row}.liaison_category "
        f"AND org_id IN ({_sqlite_ancestors(row)});"
    )


_SQLITE_TRIGGERS = {
    "member_coverage_insert": f"AFTER INSERT ON {MEMBERS} BEGIN {_sqlite_add('NEW')} END",
    "member_coverage_delete": f"AFTER DELETE ON {MEMBERS} BEGIN {_sqlite_take('OLD')} END",
    "member_coverage_update": (
        f"AFTER UPDATE OF {', '.join(WATCHED)} ON {MEMBERS} "
        f"WHEN {' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in WATCHED)} "
        f"BEGIN {_sqlite_take('OLD')} {_sqlite_add('NEW')} END"
    ),
}


def _installed(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [MEMBERS]
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [MEMBERS]
            )
        return {name for (name,) in cursor.fetchall()}


def coverage_triggers_install(connection) -> bool:
    """Create the triggers that are missing; True when some were (the counts then need a recount)."""
    missing = [name for name in TRIGGERS if name not in _installed(connection)]
    if not missing:
        return False
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            for sql in _POSTGRES_FUNCTIONS:
                cursor.execute(sql)
        for name in missing:
            if postgres:
                cursor.execute(
                    f"CREATE TRIGGER {name} {_POSTGRES_TRIGGERS[name]} EXECUTE FUNCTION liaisons_member_coverage()"
                )
            else:
                cursor.execute(f"CREATE TRIGGER {name} {_SQLITE_TRIGGERS[name]}")
    return True


def coverage_triggers_uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            on = f" ON {MEMBERS}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS liaisons_member_coverage()")
            cursor.execute("DROP FUNCTION IF EXISTS liaisons_coverage_count_add(bigint, text, text, integer)")


_COUNT_SQL = f"""
INSERT INTO {COUNTS} (org_id, link_status, liaison_category, members)
WITH RECURSIVE levels(k) AS (
    SELECT 1 UNION ALL SELECT k + 1 FROM levels WHERE k < (SELECT MAX(depth) FROM {ORGS})
), per_cell AS (
    SELECT workplace_cell_id AS cell_id, link_status, liaison_category, COUNT(*) AS n
    FROM {MEMBERS} WHERE status IN {ACTIVE} GROUP BY workplace_cell_id, link_status, liaison_category
)
SELECT o.id, per_cell.link_status, per_cell.liaison_category, SUM(per_cell.n)
FROM per_cell
JOIN {ORGS} c ON c.id = per_cell.cell_id
JOIN levels ON levels.k <= c.depth
JOIN {ORGS} o ON o.path = substr(c.path, 1, levels.k * {STEP})
WHERE {{where}}
GROUP BY o.id, per_cell.link_status, per_cell.liaison_category
"""


def coverage_counts_rebuild(org_ids=None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Recount the coverage counts of `org_ids` (every organisation when None) from the members.

    On PostgreSQL, member writes wait meanwhile (SHARE lock): one counted by a trigger between the
    delete and the recount would otherwise be counted twice or not at all.
    """
    org_ids = None if org_ids is None else sorted({int(pk) for pk in org_ids})
    if org_ids == []:
        return
    connection = connections[using]
    where, params = "1 = 1", []
    if org_ids is not None:
        where = f"o.id IN ({', '.join(['%s'] * len(org_ids))})"
        params = org_ids
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {MEMBERS} IN SHARE MODE")
        if org_ids is None:
            cursor.execute(f"DELETE FROM {COUNTS}")
        else:
            cursor.execute(
                f"DELETE FROM {COUNTS} WHERE org_id IN ({', '.join(['%s'] * len(org_ids))})", params
            )
        cursor.execute(_COUNT_SQL.format(where=where), params)


def coverage_counts_after_move(org, old_ancestor_paths: list[str]) -> None:
    """Recount the ancestors an organisation left and the ones it joined (call after the move).

    The moved subtree's own counts do not change: its members are the same.
    """
    from haichieu.organizations.models import Organization

    org.refresh_from_db(fields=["path", "depth"])
    paths = set(old_ancestor_paths) | set(org.ancestor_paths())
    coverage_counts_rebuild(Organization.objects.filter(path__in=paths).values_list("pk", flat=True))
