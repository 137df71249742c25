import datetime
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haichieu.core.models import AuditEntry
from haichieu.members.models import Member
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db


def listed(response):
    return [m.full_name for m in response.context["page"].rows]


def test_workplace_staff_sees_own_members_only(world, client_for):
    response = client_for(world.w1_staff).get(reverse("members:list"))
    assert response.status_code == 200
    assert listed(response) == ["Nguyễn Văn An", "Trần Thị Bình"]


@pytest.mark.parametrize(
    "query", ["nguyen van a", "NGUYỄN VĂN A", unicodedata.normalize("NFD", "Nguyễn"), "  nguyen   van ", "an"]
)
def test_search_ignores_diacritics_case_and_unicode_form(world, client_for, query):
    response = client_for(world.w1_staff).get(reverse("members:list"), {"q": query})
    assert "Nguyễn Văn An" in listed(response)
    assert "Lê Đức Cường" not in listed(response)  # out of scope, whatever the query


def test_search_matches_d_stroke_with_d(world, client_for):
    response = client_for(world.province_staff).get(reverse("members:list"), {"q": "duc cuong"})
    assert listed(response) == ["Lê Đức Cường"]


def test_search_by_party_card_number(world, client_for):
    response = client_for(world.w1_staff).get(reverse("members:list"), {"q": world.m2.party_card_number})
    assert listed(response) == ["Trần Thị Bình"]


def test_list_sorts_the_vietnamese_way(world, client_for):
    for name in ["Phạm Văn Ân", "Võ Thị Ăn", "Đỗ Văn Đạt", "Bùi Văn Dũng", "Hoàng Anh"]:
        make_member(world.w1c1, name)
    response = client_for(world.w1_staff).get(reverse("members:list"))
    assert listed(response) == [
        "Nguyễn Văn An",
        "Hoàng Anh",
        "Võ Thị Ăn",
        "Phạm Văn Ân",
        "Trần Thị Bình",
        "Bùi Văn Dũng",
        "Đỗ Văn Đạt",
    ]


def test_filters_by_subtree_status_and_commune(world, client_for):
    client = client_for(world.province_staff)
    assert listed(client.get(reverse("members:list"), {"org": "w1c2"})) == ["Trần Thị Bình"]
    assert listed(client.get(reverse("members:list"), {"org": "W1"})) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert listed(client.get(reverse("members:list"), {"has_commune": "no"})) == ["Trần Thị Bình"]
    Member.objects.filter(pk=world.m3.pk).update(status=Member.Status.DECEASED)
    assert listed(client.get(reverse("members:list"), {"status": "active"})) == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
    ]
    assert listed(client.get(reverse("members:list"), {"status": "deceased"})) == ["Lê Đức Cường"]


def test_filter_by_an_organisation_out_of_scope_says_so(world, client_for):
    response = client_for(world.w1_staff).get(reverse("members:list"), {"org": "W2"})
    assert listed(response) == []
    assert "Không tìm thấy tổ chức có mã “W2”" in response.content.decode()


def test_bad_filter_values_do_not_crash(world, client_for):
    client = client_for(world.w1_staff)
    response = client.get(reverse("members:list"), {"status": "nonsense", "size": "abc", "after": "x.y"})
    assert response.status_code == 200
    assert "Tình trạng" in response.content.decode() or response.context["form"].errors


def test_keyset_pagination_walks_forward_and_back(world, client_for):
    for i in range(7):
        make_member(world.w1c1, f"Lý Văn Tư{chr(ord('a') + i)}")
    client = client_for(world.w1_staff)
    first = client.get(reverse("members:list"), {"size": 4})
    second = client.get(reverse("members:list"), {"size": 4, "after": first.context["page"].next_cursor})
    third = client.get(reverse("members:list"), {"size": 4, "after": second.context["page"].next_cursor})
    seen = listed(first) + listed(second) + listed(third)
    assert len(seen) == 9 and len(set(seen)) == 9
    assert third.context["page"].next_cursor is None
    back = client.get(reverse("members:list"), {"size": 4, "before": third.context["page"].prev_cursor})
    assert listed(back) == listed(second)


