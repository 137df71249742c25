"""A province's organisation department adapts a letter template in the browser: from the navigation
to the kind's page, a refused upload with its message, the variant with the receipt on the letter,
its preview, and back to the default."""

import io

import pytest
from docx import Document
from playwright.sync_api import expect

from haichieu.documents.models import DocumentTemplate
from haichieu.documents.tests import kinds
from haichieu.documents.tests.docx_files import text_of, with_paragraph

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_province_uploads_previews_and_reverts_a_letter_template(world, page, log_in, tmp_path):
    log_in(page, "province_staff")
    page.locator("#nav-templates").click()
    expect(page.locator("h1")).to_have_text("Mẫu văn bản của Đảng bộ Thành phố Hà Nội")
    expect(page.locator("#template-kinds")).to_contain_text("Mẫu mặc định")
    page.get_by_role("link", name=kinds.LABEL).click()
    expect(page.locator("#placeholders")).to_contain_text("Họ và tên đảng viên")

    wrong = tmp_path / "sai.docx"
    wrong.write_bytes(with_paragraph("{{ member.ho_ten }}"))
    page.set_input_files("#id_file", str(wrong))
    page.get_by_role("button", name="Tải lên và dùng").click()
    expect(page.locator("main")).to_contain_text("Mẫu dùng trường không có trong danh sách")
    expect(page.locator("main")).to_contain_text("“member.ho_ten”")
    assert not DocumentTemplate.objects.exists()

    variant = tmp_path / "tiep-nhan-tren-giay.docx"
    variant.write_bytes(kinds.letter_template(receipt_on_letter=True))
    page.set_input_files("#id_file", str(variant))
    page.get_by_role("button", name="Tải lên và dùng").click()
    expect(page.locator("#template-in-force")).to_contain_text("tiep-nhan-tren-giay.docx")
    with page.expect_download() as download_info:
        page.locator("#preview").click()
    preview = download_info.value
    assert preview.suggested_filename.endswith("xem thử.docx")
    text = text_of(open(preview.path(), "rb").read())
    assert "ĐẢNG ỦY (CHI ỦY) NƠI CƯ TRÚ" in text and "Nguyễn Thị Mẫu" in text
    Document(io.BytesIO(open(preview.path(), "rb").read()))

    page.locator("#revert").click()
    expect(page.locator("main")).to_contain_text("Đã dùng lại mẫu mặc định")
    expect(page.locator("#template-in-force")).to_contain_text("Mẫu mặc định")
    assert not DocumentTemplate.objects.filter(is_active=True).exists()
