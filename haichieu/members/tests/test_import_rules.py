"""What an import does to the data: form rules, matching, no blanking, idempotence, scope, all or nothing."""

import datetime

import pytest

from haichieu.core.models import AuditEntry
from haichieu.liaisons.models import Liaison
from haichieu.members.imports import members_import
from haichieu.members.models import Member
from haichieu.testing import make_member

from .import_files import workbook_bytes, write

pytestmark = pytest.mark.django_db

HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số thẻ đảng viên",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số CCCD",
    "Điện thoại",
    "Chức vụ",
    "Chi bộ",
]


def row(name="Phạm Văn Dũng", card="93600001", **over):
    values = dict(
        name=name,
        born="05/06/1980",
        gender="Nam",
        card=card,
        admitted="02/01/2005",
        full="02/01/2006",
        nid=None,
        phone=None,
        position=None,
        cell="W1C1",
    )
    values.update(over)
    return list(values.values())


def run(world, tmp_path, rows, *, user=None, apply=True, name="ds.xlsx", **kwargs):
    path = write(tmp_path, workbook_bytes([HEADER, *rows]), name)
    return members_import(actor=user or world.w1_staff, path=path, apply=apply, source_name=name, **kwargs)


def snapshot_members():
    return list(Member.objects.order_by("pk").values())


