"""The template pages: who opens them, upload, preview, revert, downloads, navigation, query counts."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from haichieu.accounts.models import Role
from haichieu.core.models import AuditEntry
from haichieu.documents import services
from haichieu.documents.engine import render
from haichieu.documents.models import DocumentTemplate
from haichieu.organizations.models import Organization
from haichieu.testing import make_org, make_user

from . import kinds
from .docx_files import text_of, with_paragraph

pytestmark = pytest.mark.django_db

KIND = kinds.KIND
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def other_province(world):
    province = make_org(None, "HY", "Đảng bộ Tỉnh Hưng Yên", Organization.Kind.PROVINCIAL)
    staff = make_user("hy_staff", (Role.Kind.STAFF, province))
    return province, staff


@pytest.fixture
def variant(world):
    return services.template_upload(
        actor=world.province_staff,
        province=world.province,
        kind=kinds.KIND_DEFINITION,
        filename="tiep-nhan-tren-giay.docx",
        content=kinds.letter_template(receipt_on_letter=True),
    )


def _urls(province):
    """Every template URL of `province`, with the method each answers to."""
    kind = {"province_pk": province.pk, "kind": KIND}
    return [
        ("get", reverse("documents:province", kwargs={"province_pk": province.pk})),
        ("get", reverse("documents:kind", kwargs=kind)),
        ("post", reverse("documents:kind", kwargs=kind)),
        ("get", reverse("documents:default", kwargs=kind)),
        ("get", reverse("documents:current", kwargs=kind)),
        ("get", reverse("documents:preview", kwargs=kind)),
        ("post", reverse("documents:revert", kwargs=kind)),
    ]


def _file(content: bytes, name="mau-tinh.docx"):
    return SimpleUploadedFile(name, content, content_type=DOCX)


# --- who opens them ------------------------------------------------------------------------------
def test_another_provinces_staff_and_everyone_below_the_province_get_404(
    world, other_province, variant, client
):
    province_b, hy_staff = other_province
    users = [
        hy_staff,
        world.w1_staff,
        world.r1_staff,
        world.w1c1_secretary,
        world.r1c1_secretary,
        world.outsider,
    ]
    for user in users:
        client.force_login(user)
        for method, url in _urls(world.province):
            data = {"file": _file(kinds.letter_template()), "action": "upload"} if method == "post" else None
            response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
            assert response.status_code == 404, f"{user} {method} {url}"
    client.force_login(hy_staff)
    assert client.get(reverse("documents:province", args=[province_b.pk])).status_code == 200
    # a node below a province is not a province, even for its own staff
    client.force_login(world.w1_staff)
    assert client.get(reverse("documents:province", args=[world.w1.pk])).status_code == 404
    assert client.get(reverse("documents:index")).status_code == 404
    variant.refresh_from_db()
    assert variant.is_active and DocumentTemplate.objects.count() == 1


def test_an_unknown_kind_is_404(world, client):
    client.force_login(world.province_staff)
    for name in ("kind", "default", "current", "preview"):
        url = reverse(f"documents:{name}", kwargs={"province_pk": world.province.pk, "kind": "khong_co"})
        assert client.get(url).status_code == 404
    url = reverse("documents:revert", kwargs={"province_pk": world.province.pk, "kind": "khong_co"})
    assert client.post(url).status_code == 404


def test_the_navigation_links_the_pages_for_the_provinces_department_only(world, client):
    client.force_login(world.province_staff)
    assert 'id="nav-templates"' in client.get(reverse("home")).content.decode()
    client.force_login(world.w1_staff)
    assert 'id="nav-templates"' not in client.get(reverse("home")).content.decode()


def test_the_index_goes_to_the_users_province_or_lists_them(world, other_province, client):
    client.force_login(world.province_staff)
    response = client.get(reverse("documents:index"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "documents:province", args=[world.province.pk]
    )
    client.force_login(world.admin)
    page = client.get(reverse("documents:index")).content.decode()
    assert "Đảng bộ Thành phố Hà Nội" in page and "Đảng bộ Tỉnh Hưng Yên" in page


# --- the pages -------------------------------------------------------------------------------------
def test_the_province_page_shows_the_template_in_force(world, client):
    client.force_login(world.province_staff)
    url = reverse("documents:province", args=[world.province.pk])
    page = client.get(url).content.decode()
    assert kinds.LABEL in page and "Mẫu mặc định" in page
    services.template_upload(
        actor=world.province_staff, province=world.province, kind=kinds.KIND_DEFINITION,
        filename="mau-cua-tinh.docx", content=kinds.letter_template(),
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "Mẫu riêng" in page and "mau-cua-tinh.docx" in page


def test_the_kind_page_lists_the_placeholders_with_their_meaning(world, client):
    client.force_login(world.province_staff)
    page = client.get(reverse("documents:kind", args=[world.province.pk, KIND])).content.decode()
    assert "{{ member.full_name }}" in page and "Họ và tên đảng viên" in page
    assert "{{ muc.text }}" in page and "{% for muc in duties %}" in page
    assert 'id="revert"' not in page and 'id="download-default"' in page


def test_pages_run_a_fixed_number_of_queries(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.province_staff)
    urls = [
        reverse("documents:province", args=[world.province.pk]),
        reverse("documents:kind", args=[world.province.pk, KIND]),
    ]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    for index in range(3):
        services.template_upload(
            actor=world.province_staff, province=world.province, kind=kinds.KIND_DEFINITION,
            filename=f"mau-{index}.docx", content=kinds.letter_template(),
        )  # fmt: skip
    assert counts() == before


# --- upload, preview, revert ----------------------------------------------------------------------------
def test_upload_through_the_page_then_letters_use_it(world, client):
    client.force_login(world.province_staff)
    url = reverse("documents:kind", args=[world.province.pk, KIND])
    content = kinds.letter_template(receipt_on_letter=True)
    response = client.post(url, {"file": _file(content, "Giấy giới thiệu HN.docx"), "action": "upload"})
    assert response.status_code == 302 and response["Location"] == url
    variant = DocumentTemplate.objects.get(is_active=True)
    assert variant.filename == "Giấy giới thiệu HN.docx" and bytes(variant.content) == content
    page = client.get(url).content.decode()
    assert "Đã dùng mẫu “Giấy giới thiệu HN.docx”" in page and 'id="revert"' in page
    text = text_of(render(KIND, world.w1c1, [kinds.sample_context(full_name="Phạm Thu Hằng")]))
    assert "ĐẢNG ỦY (CHI ỦY) NƠI CƯ TRÚ" in text and "đồng chí Phạm Thu Hằng" in text
    assert AuditEntry.objects.filter(target_type="documents.documenttemplate", action="create").count() == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"PK\x03\x04 not really a zip", "Tệp không phải là văn bản Word .docx"),
        ("{{ member.ho_ten }}", "Mẫu dùng trường không có trong danh sách"),
        ("{% for x in duties %}", "Mẫu có lỗi cú pháp ở thân văn bản"),
    ],
)
def test_a_refused_upload_shows_why_and_saves_nothing(world, client, content, message):
    client.force_login(world.province_staff)
    url = reverse("documents:kind", args=[world.province.pk, KIND])
    data = content if isinstance(content, bytes) else with_paragraph(content)
    for action in ("upload", "preview"):
        response = client.post(url, {"file": _file(data), "action": action})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not DocumentTemplate.objects.exists()
    assert not AuditEntry.objects.filter(target_type="documents.documenttemplate").exists()


def test_an_upload_over_the_limit_is_not_kept(world, client, settings):
    settings.HAICHIEU = {**settings.HAICHIEU, "TEMPLATE_MAX_BYTES": 10_000}
    client.force_login(world.province_staff)
    url = reverse("documents:kind", args=[world.province.pk, KIND])
    response = client.post(url, {"file": _file(kinds.letter_template()), "action": "upload"})
    assert (
        response.status_code == 200 and "Tệp quá lớn: mẫu văn bản tối đa 10 KB." in response.content.decode()
    )
    assert not DocumentTemplate.objects.exists()


def test_a_post_without_a_file_asks_for_one(world, client):
    client.force_login(world.province_staff)
    response = client.post(reverse("documents:kind", args=[world.province.pk, KIND]), {"action": "upload"})
    assert response.status_code == 200 and "Hãy chọn tệp Word (.docx) của mẫu." in response.content.decode()


def test_preview_of_an_upload_fills_the_sample_and_saves_nothing(world, client):
    client.force_login(world.province_staff)
    url = reverse("documents:kind", args=[world.province.pk, KIND])
    response = client.post(url, {"file": _file(with_paragraph("Bản thử của tỉnh")), "action": "preview"})
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    text = text_of(b"".join(response.streaming_content))
    assert "Bản thử của tỉnh" in text and "Nguyễn Thị Mẫu" in text and "{{" not in text
    assert not DocumentTemplate.objects.exists()


def test_preview_of_the_template_in_force(world, client, variant):
    client.force_login(world.province_staff)
    response = client.get(reverse("documents:preview", args=[world.province.pk, KIND]))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "xem%20th%E1%BB%AD.docx" in response["Content-Disposition"]
    text = text_of(b"".join(response.streaming_content))
    assert "ĐẢNG ỦY (CHI ỦY) NƠI CƯ TRÚ" in text and "Nguyễn Thị Mẫu" in text


def test_downloads_give_the_default_and_the_variant_as_uploaded(world, client, variant):
    client.force_login(world.province_staff)
    default = client.get(reverse("documents:default", args=[world.province.pk, KIND]))
    assert b"".join(default.streaming_content) == kinds.KIND_DEFINITION.default_bytes()
    current = client.get(reverse("documents:current", args=[world.province.pk, KIND]))
    assert b"".join(current.streaming_content) == bytes(variant.content)
    assert 'filename="tiep-nhan-tren-giay.docx"' in current["Content-Disposition"]
    Document(io.BytesIO(bytes(variant.content)))  # Word opens what it downloads


def test_revert_through_the_page(world, client, variant):
    client.force_login(world.province_staff)
    url = reverse("documents:revert", args=[world.province.pk, KIND])
    response = client.post(url)
    assert response.status_code == 302
    variant.refresh_from_db()
    assert not variant.is_active
    page = client.get(response["Location"]).content.decode()
    assert "Đã dùng lại mẫu mặc định" in page and "Thôi dùng" in page
    response = client.post(url, follow=True)
    assert "đang dùng mẫu mặc định" in response.content.decode()
    assert AuditEntry.objects.filter(target_id=str(variant.pk), action="deactivate").count() == 1
    current = client.get(reverse("documents:current", args=[world.province.pk, KIND]))
    assert b"".join(current.streaming_content) == kinds.KIND_DEFINITION.default_bytes()
