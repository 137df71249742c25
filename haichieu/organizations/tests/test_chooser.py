"""Issue 15, item 7: the filters' organisation chooser searches the organisations in the user's scope."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def options(client, text):
    return client.get(reverse("organizations:search_options"), {"org": text}).content.decode()


def test_suggestions_come_from_the_users_scope_by_name_without_diacritics(world, client_for):
    body = options(client_for(world.w1_staff), "chi bo")
    assert '<option value="W1C1" label="Chi bộ Phòng Ngân sách">' in body
    assert "W1C2" in body and "W2C1" not in body and "R1C1" not in body
    body = options(client_for(world.province_staff), "chi bo")
    assert "W2C1" in body and "R1C1" in body
    assert options(client_for(world.outsider), "chi bo").strip() == ""
    assert options(client_for(world.w1_staff), "").strip() == ""


def test_the_suggestions_cost_the_same_queries_for_many_organisations(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.province_staff)
    client.get(reverse("organizations:search_options"), {"org": "d"})
    with django_assert_max_num_queries(8):
        client.get(reverse("organizations:search_options"), {"org": "dang"})


def _listed(response, url_name):
    if url_name == "liaisons:coverage":
        return [row["member"].full_name for row in response.context["rows"]]
    return [member.full_name for member in response.context["page"].rows]


@pytest.mark.parametrize("url_name", ["members:list", "liaisons:coverage"])
def test_the_filters_offer_the_chooser_and_take_a_name_that_names_one_organisation(
    world, client_for, url_name
):
    client = client_for(world.w1_staff)
    body = client.get(reverse(url_name)).content.decode()
    assert 'list="org-options"' in body and reverse("organizations:search_options") in body
    assert _listed(client.get(reverse(url_name), {"org": "W1C1"}), url_name) == ["Nguyễn Văn An"]
    # A name typed without choosing, that names one organisation in scope, is that organisation.
    assert _listed(client.get(reverse(url_name), {"org": "phong ngan sach"}), url_name) == ["Nguyễn Văn An"]
    # Two organisations match: the filter asks to choose, and lists nobody.
    response = client.get(reverse(url_name), {"org": "chi bo"})
    assert "chọn trong danh sách gợi ý" in response.content.decode()
    assert _listed(response, url_name) == []
