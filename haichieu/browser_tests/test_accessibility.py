"""WCAG 2.x A/AA: axe-core finds no violation on the main pages of every demo role, on a desktop
and on a 375 px phone.

axe-core is installed from the npm registry at test-install time (scripts/ensure-axe.sh, into
var/axe) and injected into each page from that local file; nothing is loaded from outside. Without
it these tests skip, and fail with HAICHIEU_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

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
    # axe accepts an aria-describedby of which one id exists; every one must (a help text, an error).
    lines = [
        f"missing id: {ref}"
        for ref in page.evaluate(
            """() => [...document.querySelectorAll('[aria-describedby], [aria-labelledby]')].flatMap(e =>
                ((e.getAttribute('aria-describedby') || '') + ' ' + (e.getAttribute('aria-labelledby') || ''))
                .split(/\\s+/).filter(id => id && !document.getElementById(id))
                .map(id => `${e.id || e.tagName} -> ${id}`))"""
        )
    ]
    for violation in result["violations"]:
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())[:300]
            lines.append(f"{violation['id']}: {node['target']} {summary}")
    return lines


# Pages reached from the menu's pages, the first link of each kind: a record, a link, a cell, …
DEEPER = [
    re.compile(pattern)
    for pattern in (
        r"^/dang-vien/\d+/$",
        r"^/to-chuc/\d+/$",
        r"^/lien-he/ho-so/\d+/$",
        r"^/lien-he/thong-bao/$",
        r"^/lien-he/noi-cu-tru/chi-bo/\d+/$",
        r"^/lien-he/noi-cu-tru/so-theo-doi/\d+/$",
        r"^/lien-he/noi-cu-tru/tiep-nhan/\d+/$",
    )
]


def _links(page, selector: str) -> list[str]:
    hrefs = page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [urlsplit(href).path for href in hrefs]


def _check_role(page, axe_file: Path, username: str) -> list[str]:
    """axe on home, every menu item and one page of each DEEPER kind linked from them, at both sizes."""
    paths = ["/"] + [p for p in dict.fromkeys(_links(page, "nav a[href^='/']")) if not p.startswith(NOT_OURS)]
    found: list[str] = []
    kinds_seen: set[int] = set()
    for size, viewport in (("desktop", {"width": 1280, "height": 800}), ("375px", PHONE_VIEWPORT)):
        page.set_viewport_size(viewport)
        for path in paths:  # grows during the desktop pass
            page.goto(path)
            found += [f"[{username} {size} {path}] {line}" for line in axe_violations(page, axe_file)]
            if size != "desktop":
                continue
            for link in _links(page, "main a[href^='/']"):
                kind = next((i for i, pattern in enumerate(DEEPER) if pattern.match(link)), None)
                if kind is not None and kind not in kinds_seen and link not in paths:
                    kinds_seen.add(kind)
                    paths.append(link)
    return found


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
        found += _check_role(page, axe_file, username)
        page.context.close()
    assert not found, f"{len(found)} axe violations:\n" + "\n".join(found)


def test_keyboard_and_screen_reader_paths(world, new_page, log_in, axe_file):
    """What axe cannot see: where the focus goes and what is announced (and axe on a form with errors)."""
    from haichieu.organizations.models import Commune
    from haichieu.testing import make_member

    make_member(world.w1c1, "Phạm Văn Dũng", residence_commune=Commune.objects.get(code="00070"))
    page = new_page(bypass_csp=True)
    log_in(page, "w1_staff")

    # The first Tab reaches the skip link, shown on top of the bar; it leads to the main content.
    page.goto("/dang-vien/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua menu, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    ring = skip.evaluate("a => getComputedStyle(a)")
    assert ring["outlineStyle"] == "solid" and ring["outlineWidth"] == "3px"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # A search typed into the list is announced in the live region.
    page.locator("#id_q").press_sequentially("an", delay=15)
    expect(page.locator("#live-status")).to_have_text(re.compile(r"Đã cập nhật kết quả: \d+ dòng\."))

    # A failed submit opens on the error summary; its link leads to the field, which is invalid.
    page.goto(f"/dang-vien/{world.m1.pk}/sua/")
    page.get_by_label("Họ và tên").fill("An")
    page.get_by_role("button", name="Lưu").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Hồ sơ chưa được lưu")
    assert axe_violations(page, axe_file) == []
    summary.get_by_role("link", name="Họ và tên").click()
    expect(page.get_by_label("Họ và tên")).to_be_focused()
    expect(page.get_by_label("Họ và tên")).to_have_attribute("aria-invalid", "true")

    # The introduction's controls (signer, buttons) come after the table they act on; Enter on a
    # checkbox goes to the first of them.
    page.goto("/lien-he/")
    box = page.get_by_role("checkbox", name="Chọn Phạm Văn Dũng")
    box.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.locator("[data-bulk-actions]").locator("select, input, button").first).to_be_focused()
    expect(box).to_be_checked()
    button = page.get_by_role("button", name="Giới thiệu các đồng chí đã chọn")
    assert page.locator("#coverage-table").evaluate(
        "(table, button) => Boolean(table.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING)",
        button.element_handle(),
    )


def test_receiving_several_the_cell_is_one_key_after_the_selection_and_its_groups_are_announced(
    world, page, log_in
):
    from haichieu.liaisons.models import Group, Liaison
    from haichieu.organizations.models import Commune
    from haichieu.testing import make_member

    hk = Commune.objects.get(code="00070")
    for name in ("Đinh Thị Đợi", "Mai Văn Xa", "Hồ Văn Tới"):
        member = make_member(world.w2c1, name, residence_commune=hk)
        Liaison.objects.create(
            member=member,
            workplace_org=world.w2,
            commune_org=world.r1,
            commune=hk,
            status=Liaison.Status.INTRODUCED,
        )
    Group.objects.create(cell=world.r1c1, name="Tổ 1")
    Group.objects.create(cell=world.r1c1, name="Tổ 2")
    log_in(page, "r1_staff")
    page.goto("/lien-he/noi-cu-tru/tiep-nhan/")

    box = page.get_by_role("checkbox", name="Chọn Mai Văn Xa")
    box.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # not a submit: the focus goes to the cell, past the rows' own links
    cell = page.locator("#id_cell")
    expect(cell).to_be_focused()
    expect(box).to_be_checked()
    cell.select_option(label=world.r1c1.name)
    expect(page.locator("#live-status")).to_have_text(re.compile(r"đã cập nhật, 2 lựa chọn\."))


def test_no_axe_violation_on_the_background_job_pages(world, new_page, log_in, axe_file):
    """The jobs list and a job's page, running (the polling bar) and done (its link and file)."""
    from django.utils import timezone

    from haichieu.jobs.models import Job, result_expiry

    running = Job.objects.create(
        owner=world.w1_staff,
        kind="members_import",
        title="Nhập đảng viên từ tệp “lon.xlsx”",
        state=Job.State.RUNNING,
        done=250,
        total=1000,
        message="Đang kiểm tra: 250/1000 dòng.",
    )
    done = Job.objects.create(
        owner=world.w1_staff,
        kind="members_export",
        title="Xuất danh sách đảng viên",
        state=Job.State.DONE,
        done=1,
        total=1,
        message="Đã xuất danh sách 1 đảng viên.",
        result_name="dang-vien.xlsx",
        result_data=b"PK",
        finished_at=timezone.now(),
        expires_at=result_expiry(),
    )
    page = new_page(bypass_csp=True)
    log_in(page, "w1_staff")
    for path in ("/viec-nen/", f"/viec-nen/{running.pk}/", f"/viec-nen/{done.pk}/"):
        page.goto(path)
        assert axe_violations(page, axe_file) == [], path
    expect(page.locator("#job-file")).to_be_visible()
