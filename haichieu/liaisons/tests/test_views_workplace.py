import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haichieu.liaisons import services
from haichieu.liaisons.models import ChangeNotice, InboxItem, Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import introduce_through_preview, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def hk(world):
    return Commune.objects.get(code="00070")


def test_coverage_counts_rate_and_hd33_categories_apart(world, client_for, hk):
    make_member(world.w1c1, "Quân Văn Trại", liaison_category="barracks", residence_commune=hk)
    make_member(world.w1c1, "Bí Văn Mật", liaison_category="secret")
    response = client_for(world.w1_staff).get(reverse("liaisons:coverage"))
    summary = response.context["summary"]
    # m1 active, m2 and the barracks member not introduced; the secret one is counted apart.
    assert summary["total"] == 4 and summary["to_introduce"] == 3 and summary["covered"] == 1
    assert summary["not_introduced_category"] == 1 and summary["excused"] == 1
    assert summary["rate"] == 33.3
    body = response.content.decode()
    assert "Miễn sinh hoạt nơi cư trú" in body and "Không giới thiệu" in body


def test_coverage_marks_overdue_introductions(world, client_for):
    response = client_for(world.w1_staff).get(reverse("liaisons:coverage"))
    rows = {row["member"].full_name: row for row in response.context["rows"]}
    assert rows["Trần Thị Bình"]["overdue"] == "Quá hạn giới thiệu về nơi cư trú"
    assert rows["Nguyễn Văn An"]["overdue"] == ""


def test_coverage_filters_by_link_status(world, client_for):
    response = client_for(world.w1_staff).get(reverse("liaisons:coverage"), {"link": "active"})
    assert [row["member"].full_name for row in response.context["rows"]] == ["Nguyễn Văn An"]


def test_coverage_query_count_does_not_grow_with_page_size(world, client_for, hk):
    for i in range(30):
        member = make_member(world.w1c1, f"Tô Văn Số{i:02d}", residence_commune=hk)
        if i % 2:
            Liaison.objects.create(
                member=member, workplace_org=world.w1, commune_org=world.r1, status="introduced"
            )
    client = client_for(world.province_staff)

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("liaisons:coverage"), {"size": size})
        return len(ctx.captured_queries), len(response.context["rows"])

    assert count(1)[0] == count(25)[0]
    assert count(25)[1] == 25


