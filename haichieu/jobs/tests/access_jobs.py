"""The permission walk's rows for background work (access/tests/test_permissions.py).

A job is its owner's alone: the side's workplace committee's staff (w1_staff; twin: w2_staff) owns
one, finished, with a result file; everyone else gets 404 for its page and its file. The list shows
each user's own jobs."""

from haichieu.access.tests.access_tables import everyone, row, table


def _job(side):
    if "job" not in side.__dict__:
        from django.utils import timezone

        from haichieu.jobs.models import Job, result_expiry

        owner = side.world.w2_staff if side.second else side.world.w1_staff
        side.__dict__["job"] = Job.objects.create(
            owner=owner,
            kind="members_import",
            title="Nhập đảng viên từ tệp “ds.xlsx”",
            state=Job.State.DONE,
            message="Xong.",
            result_name="ket-qua.xlsx",
            result_data=b"PK",
            finished_at=timezone.now(),
            expires_at=result_expiry(),
        )
    return {"pk": side.__dict__["job"].pk}


JOBS_EXPECTED = {
    "jobs:list": row(get=everyone(200), post=everyone(200)),
    "jobs:detail": row(_job, get=table(404, w1_staff=200), post=table(404, w1_staff=200)),
    "jobs:result": row(_job, get=table(404, w1_staff=200), post=table(404, w1_staff=200)),
}
