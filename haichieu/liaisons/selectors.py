"""Reads of liaisons, notices and inboxes, scoped by the access rule."""

from __future__ import annotations

import datetime
import functools
import operator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from haichieu.access import (
    committee_roles,
    liaisons_visible_to,
    organizations_visible_to,
    residence_liaisons_visible_to,
    residence_write_or_403,
    scope_for,
)
from haichieu.core.paging import IdsIn, Page, decode_cursor, held_ids, keyset_page
from haichieu.core.paths import group_by_top, subtree_q
from haichieu.core.services import ServiceError
from haichieu.core.text import by_vn_name, clean_text, contains_words, fold
from haichieu.exemptions.selectors import exempt_until
from haichieu.members.selectors import LIST_FIELDS

from . import rules
from .models import (
    ChangeNotice,
    CoverageCount,
    DepartureReport,
    Digest,
    Group,
    InboxItem,
    Liaison,
    SignerTitle,
)

S = Liaison.Status


def liaison_get_for(user, pk) -> Liaison:
    liaison = (
        liaisons_visible_to(user)
        .select_related(
            "member", "member__workplace_cell", "commune_org", "cell", "group", "workplace_org", "commune"
        )
        .filter(pk=pk)
        .first()
    )
    if liaison is None:
        raise Http404("Không tìm thấy hồ sơ.")
    return liaison


def linked_liaisons(user, liaison: Liaison, *, limit: int = 20) -> tuple[list[Liaison], list[Liaison]]:
    """The member's earlier links (newest first) and the links that followed this one, as far as
    the user may open them: a ward sees nothing of where a member went next (two queries)."""
    links = dict(Liaison.objects.filter(member_id=liaison.member_id).values_list("pk", "previous_id"))
    earlier: list[int] = []
    previous_id = links.get(liaison.pk)
    while previous_id is not None and previous_id not in earlier and len(earlier) < limit:
        earlier.append(previous_id)
        previous_id = links.get(previous_id)
    following = [pk for pk, prev in links.items() if prev == liaison.pk]
    shown = liaisons_visible_to(user).filter(pk__in=earlier + following).select_related("commune").in_bulk()
    return [shown[pk] for pk in earlier if pk in shown], [
        shown[pk] for pk in sorted(following) if pk in shown
    ]


# --- coverage (workplace side) ---------------------------------------------------------------
# What the coverage list (its page and its export) reads of each member.
COVERAGE_FIELDS = (
    *LIST_FIELDS, "link_status", "liaison_category", "admission_date", "workplace_cell__is_residential",
)  # fmt: skip


def coverage_summary(user, *, org=None) -> dict:
    """Counts by link status and by category, and the coverage rate, of the user's subtrees (or `org`'s).

    Read from the coverage counts the database keeps per organisation (models.CoverageCount): the
    handful of rows of the subtrees' top organisations, whatever their size. `org` must be one the
    user sees (its whole subtree is then in scope). Active working members only (rules.working), as
    on the list.
    """
    scope = scope_for(user)
    counts = CoverageCount.objects.filter(working=True)
    if org is not None:
        counts = counts.filter(org=org)
    elif scope.is_superuser:
        counts = counts.filter(org__depth=1)
    else:
        counts = counts.filter(org__path__in=scope.top_paths)
    rows = counts.values("link_status", "liaison_category").annotate(n=Sum("members")).order_by()
    return coverage_tally((row["link_status"], row["liaison_category"], row["n"]) for row in rows)


# The link statuses once: `LinkStatus.values` builds its list on each read (a drill-down tallies
# hundreds of rows, each twice).
_LINK_STATUSES = tuple(rules.LinkStatus.values)


def coverage_tally(rows) -> dict:
    """The coverage figures of (link status, category, members) rows of active working members: the
    one arithmetic of the coverage card, its list filters and the statistics (statistics/figures.py).

    Each figure is the count of the list filter its card links to (issue 15): `by_status` of the
    filter by one status (every category), `not_yet` of rules.to_introduce, `covered` of
    rules.covered, `excused` and `not_introduced_category` of the category filter.
    """
    by_status: dict[str, int] = dict.fromkeys(_LINK_STATUSES, 0)
    not_introduced = excused = total = not_yet = covered = 0
    category_rules: dict[str, str] = {}  # each category's rule read once (a drill-down tallies hundreds)
    for link_status, category, n in rows:
        total += n
        by_status[link_status] = by_status.get(link_status, 0) + n
        if category not in category_rules:
            category_rules[category] = rules.category_rule(category)
        rule = category_rules[category]
        if rule == rules.CategoryRule.NOT_INTRODUCED:
            not_introduced += n
            continue
        if rule == rules.CategoryRule.EXCUSED:
            excused += n
        if link_status in rules.TO_INTRODUCE_STATUSES:
            not_yet += n
        elif link_status in rules.COVERED_STATUSES:
            covered += n
    to_introduce = total - not_introduced
    return {
        "total": total,
        "to_introduce": to_introduce,
        "not_introduced_category": not_introduced,
        "excused": excused,
        "by_status": by_status,
        "covered": covered,
        "not_yet": not_yet,
        "rate": coverage_rate(covered, to_introduce),
    }


