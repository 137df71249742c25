"""The yearly review report (báo cáo sơ kết/tổng kết) as .docx (issue 13): read back with python-docx,
its figures are those of the known data set (tests/data.py); the commendation list and the lists of
members not introduced, excused and exempt; a province's own template; the download is audited, runs
the same queries for a larger tree, and LibreOffice converts it."""

import io
import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from haichieu.core import documents as layout
from haichieu.core.models import AuditEntry
from haichieu.documents import engine
from haichieu.documents import services as template_services
from haichieu.documents.registry import get_kind
from haichieu.documents.tests.test_office import _pdf_text
from haichieu.liaisons.tests.test_documents import _office_or_skip
from haichieu.organizations.models import Organization
from haichieu.review import document_kinds, documents
from haichieu.testing import make_org

from . import data
from .conftest import ON

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(world, on_day):
    return data.build(world)


def _download(client, org, kind="tong-ket"):
    url = reverse("review:report", args=[org.pk, data.YEAR]) + (f"?loai={kind}" if kind else "")
    response = client.get(url)
    assert response.status_code == 200, response
    return Document(io.BytesIO(b"".join(response.streaming_content)))


def _text(doc) -> str:
    return "\n".join(Paragraph(p, None).text for p in doc.element.body.iter(qn("w:p")))


def _table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_province_report_prints_the_known_figures_and_the_childrens_table(world, known, client_for):
    doc = _download(client_for(world.province_staff), world.province)
    text = _text(doc)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "THÀNH ỦY HÀ NỘI" in text
    assert "TỔNG KẾT CÔNG TÁC THỰC HIỆN QUY ĐỊNH SỐ 213-QĐ/TW NĂM 2026" in text
    assert "Nơi nhận:\n- Lưu văn phòng." in text  # the province reports to no superior here
    assert "(số liệu đến ngày 31/12/2026)" in text
    # Members: m1, m2 (W1), m3 (W2), A, B, C, D (W3): seven working members, all to introduce.
    assert "Tổng số đảng viên: 7 đồng chí; đảng viên đang công tác: 7 đồng chí" in text
    assert "phải giới thiệu về nơi cư trú: 7 đồng chí." in text
    assert "Đã giới thiệu: 5 đồng chí (đạt 71,4%), trong đó nơi cư trú đã tiếp nhận 1, đang sinh hoạt 3; " \
           "giấy giới thiệu bị trả lại: 1; chưa giới thiệu: 2 đồng chí." in text  # fmt: skip
    assert "Được miễn sinh hoạt nơi cư trú (Hướng dẫn 33, điểm 1.1): 1 đồng chí." in text
    assert "Đảng viên giữ mối liên hệ dự sinh hoạt với chi bộ nơi cư trú 2/3 lượt (66,7%)" in text
    assert "Phiếu lấy ý kiến nhận xét trả lời đúng hạn: 1/2 phiếu (50,0%)" in text
    assert "đề nghị biểu dương: 1 đồng chí" in text
    assert "miễn công tác và sinh hoạt đảng trong năm: 1 đồng chí" in text
    assert "Điểm của Thành ủy Hà Nội: 57,3/100." in text
    children = next(t for t in doc.tables if t.rows[0].cells[1].text == "Tổ chức")
    rows = _table_rows(children)[1:]
    assert [row[1] for row in rows] == [
        "Đảng ủy phường Ba Đình", "Đảng bộ Sở Tài chính", "Đảng ủy phường Hoàn Kiếm", "Đảng bộ Công ty Điện lực",
        "Đảng bộ Trường Đại học",
    ]  # fmt: skip
    assert rows[1] == ["2", "Đảng bộ Sở Tài chính", "2", "1", "50,0%", "0/4", "—", "100,0%", "58,8"]
    assert rows[4][2:5] == ["4", "3", "75,0%"] and rows[4][8] == "75,0"


def test_the_lists_name_the_members_commended_not_introduced_excused_and_exempt(world, known, client_for):
    doc = _download(client_for(world.province_staff), world.province)
    lists = {
        t.rows[0].cells[-1].text: _table_rows(t)[1:] for t in doc.tables if t.rows[0].cells[0].text == "STT"
    }
    assert lists["Chi bộ nơi công tác"] == [["1", "Nguyễn Văn An", "Chi bộ Phòng Ngân sách"]]  # "Biểu dương"
    not_introduced = lists["Tình trạng"]
    assert [(r[1], r[3]) for r in not_introduced] == [("Trần Thị Bình", "Chưa có hồ sơ"),
                                                      ("Đinh Văn Dũng", "Bị trả lại")]  # fmt: skip
    assert [r[1] for r in lists["Trường hợp"]] == ["Âu Thị An"]
    assert lists["Thời gian miễn"] == [
        ["1", "Trần Thị Bình", "Chi bộ Văn phòng Sở", "Tuổi cao, sức khỏe yếu", "02/01/2026 – 31/12/2026"]
    ]


