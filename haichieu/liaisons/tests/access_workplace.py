"""Expected answers of the workplace-side liaison views for every persona (walked by core/tests/test_permissions.py)."""

from haichieu.core.tests.access_tables import everyone, table  # noqa: F401

# name -> (kwargs builder taking the world, {persona: expected status})
WORKPLACE_EXPECTED: dict = {}
