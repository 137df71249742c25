"""The benchmark's machinery at a tiny size, in the test database (fast: a few seconds)."""

import datetime
import json

import pytest
from django.urls import reverse

from haichieu.accounts.models import Role, User
from haichieu.comments import rules as comment_rules
from haichieu.comments.models import CommentRequest
from haichieu.core.models import AuditEntry
from haichieu.demo.comments import BENCH_YEAR, answered_count, seed_bench_comments
from haichieu.demo.common import TODAY
from haichieu.demo.meetings import (
    HISTORY_DAYS,
    added_members,
    bench_meeting,
    history_meetings,
    seed_bench_history,
    seed_bench_meeting,
)
from haichieu.demo.seed import seed_demo
from haichieu.liaisons.models import InboxItem
from haichieu.meetings import rules
from haichieu.meetings.models import Attendance, Meeting
from haichieu.members.models import Member
from haichieu.organizations.models import Organization
from haichieu.stats.summary import statistics_refresh

from .comments import ROUND_YEAR, measure_round_open, run_comment_operations
from .measure import (
    _queries,
    count_queries,
    count_rows,
    poster,
    run_operations,
    signed_in_client,
)
from .operations import OPERATION_USERS, OPERATIONS, ROLES, UNPAGED, Post, bench_context, with_params

pytestmark = pytest.mark.django_db

FIGURES = {"median_ms", "p95_ms", "queries", "floor_median_ms", "ratio", "rows"}
INVITED = 40  # the roll-call's size here (300 at 100,000 members)
PENDING = 15  # the ward's requests left unanswered here (400 at 100,000 members)


@pytest.fixture
def bench(settings):
    settings.ROOT_URLCONF = "bench.urls"
    seed_demo(members=300, seed=11)
    seed_bench_meeting(invited=INVITED)
    seed_bench_comments(pending=PENDING)
    seed_bench_history()
    statistics_refresh()  # as bench.run does, as a deployment's cron does
    return bench_context()


def test_every_operation_reports_its_figures(bench):
    operations = run_operations(bench, repetitions=3, warmup=1)
    assert set(operations) == set(OPERATIONS)
    for figures in operations.values():
        assert set(figures) == FIGURES
        assert figures["median_ms"] > 0 and figures["floor_median_ms"] > 0
        assert figures["p95_ms"] >= figures["median_ms"]
        assert 0 < figures["queries"] <= 12, figures  # a handful per page, whatever its size (test below)
    assert operations["member_list"]["rows"] == 50
    assert {"org_tree", "org_detail"} <= set(operations)  # the party tree and the province's page
    json.dumps({"members": 300, "database": "sqlite", "operations": operations})


def test_queries_do_not_grow_with_the_page_size(bench, client):
    for name, build in OPERATIONS.items():
        client.force_login(User.objects.get(username=OPERATION_USERS.get(name, bench.user.username)))
        url = build(bench)
        if isinstance(url, Post):
            continue  # a write: test_the_tap_costs_the_same_queries_whatever_the_meeting
        small, large = with_params(url, size=1), with_params(url, size=50)
        assert name in UNPAGED or count_rows(client, small) <= 1
        assert count_queries(client, small) == count_queries(client, large), name


def test_the_tree_pages_count_a_row_per_node(bench, client):
    """The floor of an organisation page renders as many rows as the page lists nodes."""
    province = Organization.objects.get(pk=bench.province_pk)
    children = Organization.objects.get_children(province).count()
    assert children > 1
    client.force_login(bench.user)
    assert count_rows(client, OPERATIONS["org_detail"](bench)) == children
    assert count_rows(client, OPERATIONS["org_children"](bench)) == children


def test_the_floor_runs_one_query(bench, client):
    assert count_queries(client, "/__bench__/floor/?n=50") == 1


def test_key_pages_are_timed_as_each_role(bench):
    """Every role of the demo is timed on the member list and search; names say the role."""
    for page in ("member_list", "member_search"):
        for role in ROLES:
            name = page if role == "province" else f"{page}@{role}"
            assert name in OPERATIONS
            assert OPERATION_USERS.get(name, bench.user.username) == ROLES[role]


def test_the_meeting_step_gives_the_secretarys_cell_an_open_meeting_of_that_size(bench):
    """At this size the cell has fewer members to invite: retired members living there are added,
    as the demo makes them, and counted apart from the data set's own."""
    meeting = bench_meeting()
    cell = Role.objects.get(user__username=ROLES["residential_cell"]).organization
    assert meeting.cell == cell and meeting.state == Meeting.State.OPEN
    assert meeting.attendances.count() == INVITED
    added = added_members()
    assert 0 < added.count() < INVITED and set(added.values_list("workplace_cell", flat=True)) == {cell.pk}
    assert Member.objects.count() - added.count() == 300
    assert not added.filter(full_name="").exists() and not added.filter(sort_key="").exists()
    # Made through the meetings services: audited, as the secretary.
    assert AuditEntry.objects.filter(
        target_type="meetings.meeting", actor__username=ROLES["residential_cell"]
    ).exists()
    # Once: the step finds it again and adds nothing.
    assert seed_bench_meeting(invited=INVITED) == meeting and added_members().count() == added.count()
    assert Meeting.objects.exclude(pk__in=history_meetings()).count() == 1


