"""Coverage counts (models.CoverageCount): the triggers that keep them, and recounting them.

Every insert, delete, or change of workplace cell, status, link status or HD 33 category of a
member adds one to, or takes one from, the rows of the member's workplace cell and of each of its
ancestors (their paths are the prefixes of the cell's path), in the writer's own transaction.
Only active members (probationary, full) are counted, apart by whether they are working members
(`working`: their cell is not a residential cell, rules.working). A decrement only updates existing rows, so
emptying the tables in any order (test flushes on SQLite) leaves no negative rows behind. On
PostgreSQL, writers under one root organisation first take a transaction-level advisory lock on
it: they all touch the root's rows, and could otherwise deadlock taking them in different orders.

Recounting is only needed when the tree itself changes (a moved organisation gets other
ancestors, a cell becomes residential or stops being so) or after a repair; the recounts here are
idempotent.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from .models import CoverageCount


def _column(model, field: str) -> str:
    return model._meta.get_field(field).column


# Every name in the SQL below comes from the models, so a renamed table or column follows; the
# migrations that installed earlier versions of this SQL carry their own copies (0004, 0007).
MEMBERS = Member._meta.db_table
ORGS = Organization._meta.db_table
COUNTS = CoverageCount._meta.db_table
STEP = Organization.steplen  # django-treebeard's step: a node's path is its parent's plus STEP characters
MAX_LEVELS = Organization._meta.get_field("path").max_length // STEP  # every possible ancestor
ACTIVE = "(" + ", ".join(f"'{s.value}'" for s in Member.ACTIVE_STATUSES) + ")"

# members_member: the member's workplace cell and the columns counted.
M_CELL = _column(Member, "workplace_cell")
M_STATUS = _column(Member, "status")
M_LINK = _column(Member, "link_status")
M_CATEGORY = _column(Member, "liaison_category")
WATCHED = (M_CELL, M_STATUS, M_LINK, M_CATEGORY)
# organizations_organization: id, materialized path, depth, residential flag.
O_ID = _column(Organization, "id")
O_PATH = _column(Organization, "path")
O_DEPTH = _column(Organization, "depth")
O_RESIDENTIAL = _column(Organization, "is_residential")
# liaisons_coveragecount: one row per (organisation, link status, category).
C_ORG = _column(CoverageCount, "org")
C_LINK = _column(CoverageCount, "link_status")
C_CATEGORY = _column(CoverageCount, "liaison_category")
C_WORKING = _column(CoverageCount, "working")
C_MEMBERS = _column(CoverageCount, "members")
# The upsert's conflict target: the columns of the unique constraint coverage_count_once.
C_KEY = ", ".join(
    _column(CoverageCount, field)
    for constraint in CoverageCount._meta.constraints
    if constraint.name == "coverage_count_once"
    for field in constraint.fields
)
C_COLUMNS = f"{C_KEY}, {C_MEMBERS}"

TRIGGERS = ("member_coverage_insert", "member_coverage_delete", "member_coverage_update")
FUNCTION = "liaisons_member_coverage"

# PostgreSQL: statement-level triggers over the transition tables, one grouped upsert per statement.
# Row by row, a batch of 10,000 inserts updated the province's rows 10,000 times in one
# transaction, each update walking the chain of versions the previous ones left: 0.5 ms a row.
_COUNTED = f"{M_CELL}, {M_LINK}, {M_CATEGORY}"  # what a member is counted under (and where)
_POSTGRES_CHANGES = {
    "INSERT": f"SELECT {_COUNTED}, 1 AS d FROM new_rows WHERE {M_STATUS} IN {ACTIVE}",
    "DELETE": f"SELECT {_COUNTED}, -1 AS d FROM old_rows WHERE {M_STATUS} IN {ACTIVE}",
}
_POSTGRES_CHANGES["UPDATE"] = f"{_POSTGRES_CHANGES['INSERT']} UNION ALL {_POSTGRES_CHANGES['DELETE']}"


def _postgres_apply(changes: str) -> str:
    # The changed rows are first summed per cell (an import of 20,000 members touches a few hundred
    # cells), then each cell's sums go to its ancestors: the work grows with the cells, not the rows.
    per_cell = f"SELECT {_COUNTED}, SUM(d) AS d FROM ({changes}) rows GROUP BY {_COUNTED}"
    return f"""
        PERFORM pg_advisory_xact_lock(hashtext('{COUNTS}:' || root))
        FROM (SELECT DISTINCT substr(c.{O_PATH}, 1, {STEP}) AS root
              FROM (SELECT DISTINCT {M_CELL} FROM ({changes}) rows) ch
              JOIN {ORGS} c ON c.{O_ID} = ch.{M_CELL} ORDER BY 1) roots;
        INSERT INTO {COUNTS} ({C_COLUMNS})
        SELECT o.{O_ID}, ch.{M_LINK}, ch.{M_CATEGORY}, NOT c.{O_RESIDENTIAL}, SUM(ch.d)
        FROM ({per_cell}) ch
        JOIN {ORGS} c ON c.{O_ID} = ch.{M_CELL}
        JOIN LATERAL generate_series(1, c.{O_DEPTH}) AS k ON true
        JOIN {ORGS} o ON o.{O_PATH} = substr(c.{O_PATH}, 1, k * {STEP})
        GROUP BY o.{O_ID}, ch.{M_LINK}, ch.{M_CATEGORY}, NOT c.{O_RESIDENTIAL}
        HAVING SUM(ch.d) <> 0
        ORDER BY o.{O_ID}, ch.{M_LINK}, ch.{M_CATEGORY}, NOT c.{O_RESIDENTIAL}
        ON CONFLICT ({C_KEY})
        DO UPDATE SET {C_MEMBERS} = {COUNTS}.{C_MEMBERS} + EXCLUDED.{C_MEMBERS};"""


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Writers under one root organisation take turns (advisory lock, roots in order): they all
    -- touch the root's rows and could otherwise deadlock taking them in different orders.
    IF TG_OP = 'INSERT' THEN{_postgres_apply(_POSTGRES_CHANGES["INSERT"])}
    ELSIF TG_OP = 'DELETE' THEN{_postgres_apply(_POSTGRES_CHANGES["DELETE"])}
    ELSE{_postgres_apply(_POSTGRES_CHANGES["UPDATE"])}
    END IF;
    RETURN NULL;
END $$
"""
_POSTGRES_TRIGGERS = {
    "member_coverage_insert": f"AFTER INSERT ON {MEMBERS} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
    "member_coverage_delete": f"AFTER DELETE ON {MEMBERS} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
    # Transition tables cannot go with a column list: every UPDATE statement fires it, and rows
    # whose counted columns did not change cancel out (HAVING).
    "member_coverage_update": (
        f"AFTER UPDATE ON {MEMBERS} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    ),
}


def _sqlite_ancestors(row: str, *, working: bool = False) -> str:
    """The ids of the organisations on the path of `row`'s workplace cell (triggers allow no CTE),
    with whether the cell is a working one (`working`)."""
    prefixes = ", ".join(f"substr(c.{O_PATH}, 1, {k * STEP})" for k in range(1, MAX_LEVELS + 1))
    columns = f"o.{O_ID}, NOT c.{O_RESIDENTIAL} AS {C_WORKING}" if working else f"o.{O_ID}"
    return (
        f"SELECT {columns} FROM {ORGS} c JOIN {ORGS} o ON o.{O_PATH} IN ({prefixes}) "
        f"WHERE c.{O_ID} = {row}.{M_CELL}"
    )


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT INTO {COUNTS} ({C_COLUMNS}) "
        f"SELECT {O_ID}, {row}.{M_LINK}, {row}.{M_CATEGORY}, {C_WORKING}, 1 "
        f"FROM ({_sqlite_ancestors(row, working=True)}) "
        f"WHERE {row}.{M_STATUS} IN {ACTIVE} "
        f"ON CONFLICT ({C_KEY}) DO UPDATE SET {C_MEMBERS} = {C_MEMBERS} + excluded.{C_MEMBERS};"
    )


