"""At most one open link per member (issue 15.3): a database constraint on both databases, services
that answer with a message, a move recorded twice that changes nothing, and no re-introduction to
the same address after a return "not our area" without a changed address or a note."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from haichieu.core.services import ServiceError
from haichieu.liaisons import services
from haichieu.liaisons.models import ChangeNotice, InboxItem, Liaison, LiaisonEvent
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import build_world, make_member

S = Liaison.Status
TODAY = datetime.date(2026, 11, 20)
MOVE = ChangeNotice.Kind.RESIDENCE_CHANGE


def _open_links(member) -> int:
    return Liaison.objects.filter(member=member, status__in=Liaison.OPEN_STATUSES).count()


@pytest.mark.django_db
def test_the_constraint_names_the_open_statuses():
    (constraint,) = [c for c in Liaison._meta.constraints if c.name == "liaison_one_open_per_member"]
    assert constraint.condition.children == [("status__in", list(Liaison.OPEN_STATUSES))]


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_link(world):
    Liaison.objects.create(member=world.m2, status=S.ENDED)  # ended links are history: any number
    Liaison.objects.create(member=world.m2, status=S.ENDED)
    Liaison.objects.create(member=world.m2, status=S.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Liaison.objects.create(member=world.m2, status=S.RETURNED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Liaison.objects.create(member=world.m1, status=S.DRAFT)  # m1's link is active
    assert _open_links(world.m2) == 1


@pytest.mark.django_db
def test_the_same_move_recorded_twice_makes_one_open_link_and_one_notice(world):
    ba_dinh = Commune.objects.get(code="00004")
    move = dict(kind=MOVE, new_commune=ba_dinh, new_hamlet="Tổ dân phố Quán Thánh", new_street="12 Hàng Bún")
    services.member_record_event(
        actor=world.w1_staff, member=world.m1, event_date=TODAY - datetime.timedelta(days=2), **move
    )
    notices, events, inbox = (
        ChangeNotice.objects.count(),
        LiaisonEvent.objects.count(),
        InboxItem.objects.count(),
    )
    with pytest.raises(ServiceError) as error:
        services.member_record_event(
            actor=world.w1_staff, member=Member.objects.get(pk=world.m1.pk), event_date=TODAY, **move
        )
    assert "đã được ghi nhận chuyển nơi cư trú về Phường Ba Đình" in str(error.value)
    assert (ChangeNotice.objects.count(), LiaisonEvent.objects.count(), InboxItem.objects.count()) == (
        notices,
        events,
        inbox,
    )
    assert _open_links(world.m1) == 1


@pytest.mark.django_db
def test_another_move_before_the_introduction_readdresses_the_open_draft(world):
    ba_dinh, hoan_kiem = Commune.objects.get(code="00004"), Commune.objects.get(code="00070")
    first = services.member_record_event(
        actor=world.w1_staff, member=world.m1, kind=MOVE, event_date=TODAY, new_commune=ba_dinh
    )
    second = services.member_record_event(
        actor=world.w1_staff,
        member=Member.objects.get(pk=world.m1.pk),
        kind=MOVE,
        event_date=TODAY - datetime.timedelta(days=1),
        new_commune=hoan_kiem,
        new_hamlet="Tổ dân phố số 2",
    )
    assert second.new_liaison.pk == first.new_liaison.pk
    draft = Liaison.objects.get(pk=first.new_liaison.pk)
    assert (draft.status, draft.commune, draft.commune_org, draft.address_hamlet) == (
        S.DRAFT,
        hoan_kiem,
        world.r1,
        "Tổ dân phố số 2",
    )
    assert _open_links(world.m1) == 1
    assert draft.events.last().action == "readdress"


@pytest.mark.django_db
def test_introducing_again_to_the_address_returned_not_our_area_asks_for_a_change(world):
    hoan_kiem = Commune.objects.get(code="00070")
    member = make_member(world.w1c1, "Tạ Văn Trả", residence_commune=hoan_kiem, address_hamlet="Tổ 9")
    (link,) = services.liaison_introduce(actor=world.w1_staff, members=[member], today=TODAY).introduced
    services.liaison_return(actor=world.r1_staff, liaison=link, reason=Liaison.ReturnReason.NOT_OUR_AREA)
    member = Member.objects.select_related("workplace_cell").get(pk=member.pk)
    again = services.liaison_introduce(actor=world.w1_staff, members=[member], today=TODAY)
    assert again.introduced == []
    assert again.skipped == [
        (
            member,
            "đã bị trả lại (không thuộc địa bàn) với cùng địa chỉ: hãy sửa địa chỉ nơi cư trú "
            "hoặc ghi chú lý do giới thiệu lại",
        )
    ]
    # With a note it goes; the note is in the link's history.
    noted = services.liaison_introduce(
        actor=world.w1_staff, members=[member], today=TODAY, note="Đã xác minh: tổ 9 thuộc phường"
    )
    assert [liaison.pk for liaison in noted.introduced] == [link.pk]
    assert "Đã xác minh" in Liaison.objects.get(pk=link.pk).events.last().note
    # A changed address needs no note.
    services.liaison_return(actor=world.r1_staff, liaison=link, reason=Liaison.ReturnReason.WRONG_ADDRESS)
    Member.objects.filter(pk=member.pk).update(address_hamlet="Tổ 10")
    member = Member.objects.select_related("workplace_cell").get(pk=member.pk)
    assert services.liaison_introduce(actor=world.w1_staff, members=[member], today=TODAY).introduced
    assert _open_links(member) == 1


@pytest.mark.django_db
def test_a_draft_made_by_someone_else_meanwhile_is_a_message_not_an_error(world, monkeypatch):
    """The link another writer opened between the read and the insert: the constraint refuses it and
    the member is skipped with the reason, the rest of the batch goes on."""
    hoan_kiem = Commune.objects.get(code="00070")
    member = make_member(world.w1c1, "Lò Văn Đua", residence_commune=hoan_kiem)
    other = make_member(world.w1c2, "Lò Thị Khác", residence_commune=hoan_kiem)
    real_create = Liaison.objects.create

    def racing_create(**fields):
        if fields["member"] == member:  # the other writer's link, committed a moment earlier
            raise IntegrityError("UNIQUE constraint failed: liaison_one_open_per_member")
        return real_create(**fields)

    monkeypatch.setattr(Liaison.objects, "create", racing_create)
    result = services.liaison_introduce(actor=world.w1_staff, members=[member, other], today=TODAY)
    assert [liaison.member for liaison in result.introduced] == [other]
    assert result.skipped == [(member, "vừa được người khác lập hồ sơ giữ mối liên hệ: hãy tải lại trang")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_users_at_once_make_one_open_link():
    world = build_world()
    ba_dinh = Commune.objects.get(code="00004")
    member = make_member(world.w1c1, "Đồng Thời Hai", residence_commune=ba_dinh)
    outcomes: list = []

    def at_once(action, *args):
        barrier = threading.Barrier(2)

        def run():
            try:
                barrier.wait()
                outcomes.append(action(*args))
            except IntegrityError:
                outcomes.append("refused")
            except Exception as exc:  # noqa: BLE001 - shown by the assertions below
                outcomes.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def introduce(pk):
        fresh = Member.objects.select_related("workplace_cell", "residence_commune").get(pk=pk)
        return len(services.liaison_introduce(actor=world.w1_staff, members=[fresh], today=TODAY).introduced)

    def insert(pk):
        with transaction.atomic():
            Liaison.objects.create(member_id=pk, status=S.DRAFT)
        return "inserted"

    at_once(introduce, member.pk)
    assert sorted(outcomes, key=str) == [0, 1]
    assert _open_links(member) == 1
    # The constraint alone: two inserts at once for another member, one is refused.
    outcomes.clear()
    other = make_member(world.w1c1, "Đồng Thời Ba", residence_commune=ba_dinh)
    at_once(insert, other.pk)
    assert sorted(outcomes) == ["inserted", "refused"]
    assert _open_links(other) == 1


@pytest.mark.django_db
def test_the_coverage_page_sends_the_note_with_the_introduction(world, client_for):
    from django.urls import reverse

    hoan_kiem = Commune.objects.get(code="00070")
    member = make_member(world.w1c1, "Tạ Văn Ghi", residence_commune=hoan_kiem)
    (link,) = services.liaison_introduce(actor=world.w1_staff, members=[member], today=TODAY).introduced
    services.liaison_return(actor=world.r1_staff, liaison=link, reason=Liaison.ReturnReason.NOT_OUR_AREA)
    client = client_for(world.w1_staff)
    assert 'name="note"' in client.get(reverse("liaisons:coverage")).content.decode()
    # The preview says why the member would be refused, and the confirmation refuses it.
    refused = client.post(reverse("liaisons:introduce"), {"member": [member.pk], "all": "0"}, follow=True)
    assert "hãy sửa địa chỉ nơi cư trú hoặc ghi chú" in refused.content.decode()
    batch = refused.context["batch"]
    client.post(reverse("liaisons:introduce_confirm", args=[batch.pk]))
    assert Liaison.objects.get(pk=link.pk).status == S.RETURNED
    # With a note, the preview lists no refusal and the confirmation introduces again.
    noted = client.post(
        reverse("liaisons:introduce"),
        {"member": [member.pk], "all": "0", "note": "Đã xác minh lại"},
        follow=True,
    )
    assert "hãy sửa địa chỉ nơi cư trú hoặc ghi chú" not in noted.content.decode()
    client.post(reverse("liaisons:introduce_confirm", args=[noted.context["batch"].pk]))
    assert Liaison.objects.get(pk=link.pk).status == S.INTRODUCED
    assert "Đã xác minh lại" in link.events.latest("pk").note
