"""The issue's acceptance test on the seeded demo (`haichieu seed_demo`), with the demo logins.

"A browser test logs in as the demo commune staff user and sees only that commune's part of the
tree; as workplace staff, finds a member by typing a name without diacritics."
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from haichieu.access import members_visible_to
from haichieu.accounts.models import Role, User
from haichieu.core.text import fold
from haichieu.demo.accounts import DEMO_PASSWORD
from haichieu.members.models import Member
from haichieu.members.selectors import member_list
from haichieu.organizations.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("seed_demo", members=300, verbosity=0)


def _role_org(username: str) -> Organization:
    return Role.objects.select_related("organization").get(user__username=username).organization


def test_demo_commune_staff_sees_only_their_commune(demo, page, log_in):
    ward = _role_org("phuong")
    cells = [cell.name for cell in Organization.objects.get_children(ward)]
    assert cells

    log_in(page, "phuong", DEMO_PASSWORD)
    page.goto("/to-chuc/")
    tree = page.locator("#org-tree")
    expect(tree.locator(":scope > ul > li")).to_have_count(1)
    # The ward, the user's only root, comes with its cells shown; its toggle folds and unfolds them.
    expect(tree.locator(":scope > ul > li > ul > li")).to_have_count(len(cells))
    toggle = page.get_by_role("button", name=f"Mở rộng {ward.name}")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(tree.locator(":scope > ul > li > ul > li")).to_have_count(0)
    toggle.click()
    expect(tree.locator(":scope > ul > li > ul > li")).to_have_count(len(cells))
    shown = tree.locator("li > a:not(.badge)").all_inner_texts()
    assert sorted(shown) == sorted([ward.name, *cells])
    root = Organization.objects.get(depth=1)
    expect(page.locator("main")).not_to_contain_text(root.name)


def test_demo_workplace_staff_finds_a_member_by_name_without_diacritics(demo, page, log_in):
    user = User.objects.get(username="coquan")
    visible = members_visible_to(user)
    # A member of the committee whose name has diacritics, and someone coquan may not see.
    target = next(m for m in visible.order_by("-sort_key") if fold(m.full_name) != m.full_name.lower())
    visible_names = set(visible.values_list("name_folded", flat=True))
    stranger = Member.objects.exclude(pk__in=visible).exclude(name_folded__in=visible_names).first()
    assert target.workplace_cell.path.startswith(_role_org("coquan").path)
    expected = member_list(user, q=fold(target.full_name)).count()

    log_in(page, "coquan", DEMO_PASSWORD)
    page.goto("/dang-vien/")
    results = page.locator("#member-results")
    page.locator("#id_q").press_sequentially(fold(target.full_name), delay=15)
    expect(page).to_have_url(re.compile(r"q=" + r"(%20|\+)".join(fold(target.full_name).split())))
    expect(results.locator("tbody td:first-child a")).to_have_count(expected)
    expect(results.get_by_role("link", name=target.full_name).first).to_be_visible()
    for name in results.locator("tbody td:first-child a").all_inner_texts():
        assert fold(target.full_name) in fold(name)

    page.locator("#id_q").fill(fold(stranger.full_name))
    expect(results).to_contain_text("Không có đảng viên nào phù hợp")
