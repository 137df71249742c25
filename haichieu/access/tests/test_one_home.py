"""Nothing outside the access package reads roles or decides coverage by paths (issue 8)."""

import re
from pathlib import Path

import haichieu

ROOT = Path(haichieu.__file__).parent

# What only the access package may write: reading roles (their kinds, dates, the model itself) and
# the scope's path lists. A subtree relation between two nodes is the tree's own
# (Organization.contains, core/paths.py), not access logic.
FORBIDDEN = re.compile(
    r"read_paths|write_paths|manage_paths|READ_KINDS|WRITE_KINDS|MANAGE_KINDS|Role\.objects"
    r"|import [^\n]*\bRole\b|\broles__|\.roles\.|\.covers\(|path\.startswith"
)
ALLOWED = {
    "access",  # the one home
    "accounts/models.py",  # the Role model and its `active_on`
    "accounts/admin.py",  # the admin edits roles
    "organizations/models.py",  # the tree: Organization.contains
    "core/paths.py",  # subtree ranges on materialised paths
    "demo",  # creates the demo's roles
    "testing.py",  # creates the tests' roles
}


def _allowed(relative: str) -> bool:
    parts = relative.split("/")
    return (
        "tests" in parts
        or "migrations" in parts
        or parts[0] == "browser_tests"
        or any(relative == a or relative.startswith(a + "/") for a in ALLOWED)
    )


def test_no_role_or_path_logic_outside_the_access_package():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if _allowed(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "role or path logic outside haichieu/access:\n" + "\n".join(found)
