"""Meetings and exemptions are reachable from the navigation and the home page for the roles that use
them (issue 11), and no role is shown a link to one of these pages that would answer it 403 or 404."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/(?:mien|hop)/[^"#]*)"')


def _links(client) -> set[str]:
    page = client.get(reverse("home")).content.decode().replace("&amp;", "&")
    return set(LINK.findall(page))


@pytest.mark.parametrize(
    ("persona", "must", "must_not"),
    [
        # The workplace committee: its members' exemptions, and their attendance where they live.
        ("w1_staff", {"/mien/", "/hop/noi-cong-tac/"}, {"/hop/cua-toi/"}),
        ("w1_viewer", {"/mien/", "/hop/noi-cong-tac/"}, set()),
        # A residential cell's secretary: the cell's meetings; exemptions are not the residence's.
        ("r1c1_secretary", {"/hop/?org={r1c1}"}, {"/mien/", "/hop/noi-cong-tac/", "/hop/cua-toi/"}),
        # The commune committee: its cells' meetings.
        ("r1_staff", {"/hop/"}, {"/mien/", "/hop/noi-cong-tac/"}),
        # A member who signs in: their own meetings, nothing of the committees'.
        ("member_user", {"/hop/cua-toi/"}, {"/mien/", "/hop/", "/hop/noi-cong-tac/"}),
        ("outsider", set(), {"/mien/", "/hop/", "/hop/cua-toi/", "/hop/noi-cong-tac/"}),
    ],
)
def test_each_role_is_shown_the_pages_it_uses(world, client_for, persona, must, must_not):
    client = client_for(getattr(world, persona))
    links = _links(client)
    expected = {link.format(r1c1=world.r1c1.pk) for link in must}
    assert expected <= links, f"{persona} misses {expected - links}"
    assert not links & must_not, f"{persona} is shown {links & must_not}"
    for link in links:  # every link shown opens
        assert client.get(link).status_code == 200, f"{persona}: {link}"


def test_the_member_finds_their_meetings_in_the_navigation(world, client_for):
    page = client_for(world.member_user).get(reverse("meetings:mine")).content.decode()
    assert 'id="nav-mine" aria-current="page" href="/hop/cua-toi/"' in page.replace(
        'class="nav-link active" ', ""
    )
