import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haichieu.core.paging import Held
from haichieu.liaisons import selectors, services
from haichieu.liaisons.models import ChangeNotice, DepartureReport, Group, InboxItem, Liaison
from haichieu.members.models import Member
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db
S = Liaison.Status


def introduce(world, *names, hamlet="Tổ dân phố số 2", today=None, **extra):
    """Members of W1 living in Hoàn Kiếm, introduced by W1 to R1."""
    commune = world.m1.residence_commune
    members = [
        make_member(
            world.w1c2,
            name,
            residence_commune=commune,
            residence_province=commune.province,
            address_hamlet=hamlet,
            address_street="12 Hàng Bạc",
            workplace_unit="Phòng Kế hoạch",
            **extra,
        )
        for name in names
    ]
    result = services.liaison_introduce(actor=world.w1_staff, members=members, today=today)
    assert len(result.introduced) == len(names)
    return result.introduced


def incoming_url(org=None):
    url = reverse("liaisons:residence_incoming")
    return f"{url}?org={org.pk}" if org else url


def test_incoming_lists_only_the_users_communes(world, client_for):
    hang, nam = introduce(world, "Phạm Thu Hằng", "Hoàng Văn Nam")
    page = client_for(world.r1_staff).get(incoming_url()).content.decode()
    assert "Phạm Thu Hằng" in page and "Hoàng Văn Nam" in page
    assert "Phòng Kế hoạch" in page and "Tổ dân phố số 2, 12 Hàng Bạc" in page
    assert hang.letter_reference in page and f"{hang.receive_due:%d/%m/%Y}" in page
    assert "Gợi ý: Chi bộ tổ dân phố số 2" in page
    # No workplace-only data on the residence side.
    member = hang.member
    assert member.national_id not in page and member.party_card_number not in page
    client_for(world.r2_staff)
    page = client_for(world.r2_staff).get(incoming_url()).content.decode()
    assert "Phạm Thu Hằng" not in page and "Không có đảng viên nào đang chờ tiếp nhận" in page
    # A cell secretary covers no commune committee; r2's staff cannot pick R1.
    assert "Phạm Thu Hằng" not in client_for(world.r1c1_secretary).get(incoming_url()).content.decode()
    assert client_for(world.r2_staff).get(incoming_url(world.r1)).status_code == 404


def test_overdue_introductions_carry_a_badge(world, client_for):
    late = introduce(world, "Phạm Thu Hằng", today=timezone.localdate() - datetime.timedelta(days=30))[0]
    introduce(world, "Hoàng Văn Nam")
    page = client_for(world.r1_staff).get(incoming_url()).content.decode()
    rows = {
        name: next(tr for tr in page.split("<tr") if name in tr)
        for name in ("Phạm Thu Hằng", "Hoàng Văn Nam")
    }
    assert "Quá hạn" in rows["Phạm Thu Hằng"] and "Quá hạn" not in rows["Hoàng Văn Nam"]
    # Most urgent first.
    assert page.index("Phạm Thu Hằng") < page.index("Hoàng Văn Nam")
    assert late.receive_due < timezone.localdate()


def test_receive_one_places_the_member_and_tells_the_workplace(world, client_for):
    liaison = introduce(world, "Phạm Thu Hằng")[0]
    group = Group.objects.create(cell=world.r1c2, name="Tổ 1")
    client = client_for(world.r1_staff)
    url = reverse("liaisons:residence_receive", args=[liaison.pk])
    page = client.get(url).content.decode()
    assert f'<option value="{world.r1c2.pk}" selected>' in page  # suggested from the hamlet
    response = client.post(
        url,
        {
            "cell": world.r1c2.pk,
            "group": group.pk,
            "follower_name": "Đỗ Văn Tâm",
            "follower_phone": "0987 654 321",
        },
    )
    assert response.status_code == 302
    liaison.refresh_from_db()
    assert (liaison.status, liaison.cell, liaison.group, liaison.follower_name, liaison.follower_phone) == (
        S.RECEIVED,
        world.r1c2,
        group,
        "Đỗ Văn Tâm",
        "0987654321",
    )
    assert InboxItem.objects.filter(recipient_org=world.w1, kind="received", liaison=liaison).exists()


def test_receive_when_someone_else_handled_it_first(world, client_for):
    liaison = introduce(world, "Phạm Thu Hằng")[0]
    url = reverse("liaisons:residence_receive", args=[liaison.pk])
    stale = Liaison.objects.get(pk=liaison.pk)
    services.liaison_return(actor=world.province_staff, liaison=stale, reason="wrong_address")
    page = client_for(world.r1_staff).post(url, {"cell": world.r1c1.pk}).content.decode()
    assert "đã được xử lý trước đó" in page
    liaison.refresh_from_db()
    assert liaison.status == S.RETURNED and liaison.cell is None


def test_receive_many_in_one_post(world, client_for):
    a, b, c = introduce(world, "Phạm Thu Hằng", "Hoàng Văn Nam", "Vũ Thị Mai")
    group = Group.objects.create(cell=world.r1c1, name="Tổ 1")
    response = client_for(world.r1_staff).post(
        incoming_url(world.r1),
        {
            "org": world.r1.pk,
            "liaisons": [a.pk, b.pk],
            "cell": world.r1c1.pk,
            "group": group.pk,
            "follower_name": "Đỗ Văn Tâm",
        },
    )
    assert response.status_code == 302
    received = Liaison.objects.filter(pk__in=[a.pk, b.pk], status=S.RECEIVED, cell=world.r1c1, group=group)
    assert received.count() == 2
    assert Liaison.objects.get(pk=c.pk).status == S.INTRODUCED
    assert InboxItem.objects.filter(recipient_org=world.w1, kind="received").count() == 2


