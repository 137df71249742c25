"""The rating distribution page (issues 12, 13): for a workplace organisation the user reads, the
count and share of each level of the year's scheme, exempt members apart, and the drill-down of its
workplace children worst first, as of a day; .xlsx export. The residence side, and any organisation
outside the user's scope: 404 on GET and POST alike (organizations.selectors.figures_org_for)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone

from haichieu.access import read_scope_or_404
from haichieu.core.charts import Chart
from haichieu.core.params import figure_query
from haichieu.core.replica import reads_from_replica
from haichieu.organizations.selectors import figures_org_for

from . import figures
from .figures_exports import distribution_export


def _org_and_query(request):
    read_scope_or_404(request.user)
    query = figure_query(request.GET, today=timezone.localdate())
    return figures_org_for(request.user, query.org_id, workplace=True), query


def distribution_chart(distribution: figures.Distribution) -> Chart | None:
    """The members rated at each level (a column each); None when nobody is rated yet."""
    if not distribution.rated:
        return None
    return Chart(
        "ColumnChart",
        [[level.label, level.count] for level in distribution.levels],
        label=f"Số đảng viên ở từng mức xếp loại: {distribution.name}",
        options={"colors": ["#0d6efd"]},
    )


@login_required
def figures_page(request):
    org, query = _org_and_query(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    scheme, levels = figures.levels_of(query.year)
    total = figures.distribution(org, query.year, query.as_of, levels)
    context = {
        "org": org,
        "query": query,
        "year": query.year,
        "as_of": query.as_of,
        "scheme": scheme,
        "total": total,
        "chart": distribution_chart(total),
        "children": figures.distribution_by_child(org, query.year, query.as_of, levels),
        "figures_query": query.query_string(org.pk),
    }
    return render(request, "ratings/figures.html", context)


@login_required
@reads_from_replica
def figures_xlsx(request):
    org, query = _org_and_query(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return distribution_export(actor=request.user, org=org, year=query.year, as_of=query.as_of)
