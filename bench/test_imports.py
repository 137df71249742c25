"""The import/export benchmark at a tiny size, in the test database."""

import json

import pytest

from haichieu.demo.seed import seed_demo
from haichieu.members.models import Member

from .imports import measure_export, measure_import, measure_import_memory, run_import_operations
from .operations import BENCH_USERNAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_user():
    from haichieu.accounts.models import User

    seed_demo(members=300, seed=11)
    return User.objects.get(username=BENCH_USERNAME)


def test_import_figures_and_the_data_set_keeps_its_size(bench_user):
    count = Member.objects.count()
    figures = measure_import(user=bench_user, rows=200, repeat=1)
    assert figures["created"] == 200 and figures["reimport_unchanged"] == 200 and figures["updated"] == 200
    assert figures["floor_median_ms"] > 0 and figures["dry_run_ratio"] > 0 and figures["apply_ratio"] > 0
    assert Member.objects.count() == count  # what it created is deleted afterwards


def test_export_figures(bench_user):
    figures = measure_export(user=bench_user, rows=100, repeat=1)
    assert figures["rows"] == 100 and figures["peak_memory_mb"] > 0 and figures["ratio"] > 0


def test_the_hook_names_its_operations(bench_user):
    result = run_import_operations(names=["export_members"])
    assert list(result) == ["export_members"]
    json.dumps(result)


def test_import_memory_figures(bench_user, settings):
    """The preview's peak memory for a list and for a hostile file (issue 9, finding 5), small."""
    settings.HAICHIEU = {**settings.HAICHIEU, "IMPORT_MAX_UNPACKED_BYTES": 1_000_000}
    figures = measure_import_memory(user=bench_user, rows=100, hostile_rows=60)
    assert figures["list"]["rows"] == 100 and figures["list"]["peak_memory_mb"] > 0
    hostile = figures["hostile"]
    assert hostile["unpacked_bytes"] > 1_000_000 and hostile["file_error"].startswith(
        "Tệp giải nén ra quá lớn"
    )
    within = figures["hostile_within"]
    assert within["unpacked_bytes"] <= 1_000_000 and within["rows"] == within["invalid"] > 0
    assert within["preview_bytes"] < within["rows"] * 17 * 40  # no long value stored
    json.dumps(figures)
