"""The members import confirmed in the background (issue 14): a file with more rows than the
setting JOB_IMPORT_ROWS is applied by the worker, through the same `members_import` as the request,
as the user who confirmed it, in its one transaction."""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from haichieu.access import writable_cells
from haichieu.jobs.services import JobFailed, Outcome, register

from .imports import members_import

IMPORT_KIND = "members_import"


def import_in_background(rows: int) -> bool:
    """A confirmed import of `rows` rows goes to the worker."""
    return rows > int(settings.HAICHIEU.get("JOB_IMPORT_ROWS", 2000))


@register(IMPORT_KIND)
def run_import(job, progress) -> Outcome:
    params = job.params
    # As the request does (views_import._default_cell): the cell if the user may still write to it.
    default_cell = None
    if params.get("default_cell"):
        default_cell = writable_cells(job.owner).filter(pk=params["default_cell"]).first()
    if job.input_data is None:
        raise JobFailed("Tệp đã tải lên không còn: hãy tải tệp lên lại.")
    fd, name = tempfile.mkstemp(suffix=".xlsx")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as target:
            target.write(bytes(job.input_data))
        result = members_import(
            actor=job.owner,
            path=path,
            default_cell=default_cell,
            apply=True,
            skip_invalid=bool(params.get("skip_invalid")),
            source_name=job.input_name,
            day_month=bool(params.get("day_month")),
            progress=progress,
        )
    finally:
        path.unlink(missing_ok=True)
    if not result.applied:
        raise JobFailed(result.not_applied_message())
    return Outcome(message=result.summary(job.input_name), url=reverse("members:list"))
