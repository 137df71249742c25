import datetime
import io
import os
import re
import shutil
import signal
import subprocess
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook

from haichieu.core import documents as core_documents
from haichieu.core.exports import XLSX_CONTENT_TYPE
from haichieu.liaisons import documents, rules, selectors, services
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db
LETTER_DAY = datetime.date(2026, 11, 20)
SIGNER = services.Signer("BÍ THƯ", "Trần Văn Ký")
INJECTION = '=HYPERLINK("http://x.example/","bấm vào đây")'


@pytest.fixture
def letters(world):
    """Two members of W1 living in Hoàn Kiếm, introduced: Mẫu 1-213 and an excused one (Mẫu 2-213)."""
    hk = Commune.objects.get(code="00070")
    regular = make_member(
        world.w1c1,
        "Phạm Thu Hằng",
        gender=Member.Gender.FEMALE,
        position="Phó Trưởng phòng",
        workplace_unit="Phòng Ngân sách, Sở Tài chính",
        residence_commune=hk,
        residence_province=hk.province,
        address_street="12 phố Hàng Bạc",
        address_hamlet="Tổ dân phố số 2",
    )
    excused = make_member(
        world.w1c2,
        "Hoàng Văn Nam",
        residence_commune=hk,
        residence_province=hk.province,
        liaison_category=Member.LiaisonCategory.MOBILE,
        liaison_category_note="thi công thủy điện Lai Châu",
    )
    result = services.liaison_introduce(
        actor=world.w1_staff, members=[regular, excused], today=LETTER_DAY, signer=SIGNER
    )
    return result.introduced


def reload(doc):
    return Document(io.BytesIO(core_documents.docx_bytes(doc)))


def paragraphs(doc) -> list[str]:
    """Every paragraph's text in document order, table cells included."""
    return [Paragraph(p, None).text for p in doc.element.body.iter(qn("w:p"))]


def full_text(doc) -> str:
    return "\n".join(paragraphs(doc))


def only(queryset_or_liaison):
    return Liaison.objects.filter(pk=queryset_or_liaison.pk)


# --- introduction letters --------------------------------------------------------------------------
def test_letter_has_the_party_header_number_and_particulars(letters):
    doc = reload(documents.introduction_letters_docx(only(letters[0])))
    text = full_text(doc)
    for expected in [
        "Mẫu 1-213",
        "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI\nĐẢNG ỦY SỞ TÀI CHÍNH\n*\nSố 1-GGT/ĐU",
        "Hà Nội, ngày 20 tháng 11 năm 2026",
        "GIẤY GIỚI THIỆU",
        "Đảng viên về giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú",
        "Kính gửi: Đảng ủy phường Hoàn Kiếm",
        "Họ và tên: Phạm Thu Hằng\tGiới tính: Nữ",
        "Ngày sinh: 17/05/1985\tNgày vào Đảng: 02/03/2010",
        "Ngày chính thức: 02/03/2011",
        "Chi bộ sinh hoạt chính thức: Chi bộ Phòng Ngân sách, Đảng bộ Sở Tài chính",
        "Chức vụ: Phó Trưởng phòng",
        "Đơn vị công tác: Phòng Ngân sách, Sở Tài chính",
        "Nơi cư trú: 12 phố Hàng Bạc, Tổ dân phố số 2, Phường Hoàn Kiếm, Thành phố Hà Nội",
        "Điện thoại: 0912345678",
        "Đề nghị Đảng ủy phường Hoàn Kiếm tiếp nhận và tạo điều kiện để đồng chí Phạm Thu Hằng giữ mối liên hệ",
        "Quy định số 213-QĐ/TW",
        "T/M ĐẢNG ỦY\nBÍ THƯ",
        "PHIẾU BÁO TIẾP NHẬN",
        "Đảng ủy phường Hoàn Kiếm đã tiếp nhận đồng chí Phạm Thu Hằng theo giấy giới thiệu số 1-GGT/ĐU ngày 20/11/2026",
        "phân công sinh hoạt tại chi bộ ……",
    ]:
        assert expected in text, expected
    assert "33-HD/BTCTW" not in text
    title = next(
        run
        for table in doc.tables
        for cell in table._cells
        for para in cell.paragraphs
        for run in para.runs
        if run.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    )
    assert title.underline and title.bold
    issuer = next(
        run for p in doc.tables[0].rows[0].cells[0].paragraphs for run in p.runs if "SỞ TÀI CHÍNH" in run.text
    )
    assert issuer.bold


def test_letters_are_a4_with_party_margins_in_times_new_roman(letters):
    doc = reload(documents.introduction_letters_docx(only(letters[0])))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 20 and round(section.bottom_margin.mm) == 20
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13


