import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from haichieu.core.models import AuditEntry
from haichieu.core.services import ConflictError, ServiceError
from haichieu.liaisons import services
from haichieu.liaisons.models import ChangeNotice, DepartureReport, Group, InboxItem, Liaison, LiaisonEvent
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db
S = Liaison.Status
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def newcomers(world):
    """Two members of W1 living in Hoàn Kiếm, not introduced yet."""
    hk = Commune.objects.get(code="00070")
    a = make_member(
        world.w1c1,
        "Phạm Thu Hằng",
        residence_commune=hk,
        residence_province=hk.province,
        address_hamlet="Tổ dân phố số 2",
        gender=Member.Gender.FEMALE,
    )
    b = make_member(world.w1c2, "Hoàng Văn Nam", residence_commune=hk, residence_province=hk.province)
    return a, b


def introduce(world, *members):
    return services.liaison_introduce(actor=world.w1_staff, members=list(members), today=TODAY)


def test_introduce_numbers_letters_per_committee_and_fills_the_inbox(world, newcomers):
    result = introduce(world, *newcomers)
    assert [liaison.letter_reference for liaison in result.introduced] == ["Số 1-GGT/ĐU", "Số 2-GGT/ĐU"]
    first = result.introduced[0]
    assert first.status == S.INTRODUCED and first.commune_org == world.r1 and first.workplace_org == world.w1
    assert first.receive_due == datetime.date(2026, 12, 5)
    assert InboxItem.objects.filter(recipient_org=world.r1, kind="introduction").count() == 2
    assert Member.objects.get(pk=newcomers[0].pk).link_status == S.INTRODUCED
    assert LiaisonEvent.objects.filter(liaison=first, action="introduce").exists()
    assert AuditEntry.objects.filter(target_type="liaisons.liaison", target_id=str(first.pk)).exists()
    # Numbers run on through the term, and another committee has its own series.
    again = introduce(
        world, make_member(world.w1c1, "Vũ Đình Khoa", residence_commune=newcomers[0].residence_commune)
    )
    assert again.introduced[0].letter_number == 3


def test_introduce_skips_with_reasons(world, newcomers):
    secret = make_member(
        world.w1c1, "Lâm Văn Mật", liaison_category="secret", residence_commune=newcomers[0].residence_commune
    )
    result = introduce(world, world.m1, world.m2, secret, world.m3)
    reasons = {m.full_name: why for m, why in result.skipped}
    assert "đã có hồ sơ" in reasons["Nguyễn Văn An"]
    assert "chưa có xã/phường cư trú" in reasons["Trần Thị Bình"]
    assert "không giới thiệu" in reasons["Lâm Văn Mật"]
    assert "không thuộc phạm vi" in reasons["Lê Đức Cường"]
    assert result.introduced == []


def test_excused_members_are_introduced_with_the_note(world, newcomers):
    Member.objects.filter(pk=newcomers[0].pk).update(liaison_category="mobile")
    newcomers[0].refresh_from_db()
    result = introduce(world, newcomers[0])
    assert result.introduced[0].excused


def test_commune_without_organisation_still_gets_a_letter(world):
    other = Commune.objects.create(
        code="00103",
        name="Phường Ngọc Hà",
        division_type="phường",
        province_id="01",
        name_folded="phuong ngoc ha",
    )
    member = make_member(world.w1c1, "Đinh Thị Lan", residence_commune=other)
    result = introduce(world, member)
    assert result.without_commune_org == result.introduced
    liaison = result.introduced[0]
    assert liaison.commune_org is None and liaison.letter_number == 1 and liaison.commune == other


