"""Uploading a province's variant, refusing a bad one, going back to the default, and which template
a document is made from."""

import io
import zipfile

import pytest

from haichieu.accounts.models import Role
from haichieu.core.models import AuditEntry
from haichieu.core.services import ServiceError
from haichieu.documents import services
from haichieu.documents.engine import TemplateRefused, inspect_template, render, template_for
from haichieu.documents.models import DocumentTemplate
from haichieu.organizations.models import Organization
from haichieu.testing import make_org, make_user

from . import kinds
from .docx_files import rewrite, text_of, with_paragraph

pytestmark = pytest.mark.django_db

KIND = kinds.KIND_DEFINITION
RECEIPT = "ĐẢNG ỦY (CHI ỦY) NƠI CƯ TRÚ"


@pytest.fixture
def other_province(world):
    """A second province with a committee and its organisation department."""
    province = make_org(None, "HY", "Đảng bộ Tỉnh Hưng Yên", Organization.Kind.PROVINCIAL)
    committee = make_org(province, "HY1", "Đảng bộ Sở Y tế", Organization.Kind.GRASSROOTS)
    staff = make_user("hy_staff", (Role.Kind.STAFF, province))
    return province, committee, staff


def _upload(world, content, *, actor=None, filename="giay-gioi-thieu-hn.docx"):
    return services.template_upload(
        actor=actor or world.province_staff,
        province=world.province,
        kind=KIND,
        filename=filename,
        content=content,
    )


def _nothing_written():
    return (
        not DocumentTemplate.objects.exists()
        and not AuditEntry.objects.filter(target_type="documents.documenttemplate").exists()
    )


# --- which template ------------------------------------------------------------------------------
def test_a_variant_is_used_in_its_province_only(world, other_province):
    province_b, committee_b, _ = other_province
    _upload(world, kinds.letter_template(receipt_on_letter=True))
    in_a = template_for(KIND.kind, world.w1c1)  # a cell deep in province A's tree
    assert not in_a.is_default and in_a.variant.organization == world.province
    in_b = template_for(KIND.kind, committee_b)
    assert in_b.is_default and in_b.content == KIND.default_bytes()
    assert RECEIPT in text_of(render(KIND.kind, world.w1, [kinds.sample_context()]))
    assert RECEIPT not in text_of(render(KIND.kind, committee_b, [kinds.sample_context()]))


def test_template_for_is_one_query(world, django_assert_num_queries):
    _upload(world, kinds.letter_template(receipt_on_letter=True))
    with django_assert_num_queries(1):
        template_for(KIND.kind, world.w1c1)


def test_an_unregistered_kind_is_a_programming_error(world):
    with pytest.raises(LookupError):
        template_for("khong_co", world.w1)


# --- upload --------------------------------------------------------------------------------------
def test_the_variant_with_the_receipt_on_the_letter_is_uploaded_and_used(world):
    variant = _upload(world, kinds.letter_template(receipt_on_letter=True))
    assert variant.is_active and variant.uploaded_by == world.province_staff
    assert variant.filename == "giay-gioi-thieu-hn.docx" and variant.size == len(variant.content)
    assert "member.full_name" in variant.placeholders
    member = kinds.sample_context(full_name="Phạm Thu Hằng", party_card_number="93000777")
    text = text_of(render(KIND.kind, world.w1, [member]))
    assert RECEIPT in text and "Tiếp nhận ngày" in text and "đồng chí Phạm Thu Hằng" in text
    assert "93000777" in text
    entry = AuditEntry.objects.get(target_type="documents.documenttemplate", target_id=str(variant.pk))
    assert entry.action == "create" and entry.actor == world.province_staff
    assert entry.changes["after"]["filename"] == "giay-gioi-thieu-hn.docx"


def test_a_new_upload_replaces_the_variant_in_force_and_keeps_the_old_one(world):
    first = _upload(world, kinds.letter_template(receipt_on_letter=True))
    second = _upload(world, with_paragraph("Ghi chú của tỉnh"), filename="moi.docx")
    first.refresh_from_db()
    assert not first.is_active and first.replaced_at is not None and second.is_active
    assert DocumentTemplate.objects.filter(is_active=True).count() == 1
    assert "Ghi chú của tỉnh" in text_of(render(KIND.kind, world.w1, [kinds.sample_context()]))
    assert (
        AuditEntry.objects.get(target_id=str(second.pk), action="create").changes["after"]["replaces"]
        == first.pk
    )


