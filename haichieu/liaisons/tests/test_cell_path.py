"""Issue 15, item 8: the residential cell secretary's short path, and the tracking book's follower.

The secretary of one cell lands on it at sign-in and from the home page and the menu; the cell's
page searches its members on the server (htmx swaps the roster) and folds its groups; no row carries
"Không còn cư trú": it is on the link's page, with its form.
"""

import pytest
from django.urls import reverse

from haichieu.liaisons.models import DepartureReport, Group, Liaison
from haichieu.liaisons.tests.test_views_residence import _received
from haichieu.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db
S = Liaison.Status


def _cell_url(world, **query):
    url = reverse("liaisons:residence_cell", args=[world.r1c1.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_cell_secretary_signs_in_to_the_cell(world, client):
    response = client.post(reverse("login"), {"username": "r1c1_secretary", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == _cell_url(world)
    # An explicit `next` still wins.
    client.logout()
    response = client.post(
        reverse("login") + "?next=/lien-he/thong-bao/", {"username": "r1c1_secretary", "password": PASSWORD}
    )
    assert response["Location"] == "/lien-he/thong-bao/"


def test_others_sign_in_to_the_home_page(world, client):
    both = make_user("cell_and_work", ("secretary", world.r1c1), ("viewer", world.w1))
    two_cells = make_user("two_cells", ("secretary", world.r1c1), ("secretary", world.r1c2))
    for user in ("r1_staff", "w1_staff", both.username, two_cells.username):
        client.logout()
        response = client.post(reverse("login"), {"username": user, "password": PASSWORD})
        assert response["Location"] == reverse("home"), user


def test_the_home_page_and_menu_take_a_secretary_to_the_cell(world, client_for):
    page = client_for(world.r1c1_secretary).get(reverse("home")).content.decode()
    cell_url = _cell_url(world)
    assert "Tiếp nhận đảng viên" not in page  # a cell receives nobody: that is the committee's
    assert f'id="home-residence-cells" href="{cell_url}"' in page
    assert f'href="{cell_url}">Nơi cư trú</a>' in page
    # The committee keeps its reception and its list of cells.
    page = client_for(world.r1_staff).get(reverse("home")).content.decode()
    assert "Tiếp nhận đảng viên" in page and reverse("liaisons:residence_cells") in page


def test_the_cell_page_searches_its_own_members_on_the_server(world, client_for):
    group = Group.objects.create(cell=world.r1c1, name="Tổ 1")
    _received(world, "Phạm Thu Hằng", group=group)
    _received(world, "Phạm Văn Hùng")
    _received(world, "Phạm Thị Khác", cell=world.r1c2)
    client = client_for(world.r1c1_secretary)
    page = client.get(_cell_url(world, q="pham")).content.decode()
    assert "Phạm Thu Hằng" in page and "Phạm Văn Hùng" in page
    assert "Nguyễn Văn An" not in page and "Phạm Thị Khác" not in page  # another name; another cell
    assert "2 đảng viên có tên chứa “pham”" in page
    assert "3 đảng viên giữ mối liên hệ" in page  # the heading counts the cell, not the search
    # htmx asks for the roster alone.
    part = client.get(_cell_url(world, q="hang"), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part and "Phạm Thu Hằng" in part and "Phạm Văn Hùng" not in part
    assert part.count("<tr data-row>") == 1
    # Nothing found: said so, with the way back to the whole cell.
    page = client.get(_cell_url(world, q="khong co ai")).content.decode()
    assert "0 đảng viên có tên chứa" in page and "Xem cả chi bộ" in page
    # Another cell's page, even searched, is 404 for this secretary.
    other = reverse("liaisons:residence_cell", args=[world.r1c2.pk]) + "?q=pham"
    assert client.get(other, headers={"HX-Request": "true"}).status_code == 404


def test_groups_fold_when_the_cell_is_large_and_open_when_searched(world, client_for):
    client = client_for(world.r1c1_secretary)
    assert '<details class="mb-2 cell-group" open>' in client.get(_cell_url(world)).content.decode()
    _received(world, *[f"Trần Văn Thứ{chr(ord('a') + i)}" for i in range(15)])
    page = client.get(_cell_url(world)).content.decode()
    assert '<details class="mb-2 cell-group">' in page and " open>" not in page
    assert '<details class="mb-2 cell-group" open>' in client.get(_cell_url(world, q="tran")).content.decode()


def test_rows_carry_no_departure_button_and_show_the_follower(world, client_for):
    liaison = world.m1.liaisons.get()
    Liaison.objects.filter(pk=liaison.pk).update(follower_name="Đỗ Văn Tâm", follower_phone="0987000111")
    page = client_for(world.r1c1_secretary).get(_cell_url(world)).content.decode()
    assert "Không còn cư trú" not in page
    assert reverse("liaisons:residence_no_longer_resides", args=[liaison.pk]) not in page
    assert "Người theo dõi: Đỗ Văn Tâm" in page  # the phone-width line, not only a desktop column
    assert reverse("liaisons:detail", args=[liaison.pk]) in page


def test_the_links_page_carries_the_departure_form_for_the_cell(world, client_for):
    liaison = world.m1.liaisons.get()
    client = client_for(world.r1c1_secretary)
    page = client.get(reverse("liaisons:detail", args=[liaison.pk])).content.decode()
    action = reverse("liaisons:residence_no_longer_resides", args=[liaison.pk])
    assert f'action="{action}"' in page and "Báo đảng ủy xác nhận" in page
    assert f'name="next" value="{_cell_url(world)}"' in page
    response = client.post(action, {"date": "01/03/2026", "note": "", "next": _cell_url(world)})
    assert response.status_code == 302 and response["Location"] == _cell_url(world)
    assert DepartureReport.objects.filter(liaison=liaison, state="pending").exists()
    page = client.get(reverse("liaisons:detail", args=[liaison.pk])).content.decode()
    assert 'id="departure-pending"' in page and "Báo đảng ủy xác nhận</button>" not in page
    # The commune committee ends it at once from the same place.
    page = client_for(world.r1_staff).get(reverse("liaisons:detail", args=[liaison.pk])).content.decode()
    assert "Gửi thông báo" in page and "xem báo cáo của chi bộ" in page


def test_readers_and_the_workplace_see_no_departure_form(world, client_for):
    liaison = world.m1.liaisons.get()
    reader = make_user("r1c1_viewer", ("viewer", world.r1c1))
    url = reverse("liaisons:detail", args=[liaison.pk])
    for user in (reader, world.w1_staff):
        page = client_for(user).get(url).content.decode()
        assert 'id="departure"' not in page, user
    # An ended link has no form either.
    Liaison.objects.filter(pk=liaison.pk).update(status=S.ENDED)
    assert 'id="departure"' not in client_for(world.r1c1_secretary).get(url).content.decode()


def test_the_book_shows_the_follower_and_no_departure_button(world, client_for):
    liaison = _received(world, "Phạm Thu Hằng")[0]
    Liaison.objects.filter(pk=liaison.pk).update(follower_name="Đỗ Văn Tâm", follower_phone="0987000111")
    page = (
        client_for(world.r1c1_secretary)
        .get(reverse("liaisons:residence_book", args=[world.r1c1.pk]))
        .content.decode()
    )
    assert '<th scope="col" class="d-none d-md-table-cell">Người theo dõi</th>' in page
    assert "Đỗ Văn Tâm" in page and 'href="tel:0987000111"' in page
    assert "Không còn cư trú" not in page
    assert reverse("liaisons:detail", args=[liaison.pk]) in page


def test_the_cell_search_costs_the_same_queries_for_one_match_and_many(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.r1c1_secretary)
    _received(world, "Trần Văn Thứ")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_cell_url(world, q="tran")).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    _received(world, *[f"Trần Văn Thứ{chr(ord('a') + i)}" for i in range(19)])
    assert count() == one