def test_excused_member_gets_form_2_213_with_the_reason(letters):
    text = full_text(reload(documents.introduction_letters_docx(only(letters[1]))))
    assert "Mẫu 2-213" in text and "Mẫu 1-213" not in text
    assert "Số 2-GGT/ĐU" in text
    assert "miễn sinh hoạt định kỳ với chi bộ nơi cư trú và không lấy ý kiến nhận xét hằng năm" in text
    assert "Hướng dẫn số 33-HD/BTCTW" in text
    assert "Lý do: Thường xuyên đi làm việc xa nơi cư trú, lưu động (thi công thủy điện Lai Châu)." in text


def test_a_batch_has_one_letter_per_member_on_its_own_page(letters):
    doc = reload(documents.introduction_letters_docx(Liaison.objects.filter(pk__in=[x.pk for x in letters])))
    texts = paragraphs(doc)
    assert texts.count("GIẤY GIỚI THIỆU") == 2
    assert texts.count("PHIẾU BÁO TIẾP NHẬN") == 2
    numbers = [t for t in texts if t.startswith("Số ") and "GGT" in t]
    assert numbers == ["Số 1-GGT/ĐU", "Số 2-GGT/ĐU"]
    second = next(p for p in doc.paragraphs if p.text == "Mẫu 2-213")
    assert second.paragraph_format.page_break_before
    assert sum(bool(p.paragraph_format.page_break_before) for p in doc.paragraphs) == 1
    assert documents.introduction_letters_filename(Liaison.objects.filter(pk=letters[0].pk)) == (
        "Giấy giới thiệu - Phạm Thu Hằng.docx"
    )


def test_commune_without_organisation_is_addressed_by_name(world):
    other = Commune.objects.create(
        code="00103",
        name="Phường Ngọc Hà",
        division_type="phường",
        province_id="01",
        name_folded="phuong ngoc ha",
    )
    member = make_member(world.w1c1, "Đinh Thị Lan", residence_commune=other)
    liaison = services.liaison_introduce(actor=world.w1_staff, members=[member], today=LETTER_DAY).introduced[
        0
    ]
    text = full_text(documents.introduction_letters_docx(only(liaison)))
    assert "Kính gửi: Đảng ủy phường Ngọc Hà" in text


def test_date_line_and_committee_names():
    assert (
        core_documents.vietnamese_date_line("Hà Nội", datetime.date(2026, 2, 5))
        == "Hà Nội, ngày 05 tháng 02 năm 2026"
    )
    assert core_documents.vietnamese_date_line("", None) == "……, ngày …… tháng …… năm ……"
    assert core_documents.vn_upper("Đảng ủy phường Hoàn Kiếm") == "ĐẢNG ỦY PHƯỜNG HOÀN KIẾM"
    assert core_documents.place_name("Tỉnh Hưng Yên") == "Hưng Yên"


def test_header_names_from_the_tree(world):
    assert core_documents.header_names(world.w1) == {
        "superior_name": "Đảng bộ Thành phố Hà Nội",
        "issuer_name": "Đảng ủy Sở Tài chính",
        "place": "Hà Nội",
    }
    assert core_documents.issuing_committee_name(world.province) == "Thành ủy Hà Nội"
    assert core_documents.on_behalf_for(world.r1c1) == "T/M CHI BỘ"


# --- digest of changes -----------------------------------------------------------------------------
@pytest.fixture
def digest(world):
    today = datetime.date.today()
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=today,
        new_position=INJECTION,
    )
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="long_absence",
        event_date=today,
        details="Học tập 6 tháng",
    )
    year, period = rules.digest_period(today)
    notices = selectors.digest_notices(sender_org=world.w1, recipient_org=world.r1, year=year, period=period)
    return dict(sender_org=world.w1, recipient_org=world.r1, year=year, period=period, notices=notices)


