"""The project's URLs plus the floor: a bare view the benchmark compares every operation with.

The floor runs one indexed query for the same number of rows as the operation it is compared with
and renders them through a one-table template (no base template, no authentication). It is
registered only here, never in the project's own URLs.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from haichieu.members.models import Member
from haichieu.urls import urlpatterns as project_urlpatterns

FLOOR_TEMPLATE = engines["django"].from_string(
    """<table>
<thead><tr><th>Họ và tên</th><th>Ngày sinh</th><th>Chức vụ</th><th>Tình trạng</th></tr></thead>
<tbody>{% for m in rows %}
<tr><td>{{ m.full_name }}</td><td>{{ m.date_of_birth|date:"d/m/Y" }}</td><td>{{ m.position }}</td><td>{{ m.get_status_display }}</td></tr>{% endfor %}
</tbody>
</table>"""
)


def floor(request):
    """`n` members in the order of the (sort_key, id) index, one query, one table."""
    try:
        size = max(0, min(int(request.GET.get("n", "50")), 500))
    except ValueError:
        size = 50
    rows = list(Member.objects.order_by("sort_key", "id")[:size])
    return HttpResponse(FLOOR_TEMPLATE.render({"rows": rows}))


urlpatterns = [path("__bench__/floor/", floor, name="bench_floor"), *project_urlpatterns]
