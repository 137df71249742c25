"""The figures pages draw their charts with the app's own Chart.js under the Content-Security-Policy
(no inline script: the conftest fails the test on a CSP violation or a request to another host), and
keep the table beside each chart; the drill-down opens the same page one level down."""

import datetime
import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from haichieu.browser_tests.test_accessibility import AXE, axe_violations
from haichieu.comments.tests.test_figures import YEAR as COMMENTS_YEAR
from haichieu.comments.tests.test_figures import make_request
from haichieu.ratings.tests.test_figures import YEAR as RATINGS_YEAR
from haichieu.ratings.tests.test_figures import rate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def forms_and_schemes():
    """The comment forms and rating schemes are data loaded by migrations: a transactional test run
    before this one flushed them, so they are loaded again the way the migrations do."""
    from haichieu.comments.models import CommentForm
    from haichieu.ratings.models import RatingScheme

    if not CommentForm.objects.exists():
        importlib.import_module("haichieu.comments.migrations.0002_comment_forms_2026").load(apps, None)
    if not RatingScheme.objects.exists():
        importlib.import_module("haichieu.ratings.migrations.0002_load_schemes_2025_2026").load(apps, None)


def test_the_figures_pages_draw_their_charts_and_drill_down(world, page, new_page, log_in):
    w = world
    make_request(
        w.m1,
        cell=w.r1c1,
        commune=w.r1,
        workplace=w.w1,
        answered=datetime.date(2026, 11, 20),
        levels={"example": 2},
    )
    rate(w.m1, 1, datetime.date(RATINGS_YEAR, 12, 20))
    rate(w.m2, 2, datetime.date(RATINGS_YEAR, 12, 20))
    log_in(page, "w1_staff")

    page.goto(f"/nhan-xet/so-lieu/?org={w.w1.pk}&year={COMMENTS_YEAR}")
    expect(page.locator("h1")).to_contain_text("Số liệu nhận xét năm")
    expect(page.locator("#figures-form-3-213 .chart canvas")).to_have_count(1)
    expect(page.locator("#figures-form-3-213 [data-criterion='example']")).to_contain_text(
        "Nêu gương: 100,0%"
    )
    expect(page.locator("#figures-places")).to_contain_text(w.r1.name)
    page.locator("#figures-children").get_by_role("link", name=w.w1c1.name).click()
    expect(page.locator("h1")).to_contain_text(w.w1c1.name)

    page.goto(f"/xep-loai/so-lieu/?org={w.w1.pk}&year={RATINGS_YEAR}")
    expect(page.locator(".chart canvas")).to_have_count(1)
    expect(page.locator("#figures-distribution")).to_contain_text("2 đảng viên, đã xếp loại 2")
    expect(page.locator("#figures-children")).to_contain_text(w.w1c2.name)

    if AXE.is_file():  # WCAG A/AA, axe-core injected into a page that lets it in (as test_accessibility)
        checked = new_page(bypass_csp=True)
        log_in(checked, "w1_staff")
        problems = []
        for path in (
            f"/nhan-xet/so-lieu/?org={w.w1.pk}&year={COMMENTS_YEAR}",
            f"/xep-loai/so-lieu/?org={w.w1.pk}&year={RATINGS_YEAR}",
        ):
            checked.goto(path)
            expect(checked.locator(".chart canvas").first).to_be_visible()
            problems += [f"{path}: {line}" for line in axe_violations(checked, AXE)]
        assert not problems, "\n".join(problems)
