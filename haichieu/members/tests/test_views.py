import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_workplace_staff_sees_own_members_only(world, client_for):
    response = client_for(world.w1_staff).get(reverse("members:list"))
    assert response.status_code == 200
    names = [m.full_name for m in response.context["page"].rows]
    assert names == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_it_checks_ownership_of_member_detail(world, client_for):
    response = client_for(world.w2_staff).get(reverse("members:detail", args=[world.m1.pk]))
    assert response.status_code == 404
