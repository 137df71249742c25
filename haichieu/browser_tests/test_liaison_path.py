"""The issue's acceptance test of the two-way link, on the seeded demo with its logins.

"A browser test runs the whole path with three demo users: workplace staff introduce two members
(one batch) and download the letters; commune staff receive one into a cell and return the other
with a reason; the cell secretary sees the received member in a group; the workplace sees both
outcomes in its inbox; a move of residence ends the link and opens the new introduction."

Only the setup writes to the database (two members of `coquan`'s committee made residents of
`phuong`'s ward, in the hamlet of `chibotdp`'s cell); everything else goes through the pages.
"""

import re

import docx
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from haichieu.accounts.models import Role
from haichieu.demo.accounts import DEMO_PASSWORD
from haichieu.liaisons.models import InboxItem, Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune, Organization

pytestmark = pytest.mark.django_db(transaction=True)

GROUP_NAME = "Tổ đảng viên 213 số 1"
RETURN_NOTE = "Số nhà không có trên địa bàn tổ dân phố"
LETTER_RE = re.compile(r"^Số \d+-GGT/\S+$")


def _role_org(username: str) -> Organization:
    return Role.objects.select_related("organization").get(user__username=username).organization


@pytest.fixture
def path_demo():
    """The demo, and two working members of coquan's committee who now live in phuong's ward."""
    call_command("seed_demo", members=300, verbosity=0)
    workplace, ward, cell = _role_org("coquan"), _role_org("phuong"), _role_org("chibotdp")
    hamlet = cell.name.removeprefix("Chi bộ ")
    hamlet = hamlet[0].upper() + hamlet[1:]  # "Tổ dân phố số 1": the reception suggests the cell
    candidates = Member.objects.filter(
        workplace.subtree_q("workplace_cell__path"),
        link_status="none",
        liaison_category=Member.LiaisonCategory.REGULAR,
        status__in=Member.ACTIVE_STATUSES,
    ).order_by("sort_key", "pk")
    # Names that appear once in the demo, so that each row and checkbox is found by name alone.
    chosen = [m for m in candidates if Member.objects.filter(full_name=m.full_name).count() == 1][:2]
    assert len(chosen) == 2, "the demo has no two members of coquan's committee without a liaison"
    Member.objects.filter(pk__in=[m.pk for m in chosen]).update(
        residence_commune=ward.commune,
        residence_province=ward.commune.province,
        address_hamlet=hamlet,
        address_street="Số 12 ngõ 5",
    )
    elsewhere = (
        Commune.objects.exclude(province_id=ward.commune.province_id)
        .select_related("province")
        .order_by("province__name", "name")
        .first()
    )
    return {
        "workplace": workplace,
        "ward": ward,
        "cell": cell,
        "received": chosen[0],
        "returned": chosen[1],
        "new_commune": elsewhere,
    }


def _docx_text(path) -> str:
    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _log_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()


def _incoming_actions(page, name: str):
    """The desktop actions cell of `name`'s row on the commune's incoming list (a phone copy of the
    buttons sits hidden in the name cell), following "Trang sau" when needed."""
    rows = page.locator("tr[data-row]").filter(has_text=name)
    expect(page.locator("tbody tr").first).to_be_visible()
    while rows.count() == 0:
        following = page.get_by_role("link", name="Trang sau ›")
        assert following.count(), f"{name} is not on the incoming list"
        following.click()
        page.wait_for_load_state()
    return rows.first.locator("td").last