def test_digest_rows_and_docx(digest, django_assert_max_num_queries):
    header, rows = documents.digest_rows(digest["notices"])
    assert header == ["STT", "Họ và tên", "Ngày sinh", "Chức vụ/đơn vị", "Loại biến động", "Ngày", "Nội dung"]
    with django_assert_max_num_queries(1):
        rows = list(rows)
    assert [r[4] for r in rows] == ["Thay đổi chức vụ", "Đi công tác, vắng mặt dài ngày"]
    assert rows[0][:3] == (1, "Nguyễn Văn An", datetime.date(1985, 5, 17))
    doc = reload(documents.digest_docx(**digest))
    text = full_text(doc)
    label = {1: "I", 2: "II", 3: "III", 4: "IV"}[digest["period"]]
    assert f"DANH SÁCH ĐẢNG VIÊN CÓ BIẾN ĐỘNG QUÝ {label} NĂM {digest['year']}" in text
    assert "ĐẢNG ỦY SỞ TÀI CHÍNH" in text and "Kính gửi: Đảng ủy phường Hoàn Kiếm" in text
    table = doc.tables[-1]  # the list, attached after the notice and its signature
    assert [c.text for c in table.rows[0].cells] == header
    assert table.rows[1].cells[1].text == "Nguyễn Văn An" and table.rows[1].cells[2].text == "17/05/1985"
    # the notice on a portrait page, the list attached on a landscape one
    assert doc.sections[0].page_width < doc.sections[0].page_height
    assert doc.sections[-1].page_width > doc.sections[-1].page_height


def test_digest_xlsx_has_real_dates_and_no_formula(digest):
    response = documents.digest_xlsx(**digest)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "filename*=UTF-8''Bi%E1%BA%BFn%20%C4%91%E1%BB%99ng%20qu%C3%BD" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value.startswith("DANH SÁCH ĐẢNG VIÊN CÓ BIẾN ĐỘNG QUÝ")
    # The title block of every Excel list: title, date of the export, a blank row, then the header.
    assert sheet["A2"].value.startswith("Ngày xuất: ") and sheet["A3"].value is None
    assert [c.value for c in sheet[4]] == documents.DIGEST_HEADER and sheet.freeze_panes == "A5"
    assert sheet["B5"].value == "Nguyễn Văn An"
    assert sheet["C5"].is_date and sheet["C5"].number_format == "DD/MM/YYYY"
    assert sheet["F5"].is_date
    position = sheet["D5"]
    assert position.data_type == "s" and position.value.startswith("'=HYPERLINK(")


# --- tracking book -----------------------------------------------------------------------------------
@pytest.fixture
def book(world, letters):
    regular, excused = letters
    services.liaison_receive(
        actor=world.r1_staff, liaison=regular, cell=world.r1c2, follower_name="Đỗ Văn Tâm"
    )
    services.liaison_receive(actor=world.r1_staff, liaison=excused, cell=world.r1c1)
    today = datetime.date.today()
    services.liaison_no_longer_resides(actor=world.r1_staff, liaison=excused, date=today)
    start, end = today - datetime.timedelta(days=365), today
    return dict(
        org=world.r1, start=start, end=end, liaisons=selectors.tracking_book(world.r1, start=start, end=end)
    )


def test_tracking_book_rows_docx_and_xlsx(book, django_assert_max_num_queries):
    header, rows = documents.tracking_book_rows(book["liaisons"])
    with django_assert_max_num_queries(1):
        rows = list(rows)
    assert header[:3] == ["STT", "Họ và tên", "Năm sinh"] and header[-3:] == [
        "Ngày tiếp nhận",
        "Ngày kết thúc",
        "Lý do kết thúc",
    ]
    by_name = {r[1]: r for r in rows}
    hang, nam = by_name["Phạm Thu Hằng"], by_name["Hoàng Văn Nam"]
    assert hang[2] == 1985 and hang[3] == "Phó Trưởng phòng" and hang[4] == "Phòng Ngân sách, Sở Tài chính"
    assert hang[5] == "Chi bộ tổ dân phố số 2" and isinstance(hang[8], datetime.date) and hang[9] is None
    # The follower (Người theo dõi) as the screen shows it: the name, and the phone when known.
    assert header[7] == "Người theo dõi" and (hang[7], nam[7]) == ("Đỗ Văn Tâm", "")
    assert (
        nam[4] == "Đảng bộ Sở Tài chính"
        and nam[9] == book["end"]
        and nam[10] == "Không còn cư trú tại địa phương"
    )

    doc = reload(documents.tracking_book_docx(**book))
    assert doc.sections[0].page_width > doc.sections[0].page_height
    text = full_text(doc)
    assert "SỔ THEO DÕI ĐẢNG VIÊN GIỮ MỐI LIÊN HỆ NƠI CƯ TRÚ" in text and "ĐẢNG ỦY PHƯỜNG HOÀN KIẾM" in text
    assert [c.text for c in doc.tables[-1].rows[0].cells] == header and len(doc.tables[-1].rows) == 3

    sheet = load_workbook(io.BytesIO(documents.tracking_book_xlsx(**book))).active
    assert sheet["A1"].value.startswith(documents.TRACKING_BOOK_TITLE)
    at = next(r for r in range(1, 10) if sheet.cell(row=r, column=1).value == "STT")  # under the title block
    assert [c.value for c in sheet[at]] == header
    received = sheet.cell(row=at + 1, column=9)
    assert received.is_date and received.number_format == "DD/MM/YYYY"


