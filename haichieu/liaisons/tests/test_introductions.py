"""Introductions people can check and take back (issue 15, item 5): the bulk introduction's preview
and confirmation, the withdrawal of a letter; and post/redirect/get after them (item 6)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haichieu.core.models import AuditEntry
from haichieu.core.services import ConflictError, ServiceError
from haichieu.liaisons import introductions, services
from haichieu.liaisons.models import InboxItem, IntroductionBatch, Liaison
from haichieu.liaisons.selectors import Signer
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db
S = Liaison.Status


@pytest.fixture
def hk(world):
    return Commune.objects.get(code="00070")


@pytest.fixture
def newcomers(world, hk):
    """Three members of W1 still to introduce: two living in Hoàn Kiếm (R1), one in a commune with
    no organisation in the system."""
    other, _ = Commune.objects.get_or_create(
        code="09991",
        defaults={
            "name": "Xã Xa Xôi",
            "division_type": "xã",
            "province": hk.province,
            "name_folded": "xa xa xoi",
        },
    )
    return [
        make_member(world.w1c1, "Phạm Thu Hằng", residence_commune=hk, residence_province=hk.province),
        make_member(world.w1c2, "Hoàng Văn Nam", residence_commune=hk, residence_province=hk.province),
        make_member(world.w1c1, "Lê Văn Xa", residence_commune=other, residence_province=other.province),
    ]


def _members(ids):
    return Member.objects.filter(pk__in=ids).select_related("workplace_cell", "residence_commune")


# --- the preview ----------------------------------------------------------------------------------
def test_preview_counts_destinations_and_refusals_and_writes_nothing(world, newcomers):
    secret = make_member(world.w1c1, "Lâm Văn Mật", liaison_category="secret")
    members = _members([m.pk for m in newcomers] + [secret.pk, world.m1.pk, world.m2.pk])
    preview = introductions.introduction_preview(
        actor=world.w1_staff,
        members=members,
        signer=Signer("PHÓ BÍ THƯ", "Trần Văn Ký"),
        letter_date=datetime.date(2026, 12, 3),
    )
    assert preview.total == 3
    by_committee = {d.committee: (d.count, d.in_system, d.workplace) for d in preview.destinations}
    assert by_committee[world.r1.name] == (2, True, world.w1.name)
    assert [count for count, in_system, _ in by_committee.values() if not in_system] == [1]
    assert all(d.signer == Signer("PHÓ BÍ THƯ", "Trần Văn Ký") for d in preview.destinations)
    refused = {m.full_name: why for m, why in preview.refused}
    assert "thuộc diện không giới thiệu" in refused["Lâm Văn Mật"]
    assert refused["Nguyễn Văn An"].startswith("đã có hồ sơ giữ mối liên hệ")  # m1: active
    assert "chưa có xã/phường cư trú" in refused["Trần Thị Bình"]  # m2: no residence
    assert not Liaison.objects.filter(member__in=newcomers).exists()
    assert not InboxItem.objects.exists()


def test_preview_without_a_signer_names_each_committees_last_signer(world, newcomers):
    services.liaison_introduce(
        actor=world.w1_staff, members=[newcomers[0]], signer=Signer("BÍ THƯ", "Nguyễn Văn Chính")
    )
    preview = introductions.introduction_preview(
        actor=world.w1_staff,
        members=_members([newcomers[1].pk]),
        signer=None,
        letter_date=datetime.date.today(),
    )
    assert [d.signer for d in preview.destinations] == [Signer("BÍ THƯ", "Nguyễn Văn Chính")]


def test_preview_query_count_does_not_grow_with_the_selection(world, hk):
    def count(n):
        members = [
            make_member(world.w1c1 if i % 2 else world.w1c2, f"Tô Văn Số{n}{i:02d}", residence_commune=hk)
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as ctx:
            preview = introductions.introduction_preview(
                actor=world.w1_staff, members=_members([m.pk for m in members]), signer=None, letter_date=None
            )
        assert preview.total == n
        return len(ctx.captured_queries)

    count(1)  # the user's scope, read once per request in the views, is read here first
    assert count(2) == count(30)


# --- the batch -----------------------------------------------------------------------------------
def test_batch_issues_once_even_when_confirmed_twice(world, newcomers):
    batch = introductions.introduction_batch_create(actor=world.w1_staff, members=newcomers, signer=None)
    assert not Liaison.objects.filter(member__in=newcomers).exists()  # a preview issues nothing
    first, issued = introductions.introduction_batch_issue(actor=world.w1_staff, batch=batch)
    assert issued and len(first.introduced_ids) == 3 and first.state == IntroductionBatch.State.ISSUED
    stale_copy = IntroductionBatch.objects.get(pk=batch.pk)
    stale_copy.state = IntroductionBatch.State.PREVIEWED  # what a second tab still holds
    again, issued_again = introductions.introduction_batch_issue(actor=world.w1_staff, batch=stale_copy)
    assert not issued_again and again.introduced_ids == first.introduced_ids
    assert Liaison.objects.filter(member__in=newcomers, letter_number__isnull=False).count() == 3
    assert (
        AuditEntry.objects.filter(target_type="liaisons.introductionbatch", target_id=str(batch.pk)).count()
        == 1
    )


def test_batch_of_an_earlier_day_must_be_previewed_again(world, newcomers):
    batch = introductions.introduction_batch_create(
        actor=world.w1_staff, members=newcomers, signer=None, today=datetime.date(2026, 12, 2)
    )
    with pytest.raises(ServiceError, match="hãy xem trước lại"):
        introductions.introduction_batch_issue(
            actor=world.w1_staff, batch=batch, today=datetime.date(2026, 12, 3)
        )
    assert IntroductionBatch.objects.get(pk=batch.pk).state == IntroductionBatch.State.PREVIEWED
    assert not Liaison.objects.filter(member__in=newcomers).exists()


def test_an_empty_selection_is_refused(world):
    with pytest.raises(ServiceError, match="Chưa chọn đảng viên"):
        introductions.introduction_batch_create(actor=world.w1_staff, members=[], signer=None)


# --- withdrawal ----------------------------------------------------------------------------------
def test_withdraw_keeps_the_number_tells_the_commune_and_reopens_the_member(world, newcomers):
    letter = services.liaison_introduce(actor=world.w1_staff, members=[newcomers[0]]).introduced[0]
    draft = introductions.liaison_withdraw(actor=world.w1_staff, liaison=letter, note="Nhầm địa chỉ")
    letter.refresh_from_db()
    assert letter.status == S.ENDED and letter.is_withdrawn and letter.status_label == "Đã thu hồi"
    assert letter.letter_reference == "Số 1-GGT/ĐU"  # the number stays in the register
    assert draft.status == S.DRAFT and draft.previous == letter and draft.commune_org == world.r1
    assert Member.objects.get(pk=newcomers[0].pk).link_status == Member.LinkStatus.DRAFT
    items = InboxItem.objects.filter(recipient_org=world.r1, liaison=letter)
    assert items.get(kind="introduction").read_at is not None  # nothing left to act on
    told = items.get(kind=InboxItem.Kind.WITHDRAWN)
    assert "thu hồi giấy giới thiệu Số 1-GGT/ĐU" in told.summary and "Nhầm địa chỉ" in told.summary
    assert letter.events.filter(action="withdraw").exists()
    # Introduced again: a new number; the withdrawn one is not reused.
    again = services.liaison_introduce(actor=world.w1_staff, members=[newcomers[0]]).introduced[0]
    assert again.pk == draft.pk and again.letter_reference == "Số 2-GGT/ĐU"


def test_only_a_letter_the_residence_has_not_acted_on_can_be_withdrawn(world, newcomers):
    letter = services.liaison_introduce(actor=world.w1_staff, members=[newcomers[0]]).introduced[0]
    services.liaison_receive(actor=world.r1_staff, liaison=letter, cell=world.r1c1)
    with pytest.raises(ConflictError, match="đã tiếp nhận"):
        introductions.liaison_withdraw(actor=world.w1_staff, liaison=letter)
    assert Liaison.objects.get(pk=letter.pk).status == S.RECEIVED


def test_the_residence_cannot_withdraw(world, newcomers):
    letter = services.liaison_introduce(actor=world.w1_staff, members=[newcomers[0]]).introduced[0]
    with pytest.raises(ServiceError, match="không có quyền"):
        introductions.liaison_withdraw(actor=world.r1_staff, liaison=letter)
    assert Liaison.objects.get(pk=letter.pk).status == S.INTRODUCED


# --- views: preview, confirm, result, withdraw; every answer to a successful POST is a redirect ----
def test_bulk_introduce_previews_then_confirms_and_the_result_reloads(world, client_for, newcomers):
    client = client_for(world.w1_staff)
    posted = client.post(
        reverse("liaisons:introduce"),
        {
            "member": [m.pk for m in newcomers] + [world.m2.pk],
            "signer_title": "BÍ THƯ",
            "signer_name": "Ngô Văn Ký",
        },
    )
    assert posted.status_code == 302
    preview = client.get(posted["Location"])
    body = preview.content.decode()
    assert preview.status_code == 200 and "Xem trước giới thiệu" in body
    assert preview.context["preview"].total == 3 and world.r1.name in body and "Ngô Văn Ký" in body
    assert "Trần Thị Bình" in body and "chưa có xã/phường cư trú" in body  # who cannot, and why
    assert not Liaison.objects.filter(member__in=newcomers).exists()
    confirm = reverse("liaisons:introduce_confirm", args=[preview.context["batch"].pk])
    done = client.post(confirm)
    assert done.status_code == 302 and done["Location"] == posted["Location"]
    for _ in range(2):  # reloading (or a bookmark) shows the result again, issuing nothing more
        result = client.get(done["Location"])
        assert result.status_code == 200 and len(result.context["introduced"]) == 3
    twice = client.post(confirm)  # a double submission: the same result, no new letter
    assert twice.status_code == 302 and twice["Location"] == posted["Location"]
    assert Liaison.objects.filter(letter_number__isnull=False, member__in=newcomers).count() == 3


def test_someone_elses_batch_is_not_found(world, client_for, newcomers):
    batch = introductions.introduction_batch_create(actor=world.w1_staff, members=newcomers, signer=None)
    other = client_for(world.province_staff)
    assert other.get(reverse("liaisons:introduce_batch", args=[batch.pk])).status_code == 404
    assert other.post(reverse("liaisons:introduce_confirm", args=[batch.pk])).status_code == 404
    assert IntroductionBatch.objects.get(pk=batch.pk).state == IntroductionBatch.State.PREVIEWED


def test_withdraw_page_confirms_then_redirects_to_the_link(world, client_for, newcomers):
    letter = services.liaison_introduce(actor=world.w1_staff, members=[newcomers[0]]).introduced[0]
    client = client_for(world.w1_staff)
    detail = client.get(reverse("liaisons:detail", args=[letter.pk])).content.decode()
    assert reverse("liaisons:withdraw", args=[letter.pk]) in detail
    page = client.get(reverse("liaisons:withdraw", args=[letter.pk]))
    assert page.status_code == 200 and "Xác nhận thu hồi" in page.content.decode()
    assert Liaison.objects.get(pk=letter.pk).status == S.INTRODUCED  # opening the page changes nothing
    done = client.post(reverse("liaisons:withdraw", args=[letter.pk]), {"note": ""})
    assert done.status_code == 302 and done["Location"] == reverse("liaisons:detail", args=[letter.pk])
    after = client.get(done["Location"]).content.decode()
    assert "Đã thu hồi" in after
    again = client.post(reverse("liaisons:withdraw", args=[letter.pk]), {"note": ""})
    assert again.status_code == 200 and "đã được xử lý" in again.content.decode()


def test_withdraw_note_too_long_is_a_form_error(world, client_for, newcomers):
    letter = services.liaison_introduce(actor=world.w1_staff, members=[newcomers[0]]).introduced[0]
    response = client_for(world.w1_staff).post(
        reverse("liaisons:withdraw", args=[letter.pk]), {"note": "x" * 300}
    )
    assert response.status_code == 200 and "Lý do thu hồi dài quá 255 ký tự." in response.content.decode()
    assert Liaison.objects.get(pk=letter.pk).status == S.INTRODUCED


def test_every_form_submission_lands_on_a_page_that_reloads(world, client_for, newcomers):
    """Post/redirect/get (issue 15, item 6): each successful form answers with a redirect whose page a
    GET (a reload, a bookmark) opens with 200, never a 405. The one page rendered in answer to a POST
    on purpose is the two-factor recovery codes, shown once and never again."""
    letter = services.liaison_introduce(actor=world.w1_staff, members=[newcomers[1]]).introduced[0]
    other = services.liaison_introduce(actor=world.w1_staff, members=[newcomers[2]]).introduced[0]
    today = f"{datetime.date.today():%d/%m/%Y}"
    submissions = [
        (world.w1_staff, reverse("liaisons:introduce"), {"member": [newcomers[0].pk]}),
        (world.w1_staff, reverse("liaisons:withdraw", args=[other.pk]), {"note": ""}),
        (
            world.w1_staff,
            reverse("liaisons:member_event", args=[world.m2.pk]),
            {"kind": "position_change", "event_date": today, "new_position": "Trưởng phòng"},
        ),
        (world.r1_staff, reverse("liaisons:residence_return", args=[letter.pk]), {"reason": "wrong_address"}),
        (world.r1_staff, reverse("liaisons:residence_group_create", args=[world.r1c1.pk]), {"name": "Tổ 7"}),
    ]
    for user, url, data in submissions:
        client = client_for(user)
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.status_code, response.content.decode()[:500])
        assert client.get(response["Location"]).status_code == 200, (url, response["Location"])
    # The bulk introduction's confirmation, from the preview the first submission made.
    client = client_for(world.w1_staff)
    batch = IntroductionBatch.objects.get(created_by=world.w1_staff)
    done = client.post(reverse("liaisons:introduce_confirm", args=[batch.pk]))
    assert done.status_code == 302 and client.get(done["Location"]).status_code == 200
