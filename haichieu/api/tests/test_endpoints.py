"""The API's reads and writes beyond the scope walk: audit as the pages audit, the writes' validation
(Vietnamese, 422 not 500, nothing half-written), constant query counts, the local docs."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haichieu.api.services import api_token_create
from haichieu.core.models import AuditEntry
from haichieu.liaisons.models import ChangeNotice, Liaison
from haichieu.meetings.models import Attendance, Meeting
from haichieu.ratings.models import Rating
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(world):
    return lambda persona: api_token_create(actor=getattr(world, persona), name="Kiểm thử")[1]


def test_reading_a_full_record_is_logged_as_the_members_page_logs_it(world, key, api_call):
    assert api_call(key("w1_staff"), "get", f"/members/{world.m1.pk}").status_code == 200
    entry = AuditEntry.objects.get(action="view")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        world.w1_staff,
        "members.member",
        str(world.m1.pk),
    )
    # The residence side reads no full record: no entry, as on the page.
    assert api_call(key("r1_staff"), "get", f"/members/{world.m1.pk}").status_code == 200
    assert AuditEntry.objects.filter(action="view").count() == 1
    # A page of the member list is an export entry (a program reading the list exports it).
    assert api_call(key("w1_staff"), "get", "/members?q=an").status_code == 200
    export = AuditEntry.objects.get(action="export")
    assert export.actor == world.w1_staff and "API" in export.target_repr and "tìm “an”" in export.note
    assert AuditEntry.objects.filter(action__in=["view", "export"]).count() == 2


def test_an_event_is_recorded_through_the_service_in_one_transaction(world, key, api_call):
    response = api_call(
        key("w1_staff"), "post", f"/members/{world.m1.pk}/events",
        {"kind": "position_change", "event_date": f"{datetime.date.today():%Y-%m-%d}", "new_position": "Phó Giám đốc"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    notice = ChangeNotice.objects.get(member=world.m1)
    assert response.json()["notice"]["id"] == notice.pk and notice.recipient_org == world.r1
    world.m1.refresh_from_db()
    assert world.m1.position == "Phó Giám đốc"
    assert AuditEntry.objects.filter(target_type="liaisons.changenotice", target_id=str(notice.pk)).exists()
    # The same event again: the service's message, 422, nothing more written.
    again = api_call(
        key("w1_staff"), "post", f"/members/{world.m1.pk}/events",
        {"kind": "position_change", "event_date": f"{datetime.date.today():%Y-%m-%d}", "new_position": "Giám đốc"},
    )  # fmt: skip
    assert again.status_code == 422 and "đã được ghi nhận" in again.json()["detail"]
    assert again.json()["field"] == "kind" and ChangeNotice.objects.count() == 1


@pytest.mark.parametrize(
    "body, where, message",
    [
        ({"kind": "nope", "event_date": "2025-01-01"}, "kind", "Loại biến động không hợp lệ."),
        ({"kind": "job_transfer", "event_date": "2999-01-01"}, "event_date", "Ngày biến động không được ở tương lai."),
        ({"kind": "position_change", "event_date": "2025-01-01"}, "new_position", "Vui lòng nhập chức vụ mới."),
        ({"kind": "residence_change", "event_date": "2025-01-01", "new_commune": "99999"}, "new_commune",
         "Không tìm thấy xã/phường/đặc khu có mã “99999”."),
    ],
)  # fmt: skip
def test_a_refused_event_is_a_vietnamese_422_and_writes_nothing(world, key, api_call, body, where, message):
    token = key("w1_staff")
    before = AuditEntry.objects.count()
    response = api_call(token, "post", f"/members/{world.m1.pk}/events", body)
    assert response.status_code == 422
    assert response.json() == {"detail": message, "field": where}
    assert not ChangeNotice.objects.exists() and AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    "body, message",
    [
        ({"event_date": "2025-01-01"}, "Thiếu giá trị bắt buộc."),
        ({"kind": "job_transfer", "event_date": "01/13/2025"}, "Ngày không hợp lệ: viết theo dạng YYYY-MM-DD."),
        ({"kind": "job_transfer", "event_date": "2025-01-01", "details": "a\x00b"},
         "Văn bản chứa ký tự NUL (\\x00) không hợp lệ."),
        ({"kind": "job_transfer", "event_date": "2025-01-01", "details": "x" * 2001}, "Văn bản quá dài."),
    ],
)  # fmt: skip
def test_malformed_input_is_a_vietnamese_422(world, key, api_call, body, message):
    response = api_call(key("w1_staff"), "post", f"/members/{world.m1.pk}/events", body)
    assert response.status_code == 422
    assert message in [e["msg"] for e in response.json()["detail"]]
    assert not ChangeNotice.objects.exists()


def test_a_body_that_is_not_json_is_a_422(world, key, client):
    response = client.post(
        f"/api/v1/members/{world.m1.pk}/events", "{not json", content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key('w1_staff')}",
    )  # fmt: skip
    assert response.status_code in (400, 422)


def test_attendance_is_marked_through_the_meetings_service(world, key, api_call):
    meeting = Meeting.objects.create(
        cell=world.r1c1, date=datetime.date.today(), start_time=datetime.time(19, 30), place="Nhà văn hóa",
        agenda="Họp.", state=Meeting.State.PLANNED,
    )  # fmt: skip
    attendance = Attendance.objects.create(meeting=meeting, member=world.m1, source=Attendance.Source.LIAISON)
    token = key("r1c1_secretary")
    path = f"/meetings/{meeting.pk}/attendance/{attendance.pk}"
    refused = api_call(token, "post", path, {"status": "present"})
    assert refused.status_code == 422 and "chưa bắt đầu" in refused.json()["detail"]
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.OPEN)
    assert (
        api_call(token, "post", path, {"status": "sick"}).json()["detail"]
        == "Tình hình tham dự không hợp lệ."
    )
    marked = api_call(token, "post", path, {"status": "excused", "reason": "Ốm"})
    assert marked.status_code == 200 and marked.json()["status"] == "excused"
    attendance.refresh_from_db()
    assert (attendance.status, attendance.reason, attendance.method) == ("excused", "Ốm", "roll_call")
    assert (
        AuditEntry.objects.filter(target_type="meetings.attendance", target_id=str(attendance.pk)).count()
        == 1
    )
    assert (
        api_call(
            token, "post", f"/meetings/{meeting.pk}/attendance/999999", {"status": "present"}
        ).status_code
        == 404
    )


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content
    return len(ctx)


@pytest.mark.parametrize("persona", ["admin", "w1_staff", "r1_staff"])
def test_each_list_costs_the_same_queries_at_2_and_at_40_rows(world, key, api_call, persona):
    members = [make_member(world.w1c1, f"Đảng viên Số {n}") for n in range(40)]
    Liaison.objects.bulk_create(
        Liaison(member=m, workplace_org=world.w1, commune_org=world.r1, cell=world.r1c1, status="active")
        for m in members
    )
    ChangeNotice.objects.bulk_create(
        ChangeNotice(member=m, kind="long_absence", direction="to_residence", sender_org=world.w1,
                     recipient_org=world.r1, event_date=datetime.date(2025, 1, 1))
        for m in members
    )  # fmt: skip
    meeting = Meeting.objects.create(
        cell=world.r1c1,
        date=datetime.date(2025, 1, 1),
        start_time=datetime.time(8),
        place="Nhà văn hóa",
        agenda=".",
    )
    Meeting.objects.bulk_create(
        Meeting(cell=world.r1c1, date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
                start_time=datetime.time(8), place="Nhà văn hóa", agenda=".")
        for n in range(40)
    )  # fmt: skip
    Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m) for m in members)
    Rating.objects.bulk_create(
        Rating(member=m, year=2025, exempt=True, rated_at=datetime.datetime.now(datetime.UTC))
        for m in members
    )
    token = key(persona)
    paths = [
        "/members",
        "/organizations",
        "/liaisons",
        "/notices",
        "/meetings",
        "/ratings",
        "/comment-requests",
    ]
    if persona != "w1_staff":  # the workplace does not open the residential cell's meetings
        paths.append(f"/meetings/{meeting.pk}/attendance")
    for path in paths:
        api_call(token, "get", f"{path}?size=1")  # the token's first use marks it used
        small = _queries(lambda p=path: api_call(token, "get", f"{p}?size=2"))
        large = _queries(lambda p=path: api_call(token, "get", f"{p}?size=40"))
        assert small == large, f"{path}: {small} queries for 2 rows, {large} for 40"


def test_paging_follows_the_cursor_to_the_end(world, key, api_call):
    for n in range(5):
        make_member(world.w1c1, f"Đảng viên Số {n}")
    token = key("w1_staff")
    seen, after = [], ""
    while True:
        page = api_call(token, "get", f"/members?size=2&after={after}").json()
        seen += [m["id"] for m in page["items"]]
        if not page["next"]:
            break
        after = page["next"]
    assert len(seen) == len(set(seen)) == 7  # m1, m2 and the five


def test_the_schema_and_its_docs_page_are_served_from_the_app(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/members" in paths and "/api/v1/members/{pk}/events" in paths
    assert schema.json()["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html  # no CDN, no outside validator
    assert '"validatorUrl": null' in html
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name
    assert "ninja" in django_settings.INSTALLED_APPS
    assert Path(finders.find("ninja/swagger-ui-init.js")).read_text().count("http") == 0


def test_a_move_names_the_new_commune_by_its_code_and_opens_the_new_link(world, key, api_call):
    link = world.m1.liaisons.get()
    response = api_call(
        key("w1c1_secretary"), "post", f"/members/{world.m1.pk}/events",
        {"kind": "residence_change", "event_date": f"{datetime.date.today():%Y-%m-%d}", "new_commune": "00004",
         "new_hamlet": "Tổ 5"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ended_liaison_id"] == link.pk and body["new_liaison_id"] is not None
    new = Liaison.objects.get(pk=body["new_liaison_id"])
    assert (new.status, new.commune.code, new.commune_org) == ("draft", "00004", world.r2)
    link.refresh_from_db()
    assert link.status == "ended"


def test_meeting_figures_of_an_organisation_in_scope(world, key, api_call):
    Meeting.objects.create(
        cell=world.r1c1, date=datetime.date(2025, 3, 1), start_time=datetime.time(8), place="Nhà văn hóa",
        agenda=".", state=Meeting.State.CLOSED,
    )  # fmt: skip
    body = api_call(
        key("r1_staff"), "get", f"/statistics/meetings?organization={world.r1.pk}&year=2025"
    ).json()
    assert body["year"] == 2025 and body["total"]["held"] == 1 and body["total"]["cells"] == 2
    assert {row["organization_id"] for row in body["children"]} == {world.r1c1.pk, world.r1c2.pk}
    assert (
        api_call(key("r2_staff"), "get", f"/statistics/meetings?organization={world.r1.pk}").status_code
        == 404
    )