# --- a real office program opens every kind of file --------------------------------------------------
def _office_or_skip() -> str:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        reason = "LibreOffice (soffice) is not installed: run scripts/ensure-office.sh as root"
        if os.environ.get("HAICHIEU_REQUIRE_OFFICE") == "1":
            pytest.fail(f"{reason} (HAICHIEU_REQUIRE_OFFICE=1)")
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    return binary


def _soffice(binary: str, profile: Path, convert_to: str, outdir: Path, files: list[Path]) -> None:
    """One LibreOffice run for all `files` (start-up is the slow part), with a private profile."""
    command = [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        convert_to,
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("LibreOffice took more than 90 s to convert the documents")
    assert process.returncode == 0, output.decode(errors="replace")


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def test_libreoffice_opens_letters_digest_and_tracking_book(tmp_path, digest, book, world):
    binary = _office_or_skip()
    issued = services.digest_mark_sent(
        actor=world.w1_staff,
        sender_org=digest["sender_org"],
        recipient_org=digest["recipient_org"],
        year=digest["year"],
        period=digest["period"],
        signer=services.Signer("PHÓ BÍ THƯ", "Lê Thị Ký"),
    )
    files = {
        "letters.docx": core_documents.docx_bytes(
            documents.introduction_letters_docx(Liaison.objects.filter(letter_number__isnull=False))
        ),
        "digest.docx": core_documents.docx_bytes(documents.digest_docx(**digest, digest=issued)),
        "digest-list.xlsx": b"".join(documents.digest_xlsx(**digest).streaming_content),
        "book.docx": core_documents.docx_bytes(documents.tracking_book_docx(**book)),
        "book-list.xlsx": documents.tracking_book_xlsx(**book),
    }
    sources = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        sources.append(tmp_path / name)
    outdir, profile = tmp_path / "out", tmp_path / "profile"
    _soffice(binary, profile, "pdf", outdir, sources)
    pdfs = {name: outdir / (Path(name).stem + ".pdf") for name in files}
    texts = {}
    if shutil.which("pdftotext"):
        for name, pdf in pdfs.items():
            assert pdf.exists(), f"LibreOffice could not convert {name}"
            texts[name] = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=30
            ).stdout.decode()
    else:  # no poppler-utils: read the text through LibreOffice itself
        print("pdftotext is missing (poppler-utils): reading the text back with LibreOffice")
        for pdf in pdfs.values():
            assert pdf.read_bytes().startswith(b"%PDF")
        _soffice(
            binary, profile, "txt:Text (encoded):UTF8", outdir, [p for p in sources if p.suffix == ".docx"]
        )
        _soffice(
            binary,
            profile,
            "csv:Text - txt - csv (StarCalc):44,34,76",
            outdir,
            [p for p in sources if p.suffix == ".xlsx"],
        )
        for name in files:
            stem, ext = Path(name).stem, Path(name).suffix
            texts[name] = (outdir / (stem + (".txt" if ext == ".docx" else ".csv"))).read_text(
                encoding="utf-8-sig"
            )
    texts = {name: _normal(text) for name, text in texts.items()}
    assert "Phạm Thu Hằng" in texts["letters.docx"] and "Hoàng Văn Nam" in texts["letters.docx"]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in texts["letters.docx"] and "Số 2-GGT/ĐU" in texts["letters.docx"]
    for name in ["digest.docx", "digest-list.xlsx"]:
        assert "Nguyễn Văn An" in texts[name], name
        assert "Thay đổi chức vụ" in texts[name], name
    for name in ["book.docx", "book-list.xlsx"]:
        assert "Phạm Thu Hằng" in texts[name] and "Hoàng Văn Nam" in texts[name], name
    # issue 10: the committee as addressee, the issuer's place, the signer, the excused member's duties
    letters = texts["letters.docx"]
    assert "Kính gửi: Đảng ủy phường Hoàn Kiếm" in letters and "Hà Nội, ngày 20 tháng 11 năm 2026" in letters
    assert "Trần Văn Ký" in letters and "các khoản 1, 2, 5, 6, 7 Điều 2" in letters
    notice = texts["digest.docx"]
    assert "THÔNG BÁO" in notice and "Số 1-TB/ĐU" in notice and "Kính gửi: Đảng ủy phường Hoàn Kiếm" in notice
    assert "PHÓ BÍ THƯ" in notice and "Lê Thị Ký" in notice
    assert "Hoàn Kiếm, ngày" in texts["book.docx"]
