"""Issue 15, item 2 in the import: a new residence commune of a linked member is a move, listed in
the preview and recorded as the residence change event when applied."""

import pytest
from django.utils import timezone

from haichieu.liaisons.models import ChangeNotice, InboxItem, Liaison
from haichieu.members.imports import members_import
from haichieu.members.models import Member

from .import_files import workbook_bytes, write

pytestmark = pytest.mark.django_db

HEADER = [
    "Họ và tên",
    "Số thẻ đảng viên",
    "Điện thoại",
    "Thôn/Tổ dân phố",
    "Xã/Phường/Đặc khu",
    "Tỉnh/Thành phố",
]


def run(world, tmp_path, rows, *, user="w1_staff", apply=True):
    path = write(tmp_path, workbook_bytes([HEADER, *rows]))
    actor = getattr(world, user) if user else None
    return members_import(actor=actor, path=path, apply=apply, org=None if user else world.w1)


def moving(world, phone="0987654321"):
    return [
        world.m1.full_name,
        world.m1.party_card_number,
        phone,
        "Tổ dân phố Quán Thánh",
        "Phường Ba Đình",
        "Hà Nội",
    ]


def test_the_preview_lists_the_moves_and_writes_nothing(world, tmp_path):
    result = run(world, tmp_path, [moving(world)], apply=False)
    assert result.updated == 1 and result.invalid == 0
    assert [(m["name"], m["before"], m["after"]) for m in result.moves] == [
        ("Nguyễn Văn An", "Phường Hoàn Kiếm", "Phường Ba Đình")
    ]
    assert Liaison.objects.get(member=world.m1).status == Liaison.Status.ACTIVE


def test_applying_records_the_move_as_the_residence_change_event(world, tmp_path):
    result = run(world, tmp_path, [moving(world)])
    assert result.applied and result.updated == 1
    member = Member.objects.get(pk=world.m1.pk)
    assert member.residence_commune.code == "00004" and member.phone == "0987654321"
    assert member.address_hamlet == "Tổ dân phố Quán Thánh"
    old, new = Liaison.objects.filter(member=member).order_by("pk")
    assert old.status == Liaison.Status.ENDED and old.end_reason == Liaison.EndReason.MOVED
    assert new.status == Liaison.Status.DRAFT and new.commune_org == world.r2 and new.previous == old
    notice = ChangeNotice.objects.get(member=member)
    assert notice.recipient_org == world.r1 and notice.event_date == timezone.localdate()
    assert InboxItem.objects.filter(recipient_org=world.r1, kind="notice").count() == 1
    # Importing the same file again: nothing moves twice.
    again = run(world, tmp_path, [moving(world)])
    assert again.unchanged == 1 and not again.moves
    assert Liaison.objects.filter(member=member).count() == 2


def test_members_without_a_resident_link_just_change_address(world, tmp_path):
    m2 = world.m2
    result = run(
        world, tmp_path, [[m2.full_name, m2.party_card_number, None, None, "Phường Ba Đình", "Hà Nội"]]
    )
    assert result.applied and not result.moves
    assert Member.objects.get(pk=m2.pk).residence_commune.code == "00004"
    assert not ChangeNotice.objects.exists()


def test_a_refused_move_undoes_the_whole_import(world, tmp_path, monkeypatch):
    from haichieu.core.services import ServiceError
    from haichieu.members.imports import services

    def refuse(**kwargs):
        raise ServiceError("Không ghi nhận được biến động.")

    monkeypatch.setattr(services, "member_record_event", refuse)
    result = run(world, tmp_path, [moving(world)])
    assert not result.applied and result.file_error == "Không ghi nhận được biến động."
    member = Member.objects.get(pk=world.m1.pk)
    assert member.phone != "0987654321" and member.residence_commune.code == "00070"


def test_the_command_line_without_a_user_refuses_such_rows(world, tmp_path):
    result = run(world, tmp_path, [moving(world)], user=None)
    assert result.invalid == 1
    assert "cần người nhập (--user)" in result.errors[0].message