def _queries_for(client, size):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("members:list"), {"size": size})
    return len(ctx.captured_queries), len(listed(response))


@pytest.mark.parametrize("persona", ["province_staff", "r1_staff", "member_user"])
def test_member_list_query_count_does_not_grow_with_page_size(world, client_for, persona):
    for i in range(55):
        make_member(world.w1c1 if i % 2 else world.w2c1, f"Hồ Văn Số{i:02d}")
    client = client_for(getattr(world, persona))
    one = _queries_for(client, 1)
    fifty = _queries_for(client, 50)
    assert one[0] == fifty[0]
    if persona == "province_staff":
        assert (one[1], fifty[1]) == (1, 50)


def test_detail_shows_history_and_logs_the_read(world, client_for):
    client = client_for(world.w1_staff)
    client.post(
        reverse("members:update", args=[world.m1.pk]),
        {**_form_payload(world.m1), "position": "Trưởng phòng"},
    )
    response = client.get(reverse("members:detail", args=[world.m1.pk]))
    body = response.content.decode()
    assert "Trưởng phòng" in body and "Chuyên viên" in body
    assert AuditEntry.objects.filter(action="view", target_id=str(world.m1.pk), actor=world.w1_staff).exists()


def test_history_names_who_changed_the_record(world, client_for):
    world.w1_staff.full_name = "Trần Thị Tổ Chức"
    world.w1_staff.save(update_fields=["full_name"])
    client_for(world.w1_staff).post(
        reverse("members:update", args=[world.m1.pk]), {**_form_payload(world.m1), "position": "Trưởng phòng"}
    )
    body = client_for(world.w1_staff).get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    history = body[body.index('id="history"') :]
    assert "· Trần Thị Tổ Chức</div>" in history
    # An account deleted later: its username, as recorded, still says who it was.
    AuditEntry.objects.filter(target_id=str(world.m1.pk)).update(actor=None, actor_repr="canbo_cu")
    body = (
        client_for(world.province_staff).get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    )
    assert "· canbo_cu</div>" in body[body.index('id="history"') :]


def test_residence_users_see_no_national_id_nor_history(world, client_for):
    body = client_for(world.r1_staff).get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert "Nguyễn Văn An" in body
    assert world.m1.national_id not in body
    assert world.m1.party_card_number not in body
    assert "Lịch sử thay đổi" not in body


def _form_payload(member, **extra):
    data = {
        "full_name": member.full_name,
        "gender": member.gender,
        "date_of_birth": member.date_of_birth.strftime("%d/%m/%Y"),
        "party_card_number": member.party_card_number,
        "admission_date": member.admission_date.strftime("%d/%m/%Y"),
        "full_membership_date": member.full_membership_date.strftime("%d/%m/%Y")
        if member.full_membership_date
        else "",
        "status": member.status,
        "national_id": member.national_id,
        "phone": member.phone,
        "email": member.email,
        "workplace_cell": member.workplace_cell_id,
        "position": member.position,
        "workplace_unit": member.workplace_unit,
        "address_street": "",
        "address_hamlet": "",
        "residence_province": member.residence_province_id or "",
        "residence_commune": member.residence_commune_id or "",
        "residence_type": member.residence_type,
        "notes": "",
        "version": member.version,
    }
    data.update(extra)
    return data


