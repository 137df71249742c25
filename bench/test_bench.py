"""The benchmark's machinery at a tiny size, in the test database (fast: a few seconds)."""

import json

import pytest

from haichieu.accounts.models import User
from haichieu.demo.seed import seed_demo
from haichieu.organizations.models import Organization

from .measure import count_queries, count_rows, run_operations
from .operations import OPERATION_USERS, OPERATIONS, ROLES, UNPAGED, bench_context, with_params

pytestmark = pytest.mark.django_db

FIGURES = {"median_ms", "p95_ms", "queries", "floor_median_ms", "ratio", "rows"}


@pytest.fixture
def bench(settings):
    settings.ROOT_URLCONF = "bench.urls"
    seed_demo(members=300, seed=11)
    return bench_context()


def test_every_operation_reports_its_figures(bench):
    operations = run_operations(bench, repetitions=3, warmup=1)
    assert set(operations) == set(OPERATIONS)
    for figures in operations.values():
        assert set(figures) == FIGURES
        assert figures["median_ms"] > 0 and figures["floor_median_ms"] > 0
        assert figures["p95_ms"] >= figures["median_ms"]
        assert 0 < figures["queries"] <= 12, figures  # a handful per page, whatever its size (test below)
    assert operations["member_list"]["rows"] == 50
    assert {"org_tree", "org_detail"} <= set(operations)  # the party tree and the province's page
    json.dumps({"members": 300, "database": "sqlite", "operations": operations})


def test_queries_do_not_grow_with_the_page_size(bench, client):
    for name, build in OPERATIONS.items():
        client.force_login(User.objects.get(username=OPERATION_USERS.get(name, bench.user.username)))
        url = build(bench)
        small, large = with_params(url, size=1), with_params(url, size=50)
        assert name in UNPAGED or count_rows(client, small) <= 1
        assert count_queries(client, small) == count_queries(client, large), name


def test_the_tree_pages_count_a_row_per_node(bench, client):
    """The floor of an organisation page renders as many rows as the page lists nodes."""
    province = Organization.objects.get(pk=bench.province_pk)
    children = Organization.objects.get_children(province).count()
    assert children > 1
    client.force_login(bench.user)
    assert count_rows(client, OPERATIONS["org_detail"](bench)) == children
    assert count_rows(client, OPERATIONS["org_children"](bench)) == children


def test_the_floor_runs_one_query(bench, client):
    assert count_queries(client, "/__bench__/floor/?n=50") == 1


def test_key_pages_are_timed_as_each_role(bench):
    """Every role of the demo is timed on the member list and search; names say the role."""
    for page in ("member_list", "member_search"):
        for role in ROLES:
            name = page if role == "province" else f"{page}@{role}"
            assert name in OPERATIONS
            assert OPERATION_USERS.get(name, bench.user.username) == ROLES[role]