def test_a_cell_with_more_members_gets_the_meeting_of_the_day_it_counted_that_many(settings):
    """At 100,000 members the cell has some 750 to invite today: the meeting is dated the first
    day its invitation list counted the size asked (the rule decides who was expected then)."""
    seed_demo(members=300, seed=11)
    cell = Role.objects.get(user__username=ROLES["residential_cell"]).organization
    today = len(rules.invitation_list(cell, TODAY))
    assert today >= 2
    meeting = seed_bench_meeting(invited=today - 1)
    assert not added_members().exists()
    assert meeting.attendances.count() == len(rules.invitation_list(cell, meeting.date)) >= today - 1
    assert meeting.date < TODAY
    assert len(rules.invitation_list(cell, meeting.date - datetime.timedelta(days=1))) < today - 1


def test_the_roll_call_counts_a_row_per_person(bench, client):
    client.force_login(User.objects.get(username=ROLES["residential_cell"]))
    assert count_rows(client, OPERATIONS["attendance_page"](bench)) == INVITED


def test_the_tap_writes_a_new_status_each_time_with_the_csrf_token(bench):
    """The tap is a POST with the page's CSRF token (the client enforces the check); each one
    changes the mark, audited; the write floor updates that row alone, in one query."""
    tap = OPERATIONS["attendance_tap"](bench)
    assert isinstance(tap, Post)
    client = signed_in_client(ROLES["residential_cell"])
    assert client.post(tap.url, tap.data(0)).status_code == 403  # no token: refused
    send, floor = poster(client, tap)
    attendance = Attendance.objects.get(pk=bench.attendance_pk)
    seen = []
    for _ in range(3):
        assert send().json()["ok"] is True
        attendance.refresh_from_db()
        seen.append(attendance.status)
    assert seen[0] != seen[1] != seen[2] and attendance.method == Attendance.Method.ROLL_CALL
    assert AuditEntry.objects.filter(target_type="meetings.attendance").count() == 3
    before = attendance.marked_at
    assert floor().json() == {"ok": True}
    attendance.refresh_from_db()
    assert attendance.marked_at > before and attendance.status == seen[2]
    # Bare: its one query, as the floor of a page has one (the rest, the signed-in session and
    # user, are the middleware's for both).
    assert _queries(floor) == count_queries(client, "/__bench__/floor/?n=1")


def test_the_tap_costs_the_same_queries_whatever_the_meeting(bench):
    """One tap costs as many queries in a meeting of 3 as in the bench's."""
    big = OPERATIONS["attendance_tap"](bench)
    meeting = Meeting.objects.get(pk=bench.meeting_pk)
    small_meeting = Meeting.objects.create(
        cell=meeting.cell, date=meeting.date, start_time=meeting.start_time, place="Nhà văn hóa",
        agenda="Họp.", state=Meeting.State.OPEN,
    )  # fmt: skip
    for attendance in meeting.attendances.all()[:3]:
        Attendance.objects.create(meeting=small_meeting, member=attendance.member)
    small_pk = small_meeting.attendances.first().pk
    small = Post(
        url=reverse("meetings:mark", args=[small_meeting.pk, small_pk]),
        page=reverse("meetings:roll_call", args=[small_meeting.pk]),
        data=big.data,
        floor_pk=small_pk,
    )
    client = signed_in_client(ROLES["residential_cell"])
    send_small, _ = poster(client, small)
    send_big, _ = poster(client, big)
    send_small(), send_big()  # the session's first write done
    assert _queries(send_small) == _queries(send_big) <= 10  # the member not read again for the audit


def _ward():
    return Role.objects.select_related("user", "organization").get(user__username=ROLES["ward"])


def test_the_comment_step_opens_the_round_and_answers_part_of_the_wards(bench):
    """The province's round of the bench year, through the service; the ward answers all but
    PENDING of its requests (confirming most), audited as the ward's staff; once."""
    ward = _ward()
    requests = CommentRequest.objects.filter(year=BENCH_YEAR)
    province = Organization.objects.get(pk=bench.province_pk)
    assert requests.count() == len(comment_rules.yearly_round(province, BENCH_YEAR + 1, TODAY).placements) > 0
    mine = requests.filter(commune_org=ward.organization)
    total = mine.count()
    assert total > PENDING
    states = {s: mine.filter(state=s).count() for s in CommentRequest.State.values}
    answered = answered_count(total, PENDING)
    assert states[CommentRequest.State.PENDING] == total - answered == PENDING
    assert states[CommentRequest.State.ANSWERED] > states[CommentRequest.State.AWAITING_CONFIRMATION] > 0
    assert (
        AuditEntry.objects.filter(
            target_type="comments.commentrequest", note="comment_submit", actor=ward.user
        ).count()
        == answered
    )
    # Other communes' requests are all still pending: the ward alone answered.
    assert (
        not requests.exclude(commune_org=ward.organization)
        .exclude(state=CommentRequest.State.PENDING)
        .exists()
    )
    # Once: found again, nothing new; the number returned is the ward's requests not answered.
    before = CommentRequest.objects.count()
    open_count = mine.filter(state__in=CommentRequest.OPEN_STATES).count()
    assert seed_bench_comments(pending=PENDING) == open_count
    assert CommentRequest.objects.count() == before


