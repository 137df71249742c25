"""Card numbers and national IDs held outside the user's sight (issue 9, finding 2).

The review: as workplace or ward staff, a row with an out-of-scope member's national ID answered
"belongs to an organisation outside your scope", an unknown one something else, and the create form
"this card number already exists": 50,000 IDs a file could be tested for party membership.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from haichieu.accounts.models import Role
from haichieu.core.models import AuditEntry
from haichieu.members.collisions import LIMIT_MESSAGE, NEUTRAL_MESSAGE
from haichieu.members.imports import members_import
from haichieu.members.models import Member
from haichieu.testing import make_user

from .import_files import workbook_bytes, write
from .test_views import _form_payload

pytestmark = pytest.mark.django_db

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Số CCCD", "Chi bộ"]
OUTSIDE_NID = "001085099999"


@pytest.fixture
def m3(world):
    """The other committee's member (W2C1), with a national ID."""
    Member.objects.filter(pk=world.m3.pk).update(national_id=OUTSIDE_NID)
    world.m3.refresh_from_db()
    return world.m3


def new_row(card, nid=None, cell="W1C1", name="Phạm Văn Dũng"):
    return [name, "05/06/1980", "Nam", card, "02/01/2005", nid, cell]


def run(user, tmp_path, rows, name="ds.xlsx", **kwargs):
    path = write(tmp_path, workbook_bytes([HEADER, *rows]), name)
    return members_import(actor=user, path=path, source_name=name, **kwargs)


def collisions(user=None):
    entries = AuditEntry.objects.filter(action="collision")
    return entries.filter(actor=user) if user is not None else entries