def test_a_workplace_committees_report_is_its_own_and_an_empty_list_says_so(world, known, client_for):
    doc = _download(client_for(world.w2_staff), world.w2, kind="")  # within the year: sơ kết
    text = _text(doc)
    assert "SƠ KẾT CÔNG TÁC" in text and "Đảng ủy Công ty Điện lực báo cáo sơ kết" in text
    assert "- Đảng bộ Thành phố Hà Nội (để báo cáo)" in text
    assert "Đã giới thiệu: 1 đồng chí (đạt 100,0%)" in text
    assert text.count("Không có.") == 4  # commended, not introduced, excused, exempt
    assert "Trần Thị Bình" not in text  # W1's member


def test_the_download_is_audited_and_runs_the_same_queries_for_a_larger_tree(world, known, client_for):
    client = client_for(world.province_staff)
    with CaptureQueriesContext(connection) as few:
        _download(client, world.province)
    entry = AuditEntry.objects.get(action="export", target_type="organizations.organization")
    assert entry.target_id == str(world.province.pk) or entry.target_id == world.province.pk
    assert "Báo cáo tổng kết thực hiện Quy định 213 năm 2026" in entry.note
    for n in range(5):
        org = make_org(world.province, f"WY{n}", f"Đảng bộ Bệnh viện số {n}", Organization.Kind.GRASSROOTS)
        make_org(org, f"WY{n}C", f"Chi bộ Khoa số {n}")
    with CaptureQueriesContext(connection) as many:
        _download(client, world.province)
    assert len(many) <= len(few)


def test_the_default_template_is_an_adaptable_kind_and_a_provinces_text_replaces_it(world, known, client_for):
    kind = get_kind(document_kinds.KIND)
    used = set(engine.inspect_template(kind, kind.default_bytes()).placeholders)
    assert {"figures.coverage_rate", "rows[].score", "commended[].full_name", "exempt[].reason"} <= used
    doc = layout.new_document()
    layout.paragraph(doc, "{{ issuer.name|upper }} — BÁO CÁO CỦA TỈNH NĂM {{ year }}")
    layout.paragraph(
        doc, "Giới thiệu {{ figures.introduced }}/{{ figures.to_introduce }}, điểm {{ figures.score }}."
    )
    for line in ["{%p for m in commended %}", "Biểu dương: {{ m.full_name }}", "{%p endfor %}"]:
        layout.paragraph(doc, line)
    template_services.template_upload(
        actor=world.province_staff, province=world.province, kind=kind, filename="bao-cao-mau-tinh.docx",
        content=layout.docx_bytes(doc),
    )  # fmt: skip
    text = _text(_download(client_for(world.province_staff), world.province))
    assert "THÀNH ỦY HÀ NỘI — BÁO CÁO CỦA TỈNH NĂM 2026" in text
    assert "Giới thiệu 5/7, điểm 57,3." in text
    assert "Biểu dương: Nguyễn Văn An" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in text


def test_libreoffice_converts_the_report_to_searchable_pdf(world, known, tmp_path):
    binary = _office_or_skip()
    report = documents.report_data(world.province, year=data.YEAR, on=ON, kind="tong-ket")
    doc = document_kinds.report_document(world.province, documents.report_context(report, today=ON))
    text = re.sub(
        r"\s+", " ", unicodedata.normalize("NFC", _pdf_text(binary, tmp_path, layout.docx_bytes(doc)))
    )
    for expected in ["ĐẢNG CỘNG SẢN VIỆT NAM", "BÁO CÁO", "Đã giới thiệu: 5 đồng chí (đạt 71,4%)",
                     "Nguyễn Văn An", "Đinh Văn Dũng", "Tuổi cao, sức khỏe yếu"]:  # fmt: skip
        assert expected in text, expected


def test_the_templates_page_offers_the_report_and_previews_it(world, client_for):
    client = client_for(world.province_staff)
    page = client.get(reverse("documents:province", args=[world.province.pk])).content.decode()
    assert "Báo cáo sơ kết, tổng kết công tác thực hiện Quy định 213" in page
    preview = client.get(reverse("documents:preview", args=[world.province.pk, document_kinds.KIND]))
    assert preview.status_code == 200
    text = _text(Document(io.BytesIO(b"".join(preview.streaming_content))))
    assert "Đã giới thiệu: 104 đồng chí (đạt 94,5%)" in text and "Phạm Văn Lão" in text