def test_a_path_in_the_filename_is_dropped(world):
    assert _upload(world, kinds.letter_template(), filename="C:\\Users\\vp\\mau.docx").filename == "mau.docx"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "Tệp rỗng."),
        (b"%PDF-1.4 not a word file", "Tệp không phải là văn bản Word .docx"),
        ("Họ tên,Ngày sinh\n".encode(), "Tệp không phải là văn bản Word .docx"),
    ],
)
def test_a_file_that_is_not_a_docx_is_refused(world, content, message):
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, content)
    assert refused.value.message.startswith(message) and _nothing_written()


def test_an_excel_workbook_renamed_docx_is_refused(world):
    from haichieu.core.exports import write_xlsx

    buffer = io.BytesIO()
    write_xlsx(buffer, sheet_title="Danh sách", header=["Họ tên"], rows=[["A"]])
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, buffer.getvalue())
    assert "không phải là văn bản Word .docx" in refused.value.message and _nothing_written()


def test_a_broken_docx_is_refused(world):
    data = kinds.letter_template()
    truncated = data[: len(data) // 2]
    without_body = rewrite(data, drop=("word/document.xml",))
    broken_body = rewrite(data, replace={"word/document.xml": b"<w:document><w:body>"})
    for content in (truncated, without_body):
        with pytest.raises(TemplateRefused) as refused:
            _upload(world, content)
        assert "Word .docx" in refused.value.message or "bị hỏng" in refused.value.message
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, broken_body)
    assert refused.value.message.startswith("Tệp .docx bị hỏng: Word không mở được nội dung")
    assert _nothing_written()


def test_a_macro_or_a_doctype_is_refused(world):
    data = kinds.letter_template()
    with_macro = rewrite(data, replace={"word/vbaProject.bin": b"\0" * 10})
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, with_macro)
    assert "macro" in refused.value.message
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    bomb = rewrite(data, replace={"word/document.xml": b'<!DOCTYPE d [<!ENTITY a "aaaa">]>' + document})
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, bomb)
    assert "DOCTYPE/ENTITY" in refused.value.message and _nothing_written()


def test_a_file_over_the_size_limit_is_refused(world, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "TEMPLATE_MAX_BYTES": 20_000}
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, kinds.letter_template())
    assert refused.value.message.startswith("Tệp quá lớn (") and refused.value.message.endswith(
        "tối đa 20 KB."
    )
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "TEMPLATE_MAX_BYTES": 2 * 1024 * 1024,
        "TEMPLATE_MAX_UNPACKED_BYTES": 10_000,
    }
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, kinds.letter_template())
    assert refused.value.message.startswith("Tệp giải nén ra quá lớn") and _nothing_written()


def test_an_unknown_placeholder_is_refused_and_named(world):
    content = with_paragraph("Số CCCD: {{ member.national_id }}; {{ ho_ten }}; {{ member.full_name }}")
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, content)
    message = refused.value.message
    assert "“ho_ten”" in message and "“member.national_id”" in message and "member.full_name" not in message
    assert message.startswith("Mẫu dùng trường không có trong danh sách của “Giấy giới thiệu (thử nghiệm)”")
    assert _nothing_written()


def test_an_unknown_placeholder_in_a_loop_is_refused(world):
    content = with_paragraph("{% for d in duties %}{{ d.text }} {{ d.deadline }}{% endfor %}")
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, content)
    assert "“duties[].deadline”" in refused.value.message


def test_a_jinja_syntax_error_is_refused_with_jinjas_words_and_where(world):
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, with_paragraph("Kính gửi {{ recipient.name }"))
    message = refused.value.message
    assert message.startswith("Mẫu có lỗi cú pháp ở thân văn bản, đoạn “Kính gửi {{ recipient.name }”:")
    assert "unexpected '}'" in message
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, with_paragraph("{% if member.excused %}miễn"))
    assert "Unexpected end of template" in refused.value.message
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, with_paragraph("{{ member.full_name|center(80) }}"))
    assert "No filter named 'center'" in refused.value.message
    assert _nothing_written()


def test_includes_are_refused(world):
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, with_paragraph("{% include 'khac.docx' %}"))
    assert "{% include %}" in refused.value.message and _nothing_written()


def test_a_template_that_fails_with_the_sample_is_refused(world):
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, with_paragraph("{{ number * 100000 }}"))
    assert refused.value.message.startswith("Không điền được mẫu văn bản với dữ liệu:")
    assert "chuỗi lặp quá dài" in refused.value.message and _nothing_written()


