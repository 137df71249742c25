"""The issue's acceptance test for the work queue (issue 13) on the seeded demo: each demo role signs
in, finds its work queue on the home page (a cell secretary from the cell page they land on, through
the menu's "Việc cần làm"), and every count matches the rows of the list it links to; at 375 px
the page does not scroll sideways."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from haichieu.browser_tests.conftest import PHONE
from haichieu.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES

pytestmark = pytest.mark.django_db(transaction=True)

DATA_ROWS = "tbody tr:not(:has(td[colspan]))"
# Where each list shows the rows an item counts.
ROWS = {
    "to_introduce": "#coverage-table tbody tr[data-row]",
    "returned": "#coverage-table tbody tr[data-row]",
    "digests": "tbody tr.table-danger, tbody tr.table-warning",
    "comments_overdue": f"#comment-requests {DATA_ROWS}",
    "comments_pending": f"#comment-requests {DATA_ROWS}",
    "comments_awaiting": f"#comment-requests {DATA_ROWS}",
    "below_minimum": "#workplace-attendance tbody tr[data-row]",
    "exemptions_ending": f"section[aria-labelledby=ending-title] {DATA_ROWS}",
    "incoming": "tbody tr[data-row]",
    "incoming_overdue": "tbody tr[data-row].table-warning",
    "departures": "#departures tbody tr[data-row]",
    "unplaced": "details:has(#group-none) tbody tr[data-row]",
    "tasks_due": "#tasks tbody tr[data-row]",
    "upcoming": "#upcoming-meetings li:not(.text-muted)",
    "tasks_open": "#mine-task-list tbody tr[data-outcome=in_progress]",
}
BLOCKS = {
    "admin": {"workplace", "commune"},
    "bantochuc": {"workplace"},
    "coquan": {"workplace"},
    "chibocoquan": {"workplace"},
    "phuong": {"commune"},
    "chibotdp": {"cell"},
    "dangvien": {"member"},
}


@pytest.fixture
def demo():
    call_command("seed_demo", members=300, verbosity=0)


def _with_size(href: str) -> str:
    parts = urlsplit(href)
    query = f"{parts.query}&size=200" if parts.query else "size=200"
    return f"{parts.path}?{query}" + (f"#{parts.fragment}" if parts.fragment else "")


def test_each_demo_role_finds_its_work_queue_and_its_counts_match_the_lists(
    demo, new_page, log_in, horizontal_overflow
):
    assert set(BLOCKS) == set(DEMO_USERNAMES)
    counted: set[str] = set()  # the items whose rows were counted above zero
    for username in DEMO_USERNAMES:
        page = new_page(**PHONE)
        log_in(page, username, DEMO_PASSWORD)
        if username == "chibotdp":
            assert "/noi-cu-tru/chi-bo/" in page.url  # lands on the cell
            page.get_by_role("button", name="Mở menu").click()
            page.locator("#nav-queue").click()
        else:
            page.goto("/")
        queue = page.locator("#work-queue")
        expect(queue).to_be_visible()
        assert horizontal_overflow(page) <= 0, username
        blocks = queue.locator("[data-block]")
        kinds = {key.split("-")[0] for key in blocks.evaluate_all("els => els.map(e => e.dataset.block)")}
        assert kinds == BLOCKS[username], username
        items = queue.locator("[data-item][data-count]").evaluate_all(
            "els => els.map(e => [e.dataset.item, Number(e.dataset.count), e.querySelector('a').getAttribute('href')])"
        )
        assert items, username
        counted.update(key for key, count, _ in items if count)
        for key, count, href in items:
            page.goto(_with_size(href))
            expect(page.locator(ROWS[key]), f"{username}: {key} → {href}").to_have_count(count)
        page.context.close()
    # The demo's work on each side: members to introduce, introductions waiting, members to place.
    assert {"to_introduce", "returned", "incoming", "incoming_overdue", "unplaced"} <= counted