def test_introduce_selected_members_then_download_letters(world, client_for, hk):
    a = make_member(world.w1c1, "Lã Thị Hoa", residence_commune=hk, gender=Member.Gender.FEMALE)
    b = make_member(world.w1c2, "Mạc Văn Long", residence_commune=hk)
    client = client_for(world.w1_staff)
    response = introduce_through_preview(client, {"member": [a.pk, b.pk], "all": "0"})
    assert response.status_code == 200
    introduced = response.context["introduced"]
    assert sorted(liaison.member.full_name for liaison in introduced) == ["Lã Thị Hoa", "Mạc Văn Long"]
    assert InboxItem.objects.filter(recipient_org=world.r1, kind="introduction").count() == 2
    letters = client.get(reverse("liaisons:letters"), {"ids": response.context["letter_ids"]})
    assert letters.status_code == 200
    assert letters["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )


def test_introduce_all_not_yet_introduced_reports_who_was_skipped(world, client_for, hk):
    make_member(world.w1c1, "Lã Thị Hoa", residence_commune=hk)
    response = introduce_through_preview(client_for(world.w1_staff), {"all": "1"})
    assert [liaison.member.full_name for liaison in response.context["introduced"]] == ["Lã Thị Hoa"]
    assert [m.full_name for m, _ in response.context["skipped"]] == ["Trần Thị Bình"]  # no residence commune
    assert "chưa có xã/phường cư trú" in response.content.decode()


def test_introduce_refuses_members_out_of_scope_as_not_found(world, client_for):
    response = client_for(world.w1_staff).post(reverse("liaisons:introduce"), {"member": [world.m3.pk]})
    assert response.status_code == 404
    assert not Liaison.objects.filter(member=world.m3, status="introduced").exists()


def test_letters_of_another_committee_are_not_found(world, client_for, hk):
    member = make_member(world.w2c1, "Khổng Văn Tú", residence_commune=hk)
    liaison = services.liaison_introduce(actor=world.w2_staff, members=[member]).introduced[0]
    response = client_for(world.w1_staff).get(reverse("liaisons:letters"), {"ids": f"{liaison.pk}"})
    assert response.status_code == 404
    response = client_for(world.r1_staff).get(reverse("liaisons:letters"), {"ids": f"{liaison.pk}"})
    assert response.status_code == 404


def test_member_event_form_records_and_notifies(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("liaisons:member_event", args=[world.m1.pk]),
        {"kind": "position_change", "event_date": "05/11/2026", "new_position": "Phó Giám đốc Sở"},
    )
    assert response.status_code == 302
    notice = ChangeNotice.objects.get(member=world.m1)
    assert notice.recipient_org == world.r1 and notice.event_date == datetime.date(2026, 11, 5)
    assert InboxItem.objects.filter(recipient_org=world.r1, kind="notice").exists()


def test_member_event_not_notified_says_so(world, client_for, settings, monkeypatch):
    monkeypatch.setitem(settings.HAICHIEU["RULES"], "NOTIFIED_EVENTS", ["residence_change"])
    response = client_for(world.w1_staff).post(
        reverse("liaisons:member_event", args=[world.m1.pk]),
        {"kind": "position_change", "event_date": "05/11/2026", "new_position": "Phó Giám đốc Sở"},
        follow=True,
    )
    page = response.content.decode()
    assert "Không gửi thông báo: loại biến động này không thuộc danh sách phải thông báo" in page
    assert ChangeNotice.objects.get(member=world.m1).recipient_org is None
    assert not InboxItem.objects.filter(recipient_org=world.r1).exists()


def test_member_event_form_errors_are_vietnamese(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("liaisons:member_event", args=[world.m1.pk]),
        {"kind": "residence_change", "event_date": "40/11/2026"},
    )
    assert "Ngày không hợp lệ" in response.content.decode()
    response = client.post(
        reverse("liaisons:member_event", args=[world.m1.pk]),
        {"kind": "residence_change", "event_date": "01/11/2026"},
    )
    assert "nơi cư trú mới" in response.content.decode()
    assert not ChangeNotice.objects.exists()


def test_move_of_residence_through_the_form_opens_the_new_introduction(world, client_for):
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("liaisons:member_event", args=[world.m1.pk]),
        {
            "kind": "residence_change",
            "event_date": "01/11/2026",
            "new_province": "01",
            "new_commune": "00004",
            "new_hamlet": "Tổ dân phố Quán Thánh",
        },
    )
    assert response.status_code == 302
    statuses = list(Liaison.objects.filter(member=world.m1).order_by("pk").values_list("status", flat=True))
    assert statuses == ["ended", "draft"]
    coverage = client.get(reverse("liaisons:coverage"), {"link": "draft"})
    assert [row["member"].full_name for row in coverage.context["rows"]] == ["Nguyễn Văn An"]


def test_digests_page_shows_due_and_overdue_and_marks_sent(world, client_for):
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=datetime.date(2026, 2, 3),
        new_position="Phó phòng",
    )
    client = client_for(world.w1_staff)
    rows = client.get(reverse("liaisons:digests")).context["rows"]
    assert [(r["period"], r["year"], r["state"], r["count"]) for r in rows] == [(1, 2026, "overdue", 1)]
    url = reverse("liaisons:digest_send", args=[world.w1.pk, world.r1.pk, 2026, 1])
    assert client.post(url).status_code == 302
    assert client.get(reverse("liaisons:digests")).context["rows"][0]["state"] == "sent"
    follow = client.post(url, follow=True)
    assert "đã được gửi" in follow.content.decode()
    viewer = client_for(world.w1_viewer).post(url)
    assert viewer.status_code == 403


def test_inbox_lists_unread_and_marks_read(world, client_for, hk):
    member = make_member(world.w1c1, "Lã Thị Hoa", residence_commune=hk)
    services.liaison_introduce(actor=world.w1_staff, members=[member])
    client = client_for(world.r1_staff)
    response = client.get(reverse("liaisons:inbox"))
    items = response.context["items"]
    assert len(items) == 1 and "Lã Thị Hoa" in items[0].summary
    assert response.context["orgs"] == [(world.r1, 1)]
    client.post(reverse("liaisons:inbox_read"), {"item": [items[0].pk]})
    assert InboxItem.objects.get(pk=items[0].pk).read_at is not None
    # Another commune cannot mark it (nor see it).
    assert client_for(world.r2_staff).get(reverse("liaisons:inbox")).context["items"] == []


def _sheet_rows(response):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [row for row in book.active.iter_rows(values_only=True) if row]
    header_at = next(i for i, row in enumerate(rows) if row[0] == "STT")
    return rows[header_at], rows[header_at + 1 :]


