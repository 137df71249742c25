"""The coverage SQL is written from the models, and is the SQL the migrations installed.

coverage.py builds table and column names from each model's `_meta` and the path step from
treebeard; migrations 0004, 0007 and 0013 carry frozen copies of what they installed. For today's
models the two must be the same text: when this fails after a change of the triggers' SQL on
purpose, write a migration that installs the new SQL (as 0007 does) and compare with it here.
"""

import importlib

import pytest
from django.db import connection

from haichieu.liaisons import coverage
from haichieu.organizations.models import Organization

M0004 = importlib.import_module("haichieu.liaisons.migrations.0004_coverage_counts_kept_by_triggers")
M0013 = importlib.import_module("haichieu.liaisons.migrations.0013_coverage_counts_working_members_apart")


def test_postgres_function_is_the_one_migration_0013_installed():
    assert coverage.POSTGRES_FUNCTION == M0013.POSTGRES_FUNCTION


@pytest.mark.parametrize(
    "postgres, frozen", [(True, M0004.POSTGRES_TRIGGERS), (False, M0013.SQLITE_TRIGGERS)]
)
def test_triggers_are_the_ones_the_migrations_installed(postgres, frozen):
    assert [coverage.trigger_sql(name, postgres=postgres) for name in coverage.TRIGGERS] == frozen


def test_recount_is_the_one_migration_0013_ran():
    assert coverage._COUNT_SQL.format(where="1 = 1") == M0013.COUNT_SQL


def test_names_come_from_the_models():
    assert (coverage.MEMBERS, coverage.ORGS, coverage.COUNTS) == (
        "members_member",
        "organizations_organization",
        "liaisons_coveragecount",
    )
    assert coverage.STEP == Organization.steplen == 4
    assert coverage.WATCHED == ("workplace_cell_id", "status", "link_status", "liaison_category")
    assert coverage.C_KEY == "org_id, link_status, liaison_category, working"


@pytest.mark.django_db
def test_installed_triggers_are_the_live_sql():
    """What the database holds now (migrations, then the post-migrate reinstall) is this SQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [coverage.FUNCTION])
            (source,) = cursor.fetchone()
            assert coverage.POSTGRES_FUNCTION.split("$$")[1] == source
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [coverage.MEMBERS],
            )
            installed = dict(cursor.fetchall())
            assert installed == {
                name: coverage.trigger_sql(name, postgres=False) for name in coverage.TRIGGERS
            }
