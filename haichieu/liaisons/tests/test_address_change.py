"""Issue 15, item 2: a new residence commune of a linked member, in the member form, is a move or a
correction, and the user says which; the move is the "Ghi nhận biến động" residence change."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from haichieu.core.models import AuditEntry
from haichieu.liaisons.models import ChangeNotice, InboxItem, Liaison, LiaisonEvent
from haichieu.members.models import Member
from haichieu.members.tests.test_views import _form_payload
from haichieu.organizations.models import Commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def ba_dinh(world):
    return Commune.objects.get(code="00004")


def _post(client, member, **extra):
    member.refresh_from_db()
    return client.post(reverse("members:update", args=[member.pk]), _form_payload(member, **extra))


def test_new_commune_of_a_linked_member_asks_and_writes_nothing(world, client_for, ba_dinh):
    client = client_for(world.w1_staff)
    response = _post(client, world.m1, residence_commune=ba_dinh.pk, position="Trưởng phòng")
    assert response.status_code == 200
    form = response.context["form"]
    assert "address_change" in form.errors
    body = response.content.decode()
    assert "Chuyển nơi cư trú (ghi nhận biến động)" in body and "Sửa lỗi nhập (giữ liên hệ)" in body
    world.m1.refresh_from_db()
    assert world.m1.residence_commune.code == "00070" and world.m1.position != "Trưởng phòng"
    assert Liaison.objects.get(member=world.m1).status == Liaison.Status.ACTIVE
    assert not ChangeNotice.objects.exists()


def test_the_edit_form_asks_nothing_before_a_commune_changes(world, client_for):
    body = client_for(world.w1_staff).get(reverse("members:update", args=[world.m1.pk])).content.decode()
    assert "address_change" not in body


def test_a_move_ends_the_link_tells_the_residence_and_opens_the_introduction(world, client_for, ba_dinh):
    client = client_for(world.w1_staff)
    response = _post(
        client,
        world.m1,
        residence_commune=ba_dinh.pk,
        address_hamlet="Tổ dân phố Quán Thánh",
        position="Trưởng phòng",
        address_change="move",
        move_date="01/11/2026",
    )
    assert response.status_code == 302
    world.m1.refresh_from_db()
    assert world.m1.residence_commune == ba_dinh and world.m1.position == "Trưởng phòng"
    assert world.m1.address_hamlet == "Tổ dân phố Quán Thánh"
    old, new = Liaison.objects.filter(member=world.m1).order_by("pk")
    assert old.status == Liaison.Status.ENDED and old.end_reason == Liaison.EndReason.MOVED
    assert old.end_date == datetime.date(2026, 11, 1)
    assert new.status == Liaison.Status.DRAFT and new.commune == ba_dinh and new.commune_org == world.r2
    assert new.previous == old and world.m1.link_status == Liaison.Status.DRAFT
    notice = ChangeNotice.objects.get(member=world.m1)
    assert notice.kind == "residence_change" and notice.recipient_org == world.r1
    assert InboxItem.objects.filter(recipient_org=world.r1, kind="notice").count() == 1
    assert AuditEntry.objects.filter(target_id=str(world.m1.pk), action="update").exists()
    page = client.get(response["Location"]).content.decode()
    assert "ghi nhận chuyển nơi cư trú" in page and "Đã thông báo cho Đảng ủy phường Hoàn Kiếm" in page
    # "Introduce now": the member's page offers it, and it introduces to the new commune.
    assert 'id="introduce-member"' in page
    preview = client.post(reverse("liaisons:introduce"), {"member": world.m1.pk})
    batch = client.get(preview["Location"]).context["batch"]  # the preview names the new commune
    client.post(reverse("liaisons:introduce_confirm", args=[batch.pk]))
    new.refresh_from_db()
    batch.refresh_from_db()
    assert batch.skipped == [], batch.skipped
    assert new.status == Liaison.Status.INTRODUCED and new.letter_number


def test_a_move_today_by_default(world, client_for, ba_dinh):
    _post(client_for(world.w1_staff), world.m1, residence_commune=ba_dinh.pk, address_change="move")
    assert ChangeNotice.objects.get(member=world.m1).event_date == timezone.localdate()


def test_a_move_in_the_future_is_refused(world, client_for, ba_dinh):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(
        client_for(world.w1_staff),
        world.m1,
        residence_commune=ba_dinh.pk,
        address_change="move",
        move_date=tomorrow.strftime("%d/%m/%Y"),
    )
    assert response.context["form"].errors["move_date"] == ["Ngày chuyển nơi cư trú không được ở tương lai."]
    assert Liaison.objects.get(member=world.m1).status == Liaison.Status.ACTIVE


def test_a_correction_keeps_the_link_and_says_so_in_its_history(world, client_for, ba_dinh):
    response = _post(
        client_for(world.w1_staff), world.m1, residence_commune=ba_dinh.pk, address_change="correction"
    )
    assert response.status_code == 302
    world.m1.refresh_from_db()
    assert world.m1.residence_commune == ba_dinh
    link = Liaison.objects.get(member=world.m1)
    assert link.status == Liaison.Status.ACTIVE
    event = LiaisonEvent.objects.get(liaison=link, action="address_correction")
    assert "Phường Hoàn Kiếm" in event.note and "Phường Ba Đình" in event.note
    assert not ChangeNotice.objects.exists()


def test_a_refused_move_writes_nothing(world, client_for, ba_dinh, monkeypatch):
    """One transaction: when the event is refused, the member's other changes are not kept either."""
    from haichieu.core.services import ServiceError
    from haichieu.liaisons import services

    def refuse(**kwargs):
        raise ServiceError("Không ghi nhận được.")

    monkeypatch.setattr(services, "member_record_event", refuse)
    response = _post(
        client_for(world.w1_staff),
        world.m1,
        residence_commune=ba_dinh.pk,
        position="Trưởng phòng",
        address_change="move",
    )
    assert response.status_code == 200 and "Không ghi nhận được." in response.content.decode()
    world.m1.refresh_from_db()
    assert world.m1.position != "Trưởng phòng"


def test_unlinked_members_and_other_changes_ask_nothing(world, client_for, ba_dinh):
    client = client_for(world.w1_staff)
    assert _post(client, world.m2, residence_province="01", residence_commune=ba_dinh.pk).status_code == 302
    assert Member.objects.get(pk=world.m2.pk).residence_commune == ba_dinh
    assert _post(client, world.m1, position="Phó phòng").status_code == 302
    assert Liaison.objects.get(member=world.m1).status == Liaison.Status.ACTIVE


def test_the_member_page_offers_introduction_only_to_writers_of_members_to_introduce(world, client_for):
    page = client_for(world.w1_staff).get(reverse("members:detail", args=[world.m2.pk])).content.decode()
    assert 'id="introduce-member"' in page
    page = client_for(world.w1_staff).get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert 'id="introduce-member"' not in page  # already linked
    page = client_for(world.w1_viewer).get(reverse("members:detail", args=[world.m2.pk])).content.decode()
    assert 'id="introduce-member"' not in page


def test_a_move_through_the_event_form_offers_to_introduce_now(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("liaisons:member_event", args=[world.m1.pk]),
        {
            "kind": "residence_change",
            "event_date": "01/11/2026",
            "new_province": "01",
            "new_commune": "00004",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "bấm “Giới thiệu về nơi cư trú” để giới thiệu ngay" in page and 'id="introduce-member"' in page
