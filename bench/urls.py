"""The project's URLs plus the floors: bare views the benchmark compares every operation with.

The floor runs one indexed query for the same number of rows as the page it is compared with and
renders them through a one-table template (no base template, no authentication). The write floor,
for an operation that writes (a POST), updates one row by its primary key, in the table that
operation writes, and answers a line of JSON (no authentication, no audit: the CSRF check, like
every middleware, it passes as the write does). They are registered only here, never in the
project's own URLs.
"""

from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from haichieu.meetings.models import Attendance
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


@require_POST
def floor_write(request):
    """One row of the attendance table (`pk`: the row the timed write changes) updated, one query."""
    try:
        pk = int(request.POST.get("pk", ""))
    except ValueError:
        pk = 0
    updated = Attendance.objects.filter(pk=pk).update(marked_at=timezone.now())
    return JsonResponse({"ok": bool(updated)})


urlpatterns = [
    path("__bench__/floor/", floor, name="bench_floor"),
    path("__bench__/floor/write/", floor_write, name="bench_floor_write"),
    *project_urlpatterns,
]
