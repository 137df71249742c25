"""Members' work in the background (issue 14), each through the same service as the request, as the
user who asked:

- the import confirmed for a file with more rows than JOB_IMPORT_ROWS: `members_import`, in its one
  transaction (the file is the unit: all of it or nothing, as in the request);
- the member list's .xlsx export of more than JOB_EXPORT_ROWS members: `member_list_xlsx`, the same
  rows and audit entry as the download, kept as the job's result file.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from haichieu.access import writable_cells
from haichieu.core.exports import XLSX_CONTENT_TYPE
from haichieu.core.forms import filter_summary
from haichieu.jobs.services import JobFailed, Outcome, register

from . import selectors
from .exports import member_export_filename, member_list_selection, member_list_xlsx
from .imports import members_import

IMPORT_KIND = "members_import"
EXPORT_KIND = "members_export"


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


def export_in_background(members) -> bool:
    """The export of `members` (the list's queryset) goes to the worker: more rows than the setting."""
    limit = int(settings.HAICHIEU.get("JOB_EXPORT_ROWS", 5000))
    return members.count() > limit


@register(EXPORT_KIND)
def run_export(job, progress) -> Outcome:
    query = job.params.get("query", "")
    selection = member_list_selection(job.owner, QueryDict(query))
    if selection.org_error:
        raise JobFailed(selection.org_error)
    members = selectors.member_list(job.owner, narrow=selection.narrow)
    data, count = member_list_xlsx(
        actor=job.owner,
        members=members,
        org=selection.org,
        query=query,
        filters=filter_summary(selection.form),
        progress=progress,
    )
    return Outcome(
        message=f"Đã xuất danh sách {count} đảng viên.",
        file_name=member_export_filename(selection.org),
        file_data=data,
        content_type=XLSX_CONTENT_TYPE,
    )