def test_the_comment_step_answers_a_third_when_the_ward_has_few(settings):
    seed_demo(members=300, seed=11)
    waiting = seed_bench_comments(pending=10_000)
    mine = CommentRequest.objects.filter(commune_org=_ward().organization)
    assert mine.exclude(state=CommentRequest.State.PENDING).count() == mine.count() // 3 > 0
    assert waiting == mine.filter(state__in=CommentRequest.OPEN_STATES).count()


def test_the_comment_inbox_lists_the_wards_requests_not_answered(bench, client):
    """The ward's list of requests still within the deadline, a row each, while they are; once the
    deadline has passed, the overdue ones: the same requests."""
    ward = _ward()
    client.force_login(ward.user)
    waiting = CommentRequest.objects.filter(
        commune_org=ward.organization, state__in=CommentRequest.OPEN_STATES
    )
    # The round's deadline is the bench year's last day: ahead of the day the test runs, whatever it is.
    waiting.update(deadline=datetime.date.today() + datetime.timedelta(days=10))
    url = OPERATIONS["comment_inbox"](bench)
    assert url.endswith("?state=pending")
    assert count_rows(client, url) == min(50, waiting.count())
    assert count_rows(client, with_params(url, size=200)) == waiting.count()
    waiting.update(deadline=TODAY)  # the demo's day: long past when the benchmark runs
    url = OPERATIONS["comment_inbox"](bench)
    assert url.endswith("?state=overdue")
    assert count_rows(client, with_params(url, size=200)) == waiting.count()


def test_the_round_is_timed_against_its_bulk_insert_and_leaves_nothing(bench):
    """The next year's round of the whole province, and the same rows through bulk_create: figures
    of each, and every repetition rolled back (no request, inbox item or audit entry is left)."""
    province = Organization.objects.get(pk=bench.province_pk)
    planned = len(comment_rules.yearly_round(province, ROUND_YEAR, TODAY).placements)
    counts = (CommentRequest.objects.count(), InboxItem.objects.count(), AuditEntry.objects.count())
    figures = measure_round_open(repeat=2)
    assert figures["rows"] == planned > 0 and figures["cells"] > 0
    assert figures["skipped"] and "already_requested" not in figures["skipped"]
    assert figures["median_ms"] > 0 and figures["floor_median_ms"] > 0 and figures["ratio"] > 0
    assert figures["rows_per_s"] > 0 and figures["floor_rows_per_s"] > 0
    assert 0 < figures["queries"] <= 40  # a handful whatever the round's size
    assert (CommentRequest.objects.count(), InboxItem.objects.count(), AuditEntry.objects.count()) == counts
    assert not CommentRequest.objects.filter(year=ROUND_YEAR).exists()
    assert run_comment_operations(names=["member_list"]) == {}


def test_the_history_step_holds_two_meetings_a_year_in_every_residential_cell_once(bench):
    """Each active residential cell held the year's two meetings (closed), inviting whom the rule
    invites that day, every invitation marked; run again, it adds nothing. The meetings' figures
    page of the year reads them (through the statistics summary)."""
    cells = Organization.objects.filter(kind=Organization.Kind.CELL, is_residential=True, is_active=True)
    meetings = history_meetings()
    assert meetings.count() == 2 * cells.count() > 0
    assert set(meetings.values_list("state", flat=True)) == {Meeting.State.CLOSED}
    assert {(d.month, d.day) for d in meetings.values_list("date", flat=True)} == set(HISTORY_DAYS)
    meeting = meetings.order_by("pk").last()
    invited = {i.member.pk for i in rules.invitation_list(meeting.cell, meeting.date)}
    assert set(meeting.attendances.values_list("member_id", flat=True)) == invited
    marks = Attendance.objects.filter(meeting__in=meetings)
    assert marks.exists() and not marks.filter(status="").exists()
    assert seed_bench_history() == 0 and history_meetings().count() == meetings.count()
    client = signed_in_client(bench.user.username)
    page = client.get(OPERATIONS["meeting_figures"](bench)).content.decode()
    assert "Số liệu đến" in page and count_rows(client, OPERATIONS["meeting_figures"](bench)) > 1
