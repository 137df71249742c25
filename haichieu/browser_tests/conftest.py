"""Browser fixtures: Debian's Chromium driven by Playwright's sync API against pytest-django's live_server.

- `browser` (session): one Chromium for the whole run. When it cannot be started (Playwright not
  installed, no Chromium binary, launch error) every browser test is skipped and the reason is
  printed at the end of the run; with HAICHIEU_REQUIRE_BROWSER=1 (CI) they fail instead.
- `page`: a fresh context per test (vi-VN, Asia/Ho_Chi_Minh, base URL = the live server).
  `new_page(**context_options)` makes more, e.g. a phone-sized one.
- Every context refuses requests to any other host than the live server (nothing may come from a
  CDN, DESIGN.md); a test fails if a page asked another host, raised a JavaScript error or got an
  error for a stylesheet, script, image or font.
- `log_in(page, username)` logs in through the real login form; `phone_page` is a 375 px phone.

Playwright's sync API runs an event loop in this thread, so Django refuses database calls unless
DJANGO_ALLOW_ASYNC_UNSAFE is set (DESIGN.md "Known pitfalls"); scripts/run-tests.sh sets it, and the
`browser` fixture sets it too, so `pytest haichieu/browser_tests` works on its own.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from haichieu.testing import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]
CONTEXT_DEFAULTS = {
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
    "viewport": {"width": 1280, "height": 800},
}
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
TIMEOUT_MS = 10_000
FAILURE_DIR = Path(os.environ.get("HAICHIEU_VAR_DIR", "var")) / "browser-failures"

_unavailable: list[str] = []


def _chromium_path() -> str | None:
    chosen = os.environ.get("HAICHIEU_CHROMIUM")
    candidates = [chosen] if chosen else ["/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _no_browser(reason: str):
    message = f"Chromium unavailable, browser tests not run: {reason}"
    if os.environ.get("HAICHIEU_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (HAICHIEU_REQUIRE_BROWSER=1)", pytrace=False)
    if not _unavailable:
        _unavailable.append(reason)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter):
    if _unavailable:
        terminalreporter.write_line(
            f"Browser tests SKIPPED: {_unavailable[0]} (run scripts/ensure-browser.sh as root to install "
            "Chromium; HAICHIEU_REQUIRE_BROWSER=1 makes this a failure)",
            yellow=True,
        )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so `new_page` can save a screenshot of a failed test.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _launch(playwright_holder: list):
    """(browser, None) or (None, why it cannot run)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        return None, f"the playwright package is not installed ({exc})"
    executable = _chromium_path()
    if executable is None:
        return None, "no Chromium binary (/usr/bin/chromium, or $HAICHIEU_CHROMIUM when set)"
    playwright = sync_playwright().start()
    playwright_holder.append(playwright)
    try:
        return playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, timeout=30_000
        ), None
    except (PlaywrightError, OSError) as exc:
        detail = " ".join(str(exc).split())[:300]
        return None, f"{executable} did not start: {detail}"


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    holder: list = []
    chromium, reason = _launch(holder)
    if chromium is None:
        for playwright in holder:
            playwright.stop()
        _no_browser(reason)
    yield chromium
    chromium.close()
    holder[0].stop()


@pytest.fixture
def new_page(browser, live_server, request):
    """Factory of pages, each in its own context: `new_page(**PHONE)`."""
    allowed = urlsplit(live_server.url).netloc
    contexts = []
    problems: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).netloc == allowed or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def make(**options):
        context = browser.new_context(**{**CONTEXT_DEFAULTS, "base_url": live_server.url, **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"JavaScript error on {page.url}: {exc}"))
        # The Content-Security-Policy allows no inline script or style: a page that needs one breaks.
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and problems.append(f"CSP violation on {page.url}: {message.text}")
            ),
        )
        page.on("response", lambda response: _check_asset(response, problems))
        return page

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for number, context in enumerate(contexts):
        if failed:
            FAILURE_DIR.mkdir(parents=True, exist_ok=True)
            for index, page in enumerate(context.pages):
                page.screenshot(
                    path=FAILURE_DIR / f"{request.node.name}-{number}-{index}.png", full_page=True
                )
        context.close()
    assert not problems, "\n".join(problems)


def _check_asset(response, problems: list[str]) -> None:
    # A missing stylesheet or script leaves a page unstyled or dead without any visible error.
    if response.status >= 400 and response.request.resource_type not in ("document", "fetch", "xhr"):
        problems.append(f"{response.status} for {response.request.resource_type} {response.url}")


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """A 375×740 touch phone (the cell secretary's phone at a meeting)."""
    return new_page(**PHONE)


def _log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    if "/dang-nhap/" in page.url:
        errors = page.locator(".alert-danger").all_inner_texts()
        raise AssertionError(f"Could not log in as {username!r}: {errors or page.url}")


@pytest.fixture
def log_in():
    """`log_in(page, "w1_staff")`: log in through the real login form (password: testing.PASSWORD)."""
    return _log_in


@pytest.fixture
def horizontal_overflow():
    """`horizontal_overflow(page)`: CSS pixels the page is wider than the window (0 if none)."""
    return lambda page: page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
