"""The malformed requests of the security review (issue 9, finding 6): each answers 404 or the
form's own error, never a server error. The property test (access/tests/test_hostile_input.py)
sends such values to every URL; these are the ones the review found, kept as plain regressions."""

import datetime
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from haichieu.liaisons import services
from haichieu.liaisons.models import ChangeNotice, InboxItem, Liaison

pytestmark = pytest.mark.django_db

HUGE = "9" * 23  # past every integer column
JUST_PAST_INT64 = str(2**63)


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("ids", ["1,abc,99999999999999999999999", HUGE, JUST_PAST_INT64, "-1", "1,,2"])
def test_letters_with_malformed_ids_are_not_found(world, ids):
    response = _client(world.province_staff).get(reverse("liaisons:letters"), {"ids": ids})
    assert response.status_code == 404


@pytest.mark.parametrize("value", [HUGE, JUST_PAST_INT64, "-1", "١"])
def test_introduce_with_a_malformed_member_id_is_not_found(world, value):
    response = _client(world.province_staff).post(reverse("liaisons:introduce"), {"member": [value]})
    assert response.status_code == 404
    assert not Liaison.objects.filter(status=Liaison.Status.INTRODUCED).exists()


@pytest.mark.parametrize("value", [HUGE, JUST_PAST_INT64, "²"])
def test_marking_read_with_a_malformed_item_id_is_not_found(world, value):
    services.liaison_introduce(actor=world.w1_staff, members=[world.m2])
    response = _client(world.province_staff).post(reverse("liaisons:inbox_read"), {"item": [value]})
    assert response.status_code == 404
    assert not InboxItem.objects.filter(read_at__isnull=False).exists()


@pytest.mark.parametrize("value", [HUGE, JUST_PAST_INT64, "-1", "abc", "²"])
def test_reception_with_a_malformed_cell_id_is_a_form_error(world, value):
    member = world.m2
    member.residence_commune = world.m1.residence_commune
    member.residence_province = world.m1.residence_province
    member.save()
    liaison = services.liaison_introduce(actor=world.w1_staff, members=[member]).introduced[0]
    client = _client(world.province_staff)
    one = client.post(reverse("liaisons:residence_receive", args=[liaison.pk]), {"cell": value})
    assert one.status_code == 200
    assert "Chi bộ đã chọn không thuộc phạm vi của bạn." in one.content.decode()
    many = client.post(
        reverse("liaisons:residence_incoming"), {"org": world.r1.pk, "liaisons": [liaison.pk], "cell": value}
    )
    assert many.status_code == 200
    assert "Chi bộ đã chọn không thuộc phạm vi của bạn." in many.content.decode()
    bad_liaison = client.post(
        reverse("liaisons:residence_incoming"),
        {"org": world.r1.pk, "liaisons": [value], "cell": world.r1c1.pk},
    )
    assert bad_liaison.status_code == 200
    liaison.refresh_from_db()
    assert liaison.status == Liaison.Status.INTRODUCED


@pytest.mark.parametrize("value", [HUGE, JUST_PAST_INT64, "-1", "abc"])
def test_residence_pages_with_a_malformed_org_or_cell_are_not_found_or_empty(world, value):
    client = _client(world.province_staff)
    assert client.get(reverse("liaisons:residence_incoming"), {"org": value}).status_code == 404
    assert client.get(reverse("liaisons:residence_cells"), {"org": value}).status_code == 404
    options = client.get(reverse("liaisons:residence_group_options"), {"cell": value})
    assert options.status_code == 200
    assert client.get(reverse("liaisons:inbox"), {"org": value}).status_code == 200


@pytest.mark.parametrize("year", ["0", "0000", "9999", "10000", HUGE])
def test_digest_urls_with_a_year_out_of_range_are_not_found(world, year):
    today = datetime.date.today()
    ChangeNotice.objects.create(
        member=world.m1,
        kind="position_change",
        direction="to_residence",
        sender_org=world.w1,
        recipient_org=world.r1,
        event_date=today,
        details="Chức vụ mới: Phó phòng.",
    )
    client = _client(world.province_staff)
    base = f"/lien-he/danh-sach-bien-dong/{world.w1.pk}/{world.r1.pk}"
    assert client.get(f"{base}/{today.year}/1.xlsx").status_code in (200, 404)  # the URL's shape holds
    assert client.get(f"{base}/{year}/1.xlsx").status_code == 404
    assert client.get(f"{base}/{year}/1.docx").status_code == 404
    assert client.post(f"{base}/{year}/1/gui/").status_code == 404


@pytest.mark.parametrize("pk", [HUGE, JUST_PAST_INT64, "0"])
@pytest.mark.parametrize(
    "route",
    [
        "/dang-vien/{}/",
        "/dang-vien/{}/sua/",
        "/to-chuc/{}/",
        "/to-chuc/{}/con/",
        "/to-chuc/{}/them/",
        "/to-chuc/{}/sua/",
        "/to-chuc/{}/chuyen/",
        "/lien-he/ho-so/{}/",
        "/lien-he/bien-dong/{}/",
        "/lien-he/noi-cu-tru/tiep-nhan/{}/",
        "/lien-he/noi-cu-tru/chi-bo/{}/",
        "/lien-he/noi-cu-tru/so-theo-doi/{}/",
    ],
)
def test_object_urls_with_an_id_out_of_range_are_not_found(world, route, pk):
    assert _client(world.admin).get(route.format(pk)).status_code == 404


@pytest.mark.parametrize("target", ["0", "liaisons:residence_cells", "1,abc"])
def test_a_next_page_that_is_no_path_falls_back_to_the_default(world, target):
    """`next` names a page to go back to; anything but a path of this site is ignored."""
    liaison = world.m1.liaisons.get()  # active, in R1C1
    url = reverse("liaisons:residence_no_longer_resides", args=[liaison.pk])
    response = _client(world.province_staff).post(
        url, {"date": f"{datetime.date.today():%d/%m/%Y}", "note": "Đã chuyển nhà.", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("liaisons:residence_cell", args=[liaison.cell_id])


def test_a_nul_character_in_a_query_or_form_is_a_bad_request(world):
    """PostgreSQL refuses NUL in text: a view passing one on was a server error there."""
    client = _client(world.province_staff)
    assert client.get("/to-chuc/xa-phuong/", {"province": "01\x00"}).status_code == 400
    assert client.get(reverse("organizations:tree"), {"q": "\x00"}).status_code == 400
    url = reverse("liaisons:member_event", args=[world.m1.pk])
    body = urlencode({"kind": "position_change", "details": "a\x00b"})
    assert client.post(url, body, content_type="application/x-www-form-urlencoded").status_code == 400
    assert not ChangeNotice.objects.exists()