def test_coverage_export_has_every_filtered_row_and_is_audited(world, client_for, hk):
    from haichieu.core.models import AuditEntry

    for i in range(3):
        make_member(world.w1c1, f"Hà Văn Xuất{i}", residence_commune=hk)
    response = client_for(world.w1_staff).get(
        reverse("liaisons:coverage"), {"format": "xlsx", "link": "none"}
    )
    header, rows = _sheet_rows(response)
    assert header[1] == "Họ và tên" and header[5] == "Tình trạng giới thiệu"
    assert sorted(r[1] for r in rows) == ["Hà Văn Xuất0", "Hà Văn Xuất1", "Hà Văn Xuất2", "Trần Thị Bình"]
    assert {r[5] for r in rows} == {"Chưa có hồ sơ"}
    assert AuditEntry.objects.filter(
        action="export", actor=world.w1_staff, target_type="liaisons.liaison"
    ).exists()
    # Another committee's export holds none of W1's members.
    _, other = _sheet_rows(client_for(world.w2_staff).get(reverse("liaisons:coverage"), {"format": "xlsx"}))
    assert [r[1] for r in other] == ["Lê Đức Cường"]


def test_inbox_export_lists_the_items_of_the_users_organisations(world, client_for, hk):
    member = make_member(world.w1c1, "Lã Thị Hoa", residence_commune=hk)
    services.liaison_introduce(actor=world.w1_staff, members=[member])
    _, rows = _sheet_rows(client_for(world.r1_staff).get(reverse("liaisons:inbox"), {"format": "xlsx"}))
    assert len(rows) == 1 and "Lã Thị Hoa" in rows[0][4] and rows[0][3] == "Đảng ủy phường Hoàn Kiếm"
    _, none = _sheet_rows(client_for(world.r2_staff).get(reverse("liaisons:inbox"), {"format": "xlsx"}))
    assert none == []


def test_marking_read_keeps_the_unread_only_view(world, client_for, hk):
    members = [make_member(world.w1c1, name, residence_commune=hk) for name in ("Lã Thị Hoa", "Mạc Văn Đĩnh")]
    services.liaison_introduce(actor=world.w1_staff, members=members)
    client = client_for(world.r1_staff)
    items = client.get(reverse("liaisons:inbox"), {"unread": "1", "org": world.r1.pk}).context["items"]
    assert len(items) == 2
    page = client.get(reverse("liaisons:inbox"), {"unread": "1"}).content.decode()
    assert '<input type="hidden" name="unread" value="1">' in page
    response = client.post(
        reverse("liaisons:inbox_read"), {"item": [items[0].pk], "org": world.r1.pk, "unread": "1"}
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('liaisons:inbox')}?org={world.r1.pk}&unread=1"
    assert [i.pk for i in client.get(response.url).context["items"]] == [items[1].pk]
    response = client.post(reverse("liaisons:inbox_read"), {"item": [items[1].pk], "org": "x", "unread": ""})
    assert response.url == reverse("liaisons:inbox")


def test_the_link_page_names_only_the_links_the_user_may_open(world, client_for):
    """A member moved from Hoàn Kiếm to Ba Đình: Hoàn Kiếm's ward keeps its own link's page but
    learns nothing of the new one (issue 9, finding 9); the workplace sees both."""
    old = Liaison.objects.get(member=world.m1)
    Liaison.objects.filter(pk=old.pk).update(status=Liaison.Status.ENDED)
    new = Liaison.objects.create(
        member=world.m1, workplace_org=world.w1, commune_org=world.r2, commune=world.r2.commune,
        status=Liaison.Status.INTRODUCED, previous=old,
    )  # fmt: skip # one call, the fields of one row
    ward = client_for(world.r1_staff).get(reverse("liaisons:detail", args=[old.pk]))
    assert ward.status_code == 200
    assert ward.context["next_links"] == []
    assert "Ba Đình" not in ward.content.decode()
    workplace = client_for(world.w1_staff).get(reverse("liaisons:detail", args=[old.pk]))
    assert workplace.context["next_links"] == [new]
    back = client_for(world.w1_staff).get(reverse("liaisons:detail", args=[new.pk]))
    assert back.context["chain"] == [old]


def test_a_member_event_sent_twice_is_recorded_once(world, client_for):
    """A double click on "Ghi nhận" made two notices and two inbox items (issue 9, finding 7)."""
    client = client_for(world.w1_staff)
    data = {"kind": "position_change", "event_date": "05/11/2026", "new_position": "Phó Giám đốc Sở"}
    url = reverse("liaisons:member_event", args=[world.m1.pk])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 200
    assert "đã được ghi nhận" in again.content.decode()
    assert ChangeNotice.objects.filter(member=world.m1).count() == 1
    assert InboxItem.objects.filter(recipient_org=world.r1, kind="notice").count() == 1
