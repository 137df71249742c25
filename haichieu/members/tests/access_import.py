"""Expected answers of the member import views for every persona (walked by access/tests/test_permissions.py).

The import is for users who may write members somewhere (like "Thêm đảng viên"); a preview, its
confirmation and its error report exist only under a token in the uploader's own session. The walk
sends each with a token of the persona's own upload (made first, for those who may upload), then,
as the "outside" object, with a token that is not theirs: 404 for everyone.
"""

import secrets

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from haichieu.access.tests.access_tables import everyone, row, table

from .import_files import workbook_bytes

WRITERS = dict(
    admin=200,
    province_staff=200,
    w1_staff=200,
    w1c1_secretary=200,
    w2_staff=200,
    r1_staff=200,
    r1c1_secretary=200,
    r2_staff=200,
)
SOMEONE_ELSES_TOKEN = "A" * 32
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng"]
ROW = [1, "Phạm Văn Dũng", "05/06/1980", "Nam", "93700001", "02/01/2005"]


def _own_upload(s):
    """A token of the persona's own pending upload (one per row), or someone else's for the twin."""
    if s.second:
        return {"token": SOMEONE_ELSES_TOKEN}
    from haichieu.members.views_import import _writable_cells

    token = secrets.token_urlsafe(24)  # what one who may not upload would have to guess
    if s.user is not None:
        try:
            cell = _writable_cells(s.user).first()
        except Exception:  # Http404: this persona may not import
            cell = None
        if cell is not None:
            response = s.client.post(
                reverse("members:import"),
                {
                    "file": SimpleUploadedFile("ds.xlsx", workbook_bytes([HEADER, ROW])),
                    "default_cell": cell.pk,
                },
            )
            assert response.status_code == 302, response.content.decode()[:2000]
            token = response["Location"].rstrip("/").split("/")[-1]
    return {"token": token}


NOBODY = {"get": everyone(404), "post": everyone(404)}

IMPORT_EXPECTED: dict = {
    "members:import": row(get=table(404, **WRITERS), post=table(404, **WRITERS)),
    "members:import_template": row(get=table(404, **WRITERS), post=table(404, **WRITERS)),
    "members:import_preview": row(
        # A POST reads the upload again (Excel's dates as day/month) and goes back to the preview.
        _own_upload,
        get=table(404, **WRITERS),
        post=table(404, **{p: 302 for p in WRITERS}),
        outside=NOBODY,
    ),
    "members:import_confirm": row(
        _own_upload,
        get=everyone(405),
        post=table(404, **{p: 302 for p in WRITERS}),
        writes=tuple(WRITERS),
        outside={"get": everyone(405), "post": everyone(404)},
    ),
    "members:import_errors": row(
        _own_upload, get=table(404, **WRITERS), post=table(404, **WRITERS), outside=NOBODY
    ),
}
