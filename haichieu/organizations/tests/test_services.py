import pytest
from django.core.management import call_command

from haichieu.core.models import AuditEntry
from haichieu.core.services import ServiceError
from haichieu.organizations import services
from haichieu.organizations.models import Commune, Organization, Province

pytestmark = pytest.mark.django_db


def test_load_units_loads_the_2025_units_and_is_idempotent():
    call_command("load_units")
    call_command("load_units")
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    hanoi = Province.objects.get(name="Thành phố Hà Nội")
    assert hanoi.communes.filter(name="Phường Hoàn Kiếm").exists()
    # No district level: every commune hangs directly under a province.
    assert not Commune.objects.filter(province__isnull=True).exists()


def test_staff_creates_a_cell_under_their_committee_with_an_audit_entry(world):
    cell = services.organization_create(
        actor=world.w1_staff, parent=world.w1, code=" w1c3 ", name="  Chi bộ  Phòng Thanh tra ", kind="cell"
    )
    assert cell.code == "W1C3" and cell.name == "Chi bộ Phòng Thanh tra"
    assert cell.path.startswith(world.w1.path) and cell.depth == world.w1.depth + 1
    entry = AuditEntry.objects.get(target_type="organizations.organization", target_id=str(cell.pk))
    assert entry.action == "create" and entry.actor == world.w1_staff


@pytest.mark.parametrize("actor", ["w1c1_secretary", "w1_viewer", "w2_staff", "r1_staff", "outsider"])
def test_only_staff_of_the_parent_may_create(world, actor):
    with pytest.raises(ServiceError, match="không có quyền"):
        services.organization_create(
            actor=getattr(world, actor), parent=world.w1, code="X1", name="X", kind="cell"
        )
    assert not Organization.objects.filter(code="X1").exists()


def test_codes_are_unique(world):
    with pytest.raises(ServiceError, match="đã được dùng"):
        services.organization_create(
            actor=world.w1_staff, parent=world.w1, code="w1c1", name="Trùng", kind="cell"
        )


def test_rename_is_for_the_parent_staff_and_audited(world):
    services.organization_update(
        actor=world.w1_staff,
        org=world.w1c1,
        code="W1C1",
        name="Chi bộ Phòng Ngân sách nhà nước",
        kind="cell",
        is_residential=False,
        commune=None,
    )
    world.w1c1.refresh_from_db()
    assert world.w1c1.name_folded == "chi bo phong ngan sach nha nuoc"
    entry = AuditEntry.objects.filter(target_id=str(world.w1c1.pk), action="update").get()
    assert entry.changes["name"] == ["Chi bộ Phòng Ngân sách", "Chi bộ Phòng Ngân sách nhà nước"]
    with pytest.raises(ServiceError):
        services.organization_update(
            actor=world.w1c1_secretary,
            org=world.w1c1,
            code="W1C1",
            name="Khác",
            kind="cell",
            is_residential=False,
            commune=None,
        )


def test_move_carries_the_subtree_and_its_members(world):
    services.organization_move(actor=world.province_staff, org=world.w1c2, new_parent=world.w2)
    world.w1c2.refresh_from_db()
    assert world.w1c2.path.startswith(world.w2.path)
    from haichieu.access import members_visible_to

    assert "Trần Thị Bình" in [m.full_name for m in members_visible_to(world.w2_staff)]
    world.w1_staff.__dict__.pop("_haichieu_scope", None)
    assert "Trần Thị Bình" not in [m.full_name for m in members_visible_to(world.w1_staff)]
    assert AuditEntry.objects.filter(action="move", target_id=str(world.w1c2.pk)).exists()


def test_move_refuses_cycles_cells_and_foreign_parents(world):
    with pytest.raises(ServiceError, match="chính nó"):
        services.organization_move(actor=world.province_staff, org=world.w1, new_parent=world.w1c1)
    with pytest.raises(ServiceError, match="dưới một chi bộ"):
        services.organization_move(actor=world.province_staff, org=world.w1c2, new_parent=world.w1c1)
    with pytest.raises(ServiceError, match="không có quyền"):
        services.organization_move(actor=world.w1_staff, org=world.w1c2, new_parent=world.w2)


def test_deactivate_needs_an_empty_node(world):
    with pytest.raises(ServiceError, match="còn đảng viên"):
        services.organization_set_active(actor=world.w1_staff, org=world.w1c1, active=False)
    empty = services.organization_create(
        actor=world.w1_staff, parent=world.w1, code="W1C9", name="Chi bộ 9", kind="cell"
    )
    services.organization_set_active(actor=world.w1_staff, org=empty, active=False)
    empty.refresh_from_db()
    assert not empty.is_active
    with pytest.raises(ServiceError, match="đã ở trạng thái"):
        services.organization_set_active(actor=world.w1_staff, org=empty, active=False)
    with pytest.raises(ServiceError, match="trực thuộc đang hoạt động"):
        services.organization_set_active(actor=world.province_staff, org=world.w1, active=False)


def test_commune_only_for_residential_organisations(world):
    commune = Commune.objects.get(code="00070")
    with pytest.raises(ServiceError, match="nơi cư trú"):
        services.organization_create(
            actor=world.w1_staff, parent=world.w1, code="W1C8", name="Chi bộ 8", kind="cell", commune=commune
        )


def test_load_units_keeps_the_official_codes_with_their_leading_zeros(world):
    call_command("load_units")
    assert Province.objects.count() == 34  # the world's "01" was updated, not duplicated
    assert Commune.objects.get(code="00070").name == "Phường Hoàn Kiếm"
    assert Commune.objects.get(code="00070").province_id == "01"
    assert not Province.objects.filter(code="1").exists()
