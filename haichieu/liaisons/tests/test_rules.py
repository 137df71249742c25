"""The link-status predicates have one definition: the queryset form and the row form agree, and the
coverage page, its export and the reminders count the same members."""

import datetime
import io
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from haichieu.liaisons import reminders, rules
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

INTRODUCTION_LATE = "Quá hạn giới thiệu về nơi cư trú"
RECEPTION_LATE = "Nơi cư trú quá hạn tiếp nhận"


def test_member_link_status_is_none_then_the_liaison_statuses():
    assert Member.LinkStatus.values == ["none", *Liaison.Status.values]
    assert Member.LinkStatus.choices[1:] == Liaison.Status.choices


def test_category_rule_is_an_enumeration_compared_as_text():
    assert rules.category_rule("secret") == rules.CategoryRule.NOT_INTRODUCED == "not_introduced"
    assert rules.category_rule("barracks") == rules.CategoryRule.EXCUSED
    assert rules.category_rule("regular") == rules.CategoryRule.REGULAR


def test_category_rule_filter_matches_category_rule(world):
    for category in Member.LiaisonCategory.values:
        make_member(world.w1c1, f"Diện {category}", liaison_category=category)
    members = Member.objects.all()
    for rule in rules.CategoryRule.values:
        assert {m.pk for m in members.filter(rules.category_rule_q(rule))} == {
            m.pk for m in members if rules.category_rule(m.liaison_category) == rule
        }


def test_queryset_and_row_predicates_agree(world):
    today = datetime.date(2026, 11, 22)
    admissions = [today - datetime.timedelta(days=d) for d in (0, 30, 31, 400)]
    combos = itertools.product(Member.LinkStatus.values, ["regular", "barracks", "secret"], admissions)
    for n, (link_status, category, admitted) in enumerate(combos):
        member = make_member(world.w1c1, f"Tổ Hợp {n}", liaison_category=category, admission_date=admitted)
        Member.objects.filter(pk=member.pk).update(link_status=link_status)
    members = Member.objects.all()
    assert {m.pk for m in rules.to_introduce(members)} == {m.pk for m in members if rules.is_to_introduce(m)}
    overdue = {m.pk for m in rules.introduction_overdue(members, today)}
    assert overdue == {m.pk for m in members if rules.is_introduction_overdue(m, today)}
    assert overdue and overdue < {m.pk for m in rules.to_introduce(members)}


def test_reception_overdue_agrees_for_rows_dicts_and_querysets(world):
    today = datetime.date(2026, 11, 22)
    for status, due in itertools.product(
        Liaison.Status.values, [None, today - datetime.timedelta(days=1), today]
    ):
        # One open link per member: each link its own member.
        Liaison.objects.create(member=make_member(world.w1c2, "Hạn Văn Nhận"), status=status, receive_due=due)
    liaisons = Liaison.objects.all()
    late = {li.pk for li in rules.reception_overdue(liaisons, today)}
    assert late == {li.pk for li in liaisons if rules.is_reception_overdue(li, today)}
    assert late == {
        row["pk"]
        for row in liaisons.values("pk", "status", "receive_due")
        if rules.is_reception_overdue(row, today)
    }
    assert len(late) == 1


@pytest.fixture
def mixed(world):
    """Members in every situation the predicates tell apart (world.m2: no liaison, admitted 2010)."""
    hk = Commune.objects.get(code="00070")
    today = timezone.localdate()
    old, fresh = datetime.date(2020, 1, 1), today - datetime.timedelta(days=5)

    def member(name, link_status=Member.LinkStatus.NONE, **extra):
        m = make_member(world.w1c1, name, residence_commune=hk, **extra)
        Member.objects.filter(pk=m.pk).update(link_status=link_status)
        return m

    member("Đỗ Văn Mới", admission_date=fresh)
    member("Đỗ Văn Kín", liaison_category="secret", admission_date=old)
    member("Đỗ Văn Trại", liaison_category="barracks", admission_date=old)
    member("Đỗ Văn Khai", status=Member.Status.EXPELLED, admission_date=old)
    long_ago = timezone.now() - datetime.timedelta(days=400)
    draft = member("Đỗ Thị Nháp", Member.LinkStatus.DRAFT, admission_date=old)
    opened = Liaison.objects.create(member=draft, workplace_org=world.w1, status=Liaison.Status.DRAFT)
    Liaison.objects.filter(pk=opened.pk).update(created_at=long_ago)
    returned = member("Đỗ Thị Trả", Member.LinkStatus.RETURNED, admission_date=old)
    Liaison.objects.create(
        member=returned, workplace_org=world.w1, commune_org=world.r1, status="returned", returned_at=long_ago
    )
    # Moved today (a draft opened today) and returned today: to introduce, not late yet.
    moved = member("Đỗ Văn Chuyển", Member.LinkStatus.DRAFT, admission_date=old)
    Liaison.objects.create(member=moved, workplace_org=world.w1, status=Liaison.Status.DRAFT)
    back = member("Đỗ Văn Về", Member.LinkStatus.RETURNED, admission_date=old)
    Liaison.objects.create(
        member=back,
        workplace_org=world.w1,
        commune_org=world.r1,
        status="returned",
        returned_at=timezone.now(),
    )
    for name, days in (("Đỗ Văn Chờ", -3), ("Đỗ Văn Trễ", 3)):
        waiting = member(name, Member.LinkStatus.INTRODUCED, admission_date=old)
        Liaison.objects.create(
            member=waiting,
            workplace_org=world.w1,
            commune_org=world.r1,
            status="introduced",
            receive_due=today - datetime.timedelta(days=days),
        )
    return today