def coverage_rate(covered: int, to_introduce: int) -> float:
    """The coverage rate in per cent (one decimal): 100 when there is no one to introduce."""
    return round(100 * covered / to_introduce, 1) if to_introduce else 100.0


def coverage_shares(orgs) -> dict[int, tuple[int, int]]:
    """{organisation id: (covered, to introduce)} of the working members of each one's whole subtree
    for the organisations `orgs` (a condition on the kept counts: core.paging.IdsIn of `org_id`), from
    the kept counts in one grouped query: coverage_tally's `covered` and `to_introduce` by the same
    rules, without its other figures (`refresh_statistics` ranks every organisation among its
    siblings by their rate: `Q()` for all). An organisation without a working member is left out."""
    introduced = ~rules.category_rule_q(rules.CategoryRule.NOT_INTRODUCED)
    rows = (
        CoverageCount.objects.filter(orgs, working=True)
        .values_list("org_id")
        .annotate(
            covered=Sum("members", filter=introduced & Q(link_status__in=rules.COVERED_STATUSES)),
            to_introduce=Sum("members", filter=introduced),
        )
        .order_by()
    )
    return {org_id: (covered or 0, to_introduce or 0) for org_id, covered, to_introduce in rows}


def current_liaisons(member_ids) -> dict[int, dict]:
    """What the coverage list shows of the newest liaison of each member (one query), as dicts.

    Keys: pk, status, status_label, receive_due, letter_number, letter_reference, return_reason_label,
    return_note, created_at, returned_at (when the deadline to introduce started: rules.introduction_due),
    and the names of its commune committee, residential cell and commune
    (`commune_org_name`, `cell_name`, `commune_name`: a lookup per row by primary key; joined,
    PostgreSQL hashes the whole organisation and commune tables for 50 rows, 6 ms instead of 1 at
    100,000 members). Dicts, not model instances: building 50 deferred instances cost more than
    the query, and a template reads a dict key fastest (bench/).
    """
    from haichieu.organizations.models import Commune, Organization

    def org_name(field):
        return Subquery(Organization.objects.filter(pk=OuterRef(field)).values("name")[:1])

    status_labels = dict(S.choices)
    reason_labels = dict(Liaison.ReturnReason.choices)
    result: dict[int, dict] = {}
    rows = (
        Liaison.objects.filter(member_id__in=list(member_ids))
        .annotate(
            commune_org_name=org_name("commune_org_id"),
            cell_name=org_name("cell_id"),
            commune_name=Subquery(Commune.objects.filter(pk=OuterRef("commune_id")).values("name")[:1]),
        )
        .values(
            "pk",
            "member_id",
            "status",
            "receive_due",
            "letter_number",
            "letter_symbol",
            "return_reason",
            "return_note",
            "created_at",
            "returned_at",
            "commune_org_name",
            "cell_name",
            "commune_name",
        )  # fmt: skip
        .order_by("member_id", "-pk")
    )
    for values in rows:
        if values["member_id"] in result:
            continue
        row: dict[str, Any] = dict(values)
        row["status_label"] = status_labels.get(row["status"], row["status"])
        row["return_reason_label"] = reason_labels.get(row["return_reason"], row["return_reason"])
        row["letter_reference"] = Liaison.format_letter_reference(row["letter_number"], row["letter_symbol"])
        result[row["member_id"]] = row
    return result


# --- inbox -----------------------------------------------------------------------------------
def inbox_for(user, *, org_id=None, unread_only: bool = False) -> QuerySet:
    """Items received by the organisations the user holds a role on."""
    scope = scope_for(user)
    qs = (
        InboxItem.objects.all()
        if scope.is_superuser and org_id
        else InboxItem.objects.filter(recipient_org_id__in=scope.inbox_org_ids)
    )
    if org_id:
        qs = qs.filter(recipient_org_id=org_id)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("recipient_org", "liaison", "liaison__member", "notice")