def test_receive_places_and_tells_the_workplace(world, newcomers):
    liaison = introduce(world, newcomers[0]).introduced[0]
    group = Group.objects.create(cell=world.r1c2, name="Nhóm 1")
    services.liaison_receive(
        actor=world.r1_staff, liaison=liaison, cell=world.r1c2, group=group, follower_name="Đỗ Văn Tâm"
    )
    liaison.refresh_from_db()
    assert (liaison.status, liaison.cell, liaison.group, liaison.follower_name) == (
        S.RECEIVED,
        world.r1c2,
        group,
        "Đỗ Văn Tâm",
    )
    assert InboxItem.objects.filter(recipient_org=world.w1, kind="received", liaison=liaison).exists()
    assert InboxItem.objects.filter(recipient_org=world.r1c2, liaison=liaison).exists()
    # The commune's own inbox item for the introduction is handled now.
    assert (
        InboxItem.objects.get(recipient_org=world.r1, kind="introduction", liaison=liaison).read_at
        is not None
    )
    services.liaison_activate(actor=world.r1_staff, liaison=liaison)
    assert liaison.status == S.ACTIVE


def test_receive_refuses_a_cell_of_another_commune_and_outsiders(world, newcomers):
    liaison = introduce(world, newcomers[0]).introduced[0]
    with pytest.raises(ServiceError, match="không phải chi bộ nơi cư trú"):
        services.liaison_receive(actor=world.r1_staff, liaison=liaison, cell=world.r2c1)
    with pytest.raises(ServiceError, match="không có quyền"):
        services.liaison_receive(actor=world.r2_staff, liaison=liaison, cell=world.r1c1)
    with pytest.raises(ServiceError, match="không có quyền"):
        services.liaison_receive(actor=world.w1_staff, liaison=liaison, cell=world.r1c1)
    liaison.refresh_from_db()
    assert liaison.status == S.INTRODUCED


def test_return_then_reintroduce(world, newcomers):
    liaison = introduce(world, newcomers[0]).introduced[0]
    with pytest.raises(ServiceError, match="ghi rõ lý do"):
        services.liaison_return(actor=world.r1_staff, liaison=liaison, reason="other")
    services.liaison_return(
        actor=world.r1_staff, liaison=liaison, reason="wrong_address", note="Không có số nhà này"
    )
    assert liaison.status == S.RETURNED
    item = InboxItem.objects.get(recipient_org=world.w1, kind="returned")
    assert "sai địa chỉ" in item.summary
    assert introduce(world, newcomers[0]).introduced == []  # the same address: a change or a note first
    Member.objects.filter(pk=newcomers[0].pk).update(address_street="Số 5 Hàng Gai")
    again = introduce(world, Member.objects.get(pk=newcomers[0].pk)).introduced[0]
    assert again.pk == liaison.pk and again.status == S.INTRODUCED and again.letter_number == 2
    assert again.return_reason == ""


@pytest.mark.parametrize("action", ["receive", "return", "activate", "no_longer_resides"])
def test_forbidden_transitions_say_why(world, newcomers, action):
    liaison = Liaison.objects.get(member=world.m1)  # active
    with pytest.raises(ServiceError) as exc:
        if action == "receive":
            services.liaison_receive(actor=world.r1_staff, liaison=liaison, cell=world.r1c1)
        elif action == "return":
            services.liaison_return(actor=world.r1_staff, liaison=liaison, reason="duplicate")
        elif action == "activate":
            services.liaison_activate(actor=world.r1_staff, liaison=liaison)
        else:
            services.liaison_no_longer_resides(actor=world.r1_staff, liaison=liaison, date=TODAY)
            services.liaison_no_longer_resides(actor=world.r1_staff, liaison=liaison, date=TODAY)
    assert "đã được xử lý trước đó" in exc.value.message


def test_two_users_receiving_at_once_one_wins(world, newcomers):
    liaison = introduce(world, newcomers[0]).introduced[0]
    stale = Liaison.objects.get(pk=liaison.pk)
    services.liaison_receive(actor=world.r1_staff, liaison=liaison, cell=world.r1c1)
    with pytest.raises(ConflictError):
        services.liaison_return(actor=world.r1_staff, liaison=stale, reason="duplicate")
    stale.refresh_from_db()
    assert stale.status == S.RECEIVED
    assert InboxItem.objects.filter(kind="returned").count() == 0