def _sheet_rows(response):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [row for row in book.active.iter_rows(values_only=True) if row]
    header_at = next(i for i, row in enumerate(rows) if row[0] == "STT")
    return rows[header_at + 1 :]


def test_page_export_and_reminders_count_the_same_members(world, client_for, mixed):
    today = mixed
    client = client_for(world.province_staff)
    rows = client.get(reverse("liaisons:coverage"), {"size": 200}).context["rows"]
    page_late = {row["member"].pk for row in rows if row["overdue"] == INTRODUCTION_LATE}
    reminded = {int(key.split(":")[1]) for key, _org in reminders._overdue_introductions(today)}
    # m2, the excused one, the old draft and the one returned long ago; not the new, the moved or
    # returned today, the secret, expelled or introduced ones.
    assert page_late == reminded and len(reminded) == 4

    page_waiting = {row["liaison"]["pk"] for row in rows if row["overdue"].startswith(RECEPTION_LATE)}
    reminded_waiting = {int(key.split(":")[1]) for key, _org in reminders._overdue_receptions(today)}
    assert page_waiting == reminded_waiting and len(page_waiting) == 1

    exported = _sheet_rows(client.get(reverse("liaisons:coverage"), {"format": "xlsx"}))
    assert sum(1 for r in exported if r[9] == INTRODUCTION_LATE) == len(page_late)
    assert sum(1 for r in exported if (r[9] or "").startswith(RECEPTION_LATE)) == len(page_waiting)

    can_introduce = {row["member"].pk for row in rows if row["can_introduce"]}
    active = Member.objects.filter(status__in=Member.ACTIVE_STATUSES)
    assert can_introduce == set(rules.to_introduce(active).values_list("pk", flat=True))
    assert (
        len(can_introduce) == 7
    )  # the four late ones, the new one, the one moved and the one returned today


def test_waiting_at_the_residence_is_one_definition_for_the_inbox_and_the_reminders(world):
    """An introduction to a commune with no committee in the system (a paper letter) waits nowhere:
    neither the commune inbox nor the overdue reminders count it; one sent to a committee does."""
    import datetime

    from haichieu.liaisons import rules, selectors
    from haichieu.liaisons.models import Liaison
    from haichieu.testing import make_member

    past = datetime.date(2026, 1, 1)
    paper = Liaison.objects.create(
        member=make_member(world.w1c1, "Lê Văn Giấy"), status=Liaison.Status.INTRODUCED
    )
    sent = Liaison.objects.create(
        member=make_member(world.w1c1, "Lê Văn Gửi"), status=Liaison.Status.INTRODUCED, commune_org=world.r1,
        receive_due=past,
    )  # fmt: skip # one call, the fields of one row
    waiting = set(rules.waiting_at_residence(Liaison.objects.all()).values_list("pk", flat=True))
    assert sent.pk in waiting and paper.pk not in waiting
    inbox = set(selectors.incoming_for(world.r1_staff).values_list("pk", flat=True))
    assert inbox == waiting & inbox and sent.pk in inbox
    overdue = set(
        rules.reception_overdue(Liaison.objects.all(), datetime.date(2026, 2, 1)).values_list("pk", flat=True)
    )
    assert overdue == {sent.pk}


def test_the_deadline_to_introduce_counts_from_the_event_that_starts_it(world):
    """Admission for a member never linked; the draft's opening (a move recorded) for a draft; the
    return for a returned introduction: the queryset and the row agree (issue 15)."""
    from haichieu.liaisons import selectors

    today = timezone.localdate()
    days = rules.rules()["INTRODUCE_WITHIN_DAYS"]
    pks = {}
    for n, (status, age) in enumerate(itertools.product(["draft", "returned"], [0, days, days + 1, 400])):
        member = make_member(world.w1c1, f"Hạn Từ {n}", admission_date=datetime.date(2000, 1, 1))
        Member.objects.filter(pk=member.pk).update(link_status=status)
        started = timezone.now() - datetime.timedelta(days=age)
        link = Liaison.objects.create(member=member, status=status, returned_at=started)
        Liaison.objects.filter(pk=link.pk).update(created_at=started)
        pks[(status, age)] = member.pk
    members = Member.objects.filter(pk__in=pks.values())
    late = {m.pk for m in rules.introduction_overdue(members, today)}
    current = selectors.current_liaisons(pks.values())
    assert late == {m.pk for m in members if rules.is_introduction_overdue(m, today, current[m.pk])}
    assert late == {
        pks[("draft", days + 1)],
        pks[("draft", 400)],
        pks[("returned", days + 1)],
        pks[("returned", 400)],
    }
