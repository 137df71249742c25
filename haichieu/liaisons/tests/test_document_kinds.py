"""The letters, the notice and the tracking book on the template engine (issue 10): the default
templates print what the python-docx layout prints, a province's variant is used for its members,
an upload with an unknown placeholder is refused, and LibreOffice reads the result as text."""

import datetime
import io
import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from haichieu.core import documents as layout
from haichieu.core.models import AuditEntry
from haichieu.documents import engine
from haichieu.documents import services as template_services
from haichieu.documents.registry import get_kind
from haichieu.documents.tests.test_office import _pdf_text
from haichieu.liaisons import document_kinds, documents, rules, selectors, services
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

from .test_documents import _office_or_skip, full_text, reload

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 20)
RECEIPT = [
    "ĐẢNG ỦY (CHI ỦY) NƠI CƯ TRÚ",
    "Tiếp nhận ngày……",
    "Đã giới thiệu về sinh hoạt tại chi bộ……",
    "T/M ĐẢNG ỦY",
    "BÍ THƯ",
]


@pytest.fixture
def hk():
    return Commune.objects.get(code="00070")


def _introduce(world, hk, names, **extra):
    members = [
        make_member(world.w1c1, name, residence_commune=hk, residence_province=hk.province, **extra)
        for name in names
    ]
    signer = services.Signer("PHÓ BÍ THƯ", "Trần Văn Ký")
    return services.liaison_introduce(
        actor=world.w1_staff, members=members, today=DAY, signer=signer
    ).introduced


def _lines(doc) -> list[str]:
    return [line for line in full_text(reload(doc)).splitlines() if line.strip()]


def receipt_on_letter_variant(*extra_paragraphs: str) -> bytes:
    """A province's letter with the receipt printed lower left on the letter itself, no cut-off slip."""
    doc = layout.new_document()
    layout.party_document_header(
        doc,
        superior_name="{{ issuer.superior|upper }}",
        issuer_name="{{ issuer.name|upper }}",
        number_line="{{ number }}",
        place="",
        date=None,
        date_line="{{ date_line }}",
        upper=False,
    )
    layout.paragraph(doc, "GIẤY GIỚI THIỆU", bold=True, size=15, align="center")
    layout.paragraph(doc, "Kính gửi: {{ recipient.name }}", align="center")
    layout.paragraph(doc, "{{ issuer.name }} trân trọng giới thiệu đồng chí {{ member.full_name }},")
    layout.paragraph(doc, "sinh ngày {{ member.date_of_birth }}, chức vụ {{ member.position }},")
    layout.paragraph(doc, "nơi cư trú: {{ member.residence }}.")
    layout.paragraph(doc, "{{ request }}")
    for text in extra_paragraphs:
        layout.paragraph(doc, text)
    left, right = layout.two_columns(doc, left_share=0.5)
    for line in RECEIPT:
        left.add_paragraph(line)
    for line in ["{{ issuer.on_behalf }}", "{{ signer.title }}", "{{ signer.name }}"]:
        right.add_paragraph(line)
    return layout.docx_bytes(doc)


# --- the default templates -----------------------------------------------------------------------
@pytest.mark.parametrize("kind", [document_kinds.LETTER, document_kinds.NOTICE, document_kinds.TRACKING_BOOK])
def test_each_default_template_passes_the_upload_check(kind):
    definition = get_kind(kind)
    inspection = engine.inspect_template(definition, definition.default_bytes())
    assert set(inspection.placeholders) <= definition.allowed
    assert all(meaning for meaning in definition.placeholders.values())  # each explained in Vietnamese


def test_the_default_letter_template_prints_what_the_python_docx_layout_prints(world, hk):
    introduced = _introduce(world, hk, ["Phạm Thu Hằng"]) + _introduce(
        world, hk, ["Hoàng Văn Nam"], liaison_category=Member.LiaisonCategory.MOBILE, phone=""
    )
    batch = Liaison.objects.filter(pk__in=[x.pk for x in introduced])
    from_template = _lines(document_kinds.letters_document(batch))
    assert from_template == _lines(documents.introduction_letters_docx(batch))
    assert "Điện thoại: " + layout.BLANK * 4 in from_template  # an empty value: dots, as before
    assert from_template.count("GIẤY GIỚI THIỆU") == 2 and "T/M ĐẢNG ỦY" in from_template


def test_the_default_notice_and_book_templates_print_what_the_layout_prints(world, hk):
    today = datetime.date.today()
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=today,
        new_position="Phó phòng",
    )
    year, period = rules.digest_period(today)
    args = dict(
        sender_org=world.w1,
        recipient_org=world.r1,
        year=year,
        period=period,
        notices=selectors.digest_notices(
            sender_org=world.w1, recipient_org=world.r1, year=year, period=period
        ),
        date=DAY,
    )
    assert _lines(document_kinds.notice_document(**args)) == _lines(documents.digest_docx(**args))
    (liaison,) = _introduce(world, hk, ["Phạm Thu Hằng"])
    services.liaison_receive(actor=world.r1_staff, liaison=liaison, cell=world.r1c1)
    start, end = today - datetime.timedelta(days=30), today
    book = selectors.tracking_book(world.r1, start=start, end=end)
    from_template = _lines(document_kinds.tracking_book_document(world.r1, start, end, book, date=DAY))
    assert from_template == _lines(documents.tracking_book_docx(world.r1, start, end, book, date=DAY))
    assert "Hoàn Kiếm, ngày 20 tháng 11 năm 2026" in from_template and "Phạm Thu Hằng" in from_template