def test_no_longer_resides_ends_the_link_and_asks_the_workplace(world):
    liaison = Liaison.objects.get(member=world.m1)
    services.liaison_no_longer_resides(actor=world.r1_staff, liaison=liaison, date=TODAY, note="Đã bán nhà")
    liaison.refresh_from_db()
    assert liaison.status == S.ENDED and liaison.end_reason == "no_longer_resides"
    notice = ChangeNotice.objects.get(kind="no_longer_resides")
    assert notice.recipient_org == world.w1 and notice.sender_org == world.r1
    assert InboxItem.objects.filter(kind="no_longer_resides").exists()


def test_a_cell_cannot_end_the_link_itself_it_reports(world):
    """QĐ 213 Art. 4: the residential cell reports; the commune committee confirms."""
    liaison = Liaison.objects.get(member=world.m1)
    assert not services.departure_ends_at_once(world.r1c1_secretary, liaison)
    assert services.departure_ends_at_once(world.r1_staff, liaison)
    with pytest.raises(ServiceError):
        services.liaison_no_longer_resides(actor=world.r1c1_secretary, liaison=liaison, date=TODAY)
    report = services.departure_report(
        actor=world.r1c1_secretary, liaison=liaison, date=TODAY, note=" Đã  bán nhà "
    )
    liaison.refresh_from_db()
    assert liaison.status == S.ACTIVE and not ChangeNotice.objects.exists()
    assert (report.state, report.note, report.commune_org, report.cell) == (
        "pending",
        "Đã bán nhà",
        world.r1,
        world.r1c1,
    )
    event = LiaisonEvent.objects.get(liaison=liaison, action="departure_report")
    assert (event.from_status, event.to_status, event.actor) == (S.ACTIVE, S.ACTIVE, world.r1c1_secretary)
    entry = AuditEntry.objects.get(
        target_type="liaisons.liaison", target_id=str(liaison.pk), note="departure_pending"
    )
    assert entry.changes["departure_report"] == ["", "pending"] and entry.actor == world.r1c1_secretary
    assert InboxItem.objects.get(kind="departure_report").recipient_org == world.r1


def test_one_pending_report_per_link(world):
    liaison = Liaison.objects.get(member=world.m1)
    services.departure_report(actor=world.r1c1_secretary, liaison=liaison, date=TODAY)
    with pytest.raises(ServiceError) as exc:
        services.departure_report(actor=world.r1c1_secretary, liaison=liaison, date=TODAY)
    assert "đang chờ Đảng ủy phường Hoàn Kiếm xác nhận" in exc.value.message
    assert (
        DepartureReport.objects.count() == 1
        and InboxItem.objects.filter(kind="departure_report").count() == 1
    )
    # The database holds the rule too (two requests that both passed the check).
    first = DepartureReport.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartureReport.objects.create(
            liaison=liaison,
            commune_org=world.r1,
            cell=world.r1c1,
            date=TODAY,
            reported_by=world.r1c1_secretary,
        )
    assert list(DepartureReport.objects.all()) == [first]


@pytest.mark.parametrize("persona", ["r2_staff", "w1_staff", "outsider", "member_user"])
def test_reports_and_decisions_outside_the_scope_are_refused(world, persona):
    liaison = Liaison.objects.get(member=world.m1)
    user = getattr(world, persona)
    with pytest.raises(ServiceError):
        services.departure_report(actor=user, liaison=liaison, date=TODAY)
    report = services.departure_report(actor=world.r1c1_secretary, liaison=liaison, date=TODAY)
    for decide in (
        lambda: services.departure_confirm(actor=user, report=report),
        lambda: services.departure_reject(actor=user, report=report, reason="Không đúng"),
    ):
        with pytest.raises(ServiceError):
            decide()
    report.refresh_from_db()
    assert report.state == "pending" and Liaison.objects.get(pk=liaison.pk).status == S.ACTIVE
    # The cell decides nothing either.
    with pytest.raises(ServiceError):
        services.departure_confirm(actor=world.r1c1_secretary, report=report)