def test_create_through_the_form(world, client_for):
    client = client_for(world.w1_staff)
    payload = _form_payload(
        world.m1,
        full_name=" Vũ  Thị Hoa ",
        party_card_number="55667788",
        national_id="",
        gender="female",
        version="",
    )
    response = client.post(reverse("members:create"), payload)
    assert response.status_code == 302
    member = Member.objects.get(party_card_number="55667788")
    assert member.full_name == "Vũ Thị Hoa"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "31/02/1990", "Ngày không hợp lệ"),
        ("date_of_birth", "01/01/2090", "Ngày không được ở tương lai"),
        ("admission_date", "01/01/1980", "Ngày vào Đảng phải sau ngày sinh"),
        ("full_membership_date", "01/01/2009", "Ngày chính thức không được trước ngày vào Đảng"),
        ("national_id", "12345", "Số CCCD phải gồm đúng 12 chữ số"),
        ("phone", "12345", "Số điện thoại không hợp lệ"),
        ("full_name", "An", "ít nhất họ và tên"),
        ("party_card_number", "", "Vui lòng nhập số thẻ đảng viên"),
        ("email", "dung.at.example", "Địa chỉ email không hợp lệ"),
    ],
)
def test_form_errors_are_vietnamese_and_nothing_is_written(world, client_for, field, value, message):
    client = client_for(world.w1_staff)
    payload = _form_payload(world.m1, version="", **{"party_card_number": "99887766", field: value})
    response = client.post(reverse("members:create"), payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Member.objects.filter(party_card_number="99887766").exists()


def test_duplicate_card_number_is_refused(world, client_for):
    payload = _form_payload(world.m1, version="")
    response = client_for(world.w1_staff).post(reverse("members:create"), payload)
    assert "Số thẻ đảng viên này đã có trong hệ thống" in response.content.decode()
    assert Member.objects.filter(party_card_number=world.m1.party_card_number).count() == 1


def test_stale_edit_form_gets_a_clear_message(world, client_for):
    client = client_for(world.w1_staff)
    stale = _form_payload(world.m1, position="A")
    client.post(reverse("members:update", args=[world.m1.pk]), _form_payload(world.m1, position="B"))
    response = client.post(reverse("members:update", args=[world.m1.pk]), stale)
    assert "người khác sửa" in response.content.decode()
    world.m1.refresh_from_db()
    assert world.m1.position == "B"


def test_dates_are_shown_day_first(world, client_for):
    world.m1.date_of_birth = datetime.date(1985, 5, 17)
    body = client_for(world.w1_staff).get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert "17/05/1985" in body


def test_list_rows_show_each_value_escaped_with_a_link_to_the_record(world, client_for):
    Member.objects.filter(pk=world.m1.pk).update(position='<b onclick="x()">Trưởng</b> & phó')
    html = client_for(world.w1_staff).get(reverse("members:list")).content.decode()
    # The rows are a Jinja2 template (core/jinja.py): markupsafe writes `"` as &#34;.
    assert "&lt;b onclick=&#34;x()&#34;&gt;Trưởng&lt;/b&gt; &amp; phó" in html and "<b onclick" not in html
    link = reverse("members:detail", args=[world.m1.pk])
    assert f'<tr data-row><td><a href="{link}">Nguyễn Văn An</a></td>' in html
    assert f"<td>{world.m1.workplace_cell.name}</td>" in html and "<td>Chính thức</td>" in html


@pytest.mark.parametrize(
    "persona",
    ["admin", "province_staff", "w1_staff", "w1c1_secretary", "r1_staff", "r1c1_secretary", "member_user"],
)
@pytest.mark.parametrize("query", ["", "van"])
@pytest.mark.parametrize("held", ["planner", "walked", "gathered_by_ids", "walked_by_ids"])
def test_pages_list_exactly_the_members_visible_whatever_the_side(
    world, client_for, monkeypatch, persona, query, held
):
    """Each side of the scope (workplace, residence by committee, by cell, own record) is paged apart
    and merged: the pages hold every visible member once, in list order, forward and back; each
    residence side read as PostgreSQL reads it, dense (a subquery per member) or not (its members'
    ids, gathered under the bound when a search narrows them, else walked), or as the database's
    planner chooses (core.paging.held_ids)."""
    from haichieu.access import members_visible_to, objects
    from haichieu.core.paging import Held
    from haichieu.liaisons.models import Liaison

    if held == "walked":
        monkeypatch.setattr(objects, "held_ids", lambda querysets, **kwargs: Held([None] * len(querysets), 1))
    elif held.endswith("_by_ids"):
        bound = 10**6 if held == "gathered_by_ids" else 0
        monkeypatch.setattr(
            objects,
            "held_ids",
            lambda querysets, *, field, **kwargs: Held(
                [sorted(set(q.values_list(field, flat=True))) for q in querysets], bound
            ),
        )

    for i in range(6):  # members of a workplace in w1 living in r1 (seen from both sides by some)
        member = make_member(world.w1c2, f"Phạm Văn Năm{chr(ord('a') + i)}")
        Liaison.objects.create(
            member=member,
            workplace_org=world.w1,
            commune_org=world.r1,
            cell=world.r1c1 if i % 2 else None,
            status=Liaison.Status.RECEIVED,
        )
    for i in range(5):  # members of w2 living in r1, seen from the residence side only
        member = make_member(world.w2c1, f"Đỗ Văn Sáu{chr(ord('a') + i)}")
        Liaison.objects.create(
            member=member,
            workplace_org=world.w2,
            commune_org=world.r1,
            cell=world.r1c2 if i % 2 else None,
            status=Liaison.Status.ACTIVE,
        )
    user = world.users[persona]
    client = client_for(user)
    params = {"size": 3, **({"q": query} if query else {})}
    pages = [client.get(reverse("members:list"), params)]
    while pages[-1].context["page"].next_cursor:
        pages.append(
            client.get(reverse("members:list"), {**params, "after": pages[-1].context["page"].next_cursor})
        )
    seen = [m.pk for r in pages for m in r.context["page"].rows]
    visible = members_visible_to(user).filter(name_folded__contains=query).order_by("sort_key", "id")
    assert seen == list(visible.values_list("pk", flat=True))
    assert seen
    if len(pages) > 2:
        back = client.get(reverse("members:list"), {**params, "before": pages[2].context["page"].prev_cursor})
        assert [m.pk for m in back.context["page"].rows] == [m.pk for m in pages[1].context["page"].rows]


@pytest.mark.parametrize("htmx", [False, True])
def test_residence_users_cannot_find_members_by_card_number(world, client_for, htmx):
    """Ward staff see Nguyễn Văn An from the residence side, not his card number: a search by it
    finds nothing, else 200 guesses recover card numbers (issue 9, finding 3)."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    card = world.m1.party_card_number
    ward = client_for(world.r1_staff).get(reverse("members:list"), {"q": card}, **headers)
    assert world.m1.full_name not in ward.content.decode()
    assert (
        world.m1.full_name
        in client_for(world.r1_staff).get(reverse("members:list"), {"q": "nguyen van an"}).content.decode()
    )
    workplace = client_for(world.w1_staff).get(reverse("members:list"), {"q": card}, **headers)
    assert world.m1.full_name in workplace.content.decode()


def test_member_page_says_who_follows_the_member(world, client):
    """The member's page names the follower of the link, as the link's page does (issue 15, item 10)."""
    from haichieu.liaisons.models import Liaison

    Liaison.objects.filter(member=world.m1).update(follower_name="Đỗ Văn Hùng", follower_phone="0912345678")
    for user in (world.member_user, world.w1_staff, world.r1c1_secretary):
        client.force_login(user)
        page = client.get(reverse("members:detail", args=[world.m1.pk])).content.decode()
        assert "Người theo dõi: Đỗ Văn Hùng" in page, user
        assert 'href="tel:0912345678"' in page


def test_member_export_opens_with_the_unit_the_filters_and_the_date(world, client):
    """The Excel list starts with the block offices print above a table (issue 15, item 10)."""
    import io

    from openpyxl import load_workbook

    client.force_login(world.w1_staff)
    response = client.get(reverse("members:list"), {"org": "W1C1", "status": "active", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "DANH SÁCH ĐẢNG VIÊN"
    assert sheet["A2"].value == "Đơn vị: Chi bộ Phòng Ngân sách"
    assert sheet["A3"].value == "Lọc: Mã tổ chức: W1C1; Tình trạng: Đang sinh hoạt"
    assert sheet["A4"].value.startswith("Ngày xuất: ")
    assert sheet["B7"].value == "Nguyễn Văn An"
    client.force_login(world.w1_viewer)
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("members:list"), {"format": "xlsx"}).streaming_content))
    ).active
    assert (
        sheet["A2"].value == "Đơn vị: Đảng bộ Sở Tài chính" and sheet["A3"].value == "Lọc: không lọc (tất cả)"
    )