# --- a province's variant ------------------------------------------------------------------------
def test_a_provinces_variant_with_the_receipt_on_the_letter_is_used_for_its_members(world, hk, client_for):
    template_services.template_upload(
        actor=world.province_staff,
        province=world.province,
        kind=get_kind(document_kinds.LETTER),
        filename="giay-gioi-thieu-tiep-nhan-tren-giay.docx",
        content=receipt_on_letter_variant(),
    )
    liaison, other = _introduce(world, hk, ["Phạm Thu Hằng", "Lã Thị Hoa"])
    response = client_for(world.w1_staff).get(
        reverse("liaisons:letters"), {"ids": f"{liaison.pk},{other.pk}"}
    )
    assert response.status_code == 200
    text = full_text(Document(io.BytesIO(b"".join(response.streaming_content))))
    for expected in [
        "ĐẢNG ỦY SỞ TÀI CHÍNH",
        "Số 1-GGT/ĐU",
        "Hà Nội, ngày 20 tháng 11 năm 2026",
        "Kính gửi: Đảng ủy phường Hoàn Kiếm",
        "Đảng ủy Sở Tài chính trân trọng giới thiệu đồng chí Phạm Thu Hằng,",
        "sinh ngày 17/05/1985",
        "nơi cư trú: Phường Hoàn Kiếm, Thành phố Hà Nội.",
        "\n".join(RECEIPT),
        "PHÓ BÍ THƯ\nTrần Văn Ký",
        "Số 2-GGT/ĐU",
        "đồng chí Lã Thị Hoa,",
    ]:
        assert expected in text, expected
    assert "PHIẾU BÁO TIẾP NHẬN" not in text and "cắt theo đường này" not in text


def test_an_upload_with_an_unknown_placeholder_is_refused_naming_it(world):
    with pytest.raises(engine.TemplateRefused) as refused:
        template_services.template_upload(
            actor=world.province_staff,
            province=world.province,
            kind=get_kind(document_kinds.LETTER),
            filename="sai.docx",
            content=receipt_on_letter_variant("Số CCCD: {{ member.national_id }}"),
        )
    assert "“member.national_id”" in refused.value.message
    assert "Giấy giới thiệu đảng viên về nơi cư trú" in refused.value.message


def test_the_batch_letter_download_runs_the_same_queries_for_1_and_6_letters_and_logs_each(
    world, hk, client_for
):
    liaisons = _introduce(
        world, hk, ["Phạm Thu Hằng", "Lã Thị Hoa", "Mạc Văn Long", "Đinh Thị Lan", "Vũ Văn Hải"]
    )
    liaisons += _introduce(world, hk, ["Hoàng Văn Nam"], liaison_category=Member.LiaisonCategory.MOBILE)
    client = client_for(world.w1_staff)

    def count(ids):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("liaisons:letters"), {"ids": ",".join(str(x.pk) for x in ids)})
            b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(queries)

    assert count(liaisons[:1]) == count(liaisons)
    assert AuditEntry.objects.filter(action="export", note__startswith="Giấy giới thiệu").count() == 7


# --- LibreOffice ---------------------------------------------------------------------------------
def test_documents_from_the_templates_convert_to_searchable_pdf(world, hk, tmp_path):
    binary = _office_or_skip()
    template_services.template_upload(
        actor=world.province_staff,
        province=world.province,
        kind=get_kind(document_kinds.LETTER),
        filename="tiep-nhan-tren-giay.docx",
        content=receipt_on_letter_variant(),
    )
    liaisons = _introduce(world, hk, ["Phạm Thu Hằng", "Hoàng Văn Nam"])
    letters = document_kinds.letters_document(Liaison.objects.filter(pk__in=[x.pk for x in liaisons]))
    text = _pdf_text(binary, tmp_path, layout.docx_bytes(letters))
    pages = [re.sub(r"\s+", " ", unicodedata.normalize("NFC", p)) for p in text.split("\f") if p.strip()]
    assert len(pages) == 2
    for page, name in zip(pages, ["Phạm Thu Hằng", "Hoàng Văn Nam"], strict=True):
        assert f"giới thiệu đồng chí {name}" in page and "ĐẢNG ỦY (CHI ỦY) NƠI CƯ TRÚ" in page
        assert "Kính gửi: Đảng ủy phường Hoàn Kiếm" in page and "Trần Văn Ký" in page

    today = datetime.date.today()
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=today,
        new_position="Phó phòng",
    )
    year, period = rules.digest_period(today)
    digest = services.digest_mark_sent(
        actor=world.w1_staff, sender_org=world.w1, recipient_org=world.r1, year=year, period=period
    )
    notice = document_kinds.notice_document(
        sender_org=world.w1,
        recipient_org=world.r1,
        year=year,
        period=period,
        notices=selectors.digest_notices(
            sender_org=world.w1, recipient_org=world.r1, year=year, period=period
        ),
        digest=digest,
    )
    (tmp_path / "notice").mkdir()
    text = re.sub(r"\s+", " ", _pdf_text(binary, tmp_path / "notice", layout.docx_bytes(notice)))
    assert "THÔNG BÁO" in text and "Số 1-TB/ĐU" in text and "Nguyễn Văn An" in text
