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

# PostgreSQL: statement-level triggers over the transition tables, one grouped upsert per statement.
# Row by row, a batch of 10,000 inserts updated the province's rows 10,000 times in one
# transaction, each update walking the chain of versions the previous ones left: 0.5 ms a row.
_POSTGRES_CHANGES = {
    "INSERT": f"SELECT workplace_cell_id, link_status, liaison_category, 1 AS d FROM new_rows WHERE status IN {ACTIVE}",
    "DELETE": f"SELECT workplace_cell_id, link_status, liaison_category, -1 AS d FROM old_rows WHERE status IN {ACTIVE}",
}
_POSTGRES_CHANGES["UPDATE"] = f"{_POSTGRES_CHANGES['INSERT']} UNION ALL {_POSTGRES_CHANGES['DELETE']}"


def _postgres_apply(changes: str) -> str:
    # The changed rows are first summed per cell (an import of 20,000 members touches a few hundred
    # cells), then each cell's sums go to its ancestors: the work grows with the cells, not the rows.
    per_cell = (
        f"SELECT workplace_cell_id, link_status, liaison_category, SUM(d) AS d FROM ({changes}) rows "
        "GROUP BY workplace_cell_id, link_status, liaison_category"
    )
    return f"""
        PERFORM pg_advisory_xact_lock(hashtext('{COUNTS}:' || root))
        FROM (SELECT DISTINCT substr(c.path, 1, {STEP}) AS root
              FROM (SELECT DISTINCT workplace_cell_id FROM ({changes}) rows) ch
              JOIN {ORGS} c ON c.id = ch.workplace_cell_id ORDER BY 1) roots;
        INSERT INTO {COUNTS} (org_id, link_status, liaison_category, members)
        SELECT o.id, ch.link_status, ch.liaison_category, SUM(ch.d)
        FROM ({per_cell}) ch
        JOIN {ORGS} c ON c.id = ch.workplace_cell_id
        JOIN LATERAL generate_series(1, c.depth) AS k ON true
        JOIN {ORGS} o ON o.path = substr(c.path, 1, k * {STEP})
        GROUP BY o.id, ch.link_status, ch.liaison_category
        HAVING SUM(ch.d) <> 0
        ORDER BY o.id, ch.link_status, ch.liaison_category
        ON CONFLICT (org_id, link_status, liaison_category)
        DO UPDATE SET members = {COUNTS}.members + EXCLUDED.members;"""


_POSTGRES_FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION liaisons_member_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Writers under one root organisation take turns (advisory lock, roots in order): they all
    -- touch the root's rows and could otherwise deadlock taking them in different orders.
    IF TG_OP = 'INSERT' THEN{_postgres_apply(_POSTGRES_CHANGES["INSERT"])}
    ELSIF TG_OP = 'DELETE' THEN{_postgres_apply(_POSTGRES_CHANGES["DELETE"])}
    ELSE{_postgres_apply(_POSTGRES_CHANGES["UPDATE"])}
    END IF;
    RETURN NULL;
END $$
""",
]
_POSTGRES_TRIGGERS = {
    "member_coverage_insert": f"AFTER INSERT ON {MEMBERS} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
    "member_coverage_delete": f"AFTER DELETE ON {MEMBERS} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
    # Transition tables cannot go with a column list: every UPDATE statement fires it, and rows
    # whose counted columns did not change cancel out (HAVING).
    "member_coverage_update": (
        f"AFTER UPDATE ON {MEMBERS} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
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


def coverage_function_replace(connection) -> None:
    """PostgreSQL: the triggers' function as written here (a migration calls it when the SQL changes)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in _POSTGRES_FUNCTIONS:
            cursor.execute(sql)


def coverage_triggers_uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            on = f" ON {MEMBERS}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS liaisons_member_coverage()")
            # The row-by-row helper of the first version of these triggers.
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