def test_a_value_held_outside_the_scope_gets_one_neutral_message_and_an_audit_entry(world, m3, tmp_path):
    rows = [
        new_row(m3.party_card_number),  # another committee's card number, as a new member
        new_row("93600002", nid=OUTSIDE_NID),  # a new card with another committee's national ID
        new_row("93600004", nid="001085011111"),  # unknown: a new member
    ]
    result = run(world.w1_staff, tmp_path, rows)
    assert (result.invalid, result.created) == (2, 1)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "Số thẻ đảng viên", NEUTRAL_MESSAGE),
        (3, "Số CCCD", NEUTRAL_MESSAGE),
    ]
    # Found by national ID alone (no card number): the same answer, the same value counted once.
    result = run(
        world.w1_staff, tmp_path, [[m3.full_name, None, None, None, None, OUTSIDE_NID, None]], "b.xlsx"
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [(2, "Số CCCD", NEUTRAL_MESSAGE)]
    entries = list(collisions(world.w1_staff))
    assert sorted(e.target_repr for e in entries) == ["Số CCCD", "Số thẻ đảng viên"]  # one per distinct value
    for entry in entries:
        text = f"{entry.target_type} {entry.target_id} {entry.target_repr} {entry.changes} {entry.note}"
        assert entry.target_type == "members.identifier" and entry.note == "Nhập từ tệp ds.xlsx"
        assert entry.changes["kind"] in ("party_card_number", "national_id")
        assert entry.target_id != str(m3.pk)
        for secret in (m3.full_name, m3.party_card_number, OUTSIDE_NID, "W2"):
            assert secret not in text


def test_the_message_names_nothing_and_reads_the_same_for_a_refused_value(world, m3, tmp_path):
    """Neither the member, nor the organisation, nor that the value exists."""
    for word in ("ngoài phạm vi", "đã có", "đã thuộc", "tồn tại", m3.full_name, "Điện lực"):
        assert word not in NEUTRAL_MESSAGE


def test_ward_staff_do_not_match_a_member_they_see_only_from_the_residence_side(world, m3, tmp_path):
    """r2_staff sees m3 through the link to Ba Đình, but not the national ID (a workplace field)."""
    result = run(world.r2_staff, tmp_path, [[m3.full_name, None, None, None, None, OUTSIDE_NID, "R2C1"]])
    assert [(e.column, e.message) for e in result.errors] == [("Số CCCD", NEUTRAL_MESSAGE)]
    assert collisions(world.r2_staff).count() == 1


def test_a_member_the_user_sees_but_may_not_change_keeps_the_plain_message(world, m3, tmp_path):
    """Reading the whole province and writing one cell: the member is visible, nothing to hide."""
    reader = make_user("reader_writer", (Role.Kind.VIEWER, world.province), (Role.Kind.SECRETARY, world.w1c1))
    result = run(reader, tmp_path, [new_row(m3.party_card_number)])
    assert result.errors[0].message.startswith("Đảng viên này thuộc tổ chức đảng ngoài phạm vi của bạn")
    assert not collisions().exists()


def test_the_command_line_keeps_its_messages(world, m3, tmp_path):
    path = write(tmp_path, workbook_bytes([HEADER, new_row(m3.party_card_number)]))
    result = members_import(actor=None, path=path, org=world.w1)
    assert result.errors[0].message.startswith("Đảng viên này thuộc tổ chức đảng ngoài phạm vi của bạn")
    assert not collisions().exists()


def test_the_preview_and_its_confirmation_count_a_value_once(world, m3, tmp_path):
    rows = [new_row(m3.party_card_number), new_row("93600002")]
    run(world.w1_staff, tmp_path, rows)
    run(world.w1_staff, tmp_path, rows, apply=True, skip_invalid=True)
    assert collisions(world.w1_staff).count() == 1
    assert Member.objects.filter(party_card_number="93600002").exists()


def _many_outside(world, n):
    """`n` members of the other committee, with their card numbers."""
    from haichieu.testing import make_member

    return [
        make_member(world.w2c1, "Lê Văn Bốn", party_card_number=f"8800{i:04d}").party_card_number
        for i in range(n)
    ]


def test_past_the_limit_the_import_answers_nothing_and_the_administrators_are_told(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.HAICHIEU = {**settings.HAICHIEU, "COLLISION_LIMIT_PER_DAY": 3}
    world.admin.email = "quantri@example.vn"
    world.admin.save()
    cards = _many_outside(world, 6)
    # Three values: answered (the limit is three a day).
    result = run(world.w1_staff, tmp_path, [new_row(c) for c in cards[:3]] + [new_row("93600009")])
    assert result.invalid == 3 and result.created == 1 and not result.file_error
    assert not mail.outbox
    # Two more in one file: past the limit, the file gets no answer row by row.
    with django_capture_on_commit_callbacks(execute=True):
        result = run(
            world.w1_staff, tmp_path, [new_row(c) for c in cards[3:5]] + [new_row("93600010")], "b.xlsx"
        )
    assert result.file_error == LIMIT_MESSAGE
    assert (result.rows, result.invalid, result.created, result.errors) == (0, 0, 0, [])
    assert collisions(world.w1_staff).count() == 5
    [message] = mail.outbox
    assert message.to == ["quantri@example.vn"] and "w1_staff" in message.subject
    assert "5 số thẻ" in message.body and "ngưỡng 3" in message.body
    for card in cards:
        assert card not in message.body
    # Past it, even a harmless file is refused (refusing must not tell which values collide), and
    # applying nothing; the administrators are not told twice.
    with django_capture_on_commit_callbacks(execute=True):
        result = run(world.w1_staff, tmp_path, [new_row("93600011")], "c.xlsx", apply=True)
    assert (
        result.file_error == LIMIT_MESSAGE
        and not Member.objects.filter(party_card_number="93600011").exists()
    )
    assert len(mail.outbox) == 1
    # Other users are not concerned; the next day the user is answered again.
    assert run(world.w2_staff, tmp_path, [new_row(cards[5], cell="W2C1")], "d.xlsx").file_error == ""
    collisions(world.w1_staff).update(
        at=AuditEntry.objects.get(pk=collisions().first().pk).at - datetime.timedelta(days=1)
    )
    assert run(world.w1_staff, tmp_path, [new_row("93600011")], "e.xlsx").created == 1


def test_the_upload_shows_the_limit_message(world, client_for, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "COLLISION_LIMIT_PER_DAY": 0,
        "IMPORT_DIR": str(tmp_path / "uploads"),
    }
    [card] = _many_outside(world, 1)
    data = workbook_bytes([HEADER, new_row(card)])
    response = client_for(world.w1_staff).post(
        reverse("members:import"), {"file": SimpleUploadedFile("ds.xlsx", data)}
    )
    assert response.status_code == 200 and LIMIT_MESSAGE in response.content.decode()
    assert not list((tmp_path / "uploads").rglob("*.xlsx"))


# --- the member form ---------------------------------------------------------------------------------
def _create(client, card, **extra):
    payload = _form_payload(Member(**{**_TEMPLATE, **extra}), party_card_number=card, version="")
    return client.post(reverse("members:create"), payload)


_TEMPLATE = dict(
    full_name="Vũ Thị Hoa",
    gender="female",
    date_of_birth=datetime.date(1985, 5, 17),
    admission_date=datetime.date(2010, 3, 2),
    full_membership_date=datetime.date(2011, 3, 2),
    status="full",
    national_id="",
    phone="",
    email="",
    position="",
    workplace_unit="",
    residence_type="permanent",
)


def test_the_create_form_does_not_say_a_card_number_exists_outside_the_scope(world, m3, client_for):
    client = client_for(world.w1_staff)
    page = _create(client, m3.party_card_number, workplace_cell_id=world.w1c1.pk).content.decode()
    assert NEUTRAL_MESSAGE in page and "đã có trong hệ thống" not in page
    assert Member.objects.filter(party_card_number=m3.party_card_number).count() == 1
    [entry] = collisions(world.w1_staff)
    assert entry.target_repr == "Số thẻ đảng viên" and entry.note == "Biểu mẫu thêm, sửa đảng viên"
    # A card number the user sees: the plain answer, nothing recorded.
    page = _create(client, world.m2.party_card_number, workplace_cell_id=world.w1c1.pk).content.decode()
    assert "Số thẻ đảng viên này đã có trong hệ thống" in page
    assert collisions().count() == 1


def test_the_edit_form_does_not_say_it_either(world, m3, client_for):
    m2 = world.m2
    payload = _form_payload(m2, party_card_number=m3.party_card_number)
    page = client_for(world.w1_staff).post(reverse("members:update", args=[m2.pk]), payload).content.decode()
    assert NEUTRAL_MESSAGE in page and "đã có trong hệ thống" not in page
    assert collisions(world.w1_staff).count() == 1


def test_past_the_limit_the_form_refuses_everything(
    world, m3, client_for, settings, django_capture_on_commit_callbacks
):
    settings.HAICHIEU = {**settings.HAICHIEU, "COLLISION_LIMIT_PER_DAY": 1}
    world.admin.email = "quantri@example.vn"
    world.admin.save()
    client = client_for(world.w1_staff)
    other = _many_outside(world, 1)[0]
    assert (
        NEUTRAL_MESSAGE
        in _create(client, m3.party_card_number, workplace_cell_id=world.w1c1.pk).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        page = _create(client, other, workplace_cell_id=world.w1c1.pk).content.decode()
    assert LIMIT_MESSAGE in page and NEUTRAL_MESSAGE not in page
    assert len(mail.outbox) == 1
    # A fresh card number, or one the user sees, gets the same refusal; nothing is written.
    for card in ("55667788", world.m2.party_card_number):
        page = _create(client, card, workplace_cell_id=world.w1c1.pk).content.decode()
        assert LIMIT_MESSAGE in page and "đã có trong hệ thống" not in page
    assert not Member.objects.filter(party_card_number="55667788").exists()
    payload = _form_payload(world.m2, position="Trưởng phòng")
    page = client.post(reverse("members:update", args=[world.m2.pk]), payload).content.decode()
    assert LIMIT_MESSAGE in page and Member.objects.get(pk=world.m2.pk).position != "Trưởng phòng"