def _sqlite_take(row: str) -> str:
    return (
        f"UPDATE {COUNTS} SET {C_MEMBERS} = {C_MEMBERS} - 1 WHERE {row}.{M_STATUS} IN {ACTIVE} "
        f"AND {C_LINK} = {row}.{M_LINK} AND {C_CATEGORY} = {row}.{M_CATEGORY} "
        f"AND {C_WORKING} = (SELECT NOT {O_RESIDENTIAL} FROM {ORGS} WHERE {O_ID} = {row}.{M_CELL}) "
        f"AND {C_ORG} IN ({_sqlite_ancestors(row)});"
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


def trigger_sql(name: str, *, postgres: bool) -> str:
    """The CREATE TRIGGER statement of trigger `name` (one of TRIGGERS) on one vendor."""
    if postgres:
        return f"CREATE TRIGGER {name} {_POSTGRES_TRIGGERS[name]} EXECUTE FUNCTION {FUNCTION}()"
    return f"CREATE TRIGGER {name} {_SQLITE_TRIGGERS[name]}"


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
            cursor.execute(POSTGRES_FUNCTION)
        for name in missing:
            cursor.execute(trigger_sql(name, postgres=postgres))
    return True


def coverage_triggers_uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            on = f" ON {MEMBERS}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
            # The row-by-row helper of the first version of these triggers.
            cursor.execute("DROP FUNCTION IF EXISTS liaisons_coverage_count_add(bigint, text, text, integer)")


_COUNT_SQL = f"""
INSERT INTO {COUNTS} ({C_COLUMNS})
WITH RECURSIVE levels(k) AS (
    SELECT 1 UNION ALL SELECT k + 1 FROM levels WHERE k < (SELECT MAX({O_DEPTH}) FROM {ORGS})
), per_cell AS (
    SELECT {M_CELL} AS cell_id, {M_LINK}, {M_CATEGORY}, COUNT(*) AS n
    FROM {MEMBERS} WHERE {M_STATUS} IN {ACTIVE} GROUP BY {_COUNTED}
)
SELECT o.{O_ID}, per_cell.{M_LINK}, per_cell.{M_CATEGORY}, NOT c.{O_RESIDENTIAL}, SUM(per_cell.n)
FROM per_cell
JOIN {ORGS} c ON c.{O_ID} = per_cell.cell_id
JOIN levels ON levels.k <= c.{O_DEPTH}
JOIN {ORGS} o ON o.{O_PATH} = substr(c.{O_PATH}, 1, levels.k * {STEP})
WHERE {{where}}
GROUP BY o.{O_ID}, per_cell.{M_LINK}, per_cell.{M_CATEGORY}, NOT c.{O_RESIDENTIAL}
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
        where = f"o.{O_ID} IN ({', '.join(['%s'] * len(org_ids))})"
        params = org_ids
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {MEMBERS} IN SHARE MODE")
        if org_ids is None:
            cursor.execute(f"DELETE FROM {COUNTS}")
        else:
            cursor.execute(
                f"DELETE FROM {COUNTS} WHERE {C_ORG} IN ({', '.join(['%s'] * len(org_ids))})", params
            )
        cursor.execute(_COUNT_SQL.format(where=where), params)


def coverage_counts_after_move(org, old_ancestor_paths: list[str]) -> None:
    """Recount the ancestors an organisation left and the ones it joined (call after the move).

    The moved subtree's own counts do not change: its members are the same.
    """
    org.refresh_from_db(fields=["path", "depth"])
    paths = set(old_ancestor_paths) | set(org.ancestor_paths())
    coverage_counts_rebuild(Organization.objects.filter(path__in=paths).values_list("pk", flat=True))


def coverage_counts_after_residential_change(org) -> None:
    """Recount an organisation and its ancestors after it became residential or stopped being so:
    its own members are now counted as working members, or no longer (call after the change)."""
    org.refresh_from_db(fields=["path", "depth"])
    paths = {org.path, *org.ancestor_paths()}
    coverage_counts_rebuild(Organization.objects.filter(path__in=paths).values_list("pk", flat=True))