def test_a_placeholder_in_the_header_is_checked_too(world):
    import docx

    from haichieu.core import documents as layout

    doc = kinds.letter_document()
    doc.sections[0].header.paragraphs[0].text = "{{ issuer.name }} · {{ member.secret }}"
    with pytest.raises(TemplateRefused) as refused:
        _upload(world, layout.docx_bytes(doc))
    assert "“member.secret”" in refused.value.message
    doc.sections[0].header.paragraphs[0].text = "{{ issuer.name }} · {{ number }}"
    _upload(world, layout.docx_bytes(doc))
    rendered = render(KIND.kind, world.w1, [kinds.sample_context(), kinds.sample_context()])
    header = docx.Document(io.BytesIO(layout.docx_bytes(rendered))).sections[0].header.paragraphs[0].text
    assert header == "Đảng ủy Sở Tài chính · 15-GGT/ĐU"


def test_only_the_provinces_organisation_department_uploads(world, other_province):
    _, committee_b, hy_staff = other_province
    content = kinds.letter_template()
    for actor in (world.w1_staff, world.r1c1_secretary, hy_staff, world.outsider):
        with pytest.raises(ServiceError) as refused:
            _upload(world, content, actor=actor)
        assert refused.value.message == services.NOT_YOURS
    with pytest.raises(ServiceError):  # a node below a province is not a province
        services.template_upload(
            actor=world.admin, province=world.w1, kind=KIND, filename="x.docx", content=content
        )
    assert _nothing_written()
    _upload(world, content, actor=world.admin)  # the superuser manages every province


# --- back to the default ----------------------------------------------------------------------------
def test_revert_puts_the_default_back_and_keeps_the_history(world):
    variant = _upload(world, kinds.letter_template(receipt_on_letter=True))
    services.template_revert(actor=world.province_staff, province=world.province, kind=KIND)
    variant.refresh_from_db()
    assert not variant.is_active and variant.replaced_at is not None
    assert template_for(KIND.kind, world.w1).is_default
    assert RECEIPT not in text_of(render(KIND.kind, world.w1, [kinds.sample_context()]))
    entry = AuditEntry.objects.get(target_id=str(variant.pk), action="deactivate")
    assert entry.actor == world.province_staff and entry.changes == {"is_active": [True, False]}
    with pytest.raises(ServiceError) as refused:
        services.template_revert(actor=world.province_staff, province=world.province, kind=KIND)
    assert refused.value.message == "Tỉnh/thành phố đang dùng mẫu mặc định của loại văn bản này."
    with pytest.raises(ServiceError):
        services.template_revert(actor=world.w1_staff, province=world.province, kind=KIND)


def test_the_province_sees_its_template_changes_in_its_audit_log(world, other_province):
    from haichieu.access import audit_entries_visible_to

    variant = _upload(world, kinds.letter_template())
    about = AuditEntry.objects.filter(target_type="documents.documenttemplate", target_id=str(variant.pk))
    assert set(audit_entries_visible_to(world.province_staff).filter(pk__in=about)) == set(about)
    assert set(audit_entries_visible_to(world.admin).filter(pk__in=about)) == set(about)
    for user in (world.w1_staff, world.r1_staff, other_province[2]):
        assert not audit_entries_visible_to(user).filter(pk__in=about).exists()


def test_a_stored_template_that_fails_on_real_data_says_so(world):
    """The sample passed at upload; a document's own data may still fail: a Vietnamese message,
    not a server error (the calling view shows it)."""
    _upload(world, with_paragraph("{{ number * 3 }}"))
    with pytest.raises(ServiceError) as failed:
        render(KIND.kind, world.w1, [{**kinds.sample_context(), "number": "x" * 5000}])
    assert failed.value.message.startswith("Không điền được mẫu văn bản với dữ liệu:")


def test_inspection_lists_what_the_template_uses():
    inspection = inspect_template(KIND, kinds.letter_template())
    assert {"member.full_name", "duties[].text", "links[].period"} <= set(inspection.placeholders)


def test_two_uploads_at_once_keep_one_variant_in_force(world, monkeypatch):
    """The second of two simultaneous uploads meets the one-in-force constraint: a message, nothing
    half-written (the first one's retirement of the old variant is what the race skips here)."""
    first = _upload(world, kinds.letter_template())
    monkeypatch.setattr(services, "_retire", lambda **kwargs: None)
    with pytest.raises(ServiceError) as refused:
        _upload(world, with_paragraph("Bản thứ hai"))
    assert refused.value.message == services.BUSY
    assert list(DocumentTemplate.objects.values_list("pk", "is_active")) == [(first.pk, True)]
    assert AuditEntry.objects.filter(target_type="documents.documenttemplate").count() == 1