def test_receive_many_is_all_or_nothing(world, client_for):
    a, b = introduce(world, "Phạm Thu Hằng", "Hoàng Văn Nam")
    services.liaison_return(
        actor=world.province_staff, liaison=Liaison.objects.get(pk=b.pk), reason="duplicate"
    )
    page = (
        client_for(world.r1_staff)
        .post(incoming_url(world.r1), {"org": world.r1.pk, "liaisons": [a.pk, b.pk], "cell": world.r1c1.pk})
        .content.decode()
    )
    assert "Hoàng Văn Nam đã được xử lý trước đó" in page and "Chưa tiếp nhận hồ sơ nào" in page
    assert Liaison.objects.get(pk=a.pk).status == S.INTRODUCED
    assert not InboxItem.objects.filter(kind="received").exists()
    # Nothing ticked: a message, no change.
    page = client_for(world.r1_staff).post(
        incoming_url(world.r1), {"org": world.r1.pk, "cell": world.r1c1.pk}
    )
    assert "Hãy chọn ít nhất một đảng viên" in page.content.decode()


def test_a_foreign_cell_is_refused_and_nothing_changes(world, client_for):
    liaison = introduce(world, "Phạm Thu Hằng")[0]
    url = reverse("liaisons:residence_receive", args=[liaison.pk])
    # A cell of another commune, in the user's scope (the province's staff): the service's message.
    message = "“Chi bộ tổ dân phố Quán Thánh” không phải chi bộ nơi cư trú của Đảng ủy phường Hoàn Kiếm."
    page = client_for(world.province_staff).post(url, {"cell": world.r2c1.pk}).content.decode()
    assert message in page
    many = client_for(world.province_staff).post(
        incoming_url(world.r1), {"org": world.r1.pk, "liaisons": [liaison.pk], "cell": world.r2c1.pk}
    )
    assert message in many.content.decode() and "Chưa tiếp nhận hồ sơ nào" in many.content.decode()
    # A cell out of the user's scope: the form does not even name it.
    page = client_for(world.r1_staff).post(url, {"cell": world.r2c1.pk}).content.decode()
    assert "Chi bộ đã chọn không thuộc phạm vi của bạn." in page and "Quán Thánh" not in page
    # A group of another cell.
    group = Group.objects.create(cell=world.r1c2, name="Tổ 2")
    page = client_for(world.r1_staff).post(url, {"cell": world.r1c1.pk, "group": group.pk}).content.decode()
    assert "Tổ/nhóm “Tổ 2” không thuộc Chi bộ tổ dân phố số 1." in page
    liaison.refresh_from_db()
    assert liaison.status == S.INTRODUCED and liaison.cell is None
    assert not InboxItem.objects.filter(kind="received").exists()


