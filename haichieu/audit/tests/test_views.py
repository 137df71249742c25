import datetime
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haichieu.core.audit import audit_record
from haichieu.core.models import AuditEntry
from haichieu.liaisons.models import ChangeNotice

pytestmark = pytest.mark.django_db


def listed(response):
    return [(e.action, e.target_type, e.target_id) for e in response.context["page"].rows]


def about(obj):
    return (obj._meta.label_lower, str(obj.pk))


def _entries(world):
    """An entry of each kind the audit page may list, on both halves of the world."""
    m1_link, m3_link = world.m1.liaisons.get(), world.m3.liaisons.get()
    notice = ChangeNotice.objects.create(
        member=world.m2,
        kind="long_absence",
        direction="to_residence",
        sender_org=world.w1,
        event_date=datetime.date(2026, 1, 5),
    )
    for actor, action, target in [
        (world.province_staff, "view", world.m1),
        (world.w1_staff, "update", world.m2),
        (world.w1_staff, "update", m1_link),
        (world.w1_staff, "create", notice),
        (world.w1_staff, "export", world.w1c1),
        (world.province_staff, "view", world.m3),
        (world.w2_staff, "update", m3_link),
        (world.r1_staff, "export", world.r1),
        (world.r2_staff, "export", world.r2),
    ]:
        audit_record(actor=actor, action=action, target=target)
    return m1_link, m3_link, notice


def test_workplace_staff_see_the_entries_about_their_members_links_notices_and_organisations(
    world, client_for
):
    m1_link, m3_link, notice = _entries(world)
    response = client_for(world.w1_staff).get(reverse("audit:log"))
    assert response.status_code == 200
    assert {
        (a, *about(t))
        for a, t in [
            ("view", world.m1),
            ("update", world.m2),
            ("update", m1_link),
            ("create", notice),
            ("export", world.w1c1),
        ]
    } == set(listed(response))
    body = response.content.decode()
    assert "Lê Đức Cường" not in body and "Đảng ủy phường Ba Đình" not in body

    w2 = listed(client_for(world.w2_staff).get(reverse("audit:log")))
    assert set(w2) == {("view", *about(world.m3)), ("update", *about(m3_link))}


def test_residence_staff_see_nothing_about_members_they_see_from_the_residence_side(world, client_for):
    m1_link, _, _ = _entries(world)
    # r1_staff see m1 (who lives in R1) on the residence side, and act on m1's link.
    audit_record(actor=world.r1_staff, action="update", target=m1_link)
    rows = listed(client_for(world.r1_staff).get(reverse("audit:log")))
    assert rows == [("export", *about(world.r1))]
    filtered = client_for(world.r1_staff).get(reverse("audit:log"), {"member": world.m1.party_card_number})
    assert listed(filtered) == []


def test_the_province_sees_both_halves_and_viewers_and_secretaries_get_404(world, client_for):
    _entries(world)
    assert len(listed(client_for(world.province_staff).get(reverse("audit:log")))) == 9
    for persona in ("w1_viewer", "w1c1_secretary", "member_user", "outsider"):
        assert client_for(getattr(world, persona)).get(reverse("audit:log")).status_code == 404


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"member": "tran thi BINH"}, {("update", "m2"), ("create", "notice")}),
        ({"member": "Trần Thị Bình"}, {("update", "m2"), ("create", "notice")}),
        ({"member": "card:m1"}, {("view", "m1"), ("update", "m1_link")}),
        ({"member": "Lê Đức Cường"}, set()),  # W2's member: outside the scope
        ({"actor": "PROVINCE_STAFF"}, {("view", "m1")}),
        ({"action": "update"}, {("update", "m2"), ("update", "m1_link")}),
        ({"action": "create", "member": "binh"}, {("create", "notice")}),
        ({"actor": "w1_staff", "action": "export"}, {("export", "w1c1")}),
    ],
)
def test_filters(world, client_for, query, expected):
    m1_link, _, notice = _entries(world)
    names = {
        about(world.m1): "m1",
        about(world.m2): "m2",
        about(m1_link): "m1_link",
        about(notice): "notice",
        about(world.w1c1): "w1c1",
    }
    if query.get("member", "").startswith("card:"):
        query = {"member": f" {world.m1.party_card_number} "}
    response = client_for(world.w1_staff).get(reverse("audit:log"), query)
    assert {(action, names.get((t, i), "?")) for action, t, i in listed(response)} == expected


