"""The statistics page of an organisation (issue 13): its 213 figures as of a day, its children's
worst first (each linking one level down), charts by month, and the page as .xlsx."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from haichieu.access import read_scope_or_404, scope_for
from haichieu.core.jinja import render_jinja2
from haichieu.core.paging import numbered_page
from haichieu.core.params import parse_day
from haichieu.core.replica import reads_from_replica
from haichieu.meetings import rules as meeting_rules
from haichieu.organizations.selectors import (
    figures_org_from_query,
    organization_children_and_parent,
    organizations_in_order,
)

from . import exports, figures


def _scope(request) -> tuple:
    """(organisation, day, error, the user's other top organisations) of the page and its export:
    `?org=` (organizations.selectors.figures_org_from_query) and `?ngay=` dd/mm/yyyy (default:
    today; not after today). A malformed value gets a message (`error`) and the default in its
    place."""
    read_scope_or_404(request.user)
    org, others, org_error = figures_org_from_query(request.user, request.GET.get("org", ""))
    errors = [org_error] if org_error else []
    today = figures.today()
    day = today
    raw_day = request.GET.get("ngay", "")
    if raw_day:
        parsed = parse_day(raw_day)
        if parsed is None:
            errors.append(
                f"Ngày “{raw_day[:20]}” không hợp lệ (nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2026): "
                "đang hiển thị số liệu hôm nay."
            )
        elif parsed > today:
            errors.append(f"Ngày {parsed:%d/%m/%Y} chưa đến: đang hiển thị số liệu hôm nay.")
        else:
            day = parsed
    return org, day, " ".join(errors), others


def _query(org, day: datetime.date, today: datetime.date) -> str:
    params = {"org": org.pk}
    if day != today:
        params["ngay"] = f"{day:%d/%m/%Y}"
    return urlencode(params)


@require_safe
@login_required
@reads_from_replica
def dashboard(request):
    org, day, error, others = _scope(request)
    freshness = figures.Freshness()
    # Worst first over all the children, a page of them shown (the .xlsx has them all): more than a
    # page of them take the order the summary's refresh gave them when it was made for the day
    # (the page says so), then only the page's are loaded and counted (more queries: not worth it
    # for a page's worth, which is ranked live).
    raw_page, size = request.GET.get("trang", ""), settings.HAICHIEU["DRILLDOWN_PAGE_SIZE"]
    ranked = figures.ranked_children(org, on=day) if org.numchild > size else None
    if ranked is not None:
        page, page_error = numbered_page(ranked, raw_page, size=size)
        parent = org.parent_node()
        total, page.rows = figures.organization_and_children(
            org, on=day, freshness=freshness, children=organizations_in_order(page.rows), ranked=True
        )
    else:
        nodes, parent = organization_children_and_parent(org)
        total, children = figures.organization_and_children(org, on=day, freshness=freshness, children=nodes)
        page, page_error = numbered_page(children, raw_page, size=size)
    today = figures.today()
    error = " ".join(e for e in (error, page_error) if e)
    context = {
        "org": org,
        "day": day,
        "is_today": day == today,
        "now": timezone.localtime(),
        "summary_at": freshness.summary_at and timezone.localtime(freshness.summary_at),
        "ranked_by_summary": ranked is not None,
        "error": error,
        "others": others,
        "total": total,
        "children": page.rows,
        "page": page,
        "children_rows": render_jinja2(
            "statistics/_children.html",
            {
                "children": [(row, _query(row.org, day, today)) for row in page.rows],
                "dashboard_url": reverse("statistics:dashboard"),
            },
        ),
        "reasons": figures.exemption_reasons(),
        **_charts(figures.monthly(org, on=day, total=total, summary=freshness.summary_at is not None)),
        "expected_per_year": meeting_rules.expected_per_year(),
        "query": _query(org, day, today),
        # The link one level up, when the user reads the parent.
        "parent": parent if parent is not None and scope_for(request.user).may_read(parent) else None,
        "parent_query": _query(parent, day, today) if parent is not None else "",
    }
    return render(request, "statistics/dashboard.html", context, status=400 if error else 200)


def _charts(monthly: dict) -> dict:
    """The monthly figures as the table's rows and as Chartkick's series (JSON, no markup)."""
    months = monthly["months"]
    return {
        "monthly_rows": list(
            zip(months, monthly["introduced"], monthly["received"], monthly["attendance"], strict=True)
        ),
        "chart_coverage": [
            {"name": "Giới thiệu", "data": list(zip(months, monthly["introduced"], strict=True))},
            {"name": "Tiếp nhận", "data": list(zip(months, monthly["received"], strict=True))},
        ],
        "chart_attendance": [
            {
                "name": "Tỷ lệ tham dự",
                "data": [[m, r] for m, r in zip(months, monthly["attendance"], strict=True) if r is not None],
            }
        ],
    }


@require_safe
@login_required
@reads_from_replica
def dashboard_xlsx(request):
    org, day, error, others = _scope(request)
    if error:
        return dashboard(request)
    total, children = figures.organization_and_children(org, on=day)
    return exports.dashboard_export(actor=request.user, total=total, children=children)