def test_the_whole_path_of_two_introductions(path_demo, page, log_in):
    received, returned = path_demo["received"], path_demo["returned"]
    workplace, ward, cell = path_demo["workplace"], path_demo["ward"], path_demo["cell"]
    new_commune = path_demo["new_commune"]

    # --- workplace staff introduce both in one batch and download the letters -------------------
    log_in(page, "coquan", DEMO_PASSWORD)
    page.locator("#mainnav").get_by_role("link", name="Giữ mối liên hệ").click()
    page.get_by_label("Tình trạng giới thiệu").select_option(label="Chưa có hồ sơ")
    page.get_by_label("Diện", exact=True).select_option(label="Sinh hoạt nơi cư trú")
    page.get_by_role("button", name="Lọc", exact=True).click()
    expect(page).to_have_url(re.compile(r"link=none"))
    table = page.locator("#coverage-table")
    for member in (received, returned):
        expect(table.get_by_role("link", name=member.full_name, exact=True)).to_be_visible()
        table.get_by_label(f"Chọn {member.full_name}", exact=True).check()
    page.get_by_role("button", name="Giới thiệu các đồng chí đã chọn").click()
    # The preview: how many, where to, nothing issued until confirmed.
    expect(page.locator("h1")).to_have_text("Xem trước giới thiệu về nơi cư trú")
    expect(page.locator("#preview-total")).to_have_text("2")
    expect(page.locator("#preview-destinations")).to_contain_text(ward.name)
    page.get_by_role("button", name="Xác nhận giới thiệu 2 đồng chí").click()

    expect(page.locator("h1")).to_have_text("Kết quả giới thiệu về nơi cư trú")
    expect(page.get_by_role("status")).to_contain_text("Đã giới thiệu 2 đồng chí")
    letters = {}
    for member in (received, returned):
        row = page.locator("tbody tr").filter(has_text=member.full_name)
        expect(row).to_contain_text(ward.name)
        letters[member.pk] = row.locator("td").nth(1).inner_text().strip()
        assert LETTER_RE.match(letters[member.pk]), letters[member.pk]
    assert len(set(letters.values())) == 2
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải giấy giới thiệu (.docx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    text = _docx_text(download.path())
    for member in (received, returned):
        assert member.full_name in text
        assert letters[member.pk] in text
    _log_out(page)

    # --- commune staff: a group in the cell, then receive one and return the other --------------
    log_in(page, "phuong", DEMO_PASSWORD)
    page.goto("/")
    page.get_by_role("link", name=re.compile("^Chi bộ nơi cư trú")).click()
    page.get_by_role("link", name=cell.name, exact=True).click()
    expect(page.locator("h1")).to_have_text(cell.name)
    page.get_by_label("Tên tổ/nhóm").fill(GROUP_NAME)
    page.get_by_role("button", name="Lập tổ/nhóm").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Đã lập tổ/nhóm “{GROUP_NAME}”")

    page.locator("#mainnav").get_by_role("link", name="Nơi cư trú").click()
    expect(page.locator("h1")).to_contain_text(ward.name)
    _incoming_actions(page, received.full_name).get_by_role("link", name="Tiếp nhận").click()
    expect(page.locator("h1")).to_have_text("Tiếp nhận đảng viên về nơi cư trú")
    expect(page.locator(".card")).to_contain_text(letters[received.pk])
    # The cell is suggested from the hamlet, and its groups are offered.
    expect(page.get_by_label("Chi bộ nơi cư trú")).to_have_value(str(cell.pk))
    page.get_by_label("Tổ/nhóm").select_option(label=GROUP_NAME)
    page.get_by_label("Cấp ủy viên theo dõi").fill("Trần Văn Bình")
    page.get_by_label("Điện thoại người theo dõi").fill("0912345678")
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text(
        f"Đã tiếp nhận đồng chí {received.full_name}, phân về {cell.name}."
    )

    _incoming_actions(page, returned.full_name).get_by_role("link", name="Trả lại").click()
    expect(page.locator("h1")).to_have_text("Trả lại giới thiệu về nơi công tác")
    page.get_by_label("Lý do trả lại").select_option(label="Sai địa chỉ")
    page.get_by_label("Ghi chú").fill(RETURN_NOTE)
    page.get_by_role("button", name="Tiếp tục", exact=True).click()
    expect(page.locator("#return-confirm")).to_contain_text("Sai địa chỉ")  # nothing returned yet
    page.get_by_role("button", name="Xác nhận trả lại", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text(
        f"Đã trả lại giới thiệu đồng chí {returned.full_name} về nơi công tác."
    )
    expect(page.locator("tr[data-row]").filter(has_text=received.full_name)).to_have_count(0)
    expect(page.locator("tr[data-row]").filter(has_text=returned.full_name)).to_have_count(0)
    _log_out(page)

    # --- the cell secretary sees the member in the group ----------------------------------------
    log_in(page, "chibotdp", DEMO_PASSWORD)
    page.goto("/")
    # A secretary of one cell goes from the home page straight to it.
    page.locator("#home-residence-cells").get_by_text("Chi bộ của tôi").click()
    expect(page.locator("h1")).to_have_text(cell.name)
    # The cell's groups fold (<details>); the member's group opens at a click on its name.
    group = page.locator("details.cell-group").filter(has=page.locator("summary", has_text=GROUP_NAME))
    expect(group.locator("summary")).to_have_text(f"{GROUP_NAME} (1)")
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    expect(group.locator("tbody tr")).to_have_count(1)
    expect(group.locator("tbody tr")).to_contain_text(received.full_name)
    expect(group.locator("tbody tr")).to_contain_text("Chờ chi bộ xác nhận")
    expect(page.locator("main")).not_to_contain_text(returned.full_name)
    _log_out(page)

    # --- the workplace sees both outcomes, unread ------------------------------------------------
    log_in(page, "coquan", DEMO_PASSWORD)
    unread = InboxItem.objects.filter(recipient_org=workplace, read_at__isnull=True).count()
    assert unread >= 2
    nav_inbox = page.locator("#nav-inbox")
    expect(nav_inbox.locator(".badge")).to_have_text(str(unread))
    nav_inbox.click()
    items = page.locator("#inbox-items > li")
    got = items.filter(has_text=f"đã tiếp nhận đồng chí {received.full_name}")
    expect(got).to_have_count(1)
    expect(got).to_contain_text("Nơi cư trú đã tiếp nhận")
    expect(got).to_contain_text(cell.name)
    back = items.filter(has_text=f"trả lại giới thiệu đồng chí {returned.full_name}")
    expect(back).to_have_count(1)
    expect(back).to_contain_text("Giới thiệu bị trả lại")
    expect(back).to_contain_text(f"sai địa chỉ ({RETURN_NOTE})")
    for item in (got, back):
        expect(item).to_have_class(re.compile("list-group-item-warning"))  # unread

    # --- a move of residence ends the link and opens the next introduction ----------------------
    got.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(received.full_name)
    expect(page.locator("main")).to_contain_text("Đã tiếp nhận")
    page.get_by_role("link", name="Hồ sơ đảng viên").click()
    page.get_by_role("link", name="Ghi nhận biến động").click()
    expect(page.locator("h1")).to_have_text(f"Ghi nhận biến động của đồng chí {received.full_name}")
    page.wait_for_load_state()  # htmx is set up on the province select once the page has loaded
    page.get_by_label("Loại biến động").select_option(label="Thay đổi nơi cư trú")
    commune_select = page.get_by_label(re.compile("^Xã/phường/đặc khu nơi cư trú mới"))
    page.get_by_label("Tỉnh/thành phố nơi cư trú mới").select_option(label=new_commune.province.name)
    # htmx fills the commune select once the province is chosen.
    expect(commune_select.locator("option", has_text=new_commune.name).first).to_be_attached()
    commune_select.select_option(label=new_commune.name)
    page.get_by_label("Thôn, tổ dân phố mới").fill("Thôn Đông")
    page.get_by_role("button", name="Ghi nhận và thông báo").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã mở hồ sơ giới thiệu về nơi cư trú mới")
    expect(page.locator("h1")).to_have_text(received.full_name)

    links = page.locator("#member-liaisons > li")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_contain_text(new_commune.name)
    expect(links.nth(0)).to_contain_text("Chưa giới thiệu")
    expect(links.nth(1)).to_contain_text(ward.name)
    expect(links.nth(1)).to_contain_text("Đã kết thúc")
    links.nth(1).get_by_role("link", name=ward.name).click()  # the follower's phone is a link too
    expect(page.locator("main")).to_contain_text("Đã kết thúc")
    expect(page.locator("main")).to_contain_text("Chuyển nơi cư trú")
    expect(page.locator("main")).to_contain_text(f"Hồ sơ tiếp theo: {new_commune.name} (chưa giới thiệu)")

    page.locator("#mainnav").get_by_role("link", name="Giữ mối liên hệ").click()
    page.get_by_label("Tình trạng giới thiệu").select_option(
        label="Chưa giới thiệu (chưa có hồ sơ, chưa gửi, bị trả lại)"
    )
    page.get_by_role("button", name="Lọc", exact=True).click()
    row = page.locator("#coverage-table tr[data-row]").filter(has_text=received.full_name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(new_commune.name)
    expect(row).to_contain_text("Chưa giới thiệu")

    # What the pages showed is what was stored.
    chain = list(Liaison.objects.filter(member=received).order_by("pk"))
    assert [liaison.status for liaison in chain] == ["ended", "draft"]
    assert chain[1].previous_id == chain[0].pk and chain[1].commune_id == new_commune.pk
    assert Liaison.objects.get(member=returned).return_reason == Liaison.ReturnReason.WRONG_ADDRESS


def test_bulk_introduce_preview_confirm_then_withdraw_one_letter(path_demo, page, log_in):
    """Issue 15, items 5 and 6: the preview says how many and where, the confirmation issues the
    letters, the result page reloads (no 405), and one letter is withdrawn: its number stays, marked
    "Đã thu hồi", the ward is told and the member is to introduce again."""
    kept, withdrawn = path_demo["received"], path_demo["returned"]
    ward = path_demo["ward"]
    log_in(page, "coquan", DEMO_PASSWORD)
    page.locator("#mainnav").get_by_role("link", name="Giữ mối liên hệ").click()
    page.get_by_label("Tình trạng giới thiệu").select_option(label="Chưa có hồ sơ")
    page.get_by_role("button", name="Lọc", exact=True).click()
    table = page.locator("#coverage-table")
    for member in (kept, withdrawn):
        table.get_by_label(f"Chọn {member.full_name}", exact=True).check()
    page.get_by_label("Họ tên người ký").fill("Ngô Văn Ký")
    page.get_by_role("button", name="Giới thiệu các đồng chí đã chọn").click()

    expect(page.locator("h1")).to_have_text("Xem trước giới thiệu về nơi cư trú")
    expect(page.locator("#preview-total")).to_have_text("2")
    expect(page.locator("#preview-destinations")).to_contain_text(ward.name)
    expect(page.locator("#preview-summary")).to_contain_text("Ngô Văn Ký")
    assert not Liaison.objects.filter(member__in=[kept, withdrawn], letter_number__isnull=False).exists()
    page.reload()  # the preview is a page of its own
    expect(page.locator("h1")).to_have_text("Xem trước giới thiệu về nơi cư trú")
    page.get_by_role("button", name="Xác nhận giới thiệu 2 đồng chí").click()

    expect(page.locator("h1")).to_have_text("Kết quả giới thiệu về nơi cư trú")
    page.reload()  # reloading after the confirmation gives the page again, not a 405
    expect(page.locator("h1")).to_have_text("Kết quả giới thiệu về nơi cư trú")
    expect(page.get_by_role("status")).to_contain_text("Đã giới thiệu 2 đồng chí")
    assert Liaison.objects.filter(member__in=[kept, withdrawn], letter_number__isnull=False).count() == 2

    row = page.locator("tbody tr").filter(has_text=withdrawn.full_name)
    reference = row.locator("td").nth(1).inner_text().strip()
    row.get_by_role("link", name=f"Thu hồi giấy giới thiệu của đồng chí {withdrawn.full_name}").click()
    expect(page.locator("h1")).to_have_text(f"Thu hồi giấy giới thiệu {reference}")
    page.get_by_label("Lý do thu hồi").fill("Nhầm nơi cư trú")
    page.get_by_role("button", name="Xác nhận thu hồi").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"Đã thu hồi giấy giới thiệu {reference}")
    expect(page.locator("#liaison-status")).to_have_text("Đã thu hồi")
    page.reload()
    expect(page.locator("#liaison-status")).to_have_text("Đã thu hồi")

    letter = Liaison.objects.get(member=withdrawn, letter_number__isnull=False)
    assert letter.is_withdrawn and letter.letter_reference == reference
    assert InboxItem.objects.filter(recipient_org=ward, liaison=letter, kind="withdrawn").exists()
    assert Member.objects.get(pk=withdrawn.pk).link_status == Member.LinkStatus.DRAFT
    assert Liaison.objects.get(member=kept, letter_number__isnull=False).status == Liaison.Status.INTRODUCED
