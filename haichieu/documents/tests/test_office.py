"""A real office program opens what the engine writes, and the text stays searchable (issue 10: "the
generated document stays searchable text")."""

import re
import shutil
import subprocess
import unicodedata

import pytest

from haichieu.core import documents as layout
from haichieu.documents import services
from haichieu.documents.engine import render
from haichieu.liaisons.tests.test_documents import _office_or_skip, _soffice

from . import kinds

pytestmark = pytest.mark.django_db


def _pdf_text(binary, tmp_path, data: bytes) -> str:
    source = tmp_path / "giay-gioi-thieu.docx"
    source.write_bytes(data)
    outdir, profile = tmp_path / "out", tmp_path / "profile"
    _soffice(binary, profile, "pdf", outdir, [source])
    pdf = outdir / "giay-gioi-thieu.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        command = ["pdftotext", "-enc", "UTF-8", str(pdf), "-"]
        return subprocess.run(command, capture_output=True, check=True, timeout=30).stdout.decode()
    print("pdftotext is missing (poppler-utils): reading the text back with LibreOffice")
    _soffice(binary, profile, "txt:Text (encoded):UTF8", outdir, [source])
    return (outdir / "giay-gioi-thieu.txt").read_text(encoding="utf-8-sig")


def test_letters_from_a_provinces_variant_convert_to_searchable_pdf(world, tmp_path):
    binary = _office_or_skip()
    services.template_upload(
        actor=world.province_staff, province=world.province, kind=kinds.KIND_DEFINITION,
        filename="tiep-nhan-tren-giay.docx", content=kinds.letter_template(receipt_on_letter=True),
    )  # fmt: skip
    contexts = [
        kinds.sample_context(full_name="Phạm Thu Hằng", party_card_number="93000777"),
        kinds.sample_context(full_name="Hoàng Văn Nam", party_card_number="93000888"),
    ]
    text = _pdf_text(binary, tmp_path, layout.docx_bytes(render(kinds.KIND, world.w1, contexts)))
    pages = [
        re.sub(r"\s+", " ", unicodedata.normalize("NFC", page)) for page in text.split("\f") if page.strip()
    ]
    assert len(pages) == 2, "one letter a page"
    for page, name, card in zip(
        pages, ("Phạm Thu Hằng", "Hoàng Văn Nam"), ("93000777", "93000888"), strict=True
    ):
        assert f"giới thiệu đồng chí: {name}" in page and card in page
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in page and "Kính gửi: Đảng ủy phường Hoàn Kiếm" in page
        assert "ĐẢNG ỦY (CHI ỦY) NƠI CƯ TRÚ" in page and f"đồng chí {name}" in page
        # each letter numbers its duties from 1
        assert "1. Gương mẫu thực hiện" in page and "3. Giữ mối liên hệ" in page
