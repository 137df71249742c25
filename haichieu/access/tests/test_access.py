"""The access rule: who sees which organisations and members (DESIGN.md "Access rule")."""

import datetime

import pytest
from django.http import Http404

from haichieu.access import (
    member_get_for,
    member_sees_workplace_fields,
    members_visible_to,
    organization_get_for,
    organizations_visible_to,
)
from haichieu.accounts.models import Role
from haichieu.liaisons.models import Liaison

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(m.full_name for m in qs)


def codes(qs):
    return sorted(o.code for o in qs)


def test_workplace_side_sees_members_of_its_subtree(world):
    assert names(members_visible_to(world.province_staff)) == [
        "Lê Đức Cường",
        "Nguyễn Văn An",
        "Trần Thị Bình",
    ]
    assert names(members_visible_to(world.w1_staff)) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert names(members_visible_to(world.w1c1_secretary)) == ["Nguyễn Văn An"]
    assert names(members_visible_to(world.w2_staff)) == ["Lê Đức Cường"]


def test_residence_side_sees_members_through_their_liaison(world):
    assert names(members_visible_to(world.r1_staff)) == ["Nguyễn Văn An"]
    assert names(members_visible_to(world.r1c1_secretary)) == ["Nguyễn Văn An"]
    assert names(members_visible_to(world.r2_staff)) == ["Lê Đức Cường"]


def test_a_draft_liaison_does_not_show_the_member_to_the_residence(world):
    Liaison.objects.create(member=world.m2, commune_org=world.r2, status=Liaison.Status.DRAFT)
    assert "Trần Thị Bình" not in names(members_visible_to(world.r2_staff))


def test_residence_users_do_not_see_workplace_only_fields(world):
    assert member_sees_workplace_fields(world.w1_staff, world.m1)
    assert member_sees_workplace_fields(world.member_user, world.m1)
    assert not member_sees_workplace_fields(world.r1_staff, world.m1)


def test_member_sees_only_own_record(world):
    assert names(members_visible_to(world.member_user)) == ["Nguyễn Văn An"]
    assert codes(organizations_visible_to(world.member_user)) == []


def test_outsider_sees_nothing(world):
    assert not members_visible_to(world.outsider).exists()
    assert not organizations_visible_to(world.outsider).exists()
    with pytest.raises(Http404):
        member_get_for(world.outsider, world.m1.pk)
    with pytest.raises(Http404):
        organization_get_for(world.outsider, pk=world.province.pk)


def test_organisations_visible_are_the_covered_subtrees(world):
    assert codes(organizations_visible_to(world.r1_staff)) == ["R1", "R1C1", "R1C2"]
    assert codes(organizations_visible_to(world.w1c1_secretary)) == ["W1C1"]
    assert len(codes(organizations_visible_to(world.admin))) == 11


def test_an_ended_role_grants_nothing(world):
    Role.objects.filter(user=world.w2_staff).update(end_date=datetime.date(2020, 1, 1))
    world.w2_staff.__dict__.pop("_haichieu_scope", None)
    assert not members_visible_to(world.w2_staff).exists()


def test_a_role_that_has_not_started_grants_nothing(world):
    Role.objects.filter(user=world.w2_staff).update(start_date=datetime.date(2099, 1, 1))
    world.w2_staff.__dict__.pop("_haichieu_scope", None)
    assert not members_visible_to(world.w2_staff).exists()


def test_subtree_is_a_path_range_not_a_prefix_match_of_codes(world):
    # A sibling whose path sorts right after W1's subtree must stay outside it.
    assert world.w2.path > world.w1.path
    assert "Lê Đức Cường" not in names(members_visible_to(world.w1_staff))


@pytest.mark.parametrize("status", [Liaison.Status.ENDED, Liaison.Status.RETURNED])
def test_after_a_link_ends_the_residence_keeps_its_book_entry_not_the_record(world, client_for, status):
    """Data minimisation (issue 9): the ward keeps the tracking book's line of a member who left,
    but no longer opens the member's current record; the workplace still does."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    liaison = Liaison.objects.get(member=world.m1)
    Liaison.objects.filter(pk=liaison.pk).update(
        status=status, received_at=timezone.now() - datetime.timedelta(days=30), end_date=timezone.localdate()
    )
    assert not members_visible_to(world.r1_staff).filter(pk=world.m1.pk).exists()
    assert not members_visible_to(world.r1c1_secretary).filter(pk=world.m1.pk).exists()
    assert members_visible_to(world.w1_staff).filter(pk=world.m1.pk).exists()
    ward = client_for(world.r1_staff)
    assert ward.get(reverse("members:detail", args=[world.m1.pk])).status_code == 404
    assert "Nguyễn Văn An" not in ward.get(reverse("members:list")).content.decode()
    if status == Liaison.Status.ENDED:
        book = ward.get(reverse("liaisons:residence_book", args=[world.r1.pk]))
        assert "Nguyễn Văn An" in book.content.decode()


def test_liaison_sides_are_the_links_a_user_sees(world):
    """`liaison_sides` is `liaisons_visible_to` cut into parts read apart (data that needs care)."""
    from haichieu.access import liaison_sides, liaisons_visible_to
    from haichieu.testing import make_member

    draft = Liaison.objects.create(member=make_member(world.w1c2, "Hồ Thị Nháp"), workplace_org=world.w1)
    sent = Liaison.objects.create(
        member=make_member(world.w2c1, "Lý Văn Gửi"), workplace_org=world.w2, commune_org=world.r1,
        status=Liaison.Status.INTRODUCED,
    )  # fmt: skip
    for persona in world.users:
        user = getattr(world, persona)
        union = {link.pk for side in liaison_sides(user) for link in side}
        assert union == set(liaisons_visible_to(user).values_list("pk", flat=True)), persona
    assert draft.pk in {link.pk for side in liaison_sides(world.w1_staff) for link in side}
    assert sent.pk in {link.pk for side in liaison_sides(world.r1_staff) for link in side}
    assert draft.pk not in {link.pk for side in liaison_sides(world.r1_staff) for link in side}