@pytest.mark.parametrize(
    "over, column, message",
    [
        (dict(name="Dũng"), "Họ và tên", "Họ và tên phải có ít nhất họ và tên (hai từ trở lên)."),
        (dict(name="Phạm Văn 2"), "Họ và tên", "Họ và tên chỉ gồm chữ cái và khoảng trắng."),
        (
            dict(card="12"),
            "Số thẻ đảng viên",
            "Số thẻ đảng viên chỉ gồm chữ số (có thể có dấu chấm, gạch), 4–20 ký tự.",
        ),
        (dict(nid="0010800012"), "Số CCCD", "Số CCCD phải gồm đúng 12 chữ số (số CMND cũ: đúng 9 chữ số)."),
        (
            dict(phone="12345"),
            "Điện thoại",
            "Số điện thoại không hợp lệ: 10 chữ số bắt đầu bằng 0 (hoặc +84).",
        ),
        (dict(gender="Khác"), "Giới tính", "Giới tính không hợp lệ. Ghi “Nam” hoặc “Nữ”."),
        (dict(admitted="01/01/1990"), "Ngày vào Đảng", "Người vào Đảng phải đủ 18 tuổi."),
        (dict(admitted="01/01/1979"), "Ngày vào Đảng", "Ngày vào Đảng phải sau ngày sinh."),
        (dict(full="01/01/2004"), "Ngày chính thức", "Ngày chính thức không được trước ngày vào Đảng."),
        (dict(born="01/01/2999"), "Ngày sinh", "Ngày không được ở tương lai."),
        (dict(card=None), "Số thẻ đảng viên", "Vui lòng nhập số thẻ đảng viên."),
        (dict(born=None), "Ngày sinh", "Vui lòng nhập ngày sinh."),
        (dict(cell=None), "Chi bộ", "Vui lòng nhập chi bộ sinh hoạt chính thức."),
        (dict(position="x" * 256), "Chức vụ", "Giá trị này chỉ có tối đa 255 kí tự (hiện có 256)"),
    ],
)
def test_rows_are_checked_with_the_member_form_rules(world, tmp_path, over, column, message):
    result = run(world, tmp_path, [row(**over)], apply=False)
    assert result.invalid == 1
    assert ("Danh sách", 2, column, message) in [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def test_the_same_rules_as_the_form(world, client_for):
    """A row the import refuses is a form the member page refuses, with the same message."""
    from haichieu.members.forms import MemberForm

    form = MemberForm(
        data={
            "full_name": "Phạm Văn 2",
            "gender": "male",
            "date_of_birth": "05/06/1980",
            "party_card_number": "12",
            "admission_date": "01/01/1990",
            "status": "full",
            "full_membership_date": "01/01/1991",
            "workplace_cell": world.w1c1.pk,
            "residence_type": "permanent",
            "phone": "12345",
        },
        user=world.w1_staff,
    )
    assert not form.is_valid()
    assert form.errors["full_name"] == ["Họ và tên chỉ gồm chữ cái và khoảng trắng."]
    assert form.errors["party_card_number"] == [
        "Số thẻ đảng viên chỉ gồm chữ số (có thể có dấu chấm, gạch), 4–20 ký tự."
    ]
    assert form.errors["admission_date"] == ["Người vào Đảng phải đủ 18 tuổi."]
    assert form.errors["phone"] == ["Số điện thoại không hợp lệ: 10 chữ số bắt đầu bằng 0 (hoặc +84)."]


def test_an_existing_member_is_updated_never_duplicated_and_blanks_keep_values(world, tmp_path):
    m1 = world.m1
    before = Member.objects.get(pk=m1.pk)
    rows = [[m1.full_name, None, None, m1.party_card_number, None, None, None, "0987654321", None, None]]
    result = run(world, tmp_path, rows)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    after = Member.objects.get(pk=m1.pk)
    assert after.phone == "0987654321" and after.version == before.version + 1
    for name in ("date_of_birth", "gender", "national_id", "position", "workplace_cell_id", "admission_date"):
        assert getattr(after, name) == getattr(before, name), name
    assert Member.objects.filter(party_card_number=m1.party_card_number).count() == 1
    entry = AuditEntry.objects.filter(
        target_type="members.member", target_id=str(m1.pk), action="update"
    ).get()
    assert entry.changes == {"phone": ["0912345678", "0987654321"]}
    assert entry.actor == world.w1_staff and entry.note == "Nhập từ tệp ds.xlsx"
    assert after.link_status == Liaison.Status.ACTIVE  # the link is not the import's business


def test_matching_by_national_id_when_the_row_has_no_card_number(world, tmp_path):
    m2 = world.m2
    result = run(
        world, tmp_path, [[m2.full_name, None, None, None, None, None, m2.national_id, None, "Văn thư", None]]
    )
    assert (result.updated, result.created, result.invalid) == (1, 0, 0), result.errors
    assert Member.objects.get(pk=m2.pk).position == "Văn thư"
    # A national ID that belongs to a member with another card number is not silently re-keyed.
    result = run(world, tmp_path, [row(card="93600009", nid=m2.national_id)], name="b.xlsx")
    assert result.invalid == 1 and result.errors[0].column == "Số thẻ đảng viên"
    assert "đã thuộc một đảng viên có số thẻ khác" in result.errors[0].message


def test_the_same_member_twice_in_a_file_is_reported(world, tmp_path):
    result = run(world, tmp_path, [row(), row("Phạm Văn Dũng", "93600001")], apply=False)
    assert result.created == 1 and result.invalid == 1
    assert (
        result.errors[0].row == 3 and result.errors[0].message == "Số thẻ đảng viên trùng với dòng 2 của tệp."
    )


def test_importing_the_same_file_again_changes_nothing(world, tmp_path):
    rows = [
        row(),
        row("Hoàng Thị Mai", "93600002", gender="Nữ", full=None),
        [
            world.m1.full_name,
            None,
            None,
            world.m1.party_card_number,
            None,
            None,
            None,
            None,
            "Trưởng phòng",
            None,
        ],
    ]
    first = run(world, tmp_path, rows)
    assert (first.created, first.updated) == (2, 1)
    state, entries = snapshot_members(), AuditEntry.objects.count()
    second = run(world, tmp_path, rows)
    assert (second.created, second.updated, second.unchanged, second.invalid) == (0, 0, 3, 0)
    assert snapshot_members() == state and AuditEntry.objects.count() == entries


def test_new_members_are_audited_like_the_service_does(world, tmp_path):
    run(world, tmp_path, [row(nid="001080001234")])
    member = Member.objects.get(party_card_number="93600001")
    entry = AuditEntry.objects.get(target_type="members.member", target_id=str(member.pk))
    assert entry.action == "create" and entry.actor == world.w1_staff
    after = entry.changes["after"]
    assert after["full_name"] == "Phạm Văn Dũng" and after["workplace_cell"] == world.w1c1.name
    assert after["date_of_birth"] == "1980-06-05" and after["national_id"] == "001080001234"
    assert member.link_status == "none" and member.sort_key and member.name_folded == "pham van dung"


def test_members_outside_the_scope_are_refused_never_moved(world, tmp_path):
    """Another committee's member, by card or by national ID: refused without saying it exists
    (issue 9, finding 2: the neutral message, tests in test_import_collisions.py)."""
    m3 = world.m3  # W2C1: the other committee's member
    Member.objects.filter(pk=m3.pk).update(national_id="001085099999")
    m3.refresh_from_db()
    rows = [
        [m3.full_name, None, None, m3.party_card_number, None, None, None, None, "Giám đốc", None],
        [m3.full_name, None, None, None, None, None, m3.national_id, None, None, "W1C1"],  # found by CCCD
        [world.m1.full_name, None, None, world.m1.party_card_number, None, None, None, None, None, "W2C1"],
    ]
    state = snapshot_members()
    result = run(world, tmp_path, rows, skip_invalid=True)
    assert result.invalid == 3 and result.created == result.updated == 0
    by_row = {e.row: (e.column, e.message) for e in result.errors}
    neutral = "Không thể dùng số thẻ/số định danh này: hãy kiểm tra lại hoặc liên hệ ban tổ chức cấp trên."
    assert by_row[2] == ("Số thẻ đảng viên", neutral)
    assert by_row[3] == ("Số CCCD", neutral)
    assert by_row[4] == (
        "Chi bộ",
        "Không tìm thấy chi bộ “W2C1” trong phạm vi của bạn (ghi mã hoặc tên chi bộ).",
    )
    assert snapshot_members() == state


def test_the_command_line_org_narrows_the_scope(world, tmp_path):
    m3 = world.m3
    rows = [[m3.full_name, None, None, m3.party_card_number, None, None, None, None, "Giám đốc", None]]
    path = write(tmp_path, workbook_bytes([HEADER, *rows]))
    result = members_import(actor=None, path=path, org=world.w1, apply=True)
    assert result.invalid == 1 and Member.objects.get(pk=m3.pk).position != "Giám đốc"
    result = members_import(actor=None, path=path, org=world.w2, apply=True)
    assert result.updated == 1 and Member.objects.get(pk=m3.pk).position == "Giám đốc"


def test_any_invalid_row_stops_the_whole_import_unless_only_valid_rows_are_asked_for(world, tmp_path):
    rows = [row(), row("Sai", "93600002"), row("Hoàng Thị Mai", "93600003", gender="Nữ", full=None)]
    state = snapshot_members()
    result = run(world, tmp_path, rows)
    assert not result.applied and result.invalid == 1 and result.created == 0
    assert snapshot_members() == state
    result = run(world, tmp_path, rows, skip_invalid=True)
    assert result.applied and (result.created, result.invalid) == (2, 1)
    assert set(
        Member.objects.filter(party_card_number__startswith="936").values_list("party_card_number", flat=True)
    ) == {
        "93600001",
        "93600003",
    }


def test_a_failure_half_way_leaves_the_database_as_it_was(world, tmp_path, monkeypatch):
    rows = [row(), row("Hoàng Thị Mai", "93600002", gender="Nữ", full=None)]
    rows += [
        [m.full_name, None, None, m.party_card_number, None, None, None, None, "Phó phòng", None]
        for m in (world.m1, world.m2)
    ]
    state, entries = snapshot_members(), AuditEntry.objects.count()

    from haichieu.members.imports import services as import_services

    real_update = import_services.bulk_update_versioned
    calls = []

    def failing_update(model, changes, **kwargs):
        calls.append(real_update(model, changes, **kwargs))  # the new members are in, the updates done
        raise RuntimeError("disk full")  # and now the disk fails

    monkeypatch.setattr(import_services, "bulk_update_versioned", failing_update)
    with pytest.raises(RuntimeError):
        run(world, tmp_path, rows)
    monkeypatch.undo()
    assert calls == [{world.m1.pk, world.m2.pk}]
    assert snapshot_members() == state and AuditEntry.objects.count() == entries


def test_a_failure_writing_the_audit_entries_undoes_the_members(world, tmp_path, monkeypatch):
    state = snapshot_members()

    from haichieu.core import audit

    write = audit.bulk_insert  # the audit module writes the import's entries (audit_bulk)

    def boom(model, rows):
        if model is AuditEntry:  # the members are written by then
            raise RuntimeError("audit table locked")
        return write(model, rows)

    monkeypatch.setattr(audit, "bulk_insert", boom)
    with pytest.raises(RuntimeError):
        run(world, tmp_path, [row(), row("Hoàng Thị Mai", "93600002", gender="Nữ", full=None)])
    assert snapshot_members() == state


def test_a_probationary_member_keeps_the_form_rule_on_the_full_membership_date(world, tmp_path):
    member = make_member(
        world.w1c1, "Lê Thị Dự Bị", status=Member.Status.PROBATIONARY, full_membership_date=None
    )
    rows = [
        [member.full_name, None, None, member.party_card_number, None, "01/01/2012", None, None, None, None]
    ]
    result = run(world, tmp_path, rows, apply=False)
    assert result.errors[0].message == "Đảng viên dự bị chưa có ngày chính thức: hãy để trống."
    assert result.errors[0].column == "Ngày chính thức"


def test_the_default_cell_is_used_only_for_new_members_without_one(world, tmp_path):
    rows = [
        row(cell=None),
        [world.m2.full_name, None, None, world.m2.party_card_number, None, None, None, None, None, None],
    ]
    result = run(world, tmp_path, rows, default_cell=world.w1c2)
    assert (result.created, result.unchanged) == (1, 1)
    assert Member.objects.get(party_card_number="93600001").workplace_cell == world.w1c2
    assert Member.objects.get(pk=world.m2.pk).workplace_cell == world.w1c2  # m2 was already there


def test_today_is_the_reference_for_future_dates(world, tmp_path):
    result = run(world, tmp_path, [row(full="01/01/2030")], apply=False, today=datetime.date(2026, 1, 1))
    assert result.errors[0].message == "Ngày không được ở tương lai."


def test_a_member_saved_by_someone_else_during_the_import_stops_it(world, tmp_path, monkeypatch):
    from haichieu.members.imports import services as import_services

    rows = [
        row(),
        [
            world.m1.full_name,
            None,
            None,
            world.m1.party_card_number,
            None,
            None,
            None,
            None,
            "Phó phòng",
            None,
        ],
    ]
    state, entries = snapshot_members(), AuditEntry.objects.count()
    real_plan = import_services._plan

    def plan_read_before_someone_saved(rows, *args, **kwargs):
        real_plan(rows, *args, **kwargs)
        for planned in rows:
            if planned.existing and planned.existing["pk"] == world.m1.pk:
                planned.existing["version"] -= 1  # the stored record has moved on since

    monkeypatch.setattr(import_services, "_plan", plan_read_before_someone_saved)
    result = run(world, tmp_path, rows)
    assert not result.applied and (result.created, result.updated) == (0, 0)
    assert "vừa được người khác sửa trong lúc nhập" in result.file_error and "(dòng 3)" in result.file_error
    assert snapshot_members() == state and AuditEntry.objects.count() == entries


def test_a_repeated_value_is_read_once_but_equal_values_of_other_kinds_are_read_apart():
    from haichieu.members.imports.services import _RowParser

    parse = _RowParser(datetime.date(2026, 11, 22))
    assert parse({"date_of_birth": 25000})[0] == {"date_of_birth": datetime.date(1968, 6, 11)}
    assert parse({"date_of_birth": 25000.0})[0] == {"date_of_birth": datetime.date(1968, 6, 11)}
    assert parse({"gender": 1})[1] == parse({"gender": True})[1] != []
    # Excel's day 1 is no member's date (issue 16): refused, not read as 1 January 1900.
    assert parse({"date_of_birth": 1})[1] == [
        ("date_of_birth", "Số “1” không phải là ngày. Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy.")
    ]
    values, errors = parse({"date_of_birth": True})  # a TRUE cell is no date, whatever 1 was
    assert values == {} and errors and errors[0][0] == "date_of_birth"
    assert (
        parse({"position": "Chuyên viên"})
        == parse({"position": "Chuyên viên"})
        == ({"position": "Chuyên viên"}, [])
    )