def inbox_unread_by_org(user) -> dict[int, int]:
    """Unread items per organisation whose inbox the user reads (one query)."""
    rows = (
        InboxItem.objects.filter(recipient_org_id__in=scope_for(user).inbox_org_ids, read_at__isnull=True)
        .values("recipient_org_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["recipient_org_id"]: row["n"] for row in rows}


def inbox_unread_count(user) -> int:
    """Unread items of every inbox the user reads (the navigation's badge; one query)."""
    org_ids = scope_for(user).inbox_org_ids
    if not org_ids:
        return 0
    return InboxItem.objects.filter(recipient_org_id__in=org_ids, read_at__isnull=True).count()


# --- digests ---------------------------------------------------------------------------------
def digests_status(user, *, today: datetime.date) -> list[dict]:
    """Per (workplace committee, receiving committee, period) with notices: due, overdue or sent.

    `user=None` means every committee (the reminder job).
    """
    scope = scope_for(user) if user is not None else None
    notices = ChangeNotice.objects.filter(
        direction=ChangeNotice.Direction.TO_RESIDENCE, recipient_org__isnull=False
    )
    if scope is not None:
        notices = notices.filter(scope.org_q("sender_org__"))
    groups: dict[tuple, dict] = {}
    # Counted per month in the database (a period is a whole number of months): rows per committee
    # pair and month, not per notice (the home page's work queue reads this on every visit).
    by_month = (
        notices.annotate(month=TruncMonth("event_date"))
        .values("sender_org", "recipient_org", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in by_month:
        year, period = rules.digest_period(row["month"])
        key = (row["sender_org"], row["recipient_org"], year, period)
        groups.setdefault(key, {"count": 0})["count"] += row["n"]
    sent = {
        (d.sender_org_id, d.recipient_org_id, d.year, d.period): d
        for d in Digest.objects.filter(sender_org_id__in={k[0] for k in groups})
    }
    from haichieu.organizations.models import Organization

    orgs = Organization.objects.in_bulk({k[0] for k in groups} | {k[1] for k in groups})
    result = []
    for (sender, recipient, year, period), data in sorted(
        groups.items(), key=lambda kv: (-kv[0][2], -kv[0][3])
    ):
        start, end = rules.digest_period_bounds(year, period)
        due = rules.digest_due(year, period)
        digest = sent.get((sender, recipient, year, period))
        state = (
            "sent"
            if digest
            else (
                "open"
                if today <= end
                else ("overdue" if rules.is_digest_overdue(year, period, today) else "due")
            )
        )
        result.append({
            "sender": orgs[sender], "recipient": orgs[recipient], "year": year, "period": period,
            "label": rules.digest_period_label(year, period), "start": start,
            "end": end, "due": due, "count": data["count"], "state": state, "digest": digest,
        })  # fmt: skip
    return result


# --- who signs -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signer:
    """Who signs a document for the committee: "BÍ THƯ" or "PHÓ BÍ THƯ" and the name under it."""

    title: str = SignerTitle.SECRETARY
    name: str = ""

    @classmethod
    def checked(cls, title: str, name: str) -> Signer:
        if title not in SignerTitle.values:
            raise ServiceError(
                "Chức danh người ký không hợp lệ: chọn Bí thư hoặc Phó Bí thư.", field="signer_title"
            )
        return cls(title, clean_text(name)[:100])


def last_signer(documents) -> Signer:
    """The signer of the newest of `documents` (a committee's letters or notices), else the secretary
    unnamed: the default of the next issue (one query)."""
    last = documents.exclude(signer_name="").order_by("-pk").values("signer_title", "signer_name").first()
    return Signer(last["signer_title"], last["signer_name"]) if last else Signer()


def letter_signer_default(user) -> Signer:
    """The signer of the newest letter the user's workplace scope issued: the introduce form's default."""
    scope = scope_for(user)
    return last_signer(liaisons_visible_to(user).filter(scope.workplace_q("member__")))


def digest_issued(*, sender_org, recipient_org, year: int, period: int) -> Digest | None:
    """The notice issued for the period, if it was (its number, date and signer are reprinted)."""
    return Digest.objects.filter(
        sender_org=sender_org, recipient_org=recipient_org, year=year, period=period
    ).first()


def digest_notices(*, sender_org, recipient_org, year: int, period: int) -> QuerySet:
    start, end = rules.digest_period_bounds(year, period)
    return (
        ChangeNotice.objects.filter(
            sender_org=sender_org,
            recipient_org=recipient_org,
            event_date__gte=start,
            event_date__lte=end,
            direction=ChangeNotice.Direction.TO_RESIDENCE,
        )  # fmt: skip
        .select_related("member", "liaison", "liaison__cell")
        .order_by("event_date", "pk")
    )


# --- tracking book (residence side) ------------------------------------------------------------
# The statuses a link has once received (the tracking book shows those received, active or ended).
BOOK_STATUSES = tuple(status for status in S.values if status not in (S.DRAFT, S.INTRODUCED, S.RETURNED))
# The tracking book's order: the members' Vietnamese order, then the links' ids.
BOOK_KEY = ("member__sort_key", "pk")
# What a page of the tracking book shows of each link (liaisons/residence/_book_rows.html), with
# the names of `_book_names`.
BOOK_FIELDS = (
    "pk", "status", "excused", "received_at", "end_date", "end_reason", "member__sort_key",
    "member__full_name", "member__date_of_birth", "member__position", "member__workplace_unit",
    "workplace_org_name", "cell_name", "group_name", "follower_name", "follower_phone", "exempt_until",
)  # fmt: skip


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the current time zone: `received_at` before it is
    `received_at__date < day`, compared on the column itself, so an index can read it."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def tracking_book_parts(org, *, start: datetime.date, end: datetime.date) -> tuple[Q, Q]:
    """The tracking book of `org` for [start, end] as two disjoint conditions on links: linked to a
    commune committee in its subtree, or else to a residential cell there. One query (the ids of
    the subtree).

    Each part is read from its own index (liaison_commune_book_idx, liaison_cell_book_idx): as one
    OR over two joins, PostgreSQL read every link of the table (215 ms for a cell of 807 at
    100,000 members); as a UNION it gathered and deduplicated a ward's links before counting them.
    The ids are written out, so the planner knows how many links each holds (a ward's committee
    holds a tenth of all links; the share of the organisations in the subtree said 1 in 2,000).
    """
    from haichieu.organizations.models import Organization

    subtree = sorted(Organization.objects.filter(org.subtree_q()).values_list("pk", flat=True))
    period = Q(
        Q(end_date__isnull=True) | Q(end_date__gte=start),
        status__in=BOOK_STATUSES,
        received_at__lt=_day_start(end + datetime.timedelta(days=1)),
    )
    by_committee = period & Q(commune_org__in=subtree)
    by_cell = period & Q(cell__in=subtree) & ~Q(commune_org__in=subtree)
    return by_committee, by_cell


def tracking_book(org, *, start: datetime.date, end: datetime.date) -> QuerySet:
    """Everyone linked to a commune committee or residential cell during [start, end]."""
    by_committee, by_cell = tracking_book_parts(org, start=start, end=end)
    return _book_in_order(by_committee, by_cell)


def _book_in_order(by_committee: Q, by_cell: Q) -> QuerySet:
    parts = [Liaison.objects.filter(q).values("pk") for q in (by_committee, by_cell)]
    return (
        Liaison.objects.filter(pk__in=parts[0].union(parts[1], all=True))
        .select_related("member", "workplace_org", "cell", "group")
        .order_by(*BOOK_KEY)
    )


# --- residence side: incoming introductions, cell roster, tracking book counts -----------------
# (Added for the residence views; the functions above keep their behaviour.)
def residence_liaison_get_for(user, pk, *, write: bool = False) -> Liaison:
    """One liaison seen from the residence side; 404 when invisible, 403 when only readable."""
    liaison = (
        residence_liaisons_visible_to(user)
        .select_related("member", "commune_org", "cell", "group", "workplace_org", "commune")
        .annotate(exempt_until=exempt_until("member_id", timezone.localdate()))
        .filter(pk=pk)
        .first()
    )
    if liaison is None:
        raise Http404("Không tìm thấy hồ sơ.")
    if write:
        residence_write_or_403(user, liaison)
    return liaison


def residence_orgs_for(user, *, cells: bool, within=None, limit: int = 300) -> list:
    """Active residential commune committees (cells=False) or residential cells (cells=True) in
    scope, in Vietnamese order with numbers by value (core.text.vn_text_key)."""
    from haichieu.organizations.models import Organization

    qs = organizations_visible_to(user).filter(is_residential=True, is_active=True)
    qs = qs.filter(kind=Organization.Kind.CELL) if cells else qs.exclude(kind=Organization.Kind.CELL)
    if within is not None:
        qs = qs.filter(within.subtree_q())
    return list(qs.order_by(*Organization.NAME_ORDER)[:limit])


def incoming_for(user, *, org=None, committee_ids=None) -> QuerySet:
    """Introductions waiting for the commune committees the user covers (optionally one of them).

    `committee_ids`, when the caller already has them, are the committees of `org`'s subtree:
    matching `commune_org_id` to them (usually one) lets the database read a page from
    `liaison_incoming_idx` in order instead of sorting every waiting introduction (bench/).
    """
    scope = scope_for(user)
    qs = rules.waiting_at_residence(Liaison.objects.filter(scope.org_q("commune_org__")))
    if org is not None:
        if committee_ids:
            qs = qs.filter(commune_org_id__in=list(committee_ids))
        else:
            qs = qs.filter(org.subtree_q("commune_org__path"))
    return qs


# --- "no longer lives here": cells' reports waiting for the commune committee -----------------
DEPARTURE_RELATED = ("liaison__member", "liaison__workplace_org", "liaison__commune", "cell", "commune_org")


def departures_pending_for(user, *, org=None) -> QuerySet:
    """Cells' reports that a member no longer lives there, waiting for a commune committee the user
    covers (optionally one of them); a cell's own users see none here (QĐ 213, Art. 4)."""
    qs = DepartureReport.objects.filter(
        scope_for(user).org_q("commune_org__"), state=DepartureReport.State.PENDING
    )
    if org is not None:
        qs = qs.filter(org.subtree_q("commune_org__path"))
    return qs


def departures_pending_count(user) -> int:
    """The queue's size for the home page and the commune's pages (one query; none without a
    commune committee role)."""
    scope = scope_for(user)
    if not (scope.is_superuser or scope.has_residence_committee_role):
        return 0
    return departures_pending_for(user).count()


def departure_get_for(user, pk, *, write: bool = False) -> DepartureReport:
    """One report, seen by the commune committee it was sent to; 404 outside, 403 when only readable."""
    report = (
        DepartureReport.objects.filter(scope_for(user).org_q("commune_org__"), pk=pk)
        .select_related(*DEPARTURE_RELATED, "reported_by", "decided_by")
        .first()
    )
    if report is None:
        raise Http404("Không tìm thấy báo cáo.")
    if write and not scope_for(user).may_write(report.commune_org):
        raise PermissionDenied("Bạn chỉ có quyền xem báo cáo này.")
    return report


def departure_latest_of(liaison: Liaison) -> DepartureReport | None:
    """The link's newest report (at most one waits), so the cell sees it waiting or why it was
    rejected."""
    return (
        DepartureReport.objects.filter(liaison=liaison).select_related("commune_org").order_by("-pk").first()
    )


# What the commune inbox shows of each introduction (residence/incoming.html).
INCOMING_FIELDS = (
    "excused", "address_street", "address_hamlet", "letter_number", "letter_symbol", "letter_date", "receive_due",
    "member__full_name", "member__gender", "member__date_of_birth", "member__position", "member__workplace_unit",
    "workplace_org__name", "commune_org__name", "commune_org__path",
)  # fmt: skip


class IncomingRow:
    """What the commune inbox shows of one waiting introduction, shaped like the Liaison it reads."""

    letter_number: int | None
    letter_symbol: str

    def __init__(self, values: dict):
        from types import SimpleNamespace

        from haichieu.members.models import Member

        v = values
        self.pk = self.id = v["pk"]
        self.due_key = v["due_key"]
        for name in ("excused", "address_street", "address_hamlet", "letter_number", "letter_symbol",
                     "letter_date", "receive_due", "commune_org_id", "workplace_org_id"):  # fmt: skip
            setattr(self, name, v[name])
        gender = v["member__gender"]
        self.member = SimpleNamespace(
            full_name=v["member__full_name"], gender=gender, date_of_birth=v["member__date_of_birth"],
            position=v["member__position"], workplace_unit=v["member__workplace_unit"],
            get_gender_display=lambda: Member.Gender(gender).label if gender in Member.Gender.values else gender,
        )  # fmt: skip
        self.workplace_org = SimpleNamespace(name=v["workplace_org__name"])
        self.commune_org = SimpleNamespace(name=v["commune_org__name"], path=v["commune_org__path"])

    @property
    def letter_reference(self) -> str:
        return Liaison.format_letter_reference(self.letter_number, self.letter_symbol)


def incoming_page(qs, *, after: str = "", size: int = 50) -> Page:
    """One page of incoming introductions, most urgent first (keyset on receive_due, the undated
    last, then id).

    The page's ids come first from the waiting introductions alone (models "liaison_incoming_idx"),
    then only those rows are joined to their member and organisations: joining every waiting
    introduction of a ward before sorting cost 7-10 ms at 100,000 members (bench/).
    """
    from django.db.models import DateField, Value
    from django.db.models.functions import Coalesce

    from .models import NO_DUE_DATE

    def due_key(query):
        return query.annotate(due_key=Coalesce("receive_due", Value(NO_DUE_DATE, output_field=DateField())))

    def load(page):
        values = (
            due_key(Liaison.objects.filter(pk__in=page.values("pk")))
            .values("pk", "due_key", "commune_org_id", "workplace_org_id", *INCOMING_FIELDS)
            .order_by(*page.query.order_by)
        )
        # Plain rows, not model instances: building 51 instances with three related ones cost
        # more than the query (bench/).
        return [IncomingRow(v) for v in values]

    return keyset_page(due_key(qs), key=("due_key", "pk"), after=after, size=size, load=load)


def cell_for_hamlet(cells, hamlet: str):
    """The residential cell a member's hamlet suggests: the first of `cells` (the commune's active
    residential cells, in Vietnamese order) whose folded name holds the folded hamlet as whole
    words ("thôn 1" is not "thôn 10"), or None."""
    folded = fold(hamlet)
    if not folded:
        return None
    return next((c for c in cells if contains_words(c.name_folded, folded)), None)


def suggested_cells(liaisons, *, cells=None) -> dict:
    """{liaison pk: residential cell} suggested from the hamlet (`cell_for_hamlet`), for many
    liaisons in one query. Read here, a cell is a row of its pk, path, name and folded name (a
    province's page reads some 400 cells: as model instances they cost more than the query)."""
    from haichieu.organizations.models import Organization

    wanted = [li for li in liaisons if li.commune_org_id and li.address_hamlet]
    if not wanted:
        return {}
    paths = {li.commune_org.path for li in wanted}
    if cells is None:  # else: the active residential cells of these communes, already read
        cells = Organization.objects.filter(
            subtree_q("path", paths), kind=Organization.Kind.CELL, is_residential=True, is_active=True
        ).values_list("pk", "path", "name", "name_folded", named=True)
    cells_under = group_by_top(cells, paths)
    result, found = {}, {}
    for liaison in wanted:
        key = (liaison.commune_org.path, liaison.address_hamlet)
        if key not in found:
            # Only the cells whose name holds the hamlet are put in Vietnamese order: sorting every
            # cell of the province's page's 30 communes, and testing each for each hamlet, cost
            # three times the page's queries (bench/).
            folded = fold(key[1])
            holding = by_vn_name(c for c in cells_under[key[0]] if contains_words(c.name_folded, folded))
            found[key] = cell_for_hamlet(holding, key[1])
        if found[key] is not None:
            result[liaison.pk] = found[key]
    return result


def _departure_pending() -> Exists:
    """Whether the link has a cell's "no longer lives here" report waiting for the committee."""
    return Exists(DepartureReport.objects.filter(liaison=OuterRef("pk"), state=DepartureReport.State.PENDING))


def cell_roster(cell, *, q: str = "") -> list[dict]:
    """Members of a residential cell (received or active) grouped by group, in two queries.

    [{"group": Group | None, "liaisons": [...]}, ...]: the cell's groups by name (empty ones too),
    then the members not yet in a group. `q` narrows to the members whose name holds it (without
    diacritics, any case: the member list's search).
    """

    groups = by_vn_name(Group.objects.filter(cell=cell).order_by("name", "pk"))
    liaisons = cell_liaisons(cell)
    if folded := fold(q):
        liaisons = liaisons.filter(member__name_folded__contains=folded)
    liaisons = (
        liaisons.select_related("member", "workplace_org", "group")
        .annotate(
            departure_pending=_departure_pending(),
            exempt_until=exempt_until("member_id", timezone.localdate()),
        )
        .order_by("member__sort_key", "pk")
    )
    by_group: dict = {g.pk: {"group": g, "liaisons": []} for g in groups}
    loose: dict[str, Any] = {"group": None, "liaisons": []}
    for liaison in liaisons:
        by_group.get(liaison.group_id, loose)["liaisons"].append(liaison)
    return [*by_group.values(), loose]


def cell_liaisons(cell) -> QuerySet[Liaison]:
    """The links of a residential cell's members (received or active): its roster."""
    return Liaison.objects.filter(cell=cell, status__in=[S.RECEIVED, S.ACTIVE])


def cell_unplaced(cell) -> QuerySet[Liaison]:
    """The roster's members in no group yet ("Chưa phân tổ/nhóm"): the cell places them (the home
    page's work queue counts them)."""
    return cell_liaisons(cell).filter(group__isnull=True)


def cell_member_counts(cells) -> dict[int, dict]:
    """{cell pk: {"received": n, "active": n}} in one grouped query."""
    counts: dict[int, dict] = {}
    rows = (
        Liaison.objects.filter(cell__in=list(cells), status__in=[S.RECEIVED, S.ACTIVE])
        .values("cell_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["cell_id"], {})[row["status"]] = row["n"]
    return counts


def tracking_book_counts(parts: tuple[Q, Q], *, start: datetime.date, end: datetime.date) -> dict:
    """Total, arrivals (received in the period) and departures (ended in the period) of the book
    whose `parts` are `tracking_book_parts(org, start=start, end=end)`, and the total of each part
    ("parts"): one query, a UNION ALL of one row per part, each counted from its index alone (as
    two queries, the second cost a round trip more)."""
    arrived = Q(received_at__gte=_day_start(start))
    left = Q(end_date__gte=start, end_date__lte=end)
    # Counted on columns of the index (`id` is not), so PostgreSQL reads the index alone. `part`
    # is a constant: each aggregate is over its whole part, one row even when the part is empty.
    part_counts = [
        Liaison.objects.filter(part_q)
        .annotate(part=Value(index))
        .values("part")
        .annotate(
            total=Count("status"),
            arrivals=Count("received_at", filter=arrived),
            departures=Count("end_date", filter=left),
        )
        .values_list("part", "total", "arrivals", "departures")
        .order_by()
        for index, part_q in enumerate(parts)
    ]
    rows = {row[0]: row[1:] for row in part_counts[0].union(*part_counts[1:], all=True)}
    counts: dict[str, Any] = {"total": 0, "arrivals": 0, "departures": 0, "parts": []}
    for index in range(len(parts)):
        total, arrivals, departures = rows.get(index, (0, 0, 0))
        counts["total"] += total
        counts["arrivals"] += arrivals
        counts["departures"] += departures
        counts["parts"].append(total)
    return counts


def _book_rows(page: QuerySet) -> QuerySet:
    """The BOOK_FIELDS of the links of `page`: the names of the workplace organisation, cell and
    group a lookup per row by primary key. Joined, PostgreSQL spent 2.5 ms planning the page's
    query (0.6 ms without those three joins) for 100 rows at 100,000 members."""
    from haichieu.organizations.models import Organization

    def name_of(model, field):
        return Subquery(model.objects.filter(pk=OuterRef(field)).values("name")[:1])

    return page.annotate(
        workplace_org_name=name_of(Organization, "workplace_org_id"),
        cell_name=name_of(Organization, "cell_id"),
        group_name=name_of(Group, "group_id"),
        exempt_until=exempt_until("member_id", timezone.localdate()),
    ).values(*BOOK_FIELDS)


def tracking_book_page(
    parts: tuple[Q, Q], *, after: str = "", size: int = 100, totals: list[int] | None = None
) -> Page:
    """One page of the tracking book whose `parts` are `tracking_book_parts(…)`, in Vietnamese order
    (keyset on member sort key, id): its rows are dicts of BOOK_FIELDS (100 links as model
    instances with their member and three organisations cost more than the query).

    On PostgreSQL the page is found walking the members in list order (`_book_walk`), each tested
    for a link in the book: a book that holds a good share of all members (a ward's: 118,496 links
    at 1,000,000 members) by a scalar subquery, a smaller one (a residential cell's 4,833) against
    its members' ids, read with the count (core.paging.held_ids). Gathering a cell's links and
    sorting them looked up the sort key of each linked member: 180 ms at 1,000,000 members (paged
    per part, PostgreSQL walked the members testing each by a join: 250 ms). Elsewhere the book is
    gathered and sorted, and only the page's ids joined to their member and organisations.
    `totals`, each part's count when known (`tracking_book_counts`): an empty part is not read
    again (a ward's cells' part holds no link but is found so reading 103,434 entries of its index
    at 1,000,000 members, 10 ms).
    """
    from haichieu.members.models import Member

    by_committee, by_cell = parts
    # The parts that may hold a link: each unless its count is known to be 0.
    holds = [True] * len(parts) if totals is None else [total > 0 for total in totals]
    if not any(holds):
        return Page()
    read = [q for q, held_any in zip(parts, holds, strict=True) if held_any]
    sides = [
        Liaison.objects.filter(q) if held_any else Liaison.objects.none()
        for q, held_any in zip(parts, holds, strict=True)
    ]
    answer = held_ids(sides, among=Member, page=size, field="member", counts=totals)
    if answer is None:

        def load(page: QuerySet) -> QuerySet:
            return _book_rows(Liaison.objects.filter(pk__in=page.values("pk"))).order_by(*BOOK_KEY)

        book = _book_in_order(by_committee, by_cell).select_related(None)
        return keyset_page(book, key=BOOK_KEY, after=after, size=size, load=load)
    book = Liaison.objects.filter(functools.reduce(operator.or_, read))
    held = answer.parts
    members: QuerySet
    ids = [pk for part in held if part is not None for pk in part]
    if any(part is None for part in held):  # dense
        link = book.filter(member=OuterRef("pk")).values("pk")[:1]
        members = Member.objects.alias(book_link=Subquery(link)).filter(book_link__isnull=False)
        namesakes = Q()
    else:
        book_ids = sorted(set(ids))
        members = Member.objects.filter(IdsIn(book_ids))
        namesakes = Q(IdsIn(book_ids, gather=True))
    walked = _book_walk(book, members, after=after, size=size, namesakes=namesakes)
    book = book.filter(member__in=walked)
    return keyset_page(book, key=BOOK_KEY, after=after, size=size, load=_book_rows)


def _book_walk(book: QuerySet, members: QuerySet, *, after: str, size: int, namesakes: Q) -> QuerySet:
    """The members whose links make the book's page after the cursor `after`: one query walking
    `members` (those with a link in `book`) in list order (member_sort_name_idx), up to size+1 of
    them; plus the members `namesakes` (a condition) admits whose sort key equals the cursor's or
    the last one's (a sort key is not unique, and the page orders their links by id).

    The first size+1 links after the cursor lie among these: each walked member has one, and the
    links of a sort key below the last walked member's belong to walked members. `namesakes` admits
    at least the book's members: their ids when those are known, else every member (joined to the
    book's links, each is then one index lookup rather than the walk's subquery). A common name is
    shared by 1,472 members at 1,000,000: taken from every member, a ward's book read by ids
    looked up each for a link (its rows' query 10.6 ms → 7 at 1,000,000). The ids test the
    namesakes only, and gathered (`IdsIn(gather=True)`): as `= ANY(array)`, PostgreSQL probed an
    index once for each of the book's members (thousands: 10–15 ms).
    """
    from haichieu.members.models import Member

    walk = members
    position = decode_cursor(book, BOOK_KEY, after)
    ties = set()
    if position is not None:
        walk = walk.filter(sort_key__gt=position[0])
        ties.add(position[0])
    walked = list(walk.order_by("sort_key", "pk").values_list("pk", "sort_key")[: size + 1])
    if walked:
        ties.add(walked[-1][1])
    return Member.objects.filter(
        Q(pk__in=[pk for pk, _ in walked]) | Q(namesakes, sort_key__in=sorted(ties))
    ).values("pk")


FOLLOWER_MEMBERS_LIMIT = 300


@dataclass(frozen=True)
class FollowerSuggestion:
    name: str
    note: str  # who they are: "Chi ủy Chi bộ …", "Đảng viên của chi bộ, 09…"


def follower_suggestions(cells, *, members_of=None) -> list[FollowerSuggestion]:
    """Names to offer as "Cấp ủy viên theo dõi" (free text stays possible): the users holding a
    secretary role on `cells`, then, with `members_of` (one cell), the members received there."""
    found: list[FollowerSuggestion] = []
    seen: set[str] = set()
    for role in committee_roles(cells):
        name = role.user.full_name or role.user.username
        if name not in seen:
            seen.add(name)
            found.append(FollowerSuggestion(name, f"Chi ủy {role.organization.name}"))
    if members_of is not None:
        members = (
            Liaison.objects.filter(
                cell=members_of, status__in=[Liaison.Status.RECEIVED, Liaison.Status.ACTIVE]
            )
            .values_list("member__full_name", "member__phone", "member__sort_key")
            .order_by("member__sort_key")[:FOLLOWER_MEMBERS_LIMIT]
        )
        for name, phone, _ in members:
            if name not in seen:
                seen.add(name)
                found.append(
                    FollowerSuggestion(name, ", ".join(p for p in ["Đảng viên của chi bộ", phone] if p))
                )
    return found
