"""Issue 10, items 1, 2, 3, 5, 7: each generated document, read back as text, names the committee as
addressee, is dated at the issuer's own place, is a numbered notice (the digest), states the duties an
excused member keeps and carries the signer chosen at issue — and a reprint prints the same."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from haichieu.core import documents as core_documents
from haichieu.core.models import AuditEntry
from haichieu.liaisons import documents, rules, selectors, services
from haichieu.liaisons.models import Digest, Liaison
from haichieu.liaisons.services import Signer
from haichieu.members.models import Member
from haichieu.organizations import services as org_services
from haichieu.organizations.models import Commune, Organization
from haichieu.testing import introduce_through_preview, make_member

from .test_documents import full_text, reload

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 24)


@pytest.fixture
def hk():
    return Commune.objects.get(code="00070")


@pytest.fixture
def ward_named_as_organisation(world):
    """The demo's naming: the ward's organisation is "Đảng bộ phường …"; its committee "Đảng ủy phường …"."""
    Organization.objects.filter(pk=world.r1.pk).update(name="Đảng bộ phường Hoàn Kiếm")
    world.r1.refresh_from_db()
    return world.r1


def _introduce(world, hk, name="Phạm Thu Hằng", signer=None, **extra):
    member = make_member(world.w1c1, name, residence_commune=hk, residence_province=hk.province, **extra)
    result = services.liaison_introduce(actor=world.w1_staff, members=[member], today=DAY, signer=signer)
    return result.introduced[0]


def _letter_text(liaison) -> str:
    return full_text(reload(documents.introduction_letters_docx(Liaison.objects.filter(pk=liaison.pk))))


def _period_with_a_change(world):
    today = datetime.date.today()
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=today,
        new_position="Phó phòng",
    )
    return rules.digest_period(today)


def _digest_text(world, recipient, year, period, digest=None) -> str:
    notices = selectors.digest_notices(sender_org=world.w1, recipient_org=recipient, year=year, period=period)
    return full_text(
        reload(
            documents.digest_docx(
                sender_org=world.w1,
                recipient_org=recipient,
                year=year,
                period=period,
                notices=notices,
                digest=digest,
            )
        )
    )


# --- 1. the addressee is the committee -------------------------------------------------------------
def test_letter_slip_and_digest_go_to_the_committee_not_the_organisation(
    world, hk, ward_named_as_organisation
):
    text = _letter_text(_introduce(world, hk))
    assert "Kính gửi: Đảng ủy phường Hoàn Kiếm" in text
    assert "Đề nghị Đảng ủy phường Hoàn Kiếm tiếp nhận" in text
    assert "Đảng ủy phường Hoàn Kiếm đã tiếp nhận đồng chí Phạm Thu Hằng" in text
    assert "Đảng bộ phường" not in text

    year, period = _period_with_a_change(world)
    text = _digest_text(world, world.r1, year, period)
    assert "Kính gửi: Đảng ủy phường Hoàn Kiếm" in text
    assert "- Đảng ủy phường Hoàn Kiếm," in text  # Nơi nhận
    assert "Đảng bộ phường" not in text


def test_committee_names_from_one_function():
    assert core_documents.commune_committee_name(Commune(name="Xã La Bằng")) == "Đảng ủy xã La Bằng"
    ward = Organization(name="Đảng bộ phường Kiến Hưng", kind="grassroots")
    assert core_documents.issuing_committee_name(ward) == "Đảng ủy phường Kiến Hưng"


# --- 2. the place in the date line -----------------------------------------------------------------
def test_a_ward_dates_its_documents_at_the_ward_and_its_place_name_is_editable(world, letters_received):
    today = datetime.date.today()
    start = today - datetime.timedelta(days=30)
    book = selectors.tracking_book(world.r1, start=start, end=today)
    text = full_text(reload(documents.tracking_book_docx(world.r1, start, today, book, date=DAY)))
    assert "Hoàn Kiếm, ngày 24 tháng 11 năm 2026" in text and "Hà Nội, ngày" not in text
    cell_text = full_text(
        reload(
            documents.tracking_book_docx(
                world.r1c1,
                start,
                today,
                selectors.tracking_book(world.r1c1, start=start, end=today),
                date=DAY,
            )
        )
    )
    assert "Hoàn Kiếm, ngày 24 tháng 11 năm 2026" in cell_text  # a cell of the ward: the ward's name

    org_services.organization_update(
        actor=world.province_staff,
        org=world.r1,
        code=world.r1.code,
        name=world.r1.name,
        kind=world.r1.kind,
        is_residential=True,
        commune=world.r1.commune,
        province=world.r1.province,
        place_name="  La   Bằng ",
    )
    world.r1.refresh_from_db()
    assert world.r1.place_name == "La Bằng"
    entry = AuditEntry.objects.filter(action="update", target_id=str(world.r1.pk)).latest("at")
    assert "La Bằng" in str(entry.changes)
    text = full_text(reload(documents.tracking_book_docx(world.r1, start, today, book, date=DAY)))
    assert "La Bằng, ngày 24 tháng 11 năm 2026" in text


def test_a_workplace_dates_its_letters_at_its_province(world, hk):
    assert "Hà Nội, ngày 24 tháng 11 năm 2026" in _letter_text(_introduce(world, hk))
    assert core_documents.header_names(world.r1)["place"] == "Hoàn Kiếm"
    assert core_documents.header_names(world.province)["place"] == "Hà Nội"


def test_the_organisation_form_edits_the_place_name(world, client_for):
    client = client_for(world.province_staff)
    url = reverse("organizations:update", args=[world.r1.pk])
    page = client.get(url)
    assert 'name="place_name"' in page.content.decode()
    data = {
        "code": "R1",
        "name": world.r1.name,
        "kind": world.r1.kind,
        "is_residential": "on",
        "province": world.r1.province_id or "",
        "commune": world.r1.commune_id,
        "place_name": "Kiến Hưng",
    }
    assert client.post(url, data).status_code == 302
    world.r1.refresh_from_db()
    assert world.r1.place_name == "Kiến Hưng"
    detail = client.get(reverse("organizations:detail", args=[world.r1.pk])).content.decode()
    assert "địa danh trên văn bản: Kiến Hưng" in detail


# --- 3. the digest is a numbered notice ------------------------------------------------------------
def test_the_digest_is_issued_as_a_numbered_notice_and_reprints_identically(world, client_for):
    year, period = _period_with_a_change(world)
    draft = _digest_text(world, world.r1, year, period)
    assert "THÔNG BÁO" in draft and "Số ……-TB/ĐU" in draft and "DS/" not in draft

    client = client_for(world.w1_staff)
    send = reverse("liaisons:digest_send", args=[world.w1.pk, world.r1.pk, year, period])
    response = client.post(send, {"signer_title": "PHÓ BÍ THƯ", "signer_name": "Trần Văn Ký"}, follow=True)
    assert "Đã ban hành thông báo Số 1-TB/ĐU" in response.content.decode()
    digest = Digest.objects.get(sender_org=world.w1, recipient_org=world.r1, year=year, period=period)
    assert (digest.number, digest.symbol, digest.reference) == (1, "TB/ĐU", "Số 1-TB/ĐU")
    assert (digest.signer_title, digest.signer_name) == ("PHÓ BÍ THƯ", "Trần Văn Ký")

    download = reverse("liaisons:digest_download", args=[world.w1.pk, world.r1.pk, year, period, "docx"])
    first = full_text(Document(io.BytesIO(b"".join(client.get(download).streaming_content))))
    for expected in [
        "Số 1-TB/ĐU",
        "THÔNG BÁO",
        core_documents.vietnamese_date_line("Hà Nội", digest.issued_on),
        "(danh sách kèm theo)",
        "(Kèm theo Thông báo số 1-TB/ĐU",
        "T/M ĐẢNG ỦY\nPHÓ BÍ THƯ\nTrần Văn Ký",
        "Nguyễn Văn An",
    ]:
        assert expected in first, expected
    second = full_text(Document(io.BytesIO(b"".join(client.get(download).streaming_content))))
    assert first == second

    # The counter runs on: the next notice of W1 (to another committee) is number 2, signed as the last.
    services.member_record_event(
        actor=world.w1_staff, member=world.m1, kind="residence_change", event_date=datetime.date.today(),
        new_commune=world.r2.commune, new_hamlet="", new_street="",
    )  # fmt: skip
    other = services.digest_mark_sent(
        actor=world.w1_staff, sender_org=world.w1, recipient_org=world.r2, year=year, period=period
    )
    assert other.reference == "Số 2-TB/ĐU" and other.signer_name == "Trần Văn Ký"


def test_a_bad_signer_title_is_refused_and_nothing_is_issued(world, client_for):
    year, period = _period_with_a_change(world)
    send = reverse("liaisons:digest_send", args=[world.w1.pk, world.r1.pk, year, period])
    response = client_for(world.w1_staff).post(
        send, {"signer_title": "CHỦ TỊCH", "signer_name": "A"}, follow=True
    )
    assert "Chức danh người ký không hợp lệ" in response.content.decode()
    assert not Digest.objects.exists()


# --- 5. the excused letter states the duties that still apply --------------------------------------
def test_the_excused_letter_states_the_duties_that_still_apply(world, hk):
    liaison = _introduce(world, hk, "Hoàng Văn Nam", liaison_category=Member.LiaisonCategory.MOBILE)
    text = _letter_text(liaison)
    assert "Mẫu 2-213" in text and "được miễn sinh hoạt định kỳ" in text
    assert (
        "vẫn thực hiện trách nhiệm, nhiệm vụ quy định tại khoản 1 Điều 1 (thường xuyên giữ mối liên hệ với tổ "
        "chức đảng và nhân dân nơi cư trú" in text
    )
    assert "các khoản 1, 2, 5, 6, 7 Điều 2 Quy định số 213-QĐ/TW (điểm 1.1 Hướng dẫn số 33-HD/BTCTW" in text
    assert "khoản 1 Điều 1" not in _letter_text(_introduce(world, hk, "Lã Thị Hoa"))


# --- 7. the signer --------------------------------------------------------------------------------
def test_the_letter_is_signed_by_the_title_and_name_chosen_at_issue(world, hk):
    first = _introduce(world, hk, signer=Signer("PHÓ BÍ THƯ", "Trần Văn Ký"))
    text = _letter_text(first)
    assert "T/M ĐẢNG ỦY\nPHÓ BÍ THƯ\nTrần Văn Ký" in text
    # The next issue without a signer: the committee's last one.
    second = _introduce(world, hk, "Lã Thị Hoa")
    assert (second.signer_title, second.signer_name) == ("PHÓ BÍ THƯ", "Trần Văn Ký")
    # A reprint is identical, whoever signs later letters.
    _introduce(world, hk, "Mạc Văn Long", signer=Signer("BÍ THƯ", "Nguyễn Văn Chính"))
    assert _letter_text(first) == text


def test_the_introduce_form_carries_the_signer(world, client_for, hk):
    member = make_member(world.w1c1, "Lã Thị Hoa", residence_commune=hk)
    client = client_for(world.w1_staff)
    page = client.get(reverse("liaisons:coverage")).content.decode()
    assert 'name="signer_title"' in page and 'name="signer_name"' in page
    response = introduce_through_preview(
        client,
        {"member": [member.pk], "all": "0", "signer_title": "PHÓ BÍ THƯ", "signer_name": "Trần Văn Ký"},
    )
    liaison = response.context["introduced"][0]
    assert (liaison.signer_title, liaison.signer_name) == ("PHÓ BÍ THƯ", "Trần Văn Ký")
    # The form's default is the last signer.
    form = client.get(reverse("liaisons:coverage")).context["signer_form"]
    assert form.initial == {"signer_title": "PHÓ BÍ THƯ", "signer_name": "Trần Văn Ký"}


@pytest.fixture
def letters_received(world, hk):
    liaison = _introduce(world, hk)
    services.liaison_receive(actor=world.r1_staff, liaison=liaison, cell=world.r1c1)
    return liaison
