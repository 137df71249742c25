"""No state on an app server (issue 14): two gunicorn processes, each with its own var directory (as
two machines would have), on one PostgreSQL database, sessions in the database and the import
previews in the shared directory HAICHIEU_IMPORT_DIR. An import previewed through one is confirmed
through the other."""

import pytest
import requests
from django.conf import settings
from django.db import connection

from haichieu.members.models import Member
from haichieu.members.tests.import_files import workbook_bytes

from .servers import app_server, database_url

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Chi bộ"]
ROWS = [
    [1, "Phạm Văn Dũng", "05/06/1980", "Nam", "93700001", "02/01/2005", "W1C1"],
    [2, "Hoàng Thị Mai", "01/01/1990", "Nữ", "93700003", "01/01/2015", "W1C2"],
]


@pytest.mark.django_db(transaction=True)
def test_an_import_previewed_through_one_server_is_confirmed_through_the_other(world, client, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two app servers share one PostgreSQL database")
    client.force_login(world.w1_staff)
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    shared = {"DATABASE_URL": database_url(), "HAICHIEU_IMPORT_DIR": str(tmp_path / "shared-imports")}
    count = Member.objects.count()
    with app_server(tmp_path / "one", **shared) as one, app_server(tmp_path / "two", **shared) as two:
        form = browser.get(f"{one}/dang-vien/nhap/", timeout=30)
        assert form.status_code == 200
        csrf = {"X-CSRFToken": browser.cookies["csrftoken"]}
        upload = browser.post(
            f"{one}/dang-vien/nhap/",
            files={"file": ("danh-sach.xlsx", workbook_bytes([HEADER, *ROWS]))},
            headers=csrf,
            allow_redirects=False,
            timeout=60,
        )
        assert upload.status_code == 302, upload.text[:2000]
        preview_path = upload.headers["Location"]
        assert preview_path.startswith("/dang-vien/nhap/")
        # The other server shows the same preview …
        preview = browser.get(f"{two}{preview_path}", timeout=30)
        assert preview.status_code == 200 and 'data-count="created">2<' in preview.text
        assert Member.objects.count() == count  # nothing written before the confirmation
        # … and applies it.
        confirm = browser.post(
            f"{two}{preview_path}xac-nhan/", headers=csrf, allow_redirects=False, timeout=60
        )
        assert confirm.status_code == 302 and confirm.headers["Location"] == "/dang-vien/"
    assert Member.objects.count() == count + 2
    assert set(
        Member.objects.filter(party_card_number__in=["93700001", "93700003"]).values_list(
            "full_name", flat=True
        )
    ) == {
        "Phạm Văn Dũng",
        "Hoàng Thị Mai",
    }
    # Nothing stayed behind on either server; the shared directory holds no waiting file.
    assert not list((tmp_path / "one").rglob("*.xlsx")) and not list((tmp_path / "two").rglob("*.xlsx"))
    assert not list((tmp_path / "shared-imports").rglob("*.xlsx"))