def test_date_range_is_in_local_days_both_included(world, client_for):
    _entries(world)
    tz = timezone.get_current_timezone()
    # 23:30 on 04/01 and 00:30 on 06/01 in Hà Nội: outside 05/01; 12:00 on 05/01 inside.
    moments = {
        "view": datetime.datetime(2026, 1, 4, 23, 30, tzinfo=tz),
        "export": datetime.datetime(2026, 1, 6, 0, 30, tzinfo=tz),
        "create": datetime.datetime(2026, 1, 5, 12, 0, tzinfo=tz),
    }
    for action, moment in moments.items():
        AuditEntry.objects.filter(action=action).update(at=moment)
    client = client_for(world.w1_staff)
    one_day = listed(client.get(reverse("audit:log"), {"start": "05/01/2026", "end": "05/01/2026"}))
    assert [a for a, *_ in one_day] == ["create"]
    two_days = listed(client.get(reverse("audit:log"), {"start": "04/01/2026", "end": "05/01/2026"}))
    assert sorted(a for a, *_ in two_days) == ["create", "view"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "31/02/2026"}, "Từ ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."),
        ({"end": "hôm qua"}, "Đến ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."),
        ({"start": "05/01/2026", "end": "04/01/2026"}, "Đến ngày phải từ ngày bắt đầu trở đi."),
    ],
)
def test_a_bad_date_says_what_is_wrong_and_lists_nothing(world, client_for, query, message):
    _entries(world)
    response = client_for(world.w1_staff).get(reverse("audit:log"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert listed(response) == []
    export = client_for(world.w1_staff).get(reverse("audit:export"), query)
    assert export.status_code == 200 and message in export.content.decode()


def _sheet_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_export_holds_the_filtered_entries_and_is_itself_audited(world, client_for):
    _entries(world)
    world.w1_staff.full_name = "Trần Thị Tổ Chức"
    world.w1_staff.save(update_fields=["full_name"])
    response = client_for(world.w1_staff).get(reverse("audit:export"), {"action": "update"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="nhat-ky-truy-cap.xlsx"')
    rows = _sheet_rows(response)
    assert rows[0][0] == "NHẬT KÝ TRUY CẬP HỒ SƠ ĐẢNG VIÊN"
    # The title block offices print: whose log, the filter chosen, the date (issue 15, item 10).
    assert rows[1][0] == "Đơn vị: Đảng bộ Sở Tài chính" and rows[2][0] == "Lọc: Thao tác: Cập nhật"
    assert rows[3][0].startswith("Ngày xuất: ") and not any(rows[4])
    header, data = rows[5], rows[6:]
    assert header[:4] == ["Thời điểm", "Tên đăng nhập", "Họ và tên", "Thao tác"]
    assert [(r[1], r[2], r[3], r[4], r[6]) for r in data] == [
        ("w1_staff", "Trần Thị Tổ Chức", "Cập nhật", "Hồ sơ giữ mối liên hệ", str(world.m1.liaisons.get())),
        ("w1_staff", "Trần Thị Tổ Chức", "Cập nhật", "Đảng viên", "Trần Thị Bình"),
    ]
    assert isinstance(data[0][0], datetime.datetime)
    entry = AuditEntry.objects.get(action="export", target_type="core.auditentry")
    assert entry.actor == world.w1_staff and entry.note == "action=update"


def test_keyset_pages_and_query_count_constant_in_page_size(world, client_for):
    for _ in range(60):
        audit_record(actor=world.province_staff, action="view", target=world.m1)
    client = client_for(world.w1_staff)

    def queries(size):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("audit:log"), {"size": size})
        return len(ctx.captured_queries), response

    (one, _), (fifty, response) = queries(1), queries(50)
    assert one == fifty
    first = response.context["page"]
    assert len(first.rows) == 50 and first.next_cursor
    second = client.get(reverse("audit:log"), {"size": 50, "after": first.next_cursor}).context["page"]
    assert len(second.rows) == 10
    assert {e.pk for e in first.rows}.isdisjoint(e.pk for e in second.rows)
    assert f"after={first.next_cursor}" in response.content.decode()


def test_the_navigation_links_the_audit_page_for_managers_only(world, client_for):
    assert 'id="nav-audit"' in client_for(world.w1_staff).get(reverse("home")).content.decode()
    assert 'id="nav-audit"' not in client_for(world.w1_viewer).get(reverse("home")).content.decode()


# --- a member's own pages ----------------------------------------------------------------------
def test_a_member_sees_who_opened_their_record(world, client_for):
    world.w1_staff.full_name = "Trần Thị Tổ Chức"
    world.w1_staff.save(update_fields=["full_name"])
    client_for(world.w1_staff).get(reverse("members:detail", args=[world.m1.pk]))  # logged: view
    client_for(world.w1_staff).get(reverse("members:detail", args=[world.m2.pk]))  # someone else's record
    client_for(world.member_user).get(reverse("members:detail", args=[world.m1.pk]))  # one's own read
    audit_record(actor=world.admin, action="export", target=world.m1.liaisons.get())
    audit_record(actor=world.w1_staff, action="update", target=world.m1)  # a change, not a read
    response = client_for(world.member_user).get(reverse("audit:own_reads"))
    assert response.status_code == 200
    rows = [(r.who, r.where, r.action) for r in response.context["page"].rows]
    assert rows == [
        ("admin", "Quản trị hệ thống", "Xuất dữ liệu"),
        ("Trần Thị Tổ Chức", "Đảng bộ Sở Tài chính", "Xem hồ sơ đầy đủ"),
    ]
    body = response.content.decode()
    assert "Trần Thị Tổ Chức" in body and "Ai đã xem hồ sơ của tôi" in body
    home = client_for(world.member_user).get(reverse("home")).content.decode()
    assert reverse("audit:own_reads") in home


def test_own_pages_are_404_without_a_member_record(world, client_for):
    for name in ("audit:own_reads", "audit:own_data"):
        assert client_for(world.w1_staff).get(reverse(name)).status_code == 404
        assert client_for(world.admin).get(reverse(name)).status_code == 404


def test_a_member_downloads_their_own_data_as_xlsx_and_json(world, client_for):
    ChangeNotice.objects.create(
        member=world.m1,
        liaison=world.m1.liaisons.get(),
        kind="position_change",
        direction="to_residence",
        sender_org=world.w1,
        recipient_org=world.r1,
        event_date=datetime.date(2026, 1, 5),
        details="Trưởng phòng",
    )
    ChangeNotice.objects.create(
        member=world.m3,
        kind="long_absence",
        direction="to_residence",
        sender_org=world.w2,
        event_date=datetime.date(2026, 1, 5),
        details="Của người khác",
    )
    client = client_for(world.member_user)
    response = client.get(reverse("audit:own_data"))
    assert response.status_code == 200
    rows = _sheet_rows(response)
    values = {(r[0], r[1]): r[2] for r in rows[3:]}
    assert values[("Hồ sơ đảng viên", "Họ và tên")] == "Nguyễn Văn An"
    assert values[("Hồ sơ đảng viên", "Số thẻ đảng viên")] == world.m1.party_card_number
    assert values[("Hồ sơ đảng viên", "Số CCCD")] == world.m1.national_id
    assert values[("Hồ sơ đảng viên", "Ngày sinh")] == datetime.datetime(1985, 5, 17)
    link = f"Hồ sơ giữ mối liên hệ 1 (số {world.m1.liaisons.get().pk})"
    assert values[(link, "Đảng ủy xã/phường")] == "Đảng ủy phường Hoàn Kiếm"
    assert values[(link, "Trạng thái")] == "Đang sinh hoạt"
    notice_values = [v for (section, label), v in values.items() if section.startswith("Thông báo")]
    assert "Trưởng phòng" in notice_values and "Của người khác" not in notice_values

    data = json.loads(client.get(reverse("audit:own_data"), {"format": "json"}).content)
    assert data["member"]["full_name"] == "Nguyễn Văn An"
    assert data["member"]["date_of_birth"] == "1985-05-17"
    assert "sort_key" not in data["member"] and "name_folded" not in data["member"]
    assert [link["status"] for link in data["liaisons"]] == ["active"]
    assert [n["details"] for n in data["notices"]] == ["Trưởng phòng"]
    assert client.get(reverse("audit:own_data"), {"format": "pdf"}).status_code == 404

    exports = AuditEntry.objects.filter(
        action="export", target_type="members.member", target_id=str(world.m1.pk)
    )
    assert sorted(exports.values_list("note", flat=True)) == [
        "Dữ liệu của tôi (json)",
        "Dữ liệu của tôi (xlsx)",
    ]
    # The organisation department sees the download; the member's own page does not list it.
    assert ("export", *about(world.m1)) in listed(client_for(world.w1_staff).get(reverse("audit:log")))
    assert client_for(world.member_user).get(reverse("audit:own_reads")).context["page"].rows == []