def test_a_report_is_decided_once(world):
    liaison = Liaison.objects.get(member=world.m1)
    report = services.departure_report(actor=world.r1c1_secretary, liaison=liaison, date=TODAY)
    stale = DepartureReport.objects.get(pk=report.pk)
    services.departure_confirm(actor=world.r1_staff, report=report)
    with pytest.raises(ConflictError):
        services.departure_reject(actor=world.r1_staff, report=stale, reason="Vẫn ở đây")
    with pytest.raises(ConflictError):
        services.departure_confirm(actor=world.r1_staff, report=stale)
    assert DepartureReport.objects.get(pk=report.pk).state == "confirmed"
    assert ChangeNotice.objects.filter(kind="no_longer_resides").count() == 1
    decided = AuditEntry.objects.get(target_id=str(liaison.pk), note="departure_confirmed")
    assert decided.changes["departure_report"] == ["pending", "confirmed"] and decided.actor == world.r1_staff
    # A rejection needs its reason and changes nothing without it.
    other = Liaison.objects.get(member=world.m3)
    waiting = services.departure_report(actor=world.admin, liaison=other, date=TODAY)
    with pytest.raises(ServiceError) as exc:
        services.departure_reject(actor=world.r2_staff, report=waiting, reason=" ")
    assert exc.value.field == "reason" and DepartureReport.objects.get(pk=waiting.pk).state == "pending"


def test_a_report_on_a_link_the_workplace_ends_is_closed(world):
    liaison = Liaison.objects.get(member=world.m1)
    report = services.departure_report(actor=world.r1c1_secretary, liaison=liaison, date=TODAY)
    ba_dinh = Commune.objects.get(code="00004")
    services.member_record_event(
        actor=world.w1_staff, member=world.m1, kind="residence_change", event_date=TODAY, new_commune=ba_dinh
    )
    report.refresh_from_db()
    assert report.state == "closed" and report.decided_by == world.w1_staff
    assert InboxItem.objects.get(kind="departure_report").read_at is not None


def test_move_of_residence_ends_and_opens_a_prefilled_introduction(world):
    liaison = Liaison.objects.get(member=world.m1)
    Liaison.objects.filter(pk=liaison.pk).update(workplace_org=world.w1)
    ba_dinh = Commune.objects.get(code="00004")
    result = services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="residence_change",
        event_date=TODAY,
        new_commune=ba_dinh,
        new_hamlet="Tổ dân phố Quán Thánh",
        new_street="12 Phan Đình Phùng",
    )
    liaison.refresh_from_db()
    assert liaison.status == S.ENDED and liaison.end_reason == "moved"
    draft = result.new_liaison
    assert draft.status == S.DRAFT and draft.previous == liaison and draft.commune_org == world.r2
    assert InboxItem.objects.filter(recipient_org=world.r1, kind="notice").exists()
    world.m1.refresh_from_db()
    assert world.m1.residence_commune == ba_dinh and world.m1.link_status == S.DRAFT
    introduced = services.liaison_introduce(actor=world.w1_staff, members=[world.m1], today=TODAY).introduced
    assert introduced == [draft]
    draft.refresh_from_db()
    assert draft.status == S.INTRODUCED and draft.commune_org == world.r2


def test_expulsion_ends_the_link_and_changes_status(world):
    services.member_record_event(actor=world.w1_staff, member=world.m1, kind="expelled", event_date=TODAY)
    world.m1.refresh_from_db()
    assert world.m1.status == Member.Status.EXPELLED
    assert Liaison.objects.get(member=world.m1).status == S.ENDED


def test_position_change_needs_the_new_position(world):
    with pytest.raises(ServiceError, match="chức vụ mới"):
        services.member_record_event(
            actor=world.w1_staff, member=world.m1, kind="position_change", event_date=TODAY
        )
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=TODAY,
        new_position="Phó Giám đốc",
    )
    world.m1.refresh_from_db()
    assert world.m1.position == "Phó Giám đốc"


def test_events_are_only_for_the_workplace(world):
    with pytest.raises(ServiceError, match="không có quyền"):
        services.member_record_event(actor=world.r1_staff, member=world.m1, kind="deceased", event_date=TODAY)


def test_email_goes_to_the_receiving_users_when_configured(
    world, newcomers, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST = "mail.local"
    world.r1_staff.email = "phuong@example.org"
    world.r1_staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        introduce(world, newcomers[0])
    assert [m.to for m in mail.outbox] == [["phuong@example.org"]]
    assert "Phạm Thu Hằng" in mail.outbox[0].subject
