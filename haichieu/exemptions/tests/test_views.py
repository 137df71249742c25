"""Exemption pages end to end: the workplace side records and renews; the residence side sees only
"miễn đến …" where it lists the member, in a constant number of queries; the yearly export; the
reminders."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from haichieu.core.models import AuditEntry
from haichieu.exemptions.models import Exemption, ExemptionScan
from haichieu.liaisons.models import InboxItem, ReminderSent
from haichieu.liaisons.reminders import send_reminders
from haichieu.liaisons.tests.test_views_residence import _count_queries, _received

pytestmark = pytest.mark.django_db

SECRET = "Điều trị ung thư tại Bệnh viện K"


def _exempt(member, committee, *, start, end, reason=Exemption.Reason.TREATMENT, **extra):
    return Exemption.objects.create(
        member=member,
        reason=reason,
        reason_details=SECRET,
        decided_by=committee,
        decided_on=start,
        start_date=start,
        end_date=end,
        **extra,
    )


def _today():
    return timezone.localdate()


def _form(world, **extra):
    today = _today()
    return {
        "reason": "far_work",
        "reason_details": "Đi làm ở công trường",
        "applied_on": f"{today:%d/%m/%Y}",
        "decided_by": world.w1.pk,
        "decided_on": f"{today:%d/%m/%Y}",
        "start_date": f"{today:%d/%m/%Y}",
        "end_date": f"{today + datetime.timedelta(days=180):%d/%m/%Y}",
        "contact": "Zalo 0912 345 678",
        **extra,
    }


def test_the_workplace_records_an_exemption_with_its_scan_and_the_member_page_shows_it(world, client_for):
    client = client_for(world.w1c1_secretary)
    scan = SimpleUploadedFile("đơn xin miễn.pdf", b"%PDF-1.4\n1 0 obj\n", content_type="application/pdf")
    response = client.post(reverse("exemptions:create", args=[world.m1.pk]), {**_form(world), "scan": scan})
    assert response.status_code == 302
    exemption = Exemption.objects.get(member=world.m1)
    assert ExemptionScan.objects.get(exemption=exemption).filename == "đơn xin miễn.pdf"
    end = exemption.end_date.strftime("%d/%m/%Y")
    page = client.get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert f"Miễn công tác và sinh hoạt đảng đến {end}" in page
    listing = client.get(reverse("exemptions:member", args=[world.m1.pk])).content.decode()
    assert "Đi làm ăn xa, công tác lưu động" in listing and "Bản chụp đơn" in listing
    download = client.get(reverse("exemptions:scan", args=[world.m1.pk, exemption.pk]))
    assert download["Content-Type"] == "application/pdf" and b"".join(download.streaming_content).startswith(
        b"%PDF"
    )
    assert AuditEntry.objects.filter(action="export", target_id=str(exemption.pk)).exists()


def test_bad_input_names_the_field_and_writes_nothing(world, client_for):
    client = client_for(world.w1_staff)
    url = reverse("exemptions:create", args=[world.m1.pk])
    response = client.post(url, _form(world, decided_by=world.w1c1.pk))  # far work: not the cell's to decide
    assert response.status_code == 200
    assert "cấp quyết định là Đảng bộ Sở Tài chính" in response.content.decode()
    response = client.post(url, _form(world, end_date="31/02/2026", reason="khác"))
    assert response.status_code == 200 and set(response.context["form"].errors) >= {"end_date", "reason"}
    fake = SimpleUploadedFile("don.pdf", b"<html>not a scan</html>")
    response = client.post(url, {**_form(world), "scan": fake})
    assert "Bản chụp đơn phải là tệp PDF, JPEG hoặc PNG." in response.content.decode()
    assert not Exemption.objects.exists()


def test_a_scan_over_the_limit_is_refused_while_read(world, client_for, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "EXEMPTION_SCAN_MAX_BYTES": 1024}
    big = SimpleUploadedFile("don.pdf", b"%PDF-" + b"0" * 5000)
    response = client_for(world.w1_staff).post(
        reverse("exemptions:create", args=[world.m1.pk]), {**_form(world), "scan": big}
    )
    assert response.status_code == 200 and "quá lớn" in response.content.decode()
    assert not Exemption.objects.exists()


def test_the_residence_side_sees_the_end_date_never_the_reason(world, client_for):
    today = _today()
    end = today + datetime.timedelta(days=90)
    (liaison,) = _received(world, "Phạm Thu Hằng")
    _exempt(liaison.member, world.w1, start=today, end=end)
    _exempt(world.m1, world.w1, start=today, end=end)
    client = client_for(world.r1_staff)
    words = f"Miễn công tác và sinh hoạt đảng đến {end:%d/%m/%Y}"
    for url in (
        reverse("liaisons:residence_cell", args=[world.r1c1.pk]),
        reverse("liaisons:residence_book", args=[world.r1.pk]),
        reverse("liaisons:residence_place", args=[liaison.pk]),
        reverse("members:detail", args=[world.m1.pk]),
    ):
        page = client.get(url).content.decode()
        assert words in page, url
        assert SECRET not in page and "Điều trị bệnh dài ngày" not in page, url
    # … and none of the exemption pages.
    assert client.get(reverse("exemptions:member", args=[world.m1.pk])).status_code == 404


def test_a_revoked_or_ended_exemption_is_not_shown_to_the_residence(world, client_for):
    today = _today()
    _exempt(
        world.m1, world.w1, start=today - datetime.timedelta(days=100), end=today - datetime.timedelta(days=1)
    )
    page = (
        client_for(world.r1_staff)
        .get(reverse("liaisons:residence_cell", args=[world.r1c1.pk]))
        .content.decode()
    )
    assert "Miễn công tác và sinh hoạt đảng đến" not in page


def test_cell_page_and_book_queries_stay_constant_with_exemptions(world, client_for):
    today = _today()
    client = client_for(world.r1_staff)
    cell_url = reverse("liaisons:residence_cell", args=[world.r1c1.pk])
    book_url = reverse("liaisons:residence_book", args=[world.r1.pk])
    (first,) = _received(world, "Trần Văn Thứ")
    _exempt(first.member, world.w1, start=today, end=today + datetime.timedelta(days=30))
    cell_one, book_one = _count_queries(client, cell_url), _count_queries(client, book_url)
    for liaison in _received(world, *[f"Trần Văn Thứ{chr(ord('a') + i)}" for i in range(12)]):
        _exempt(liaison.member, world.w1, start=today, end=today + datetime.timedelta(days=30))
    assert _count_queries(client, cell_url) == cell_one
    assert _count_queries(client, book_url) == book_one


def test_the_list_shows_ending_and_ended_and_renewal_is_one_action(world, client_for):
    today = _today()
    ending = _exempt(
        world.m1,
        world.w1,
        start=today - datetime.timedelta(days=300),
        end=today + datetime.timedelta(days=10),
    )
    ended = _exempt(
        world.m2, world.w1, start=today - datetime.timedelta(days=200), end=today - datetime.timedelta(days=5)
    )
    _exempt(world.m3, world.w2, start=today, end=today + datetime.timedelta(days=5))  # W2's: not W1's list
    client = client_for(world.w1_staff)
    page = client.get(reverse("exemptions:overview"))
    assert page.context["ending"] == [ending] and page.context["ended"] == [ended]
    assert "Lê Đức Cường" not in page.content.decode()
    renew_url = reverse("exemptions:renew", args=[world.m2.pk, ended.pk])
    assert renew_url in page.content.decode()
    form = client.get(renew_url).context["form"]
    assert form.initial["start_date"] == ended.end_date + datetime.timedelta(days=1)
    data = {
        **_form(world, reason="treatment"),
        "start_date": f"{today:%d/%m/%Y}",
        "end_date": f"{today + datetime.timedelta(days=365):%d/%m/%Y}",
    }
    assert client.post(renew_url, data).status_code == 302
    assert Exemption.objects.get(renews=ended).member == world.m2
    assert client.get(reverse("exemptions:overview")).context["ended"] == []
    # The organisation filter: an unknown code is said, not a 500.
    unknown = client.get(reverse("exemptions:overview"), {"org": "W2"})
    assert "Không tìm thấy tổ chức có mã “W2”" in unknown.content.decode()


def test_the_yearly_list_exports_the_organisations_exemptions(world, client_for):
    _exempt(world.m1, world.w1, start=datetime.date(2025, 7, 1), end=datetime.date(2026, 6, 30))
    _exempt(world.m2, world.w1, start=datetime.date(2027, 1, 1), end=datetime.date(2027, 6, 30))
    _exempt(world.m3, world.w2, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))
    response = client_for(world.w1_staff).get(
        reverse("exemptions:overview"), {"format": "xlsx", "year": "2026", "org": "W1"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    text = [[c for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
    assert "NĂM 2026" in text[0][0]
    names = [r[1] for r in text if r and isinstance(r[0], int)]
    assert names == ["Nguyễn Văn An"]
    assert AuditEntry.objects.filter(action="export", target_type="exemptions.exemption").exists()
    bad = client_for(world.w1_staff).get(reverse("exemptions:overview"), {"year": "20x6"})
    assert bad.status_code == 404


def test_reminders_are_sent_once_per_state(world):
    today = datetime.date(2026, 12, 10)
    ending = _exempt(world.m1, world.w1, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))
    first = send_reminders(today=today)
    assert first["exemption"] == 1
    item = InboxItem.objects.get(kind="reminder", recipient_org=world.w1, summary__contains="miễn")
    assert SECRET not in item.summary
    assert send_reminders(today=today)["exemption"] == 0
    # Ended without renewal: reminded once more, then never again.
    assert send_reminders(today=datetime.date(2027, 1, 2))["exemption"] == 1
    assert send_reminders(today=datetime.date(2027, 1, 3))["exemption"] == 0
    assert ReminderSent.objects.filter(kind="exemption").count() == 2
    # Renewed: nothing more to remind.
    _exempt(
        world.m1, world.w1, start=datetime.date(2027, 1, 5), end=datetime.date(2027, 12, 31), renews=ending
    )
    assert send_reminders(today=datetime.date(2027, 1, 6))["exemption"] == 0


def test_the_rules_page_lists_the_exemption_rules_with_their_sources(world, client_for, settings):
    page = client_for(world.w1_staff).get(reverse("liaisons:rules")).content.decode()
    for key in (
        "exemption_reasons",
        "exemption_cell_decides",
        "exemption_lifts",
        "exemption_ending_within_days",
    ):
        assert f'id="{key}"' in page
    assert "27-HD/BTCTW" in page and "294-QĐ/TW" in page
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "RULES": {**settings.HAICHIEU["RULES"], "EXEMPTION_CELL_DECIDES": ["age_health", "treatment"]},
    }
    page = client_for(world.w1_staff).get(reverse("liaisons:rules")).content.decode()
    row = page.split('id="exemption_cell_decides"')[1].split("</tr>")[0]
    assert "Điều trị bệnh dài ngày" in row and "Quy định riêng của đơn vị triển khai" in row