def test_return_with_a_reason_and_other_needs_a_note(world, client_for):
    liaison = introduce(world, "Phạm Thu Hằng")[0]
    client = client_for(world.r1_staff)
    url = reverse("liaisons:residence_return", args=[liaison.pk])
    page = client.post(url, {"reason": "other", "note": "  "}).content.decode()
    assert "Với “Lý do khác”, hãy ghi rõ lý do trả lại." in page
    assert Liaison.objects.get(pk=liaison.pk).status == S.INTRODUCED
    assert "Vui lòng chọn lý do trả lại." in client.post(url, {"reason": ""}).content.decode()
    response = client.post(url, {"reason": "wrong_address", "note": "Không có số nhà này"})
    assert response.status_code == 302  # to the confirmation step: nothing returned yet
    assert Liaison.objects.get(pk=liaison.pk).status == S.INTRODUCED
    confirm = client.get(response["Location"])
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Xác nhận trả lại" in body and "Sai địa chỉ" in body
    assert "Không có số nhà này" in body
    response = client.post(url, {"reason": "wrong_address", "note": "Không có số nhà này", "confirm": "1"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200  # the page after it reloads
    liaison.refresh_from_db()
    assert (liaison.status, liaison.return_reason, liaison.return_note) == (
        S.RETURNED,
        "wrong_address",
        "Không có số nhà này",
    )
    assert InboxItem.objects.filter(recipient_org=world.w1, kind="returned", liaison=liaison).exists()


def _received(world, *names, cell=None, group=None, excused=False):
    liaisons = introduce(world, *names, **({"liaison_category": "mobile"} if excused else {}))
    for liaison in liaisons:
        services.liaison_receive(actor=world.r1_staff, liaison=liaison, cell=cell or world.r1c1, group=group)
    return liaisons


def test_cell_page_groups_members_and_marks_the_excused(world, client_for):
    group_b = Group.objects.create(cell=world.r1c1, name="Tổ B")
    group_a = Group.objects.create(cell=world.r1c1, name="Tổ A")
    _received(world, "Phạm Thu Hằng", group=group_b)
    _received(world, "Hoàng Văn Nam", group=group_a, excused=True)
    _received(world, "Vũ Thị Mai", cell=world.r1c2)
    page = client_for(world.r1c1_secretary).get(reverse("liaisons:residence_cell", args=[world.r1c1.pk]))
    text = page.content.decode()
    # Groups by name, then the members without a group (m1, Nguyễn Văn An).
    assert text.index("Tổ A") < text.index("Hoàng Văn Nam") < text.index("Tổ B") < text.index("Phạm Thu Hằng")
    assert text.index("Chưa phân tổ/nhóm") < text.index("Nguyễn Văn An")
    assert "Vũ Thị Mai" not in text
    assert text.count("Miễn sinh hoạt nơi cư trú") == 1
    assert "0912345678" in text and "Phòng Kế hoạch" in text
    assert world.m1.national_id not in text and world.m1.party_card_number not in text


def test_group_create(world, client_for):
    client = client_for(world.r1c1_secretary)
    url = reverse("liaisons:residence_group_create", args=[world.r1c1.pk])
    assert client.post(url, {"name": "Tổ 1"}).status_code == 302
    assert Group.objects.filter(cell=world.r1c1, name="Tổ 1").exists()
    assert "Chi bộ đã có tổ/nhóm “tổ 1”." in client.post(url, {"name": "tổ 1"}).content.decode()
    assert Group.objects.filter(cell=world.r1c1).count() == 1


def test_move_between_groups_and_change_the_follower(world, client_for):
    one = Group.objects.create(cell=world.r1c1, name="Tổ 1")
    two = Group.objects.create(cell=world.r1c1, name="Tổ 2")
    liaison = _received(world, "Phạm Thu Hằng", group=one)[0]
    liaison.refresh_from_db()
    client = client_for(world.r1c1_secretary)
    url = reverse("liaisons:residence_place", args=[liaison.pk])
    data = {"group": two.pk, "follower_name": "Đỗ Văn Tâm", "follower_phone": "", "version": liaison.version}
    assert client.post(url, data).status_code == 302
    liaison.refresh_from_db()
    assert (liaison.group, liaison.follower_name) == (two, "Đỗ Văn Tâm")
    # The same form sent again (stale version): the conflict message, nothing changes.
    page = client.post(url, {**data, "group": one.pk}).content.decode()
    assert "vừa được người khác thay đổi" in page
    assert Liaison.objects.get(pk=liaison.pk).group == two
    # A group of another cell is not offered.
    other = Group.objects.create(cell=world.r1c2, name="Tổ khác")
    page = client.post(url, {"group": other.pk, "version": liaison.version}).content.decode()
    assert "Tổ/nhóm đã chọn không thuộc chi bộ này." in page


def test_activation(world, client_for):
    liaison = _received(world, "Phạm Thu Hằng")[0]
    client = client_for(world.r1c1_secretary)
    page = client.get(reverse("liaisons:residence_cell", args=[world.r1c1.pk])).content.decode()
    assert "Xác nhận đã tiếp nhận vào chi bộ" in page
    response = client.post(reverse("liaisons:residence_activate", args=[liaison.pk]), follow=True)
    liaison.refresh_from_db()
    assert liaison.status == S.ACTIVE and liaison.activated_at is not None
    assert "Đã xác nhận chi bộ tiếp nhận" in response.content.decode()
    # Twice: the conflict message, no change.
    response = client.post(reverse("liaisons:residence_activate", args=[liaison.pk]), follow=True)
    assert "đã được xử lý trước đó" in response.content.decode()


def _departure_url(liaison):
    return reverse("liaisons:residence_no_longer_resides", args=[liaison.pk])


def _queue_url(org=None):
    url = reverse("liaisons:residence_departures")
    return f"{url}?org={org.pk}" if org else url


def test_the_cell_reports_and_the_link_stays_until_the_commune_decides(world, client_for):
    liaison = world.m1.liaisons.get()
    client = client_for(world.r1c1_secretary)
    url = _departure_url(liaison)
    page = client.get(url).content.decode()
    assert "Báo đảng ủy xác nhận" in page and "Đảng ủy phường Hoàn Kiếm" in page
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = client.post(url, {"date": f"{tomorrow:%d/%m/%Y}", "note": ""}).content.decode()
    assert "Ngày không còn cư trú không được ở tương lai." in page
    assert "Ngày không hợp lệ" in client.post(url, {"date": "31/02/2026"}).content.decode()
    assert not DepartureReport.objects.exists()
    response = client.post(url, {"date": "01/03/2026", "note": "Đã bán nhà, chuyển đi"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("liaisons:residence_cell", args=[world.r1c1.pk])
    text = response.content.decode()
    assert "Đã báo Đảng ủy phường Hoàn Kiếm đồng chí Nguyễn Văn An không còn cư trú" in text
    assert "Đã báo không còn cư trú, chờ đảng ủy xác nhận" in text  # the cell's list says so
    # The link is not ended and the workplace is told nothing yet; the commune's inbox has it.
    liaison.refresh_from_db()
    assert liaison.status == S.ACTIVE and liaison.end_date is None
    assert not ChangeNotice.objects.filter(kind="no_longer_resides").exists()
    assert not InboxItem.objects.filter(recipient_org=world.w1).exists()
    report = DepartureReport.objects.get()
    assert (report.state, report.date, report.cell, report.commune_org, report.reported_by) == (
        "pending",
        datetime.date(2026, 3, 1),
        world.r1c1,
        world.r1,
        world.r1c1_secretary,
    )
    item = InboxItem.objects.get(recipient_org=world.r1, kind="departure_report")
    assert "Nguyễn Văn An" in item.summary and "01/03/2026" in item.summary
    # Sent again (a second tab): refused, nothing twice; the page now says it waits.
    page = client.post(url, {"date": "01/03/2026"}).content.decode()
    assert "đang chờ Đảng ủy phường Hoàn Kiếm xác nhận" in page
    assert DepartureReport.objects.count() == 1
    assert InboxItem.objects.filter(kind="departure_report").count() == 1
    page = client.get(url).content.decode()
    assert 'id="departure-pending"' in page and "Báo đảng ủy xác nhận</button>" not in page
    # The cell has no queue of its own: the commune's reports are not its pages.
    assert client.get(_queue_url(world.r1)).status_code == 404
    assert client.get(reverse("liaisons:residence_departure", args=[report.pk])).status_code == 404
    assert "Nguyễn Văn An" not in client.get(_queue_url()).content.decode()


def _reported(world, liaison=None, date=datetime.date(2026, 3, 1)):
    liaison = liaison or world.m1.liaisons.get()
    return services.departure_report(
        actor=world.r1c1_secretary, liaison=liaison, date=date, note="Đã chuyển đi"
    )


def test_the_commune_confirms_from_its_queue_and_the_workplace_is_told(world, client_for):
    report = _reported(world)
    client = client_for(world.r1_staff)
    inbox = client.get(reverse("liaisons:inbox")).content.decode()
    assert f'href="{_queue_url(world.r1)}"' in inbox and "Chi bộ báo đảng viên không còn cư trú" in inbox
    home = client.get(reverse("home")).content.decode()
    assert "Báo không còn cư trú" in home and "1 chờ xác nhận" in home
    queue = client.get(_queue_url()).content.decode()  # one committee: it is chosen
    assert "Nguyễn Văn An" in queue and "Chi bộ tổ dân phố số 1" in queue and "01/03/2026" in queue
    url = reverse("liaisons:residence_departure", args=[report.pk])
    assert url in queue
    page = client.get(url).content.decode()
    assert "Xác nhận và thông báo nơi công tác" in page and "Đã chuyển đi" in page
    response = client.post(url, {"decision": "confirm"})
    assert response.status_code == 302 and response.url == _queue_url(world.r1)
    liaison = Liaison.objects.get(pk=report.liaison_id)
    assert (liaison.status, liaison.end_date, liaison.end_reason) == (
        S.ENDED,
        datetime.date(2026, 3, 1),
        "no_longer_resides",
    )
    notice = ChangeNotice.objects.get(kind="no_longer_resides")
    assert (notice.sender_org, notice.recipient_org, notice.event_date) == (
        world.r1,
        world.w1,
        datetime.date(2026, 3, 1),
    )
    assert InboxItem.objects.filter(recipient_org=world.w1, kind="no_longer_resides", notice=notice).exists()
    assert InboxItem.objects.filter(recipient_org=world.r1c1, kind="departure_confirmed").exists()
    assert InboxItem.objects.get(kind="departure_report").read_by == world.r1_staff  # handled
    report.refresh_from_db()
    assert (report.state, report.decided_by) == ("confirmed", world.r1_staff)
    assert "Không có báo cáo nào đang chờ xác nhận." in client.get(_queue_url()).content.decode()
    # A second confirmation (another tab): said, nothing twice.
    page = client.post(url, {"decision": "confirm"}).content.decode()
    assert "đã được xử lý trước đó" in page
    assert ChangeNotice.objects.filter(kind="no_longer_resides").count() == 1


def test_the_commune_rejects_with_a_reason_and_the_cell_is_told(world, client_for):
    report = _reported(world)
    client = client_for(world.r1_staff)
    url = reverse("liaisons:residence_departure", args=[report.pk])
    page = client.post(url, {"decision": "reject", "reason": "  "}).content.decode()
    assert "Vui lòng ghi lý do không xác nhận." in page
    assert "Hãy chọn xác nhận hoặc không xác nhận." in client.post(url, {"decision": "x"}).content.decode()
    report.refresh_from_db()
    assert report.state == "pending"
    reason = "Đồng chí vẫn ở địa phương, chỉ đi công tác dài ngày"
    response = client.post(url, {"decision": "reject", "reason": reason})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.reject_reason, report.decided_by) == ("rejected", reason, world.r1_staff)
    liaison = Liaison.objects.get(pk=report.liaison_id)
    assert liaison.status == S.ACTIVE
    told = InboxItem.objects.get(recipient_org=world.r1c1, kind="departure_rejected")
    assert reason in told.summary
    assert not ChangeNotice.objects.exists() and not InboxItem.objects.filter(recipient_org=world.w1).exists()
    # The cell's page says why, and it may report again later: a new report waits.
    page = client_for(world.r1c1_secretary).get(_departure_url(liaison)).content.decode()
    assert 'id="departure-rejected"' in page and reason in page and "Báo đảng ủy xác nhận</button>" in page

    _reported(world, date=datetime.date(2026, 4, 1))
    assert DepartureReport.objects.filter(state="pending").count() == 1


def test_the_commune_acts_directly_and_so_confirms_a_waiting_report(world, client_for):
    liaison = world.m1.liaisons.get()
    report = _reported(world)
    client = client_for(world.r1_staff)
    page = client.get(_departure_url(liaison)).content.decode()
    assert "Gửi thông báo" in page and reverse("liaisons:residence_departure", args=[report.pk]) in page
    response = client.post(_departure_url(liaison), {"date": "02/03/2026", "note": "Đã xác minh"})
    assert response.status_code == 302 and response.url == reverse(
        "liaisons:residence_cell", args=[world.r1c1.pk]
    )
    liaison.refresh_from_db()
    assert (liaison.status, liaison.end_date) == (S.ENDED, datetime.date(2026, 3, 2))
    assert ChangeNotice.objects.filter(
        liaison=liaison, recipient_org=world.w1, kind="no_longer_resides"
    ).exists()
    report.refresh_from_db()
    assert report.state == "confirmed"
    # From the book, back to the book; an outside `next` is ignored.
    other = _received(world, "Phạm Thu Hằng")[0]
    response = client.post(_departure_url(other), {"date": "01/03/2026", "next": "https://example.com/"})
    assert response.url == reverse("liaisons:residence_cell", args=[world.r1c1.pk])
    assert Liaison.objects.get(pk=other.pk).status == S.ENDED


def test_the_queue_costs_the_same_queries_for_one_report_and_for_many(world, client_for):
    _reported(world)
    client = client_for(world.r1_staff)
    one = _count_queries(client, _queue_url(world.r1))
    for liaison in _received(world, *(f"Nguyễn Văn Thứ{chr(ord('a') + i)}" for i in range(8))):
        _reported(world, liaison=liaison)
    many = _count_queries(client, _queue_url(world.r1))
    assert many == one
    assert client.get(_queue_url(world.r1)).content.decode().count("<tr data-row") == 9


def test_tracking_book_counts_arrivals_and_departures_in_the_period(world, client_for):
    arrived, left, before = _received(world, "Phạm Thu Hằng", "Hoàng Văn Nam", "Vũ Thị Mai")
    at = datetime.datetime(2025, 3, 10, 9, tzinfo=datetime.UTC)
    Liaison.objects.filter(pk=arrived.pk).update(received_at=at)
    Liaison.objects.filter(pk=left.pk).update(received_at=at - datetime.timedelta(days=400))
    services.liaison_no_longer_resides(actor=world.r1_staff, liaison=left, date=datetime.date(2025, 6, 1))
    Liaison.objects.filter(pk=before.pk).update(received_at=at - datetime.timedelta(days=500))
    Liaison.objects.filter(member=world.m1).update(received_at=at + datetime.timedelta(days=400))  # after
    client = client_for(world.r1_staff)
    url = reverse("liaisons:residence_book", args=[world.r1.pk])
    response = client.get(url, {"start": "01/01/2025", "end": "31/12/2025"})
    counts = response.context["counts"]
    assert counts == {"total": 3, "arrivals": 1, "departures": 1, "parts": [3, 0]}  # committee, cells
    text = response.content.decode()
    assert "Phạm Thu Hằng" in text and "Hoàng Văn Nam" in text and "Nguyễn Văn An" not in text
    assert 'id="book-arrivals">1<' in text and 'id="book-departures">1<' in text
    # The cell's own book; a bad period is said, in Vietnamese.
    cell_book = client.get(
        reverse("liaisons:residence_book", args=[world.r1c1.pk]), {"start": "01/01/2025", "end": "31/12/2025"}
    )
    assert cell_book.context["counts"]["total"] == 3
    bad = client.get(url, {"start": "31/12/2025", "end": "01/01/2025"}).content.decode()
    assert "“Đến ngày” phải sau hoặc bằng “Từ ngày”." in bad
    # Default period: this year.
    assert client.get(url).context["start"] == datetime.date(timezone.localdate().year, 1, 1)


@pytest.mark.parametrize("persona", ["w1_staff", "r2_staff", "outsider", "member_user"])
def test_outsiders_get_404_on_every_page_with_an_object(world, client_for, persona):
    introduced = introduce(world, "Phạm Thu Hằng")[0]
    active = world.m1.liaisons.get()
    report = _reported(world, liaison=active)
    client = client_for(getattr(world, persona))
    gets = [
        reverse("liaisons:residence_departure", args=[report.pk]),
        _queue_url(world.r1),
        reverse("liaisons:residence_receive", args=[introduced.pk]),
        reverse("liaisons:residence_return", args=[introduced.pk]),
        reverse("liaisons:residence_cell", args=[world.r1c1.pk]),
        reverse("liaisons:residence_place", args=[active.pk]),
        reverse("liaisons:residence_no_longer_resides", args=[active.pk]),
        reverse("liaisons:residence_book", args=[world.r1.pk]),
        reverse("liaisons:residence_book", args=[world.r1c1.pk]),
        reverse("liaisons:residence_book", args=[world.r1.pk]) + "?format=xlsx",
        reverse("liaisons:residence_cells") + f"?org={world.r1.pk}",
        incoming_url(world.r1),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("liaisons:residence_receive", args=[introduced.pk]), {"cell": world.r1c1.pk}),
        (reverse("liaisons:residence_return", args=[introduced.pk]), {"reason": "duplicate"}),
        (reverse("liaisons:residence_return", args=[introduced.pk]), {"reason": "duplicate", "confirm": "1"}),
        (reverse("liaisons:residence_group_create", args=[world.r1c1.pk]), {"name": "Tổ 9"}),
        (reverse("liaisons:residence_activate", args=[active.pk]), {}),
        (reverse("liaisons:residence_place", args=[active.pk]), {"follower_name": "X"}),
        (reverse("liaisons:residence_no_longer_resides", args=[active.pk]), {"date": "01/01/2026"}),
        (reverse("liaisons:residence_departure", args=[report.pk]), {"decision": "confirm"}),
        (
            reverse("liaisons:residence_departure", args=[report.pk]),
            {"decision": "reject", "reason": "Không"},
        ),
        (incoming_url(world.r1), {"org": world.r1.pk, "liaisons": [introduced.pk], "cell": world.r1c1.pk}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert Liaison.objects.get(pk=introduced.pk).status == S.INTRODUCED
    assert Liaison.objects.get(pk=active.pk).status == S.ACTIVE
    assert DepartureReport.objects.get().state == "pending"
    assert "Nguyễn Văn An" not in client.get(_queue_url()).content.decode()
    assert not Group.objects.exists()
    # The group options of a cell out of scope are empty.
    options = client.get(
        reverse("liaisons:residence_group_options"), {"cell": world.r1c1.pk}
    ).content.decode()
    assert options.count("<option") == 1


def test_a_cell_secretary_stays_in_the_cell(world, client_for):
    client = client_for(world.r1c1_secretary)
    assert client.get(reverse("liaisons:residence_cell", args=[world.r1c2.pk])).status_code == 404
    assert client.get(reverse("liaisons:residence_book", args=[world.r1.pk])).status_code == 404
    assert client.get(reverse("liaisons:residence_book", args=[world.r1c1.pk])).status_code == 200
    page = client.get(reverse("liaisons:residence_cells")).content.decode()
    assert "Chi bộ tổ dân phố số 1" in page and "Chi bộ tổ dân phố số 2" not in page


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_incoming_list_runs_a_bounded_number_of_queries(world, client_for):
    client = client_for(world.r1_staff)
    introduce(world, "Phạm Thu Hằng")
    one = _count_queries(client, incoming_url(world.r1))
    introduce(world, *[f"Nguyễn Văn Thứ{chr(ord('a') + i)}" for i in range(19)])
    twenty = _count_queries(client, incoming_url(world.r1))
    assert one == twenty
    assert Liaison.objects.filter(status=S.INTRODUCED).count() == 20


def test_cell_page_and_book_run_a_bounded_number_of_queries(world, client_for):
    client = client_for(world.r1_staff)
    group = Group.objects.create(cell=world.r1c1, name="Tổ 1")
    cell_url = reverse("liaisons:residence_cell", args=[world.r1c1.pk])
    book_url = reverse("liaisons:residence_book", args=[world.r1.pk])
    # One row first: an empty page may skip a query (a lookup among no ids is not sent).
    _received(world, "Trần Văn Thứ", group=group)
    cell_one, book_one = _count_queries(client, cell_url), _count_queries(client, book_url)
    _received(world, *[f"Trần Văn Thứ{chr(ord('a') + i)}" for i in range(19)], group=group)
    assert _count_queries(client, cell_url) == cell_one
    assert _count_queries(client, book_url) == book_one


def test_incoming_pages_by_keyset(world, client_for):
    introduce(world, "Phạm Thu Hằng", "Hoàng Văn Nam", "Vũ Thị Mai")
    client = client_for(world.r1_staff)
    first = client.get(incoming_url(world.r1) + "&size=2")
    assert len(first.context["rows"]) == 2 and first.context["next_cursor"]
    second = client.get(incoming_url(world.r1) + f"&size=2&after={first.context['next_cursor']}")
    assert len(second.context["rows"]) == 1 and second.context["next_cursor"] is None
    names = {r["liaison"].member.full_name for r in first.context["rows"] + second.context["rows"]}
    assert names == {"Phạm Thu Hằng", "Hoàng Văn Nam", "Vũ Thị Mai"}
    assert Member.objects.count() >= 3


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_tracking_book_exports_are_scoped_and_audited(world, client_for, fmt):
    import io

    from haichieu.core.models import AuditEntry

    _received(world, "Phạm Thu Hằng")
    Liaison.objects.filter(member=world.m1).update(received_at=timezone.now())
    url = reverse("liaisons:residence_book", args=[world.r1c1.pk])
    response = client_for(world.r1c1_secretary).get(url, {"format": fmt})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        values = [
            c for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row
        ]
    else:
        import docx

        document = docx.Document(io.BytesIO(content))
        values = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Phạm Thu Hằng" in values and "Nguyễn Văn An" in values
    assert world.m1.national_id not in values and world.m1.party_card_number not in values
    entry = AuditEntry.objects.get(action="export", target_id=str(world.r1c1.pk))
    assert entry.actor == world.r1c1_secretary and fmt in entry.note
    # An unknown format or a bad period is not exported.
    client = client_for(world.r1c1_secretary)
    assert client.get(url, {"format": "pdf"}).status_code == 404
    assert client.get(url, {"start": "x", "end": "y", "format": fmt}).status_code == 404
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_the_hamlet_suggests_its_own_cell_not_one_whose_number_starts_the_same(world, client_for):
    from haichieu.testing import make_org

    r1c12 = make_org(
        world.r1, "R1C12", "Chi bộ tổ dân phố số 12", residential=True, commune=world.r1c1.commune
    )
    r1c10 = make_org(
        world.r1, "R1C10", "Chi bộ tổ dân phố số 10", residential=True, commune=world.r1c1.commune
    )
    ten = introduce(world, "Phạm Thu Hằng", hamlet="Tổ dân phố số 10")[0]
    one = introduce(world, "Hoàng Văn Nam", hamlet="Tổ dân phố số 1")[0]
    assert services.suggest_cell(world.r1, ten.address_hamlet) == r1c10
    assert services.suggest_cell(world.r1, one.address_hamlet) == world.r1c1  # not số 10 or 12
    client = client_for(world.r1_staff)
    page = client.get(reverse("liaisons:residence_receive", args=[ten.pk])).content.decode()
    assert f'<option value="{r1c10.pk}" selected>' in page
    # The cells are listed by number: 1, 2, 10, 12.
    order = [page.index(f'<option value="{c.pk}"') for c in (world.r1c1, world.r1c2, r1c10, r1c12)]
    assert order == sorted(order)
    inbox = client.get(incoming_url()).content.decode()
    row = next(tr for tr in inbox.split("<tr") if "Hoàng Văn Nam" in tr)
    assert "Gợi ý: Chi bộ tổ dân phố số 1<" in row
    # Without a cell of its own, the hamlet suggests none rather than số 10.
    world.r1c1.is_active = False
    world.r1c1.save(update_fields=["is_active"])
    assert services.suggest_cell(world.r1, one.address_hamlet) is None
    inbox = client.get(incoming_url()).content.decode()
    assert "Gợi ý" not in next(tr for tr in inbox.split("<tr") if "Hoàng Văn Nam" in tr)


def _book_pks(org, start, end, size):
    """Every row of the tracking book, page after page of `size` rows."""
    pks, after = [], ""
    parts = selectors.tracking_book_parts(org, start=start, end=end)
    while True:
        page = selectors.tracking_book_page(parts, after=after, size=size)
        pks += [row["pk"] for row in page.rows]
        if page.next_cursor is None:
            return pks
        after = page.next_cursor


def _held(how):
    """selectors.held_ids as PostgreSQL would answer for a book read `how`."""
    if how == "gathered":  # the database cannot tell
        return lambda querysets, **kwargs: None
    if how == "walked":  # dense: each member tested by a subquery
        return lambda querysets, **kwargs: Held([None] * len(querysets), 1)
    return lambda querysets, *, field, **kwargs: Held(
        [sorted(set(qs.values_list(field, flat=True))) for qs in querysets], 10**6
    )


@pytest.mark.parametrize("how", ["gathered", "walked", "walked_by_ids"])
def test_tracking_book_pages_follow_the_whole_book(world, monkeypatch, how):
    """Paged by walking the members in list order (on PostgreSQL: a large book testing each member
    by a subquery, a smaller one against its members' ids) or by merging its two parts, the pages
    give the whole book in order: namesakes (one sort key), a member with two links, a link to one
    of the ward's cells made by another commune committee; without the rest."""
    monkeypatch.setattr(selectors, "held_ids", _held(how))
    now = timezone.now()
    today = timezone.localdate(now)  # the book's days are local days
    names = [
        "Nguyễn Văn An",
        "Lê Thị Bình",
        "Nguyễn Văn An",
        "Trần Văn Cường",
        "Nguyễn Văn An",
        "Lê Thị Bình",
    ]
    members = [make_member(world.w1c2, name) for name in names]
    # A member holds one open link at most: the other open links are their namesakes'.
    namesakes = {i: make_member(world.w1c2, names[i]) for i in (2, 3, 4, 5)}
    for member in reversed(members):  # namesakes' links in the reverse order of their members
        Liaison.objects.create(
            member=member, commune_org=world.r1, cell=world.r1c1, status=S.ACTIVE, received_at=now
        )
    Liaison.objects.create(
        member=members[1], commune_org=world.r1, status=S.ENDED, received_at=now, end_date=today
    )
    Liaison.objects.create(member=namesakes[3], cell=world.r1c2, status=S.RECEIVED, received_at=now)
    Liaison.objects.create(
        member=namesakes[2], commune_org=world.r2, cell=world.r1c1, status=S.ACTIVE, received_at=now
    )
    Liaison.objects.create(member=namesakes[4], commune_org=world.r1, status=S.INTRODUCED)
    Liaison.objects.create(
        member=namesakes[5],
        commune_org=world.r1,
        status=S.ACTIVE,
        received_at=now - datetime.timedelta(days=800),
        end_date=today - datetime.timedelta(days=400),
    )
    start, end = today - datetime.timedelta(days=30), today
    for org in (world.r1, world.r1c1, world.r1c2):
        expected = [liaison.pk for liaison in selectors.tracking_book(org, start=start, end=end)]
        assert expected, org
        for size in (1, 2, 3, 100):
            assert _book_pks(org, start, end, size) == expected, (org, size)
    assert len(list(selectors.tracking_book(world.r1, start=start, end=end))) == 9


def test_a_book_read_by_its_ids_looks_for_namesakes_among_its_members_only(world, monkeypatch):
    """A page's last sort key is shared by namesakes, whose links the page orders by id: read by its
    members' ids, the book looks for them among its own members, not among every member of that
    name (a common name at 1,000,000 members: 1,472 namesakes, each looked up for a link)."""
    monkeypatch.setattr(selectors, "held_ids", _held("walked_by_ids"))
    walks = []
    book_walk = selectors._book_walk

    def recorded(*args, **kwargs):
        answer = book_walk(*args, **kwargs)
        walks.append(set(answer.values_list("pk", flat=True)))
        return answer

    monkeypatch.setattr(selectors, "_book_walk", recorded)
    now = timezone.now()
    today = timezone.localdate(now)
    linked = [make_member(world.w1c2, "Nguyễn Văn An") for _ in range(3)]
    strangers = {make_member(world.w1c2, "Nguyễn Văn An").pk for _ in range(4)}
    for member in linked:
        Liaison.objects.create(
            member=member, commune_org=world.r1, cell=world.r1c1, status=S.ACTIVE, received_at=now
        )
    start = today - datetime.timedelta(days=30)
    expected = [liaison.pk for liaison in selectors.tracking_book(world.r1, start=start, end=today)]
    assert _book_pks(world.r1, start, today, 2) == expected and len(expected) == 3
    assert walks and all(walk and not walk & strangers for walk in walks)


# --- issue 15, item 7: forms that know what the system knows -----------------------------------
def test_a_slip_received_on_paper_earlier_keeps_its_day(world, client_for):
    liaison = introduce(world, "Phạm Thu Hằng")[0]
    liaison.refresh_from_db()
    client = client_for(world.r1_staff)
    url = reverse("liaisons:residence_receive", args=[liaison.pk])
    today = timezone.localdate()
    letter_day = liaison.letter_date
    tomorrow = (today + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    page = client.post(url, {"cell": world.r1c1.pk, "received_on": tomorrow}).content.decode()
    assert "Ngày tiếp nhận không được ở tương lai." in page
    before_letter = (letter_day - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    page = client.post(url, {"cell": world.r1c1.pk, "received_on": before_letter}).content.decode()
    assert f"Ngày tiếp nhận không được trước ngày giới thiệu ({letter_day:%d/%m/%Y})." in page
    assert Liaison.objects.get(pk=liaison.pk).status == S.INTRODUCED
    assert (
        client.post(url, {"cell": world.r1c1.pk, "received_on": letter_day.strftime("%d/%m/%Y")}).status_code
        == 302
    )
    liaison.refresh_from_db()
    assert liaison.status == S.RECEIVED and timezone.localdate(liaison.received_at) == letter_day


def test_receiving_many_takes_the_reception_day_too(world, client_for):
    a, b = introduce(
        world, "Phạm Thu Hằng", "Hoàng Văn Nam", today=timezone.localdate() - datetime.timedelta(days=20)
    )
    day = timezone.localdate() - datetime.timedelta(days=10)
    response = client_for(world.r1_staff).post(
        incoming_url(world.r1),
        {"liaisons": [a.pk, b.pk], "cell": world.r1c1.pk, "received_on": day.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302
    days = {
        timezone.localdate(at)
        for at in Liaison.objects.filter(pk__in=[a.pk, b.pk]).values_list("received_at", flat=True)
    }
    assert days == {day}


def test_reception_without_a_day_is_today(world, client_for):
    liaison = introduce(world, "Phạm Thu Hằng")[0]
    client_for(world.r1_staff).post(
        reverse("liaisons:residence_receive", args=[liaison.pk]), {"cell": world.r1c1.pk}
    )
    liaison.refresh_from_db()
    assert timezone.localdate(liaison.received_at) == timezone.localdate()


def test_the_follower_is_offered_from_the_cell_committee_and_its_members(world, client_for):
    world.r1c1_secretary.full_name = "Đỗ Văn Tâm"
    world.r1c1_secretary.save(update_fields=["full_name"])
    liaison = _received(world, "Phạm Thu Hằng")[0]
    page = client_for(world.r1c1_secretary).get(reverse("liaisons:residence_place", args=[liaison.pk]))
    body = page.content.decode()
    assert 'list="follower-options"' in body
    options = body[body.index('<datalist id="follower-options">') :]
    options = options[: options.index("</datalist>")]
    assert 'value="Đỗ Văn Tâm" label="Chi ủy Chi bộ tổ dân phố số 1"' in options
    assert 'value="Nguyễn Văn An"' in options and 'value="Phạm Thu Hằng"' in options
    # The receive page offers the committees of the commune's cells.
    waiting = introduce(world, "Hoàng Văn Nam")[0]
    body = (
        client_for(world.r1_staff)
        .get(reverse("liaisons:residence_receive", args=[waiting.pk]))
        .content.decode()
    )
    assert 'value="Đỗ Văn Tâm" label="Chi ủy Chi bộ tổ dân phố số 1"' in body
    # Free text stays possible.
    url = reverse("liaisons:residence_place", args=[liaison.pk])
    liaison.refresh_from_db()
    client_for(world.r1c1_secretary).post(
        url, {"follower_name": "Người Ngoài Danh Sách", "version": liaison.version}
    )
    assert Liaison.objects.get(pk=liaison.pk).follower_name == "Người Ngoài Danh Sách"


def test_a_group_is_created_where_the_member_is_placed(world, client_for):
    liaison = _received(world, "Phạm Thu Hằng")[0]
    liaison.refresh_from_db()
    client = client_for(world.r1c1_secretary)
    url = reverse("liaisons:residence_place", args=[liaison.pk])
    body = client.get(url).content.decode()
    assert "chưa có tổ/nhóm nào: lập tổ/nhóm mới ở ô dưới" in body
    assert client.post(url, {"new_group": " Tổ  3 ", "version": liaison.version}).status_code == 302
    liaison.refresh_from_db()
    assert liaison.group.name == "Tổ 3" and liaison.group.cell == world.r1c1
    # An existing name: the message on the field, nothing placed, no second group.
    other = _received(world, "Hoàng Văn Nam")[0]
    other.refresh_from_db()
    page = client.post(
        reverse("liaisons:residence_place", args=[other.pk]), {"new_group": "tổ 3", "version": other.version}
    ).content.decode()
    assert "Chi bộ đã có tổ/nhóm “tổ 3”." in page
    assert (
        Group.objects.filter(cell=world.r1c1).count() == 1 and Liaison.objects.get(pk=other.pk).group is None
    )
    # Both a group and a new one: which one is meant is asked.
    page = client.post(
        reverse("liaisons:residence_place", args=[other.pk]),
        {"group": liaison.group_id, "new_group": "Tổ 4", "version": other.version},
    ).content.decode()
    assert "không cả hai" in page and not Group.objects.filter(name="Tổ 4").exists()
