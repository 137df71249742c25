"""Background work the user asked for: the list, each job's progress page (htmx polling while it
runs) and its result file. A job belongs to the user who asked: anyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from haichieu.core.audit import audit_record
from haichieu.core.exports import content_disposition

from .models import Job

# Jobs listed (the newest); older ones stay in the database until pruned.
LIST_SIZE = 50
# Seconds between two refreshes of a running job's progress.
POLL_SECONDS = 2


def _job(request, pk) -> Job:
    return get_object_or_404(Job.objects.of(request.user).light(), pk=pk)


@login_required
def job_list(request):
    jobs = list(Job.objects.of(request.user).light()[:LIST_SIZE])
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    job = _job(request, pk)
    template = "jobs/_progress.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job, "poll": POLL_SECONDS})


@login_required
def job_result(request, pk):
    job = _job(request, pk)
    if not job.has_file:
        raise Http404("Tệp kết quả không còn.")
    data = Job.objects.filter(pk=job.pk).values_list("result_data", flat=True).first()
    if data is None:
        raise Http404("Tệp kết quả không còn.")
    audit_record(actor=request.user, action="export", target=job, target_repr=job.result_name)
    response = HttpResponse(bytes(data), content_type=job.result_content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(job.result_name)
    return response
