"""Expected answers of the member import views for every persona (walked by core/tests/test_permissions.py).

The import is for users who may write members somewhere (like "Thêm đảng viên"); a preview, its
confirmation and its error report exist only under a token in the uploader's own session, so any
other token answers 404 to everyone.
"""

from haichieu.core.tests.access_tables import everyone, table

WRITERS = dict(
    admin=200, province_staff=200, w1_staff=200, w1c1_secretary=200, w2_staff=200, r1_staff=200,
    r1c1_secretary=200, r2_staff=200,
)  # fmt: skip
SOMEONE_ELSES_TOKEN = "A" * 32

IMPORT_EXPECTED: dict = {
    "members:import": (None, table(404, **WRITERS)),
    "members:import_template": (None, table(404, **WRITERS)),
    "members:import_preview": (lambda w: {"token": SOMEONE_ELSES_TOKEN}, everyone(404)),
    "members:import_confirm": (lambda w: {"token": SOMEONE_ELSES_TOKEN}, everyone(405)),  # POST only
    "members:import_errors": (lambda w: {"token": SOMEONE_ELSES_TOKEN}, everyone(404)),
}
