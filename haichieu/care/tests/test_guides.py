"""Each role's one-page guide (issue 13): the roles a user gets guides for, the download, what the
guide names, that a province may adapt it, and that it prints on one page."""

import io
import re
import shutil
import subprocess

import docx
import pytest
from django.urls import reverse

from haichieu.access import guide_roles
from haichieu.access.scope import (
    GUIDE_COMMUNE_STAFF,
    GUIDE_MEMBER,
    GUIDE_PROVINCE,
    GUIDE_RESIDENCE_CELL,
    GUIDE_WORKPLACE_CELL,
    GUIDE_WORKPLACE_STAFF,
)
from haichieu.care import guides
from haichieu.core import documents as layout
from haichieu.documents import services
from haichieu.documents.registry import get_kind
from haichieu.liaisons.tests.test_documents import _office_or_skip, _soffice

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_guides_of_each_role(world):
    assert guide_roles(world.province_staff) == [GUIDE_PROVINCE]
    assert guide_roles(world.w1_staff) == [GUIDE_WORKPLACE_STAFF]
    assert guide_roles(world.w2_staff) == [GUIDE_WORKPLACE_STAFF]
    assert guide_roles(world.w1c1_secretary) == [GUIDE_WORKPLACE_CELL]
    assert guide_roles(world.r1_staff) == [GUIDE_COMMUNE_STAFF]
    assert guide_roles(world.r1c1_secretary) == [GUIDE_RESIDENCE_CELL]
    assert guide_roles(world.member_user) == [GUIDE_MEMBER]
    assert guide_roles(world.w1_viewer) == [] and guide_roles(world.outsider) == []
    assert set(guides.GUIDES) == {GUIDE_PROVINCE, GUIDE_WORKPLACE_STAFF, GUIDE_WORKPLACE_CELL,
                                  GUIDE_COMMUNE_STAFF, GUIDE_RESIDENCE_CELL, GUIDE_MEMBER}  # fmt: skip


@pytest.mark.parametrize("role", list(guides.GUIDES))
def test_a_guide_names_its_roles_pages_in_order(world, client_for, role):
    response = client_for(world.w1_staff).get(reverse("care:guide", args=[role]))
    assert response.status_code == 200
    assert response["Content-Type"] == layout.DOCX_CONTENT_TYPE
    assert f"huong-dan-{role}.docx" in response["Content-Disposition"]
    text = text_of(b"".join(response.streaming_content))
    guide = guides.GUIDES[role]
    assert guide.role in text and guides.TITLE in text and "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI" in text
    positions = []
    for number, step in enumerate(guide.steps, start=1):
        page = f"{step.page} ({reverse(step.url)})"
        assert page in text, page
        positions.append(text.index(step.action))
        assert f"\n{number}\n{step.action}" in text
    assert positions == sorted(positions)
    for tip in guide.tips:
        assert tip in text


def test_the_guides_name_the_pages_of_their_work(world):
    def paths(role):
        return {reverse(step.url) for step in guides.GUIDES[role].steps}

    assert {reverse("liaisons:coverage"), reverse("members:list"), reverse("liaisons:digests")} <= paths(
        GUIDE_WORKPLACE_STAFF
    )
    assert {reverse("liaisons:residence_incoming"), reverse("liaisons:residence_departures")} <= paths(
        GUIDE_COMMUNE_STAFF
    )
    assert {reverse("liaisons:residence_cells"), reverse("meetings:list")} <= paths(GUIDE_RESIDENCE_CELL)
    assert {reverse("meetings:mine"), reverse("audit:own_reads")} <= paths(GUIDE_MEMBER)
    assert {reverse("documents:index"), reverse("audit:log"), reverse("care:overview")} <= paths(
        GUIDE_PROVINCE
    )
    assert reverse("meetings:workplace") in paths(GUIDE_WORKPLACE_CELL)


def test_an_unknown_guide_is_404_and_anonymous_is_sent_to_sign_in(world, client, client_for):
    assert client.get(reverse("care:guide", args=["dang-vien"])).status_code == 302
    assert client_for(world.w1_staff).get(reverse("care:guide", args=["khong-co"])).status_code == 404


def test_the_profile_offers_the_users_guides_and_the_rules_page_all(world, client_for):
    for persona, role in [("w1_staff", GUIDE_WORKPLACE_STAFF), ("r1c1_secretary", GUIDE_RESIDENCE_CELL),
                          ("member_user", GUIDE_MEMBER), ("province_staff", GUIDE_PROVINCE)]:  # fmt: skip
        html = client_for(getattr(world, persona)).get(reverse("profile")).content.decode()
        assert html.count("data-guide=") == 1 and reverse("care:guide", args=[role]) in html, persona
    html = client_for(world.w1_staff).get(reverse("liaisons:rules")).content.decode()
    for role in guides.GUIDES:
        assert reverse("care:guide", args=[role]) in html


def test_a_province_adapts_its_guide(world, client_for):
    kind = get_kind(guides.KIND)
    document = docx.Document(io.BytesIO(kind.default_bytes()))
    title = next(p for p in document.paragraphs if p.text == "{{ title }}")
    title.runs[0].text = "{{ title }} - BẢN CỦA TỈNH"
    variant = layout.docx_bytes(document)
    services.template_upload(
        actor=world.province_staff, province=world.province, kind=kind, filename="huong-dan.docx",
        content=variant,
    )  # fmt: skip
    response = client_for(world.w1_staff).get(reverse("care:guide", args=[GUIDE_WORKPLACE_STAFF]))
    assert "BẢN CỦA TỈNH" in text_of(b"".join(response.streaming_content))
    # The outsider has no province: the default template.
    response = client_for(world.outsider).get(reverse("care:guide", args=[GUIDE_MEMBER]))
    assert "BẢN CỦA TỈNH" not in text_of(b"".join(response.streaming_content))


def _pages(pdf) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, check=True, timeout=30
        ).stdout.decode()
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))  # LibreOffice writes no object streams


def test_every_guide_prints_on_one_page(world, tmp_path):
    binary = _office_or_skip()
    files = []
    for role in guides.GUIDES:
        path = tmp_path / f"{role}.docx"
        path.write_bytes(layout.docx_bytes(guides.guide_document(role, world.province_staff)))
        files.append(path)
    outdir = tmp_path / "out"
    _soffice(binary, tmp_path / "profile", "pdf", outdir, files)
    for role in guides.GUIDES:
        pdf = outdir / f"{role}.pdf"
        pages = _pages(pdf)
        assert pages == 1, f"{role}: {pages} pages"
