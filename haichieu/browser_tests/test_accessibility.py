"""WCAG 2.x A/AA: axe-core finds no violation on the main pages of every demo role, on a desktop
and on a 375 px phone.

axe-core is installed from the npm registry at test-install time (scripts/ensure-axe.sh, into
var/axe) and injected into each page from that local file; nothing is loaded from outside. Without
it these tests skip, and fail with HAICHIEU_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from haichieu.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(os.environ.get("HAICHIEU_VAR_DIR", "var")) / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE_VIEWPORT = {"width": 375, "height": 740}
# The Django admin (superusers only) is Django's own, not a page of the app.
NOT_OURS = ("/quan-tri/", "/dang-xuat/")


@pytest.fixture
def axe_file() -> Path:
    if not AXE.is_file():
        message = f"axe-core missing at {AXE}: run scripts/ensure-axe.sh (make install-test)"
        if os.environ.get("HAICHIEU_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (HAICHIEU_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(message)
    return AXE


def axe_violations(page, axe_file: Path) -> list[str]:
    """Each violation of the WCAG A/AA rules on the page as it is, one line per rule and node."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_file))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())[:300]
            lines.append(f"{violation['id']}: {node['target']} {summary}")
    return lines


def _main_pages(page) -> list[str]:
    """Home, every item of the menu, the first member and organisation pages, the profile."""
    paths = ["/"]
    for href in page.locator("nav a[href^='/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        path = urlsplit(href).path
        if path not in paths and not path.startswith(NOT_OURS):
            paths.append(path)
    for list_path, selector in (
        ("/dang-vien/", "#member-results tbody a[href^='/dang-vien/']"),
        ("/to-chuc/", "#org-tree a[href^='/to-chuc/']"),
    ):
        page.goto(list_path)
        first = page.locator(selector).first
        if first.count():
            paths.append(urlsplit(first.get_attribute("href")).path)
    return paths


@pytest.fixture
def demo():
    call_command("seed_demo", members=120, verbosity=0)


def test_no_axe_violation_on_the_main_pages_of_every_demo_role(demo, new_page, axe_file):
    found: list[str] = []
    for username in DEMO_USERNAMES:
        page = new_page(bypass_csp=True)
        page.goto("/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        if username == DEMO_USERNAMES[0]:  # the sign-in page with its error, once (failures lock out)
            page.get_by_label("Mật khẩu").fill("sai mật khẩu")
            with page.expect_navigation():
                page.get_by_role("button", name="Đăng nhập").click()
            found += [f"[sign-in error] {line}" for line in axe_violations(page, axe_file)]
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập").click()
        assert "/dang-nhap/" not in page.url, username
        for path in _main_pages(page):
            for size, viewport in (("desktop", {"width": 1280, "height": 800}), ("375px", PHONE_VIEWPORT)):
                page.set_viewport_size(viewport)
                page.goto(path)
                found += [f"[{username} {size} {path}] {line}" for line in axe_violations(page, axe_file)]
        page.context.close()
    assert not found, f"{len(found)} axe violations:\n" + "\n".join(found)
