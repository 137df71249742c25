"""Organisations in the Vietnamese order of their names, read in order from the database
(Organization.sort_key): created, renamed, filled after the migration that added it."""

import pytest

from haichieu.core.text import by_vn_name, vn_text_key
from haichieu.organizations import selectors, services
from haichieu.organizations.apps import _fill_sort_keys
from haichieu.organizations.models import Organization
from haichieu.testing import make_org

pytestmark = pytest.mark.django_db

NAMES = [
    "Chi bộ tổ dân phố số 10",
    "Chi bộ Thôn Đông",
    "Chi bộ tổ dân phố số 2",
    "Chi bộ Ánh Dương",
    "Chi bộ Anh Dũng",
    "Chi bộ Đồng Tâm",
    "Chi bộ Dân Chủ",
]


def test_children_are_read_in_vietnamese_order_numbers_by_value(world):
    for k, name in enumerate(NAMES):
        make_org(world.w2, f"N{k}", name)
    children = [c.name for c in selectors.organization_children(world.w2)]
    expected = [o.name for o in by_vn_name([world.w2c1, *Organization.objects.filter(code__startswith="N")])]
    assert children == expected
    assert children.index("Chi bộ tổ dân phố số 2") < children.index("Chi bộ tổ dân phố số 10")
    assert children.index("Chi bộ Anh Dũng") < children.index("Chi bộ Ánh Dương")
    assert children.index("Chi bộ Dân Chủ") < children.index("Chi bộ Đồng Tâm")
    listed, parent = selectors.organization_children_and_parent(world.w2)
    assert [c.name for c in listed] == children and parent == world.province


def test_a_rename_moves_the_organisation_in_the_order(world):
    assert [c.code for c in selectors.organization_children(world.w1)] == ["W1C1", "W1C2"]
    services.organization_update(
        actor=world.w1_staff,
        org=world.w1c1,
        code="W1C1",
        name="Chi bộ Văn thư",
        kind="cell",
        is_residential=False,
        commune=None,
    )
    world.w1c1.refresh_from_db()
    assert world.w1c1.sort_key == vn_text_key("Chi bộ Văn thư")
    assert [c.code for c in selectors.organization_children(world.w1)] == ["W1C2", "W1C1"]


def test_after_migrate_the_organisations_without_a_key_get_it(world):
    """The rows there before the column (organizations 0007) are filled on post_migrate."""
    Organization.objects.update(sort_key="")
    _fill_sort_keys(sender=None, using="default")
    for name, key in Organization.objects.values_list("name", "sort_key"):
        assert key == vn_text_key(name)
