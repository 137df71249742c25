import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haichieu.organizations.models import Organization
from haichieu.testing import make_org

pytestmark = pytest.mark.django_db


def test_tree_shows_the_roots_of_the_users_roles_with_member_counts(world, client_for):
    response = client_for(world.r1_staff).get(reverse("organizations:tree"))
    roots = [(item["org"].code, item["count"]) for item in response.context["roots"]]
    assert roots == [("R1", 0)]
    body = response.content.decode()
    assert "Đảng ủy phường Hoàn Kiếm" in body and "Đảng bộ Sở Tài chính" not in body


def test_a_single_root_is_shown_with_its_children(world, client_for):
    response = client_for(world.w1_staff).get(reverse("organizations:tree"))
    [root] = response.context["roots"]
    assert [(item["org"].code, item["count"]) for item in root["children"]] == [("W1C1", 1), ("W1C2", 1)]
    body = response.content.decode()
    assert body.count("<li data-row>") == 3 and 'aria-expanded="true"' in body
    assert "Chi bộ Phòng Ngân sách" in body


def test_several_roots_or_a_root_without_children_are_shown_collapsed(world, client_for):
    make_org(None, "ROOT2", "Đảng bộ Khối Doanh nghiệp", Organization.Kind.PROVINCIAL)
    for user, shown in ((world.admin, 2), (world.w1c1_secretary, 1)):
        response = client_for(user).get(reverse("organizations:tree"))
        assert [item["children"] for item in response.context["roots"]] == [None] * shown
        body = response.content.decode()
        assert body.count("<li data-row>") == shown and 'aria-expanded="true"' not in body


def test_children_fragment_counts_members_of_each_subtree(world, client_for):
    response = client_for(world.province_staff).get(
        reverse("organizations:children", args=[world.province.pk])
    )
    counts = {item["org"].code: item["count"] for item in response.context["nodes"]}
    assert counts == {"W1": 2, "W2": 1, "R1": 0, "R2": 0}
    assert "<html" not in response.content.decode()  # a fragment for htmx


def test_children_query_count_does_not_grow_with_siblings(world, client_for):
    client = client_for(world.province_staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("organizations:children", args=[world.w1.pk]))
        return len(ctx.captured_queries)

    before = count()
    for i in range(10):
        make_org(world.w1, f"W1X{i}", f"Chi bộ số {i}")
    assert count() == before


def test_search_ignores_diacritics_and_stays_in_scope(world, client_for):
    response = client_for(world.w1_staff).get(reverse("organizations:tree"), {"q": "phong ngan sach"})
    assert [o.code for o in response.context["results"]] == ["W1C1"]
    response = client_for(world.w1_staff).get(reverse("organizations:tree"), {"q": "hoan kiem"})
    assert response.context["results"] == []
    response = client_for(world.w1_staff).get(reverse("organizations:tree"), {"q": "w1c2"})
    assert [o.code for o in response.context["results"]] == ["W1C2"]


def test_create_child_through_the_form(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("organizations:create", args=[world.w1.pk]),
        {"code": "W1C5", "name": "Chi bộ Kế toán", "kind": "cell"},
    )
    assert response.status_code == 302
    assert Organization.objects.get(code="W1C5").path.startswith(world.w1.path)


def test_create_with_bad_input_shows_vietnamese_messages(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("organizations:create", args=[world.w1.pk]), {"code": "", "name": "", "kind": "x"}
    )
    body = response.content.decode()
    assert "Vui lòng nhập mã tổ chức" in body and "Vui lòng nhập tên tổ chức" in body
    response = client.post(
        reverse("organizations:create", args=[world.w1.pk]), {"code": "W1C1", "name": "Trùng", "kind": "cell"}
    )
    assert "đã được dùng" in response.content.decode()


def test_move_form_refuses_unknown_or_foreign_parent(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(reverse("organizations:move", args=[world.w1c2.pk]), {"new_parent": "W2"})
    assert "Không tìm thấy tổ chức có mã “W2”" in response.content.decode()
    response = client_for(world.province_staff).post(
        reverse("organizations:move", args=[world.w1c2.pk]), {"new_parent": "w2"}
    )
    assert response.status_code == 302
    world.w1c2.refresh_from_db()
    assert world.w1c2.path.startswith(world.w2.path)


def test_deactivate_through_the_page_shows_the_reason_when_refused(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("organizations:set_active", args=[world.w1c1.pk]), {"active": "0"}, follow=True
    )
    assert "còn đảng viên đang sinh hoạt" in response.content.decode()
    world.w1c1.refresh_from_db()
    assert world.w1c1.is_active


def test_commune_options_fragment(world, client_for):
    body = (
        client_for(world.w1_staff)
        .get(reverse("organizations:commune_options"), {"province": "01"})
        .content.decode()
    )
    assert "Phường Hoàn Kiếm" in body and "Phường Ba Đình" in body


def test_place_choices_sort_without_the_administrative_prefix(world, client_for):
    """ "Thành phố Hà Nội" is not filed under T; "Phường Ba Đình" comes before "Xã Cẩm Yên"
    (issue 15, item 10)."""
    from haichieu.organizations.models import Commune, Province

    Province.objects.create(
        code="38", name="Tỉnh Thanh Hóa", division_type="tỉnh", name_folded="tinh thanh hoa"
    )
    Province.objects.create(code="48", name="Thành phố Đà Nẵng", division_type="thành phố", name_folded="x")
    Commune.objects.create(
        code="09999", name="Xã Cẩm Yên", division_type="xã", province_id="01", name_folded="x"
    )
    Commune.objects.create(
        code="09998", name="Phường Đống Đa", division_type="phường", province_id="01", name_folded="x"
    )
    page = client_for(world.w1_staff).get(reverse("members:create")).content.decode()
    assert page.index("Thành phố Đà Nẵng") < page.index("Thành phố Hà Nội") < page.index("Tỉnh Thanh Hóa")
    options = client_for(world.w1_staff).get(reverse("organizations:commune_options"), {"province": "01"})
    text = options.content.decode()
    order = ["Phường Ba Đình", "Xã Cẩm Yên", "Phường Đống Đa", "Phường Hoàn Kiếm"]
    assert [text.index(name) for name in order] == sorted(text.index(name) for name in order)
