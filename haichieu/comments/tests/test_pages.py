"""The comments pages: the workplace opens the round and asks ad hoc, the cell answers on the form
with the facts above it, the commune confirms, the workplace reads it and downloads the .docx; lists
cost the same queries for 1 or 50 rows; malformed values are Vietnamese messages, never 500."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from docx import Document

from haichieu.comments import services
from haichieu.comments.models import CommentRequest
from haichieu.core.models import AuditEntry
from haichieu.liaisons.models import InboxItem, Liaison
from haichieu.meetings.models import Attendance, Meeting
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db


def _deadline(days=20):
    return datetime.date.today() + datetime.timedelta(days=days)


def _open(world):
    services.open_comment_round(
        actor=world.w1_staff, org=world.w1, year=datetime.date.today().year, deadline=_deadline()
    )
    return CommentRequest.objects.get(member=world.m1)


def test_the_workplace_opens_the_round_from_its_page_and_sees_the_progress(world, client_for):
    client = client_for(world.w1_staff)
    assert client.get(reverse("comments:round")).status_code == 200
    response = client.post(
        reverse("comments:round"),
        {"org": "w1", "year": datetime.date.today().year, "deadline": f"{_deadline():%d/%m/%Y}"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Đã gửi 1 phiếu lấy ý kiến nhận xét" in response.content.decode()
    assert world.r1.name in response.content.decode()  # the progress page, per commune
    drill = client.get(reverse("comments:progress"), {"commune": world.r1.pk})
    assert world.r1c1.name in drill.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"org": "W2", "year": "2026", "deadline": "15/12/2099"}, "Không tìm thấy tổ chức này"),
        ({"org": "W1", "year": "hai", "deadline": "15/12/2099"}, "Năm nhận xét không hợp lệ"),
        ({"org": "W1", "year": "2026", "deadline": "31/02/2026"}, "Hạn trả lời không hợp lệ"),
        ({"org": "W1", "year": "2026", "deadline": "01/01/2000"}, "đã qua"),
    ],
)
def test_the_round_form_says_what_is_wrong(world, client_for, data, message):
    response = client_for(world.w1_staff).post(reverse("comments:round"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not CommentRequest.objects.exists()


def test_the_workplace_asks_ad_hoc_by_card_number_with_the_portals_reference(world, client_for):
    client = client_for(world.w1_staff)
    member_page = client.get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert f"{reverse('comments:ask')}?card={world.m1.party_card_number}" in member_page
    form = client.get(reverse("comments:ask"), {"card": world.m1.party_card_number}).content.decode()
    assert f"{world.m1.party_card_number}</textarea>" in form
    residence_view = client_for(world.r1_staff).get(reverse("members:detail", args=[world.m1.pk]))
    assert "member-ask-comment" not in residence_view.content.decode()
    client = client_for(world.w1_staff)
    response = client.post(
        reverse("comments:ask"),
        {"cards": world.m1.party_card_number, "purpose": "reappointment",
         "deadline": f"{_deadline():%d/%m/%Y}", "portal_reference": "HN-123"},
    )  # fmt: skip
    request = CommentRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "comments:detail", args=[request.pk]
    )
    assert (request.purpose, request.portal_reference) == ("reappointment", "HN-123")
    # A card outside the user's scope reads as unknown.
    response = client.post(
        reverse("comments:ask"),
        {"cards": world.m3.party_card_number, "purpose": "election", "deadline": f"{_deadline():%d/%m/%Y}"},
    )
    assert "Không tìm thấy đảng viên có số thẻ" in response.content.decode()
    assert CommentRequest.objects.count() == 1


def test_the_cell_fills_the_comment_with_the_facts_the_commune_confirms_the_workplace_reads_it(
    world, client_for
):
    request = _open(world)
    meeting = Meeting.objects.create(
        cell=world.r1c1, date=datetime.date.today().replace(month=1, day=15), start_time=datetime.time(19),
        place="Nhà văn hóa", agenda="…", state=Meeting.State.CLOSED,
    )  # fmt: skip
    Attendance.objects.create(meeting=meeting, member=world.m1, source="liaison", status="present",
                              contribution="Góp ý về vệ sinh ngõ.")  # fmt: skip
    cell = client_for(world.r1c1_secretary)
    inbox = cell.get(reverse("comments:list")).content.decode()
    assert "Nguyễn Văn An" in inbox
    page = cell.get(reverse("comments:answer", args=[request.pk])).content.decode()
    assert "dự 1/1 buổi được mời" in page and "Góp ý về vệ sinh ngõ." in page
    meetings = request.form.criteria.get(key="meetings")
    suggested = re.search(rf'<input[^>]*id="id_level_{meetings.pk}_0"[^>]*>', page).group(0)
    assert "checked" in suggested  # "Tham gia đầy đủ", from the attendance
    assert "checked" not in re.search(r'<input[^>]*id="id_level_\d+_0"[^>]*>', page).group(0)

    data = {f"level_{c.pk}": "1" for c in request.form.criteria.all()}
    data["text"] = "Gương mẫu, nhiệt tình."
    response = cell.post(reverse("comments:answer", args=[request.pk]), data)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == CommentRequest.State.AWAITING_CONFIRMATION

    commune = client_for(world.r1_staff)
    assert (
        "Xác nhận và gửi nơi công tác"
        in commune.get(reverse("comments:detail", args=[request.pk])).content.decode()
    )
    assert commune.post(reverse("comments:confirm", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.state == CommentRequest.State.ANSWERED
    assert InboxItem.objects.filter(recipient_org=world.w1, kind="comment").exists()

    workplace = client_for(world.w1_staff)
    detail = workplace.get(reverse("comments:detail", args=[request.pk])).content.decode()
    assert "Gương mẫu, nhiệt tình." in detail and "Nêu gương tốt" in detail
    download = workplace.get(reverse("comments:docx", args=[request.pk]))
    assert download.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs)
    assert "PHIẾU NHẬN XÉT" in text and "Gương mẫu, nhiệt tình." in text and "Mẫu 3-213" in text
    assert AuditEntry.objects.filter(action="export", target_id=str(request.pk)).exists()


def test_an_incomplete_comment_is_refused_with_a_message_per_criterion(world, client_for):
    request = _open(world)
    response = client_for(world.r1c1_secretary).post(
        reverse("comments:answer", args=[request.pk]), {"text": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vui lòng chọn mức cho" in body and "Vui lòng ghi nhận xét" in body
    request.refresh_from_db()
    assert request.state == CommentRequest.State.PENDING


@pytest.mark.parametrize(
    "query", ["year=abc", "cell=xyz", "commune=99999999", "state=nothing", "after=%%%", "size=-3"]
)
def test_malformed_list_parameters_are_not_errors(world, client_for, query):
    response = client_for(world.r1_staff).get(f"{reverse('comments:list')}?{query}")
    assert response.status_code in (200, 404)


def _many(world, n):
    for i in range(n):
        member = make_member(world.w1c2, f"Đảng Viên {i}")
        Liaison.objects.create(member=member, workplace_org=world.w1, commune_org=world.r1, cell=world.r1c1,
                               status="active")  # fmt: skip


@pytest.mark.parametrize("url", ["comments:list", "comments:progress"])
def test_lists_cost_the_same_queries_for_1_or_50_rows(world, client_for, django_assert_max_num_queries, url):
    client = client_for(world.r1c1_secretary)
    _open(world)
    with django_assert_max_num_queries(20) as one:
        assert client.get(reverse(url)).status_code == 200
    CommentRequest.objects.all().delete()
    _many(world, 49)
    _open(world)
    assert CommentRequest.objects.filter(cell=world.r1c1).count() == 50
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse(url))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "who", ["admin", "province_staff", "w1_staff", "w1c1_secretary", "r1_staff", "r1c1_secretary", "r2_staff"]
)
@pytest.mark.parametrize("state", ["", "pending"])
def test_the_list_pages_through_exactly_what_the_user_sees(world, who, state):
    """Each side of the user's scope is paged apart and merged (access.comment_request_sides): page
    after page, every request the user sees comes once, oldest deadline first, nothing else; the
    commune's staff see their cells' requests from two sides (the cell's and the commune's)."""
    from haichieu.access import comment_request_sides, comment_requests_visible_to
    from haichieu.comments import selectors

    _many(world, 6)
    _open(world)
    for i, request in enumerate(CommentRequest.objects.order_by("pk")):
        request.deadline = _deadline(days=i % 3)  # equal deadlines: the key's id decides
        request.state = "answered" if i % 4 == 0 else request.state
        request.save()
    user = getattr(world, who)
    today = datetime.date.today()
    expected = comment_requests_visible_to(user)
    expected = expected.filter(deadline__gte=today).exclude(state="answered") if state else expected
    expected = list(expected.order_by("deadline", "pk").values_list("pk", flat=True))
    sides = comment_request_sides(user)
    union = set().union(*(side.values_list("pk", flat=True) for side in sides))
    assert union == set(comment_requests_visible_to(user).values_list("pk", flat=True))
    seen, after = [], ""
    while True:
        page = selectors.requests_page(user, today=today, state=state, after=after, size=2)
        seen += [r.pk for r in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == expected
    assert (len(expected) > 0) == (who not in ("w2_staff", "r2_staff"))


def test_a_list_row_shows_the_request_and_marks_it_overdue(world, client_for):
    """The rows (a Jinja2 row template): deadline, year, member linked to the request, cell,
    workplace, purpose with the portal's number, state; a request past its deadline and not
    answered is marked overdue; no request: one row saying so."""
    client = client_for(world.r1c1_secretary)
    assert "Không có phiếu nào." in client.get(reverse("comments:list")).content.decode()
    request = _open(world)
    request.portal_reference, request.deadline = "HN-77", datetime.date.today() - datetime.timedelta(days=1)
    request.save()
    body = client.get(reverse("comments:list")).content.decode()
    row = re.search(r"<tr data-row>(.*?)</tr>", body, re.S).group(1)
    assert f'href="{reverse("comments:detail", args=[request.pk])}">{world.m1.full_name}</a>' in row
    assert f"{request.deadline:%d/%m/%Y}" in row and "Quá hạn" in row and 'class="text-danger' in row
    for text in (world.r1c1.name, world.w1.name, "Nhận xét hằng năm", "(Cổng DVC: HN-77)", "Chờ nhận xét"):
        assert text in row
    CommentRequest.objects.filter(pk=request.pk).update(deadline=_deadline())
    row = re.search(r"<tr data-row>(.*?)</tr>", client.get(reverse("comments:list")).content.decode(), re.S)
    assert "Quá hạn" not in row.group(1)
