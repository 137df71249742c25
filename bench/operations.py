"""The operations the benchmark times: a registry of name -> URL builder.

To time a new page, add a function decorated with `@operation("name")` that returns its URL
(it may use the `BenchContext`, which picks real codes and names from the seeded data). To time a
write, return a `Post` instead: the URL, the form data of each request and the page it is made from.

A page is timed as each role that uses it (DESIGN.md "How performance is measured"): a provincial
user's scope is everything and hides what a smaller scope costs. `<page>@<role>` is the page as one
of the demo users of ROLES; a name without a role is the page as provincial staff.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from haichieu.accounts.models import Role, User
from haichieu.comments import rules as comment_rules
from haichieu.comments.models import CommentRequest
from haichieu.demo.comments import BENCH_YEAR
from haichieu.demo.meetings import bench_meeting
from haichieu.meetings.models import Attendance
from haichieu.organizations.models import Organization

# A common diacritic-free fragment ("Nguyễn Văn …" is about one name in eight) and a rare one
# (Quách is about one family name in a thousand), so both plans are exercised.
SEARCH_COMMON = "nguyen van"
SEARCH_RARE = "quach thi"
BENCH_USERNAME = "bantochuc"  # provincial staff: sees the whole province
# The demo users (haichieu.demo) by the role the operations name.
ROLES = {
    "province": "bantochuc",  # staff of the provincial committee's organisation department
    "committee": "coquan",  # staff of a workplace grassroots committee
    "cell": "chibocoquan",  # secretary of one of its cells
    "ward": "phuong",  # staff of a ward's party committee (residence side)
    "residential_cell": "chibotdp",  # secretary of one of the ward's residential cells
}


@dataclass
class BenchContext:
    user: User
    org_code: str  # a workplace grassroots committee: a small subtree of the province
    province_pk: int = 0  # the province (the `province` role's organisation)
    ward_pk: int = 0  # the ward committee of the `ward` role
    residential_cell_pk: int = 0  # the residential cell of the `residential_cell` role
    meeting_pk: int = 0  # the open meeting of that cell (haichieu.demo.meetings), when seeded
    attendance_pk: int = 0  # one of its invitations: the one the roll-call's tap marks
    search_common: str = SEARCH_COMMON
    search_rare: str = SEARCH_RARE


@dataclass(frozen=True)
class Post:
    """A write, timed as a POST to `url` with `data(i)` as the form of the i-th request (each one a
    real change), after a GET of `page` (the screen it is made from, which gives the CSRF token the
    POST sends, as that screen's script does). `floor_pk`: the row the write floor updates."""

    url: str
    page: str
    data: Callable[[int], dict] = field(compare=False)
    floor_pk: int = 0


def bench_context(username: str = BENCH_USERNAME) -> BenchContext:
    """What the URL builders need, read from the seeded demo data."""
    user = User.objects.get(username=username)
    orgs = dict(
        Role.objects.filter(user__username__in=ROLES.values()).values_list(
            "user__username", "organization_id"
        )
    )
    committee = (
        Role.objects.select_related("organization").get(user__username=ROLES["committee"]).organization
    )
    meeting = bench_meeting()
    # The tap marks a member in the middle of the list.
    attendance = (
        Attendance.objects.filter(meeting=meeting).order_by("member__sort_key", "member_id")[
            meeting.attendances.count() // 2
        ]
        if meeting
        else None
    )
    return BenchContext(
        user=user,
        org_code=committee.code,
        province_pk=orgs[ROLES["province"]],
        ward_pk=orgs[ROLES["ward"]],
        residential_cell_pk=orgs[ROLES["residential_cell"]],
        meeting_pk=meeting.pk if meeting else 0,
        attendance_pk=attendance.pk if attendance else 0,
    )


OPERATIONS: dict[str, Callable[[BenchContext], str | Post]] = {}
# Operations timed as another demo user than BENCH_USERNAME (a residence page, say).
OPERATION_USERS: dict[str, str] = {}
# Pages whose rows the benchmark cannot count (no `data-row` mark): the rows the floor then reads.
FLOOR_ROWS: dict[str, int] = {}
# Pages that are not paged: their rows are all there is (a node's children), whatever `size` says.
UNPAGED: set[str] = set()


def operation(name: str, *, user: str | None = None, floor_rows: int | None = None, paged: bool = True):
    def register(build: Callable[[BenchContext], str | Post]):
        OPERATIONS[name] = build
        if user:
            OPERATION_USERS[name] = user
        if floor_rows is not None:
            FLOOR_ROWS[name] = floor_rows
        if not paged:
            UNPAGED.add(name)
        return build

    return register


def for_roles(page: str, build: Callable[[BenchContext], str], roles, **options) -> None:
    """Register `build` as `<page>@<role>` for each role (a role of ROLES)."""
    for role in roles:
        operation(f"{page}@{role}", user=ROLES[role], **options)(build)


def with_params(url: str, **params) -> str:
    """`url` with more query parameters."""
    return url + ("&" if "?" in url else "?") + urlencode(params)


@operation("member_list")
def member_list(ctx: BenchContext) -> str:
    return "/dang-vien/"


@operation("member_list_filtered")
def member_list_filtered(ctx: BenchContext) -> str:
    return "/dang-vien/?" + urlencode({"org": ctx.org_code, "status": "full"})


@operation("member_search")
def member_search(ctx: BenchContext) -> str:
    return "/dang-vien/?" + urlencode({"q": ctx.search_common})


@operation("member_search_rare")
def member_search_rare(ctx: BenchContext) -> str:
    return "/dang-vien/?" + urlencode({"q": ctx.search_rare})


@operation("liaison_coverage")
def liaison_coverage(ctx: BenchContext) -> str:
    """The workplace coverage page of the whole province (summary counts and the first 50 rows)."""
    return "/lien-he/"


@operation("liaison_coverage_committee")
def liaison_coverage_committee(ctx: BenchContext) -> str:
    """The coverage page filtered to one workplace committee (its summary comes from that committee's counts)."""
    return "/lien-he/?" + urlencode({"org": ctx.org_code})


@operation("commune_inbox", user="phuong")
def commune_inbox(ctx: BenchContext) -> str:
    """The introductions waiting for the demo ward's committee."""
    return "/lien-he/noi-cu-tru/tiep-nhan/"


@operation("org_tree", paged=False)
def org_tree(ctx: BenchContext) -> str:
    """The party tree page of provincial staff: the province, its children shown (~128 nodes)."""
    return reverse("organizations:tree")


@operation("org_detail", paged=False)
def org_detail(ctx: BenchContext) -> str:
    """The province's own page: its member count and its children (~128 nodes) with theirs."""
    return reverse("organizations:detail", args=[ctx.province_pk])


@operation("org_children", paged=False)
def org_children(ctx: BenchContext) -> str:
    """The province's children as the tree loads them (htmx) when a user expands the province."""
    return reverse("organizations:children", args=[ctx.province_pk])


def org_committee_detail(ctx: BenchContext) -> str:
    """One workplace grassroots committee's page: its member count and its cells with theirs."""
    return reverse("organizations:detail", args=[Organization.objects.get(code=ctx.org_code).pk])


operation("org_tree@committee", user=ROLES["committee"], paged=False)(org_tree)
operation("org_detail@committee", user=ROLES["committee"], paged=False)(org_committee_detail)


# --- each key page as each role that uses it ----------------------------------------------------
WORKPLACE_ROLES = ("committee", "cell")
EVERY_ROLE_BUT_PROVINCE = ("committee", "cell", "ward", "residential_cell")
for_roles("member_list", member_list, EVERY_ROLE_BUT_PROVINCE)
for_roles("member_search", member_search, EVERY_ROLE_BUT_PROVINCE)
for_roles("liaison_coverage", liaison_coverage, WORKPLACE_ROLES)
for_roles("commune_inbox", commune_inbox, ("province",))


def tracking_book(ctx: BenchContext, *, pk: int) -> str:
    """The tracking book's first page (100 rows, its template marks none: the floor reads 100)."""
    return f"/lien-he/noi-cu-tru/so-theo-doi/{pk}/"


operation("tracking_book@ward", user=ROLES["ward"], floor_rows=100)(
    lambda ctx: tracking_book(ctx, pk=ctx.ward_pk)
)
operation("tracking_book@residential_cell", user=ROLES["residential_cell"], floor_rows=100)(
    lambda ctx: tracking_book(ctx, pk=ctx.residential_cell_pk)
)


# --- the roll-call of a meeting (issue 11) -------------------------------------------------------
@operation("attendance_page", user=ROLES["residential_cell"], paged=False)
def attendance_page(ctx: BenchContext) -> str:
    """The roll-call screen of the residential cell's open meeting (300 invited at 100,000 members:
    haichieu.demo.meetings), as its secretary: every person with a button per status."""
    return reverse("meetings:roll_call", args=[ctx.meeting_pk])


# Each tap changes the mark: present, then late, then present again…
TAP_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.LATE)


@operation("attendance_tap", user=ROLES["residential_cell"], paged=False)
def attendance_tap(ctx: BenchContext) -> Post:
    """One tap of that roll-call: one member's status saved (JSON), compared with a bare view that
    updates one row of the same table. The first tap changes the status the data set holds."""
    current = Attendance.objects.filter(pk=ctx.attendance_pk).values_list("status", flat=True).first()
    start = 1 if current == TAP_STATUSES[0] else 0
    return Post(
        url=reverse("meetings:mark", args=[ctx.meeting_pk, ctx.attendance_pk]),
        page=attendance_page(ctx),
        data=lambda i: {"status": TAP_STATUSES[(start + i) % len(TAP_STATUSES)]},
        floor_pk=ctx.attendance_pk,
    )


# --- statistics at every level (issue 13) --------------------------------------------------------
@operation("dashboard_province", paged=False)
def dashboard_province(ctx: BenchContext) -> str:
    """The statistics page of the whole province as its staff: its figures and its children's
    (~128 rows, worst first), the months' charts and tables."""
    return reverse("statistics:dashboard")


@operation("dashboard_commune", user=ROLES["ward"], paged=False)
def dashboard_commune(ctx: BenchContext) -> str:
    """The statistics page of the demo ward's committee as its staff: its residential cells."""
    return reverse("statistics:dashboard")


@operation("drilldown", paged=False)
def drilldown(ctx: BenchContext) -> str:
    """One level down from the province: the page of its child with the most children (a
    directly-subordinate committee, the former district level), as provincial staff."""
    child = (
        Organization.objects.filter(
            depth=2, path__startswith=Organization.objects.get(pk=ctx.province_pk).path
        )
        .order_by("-numchild", "path")
        .first()
    )
    return with_params(reverse("statistics:dashboard"), org=child.pk if child else ctx.province_pk)


# --- the residence's comments (issue 12) ----------------------------------------------------------
@operation("comment_inbox", user=ROLES["ward"])
def comment_inbox(ctx: BenchContext) -> str:
    """The ward committee's requests not answered yet, oldest deadline first (haichieu.demo.comments:
    hundreds among thousands answered at 100,000 members): the list's "still within the deadline"
    tab while the data set's round is (its deadline is the last day of the bench year), its
    "overdue" tab afterwards, which lists the same requests by the same query."""
    today = timezone.localdate()
    ward_requests = CommentRequest.objects.filter(commune_org_id=ctx.ward_pk)
    state = "pending" if ward_requests.filter(comment_rules.pending_q(today)).exists() else "overdue"
    return reverse("comments:list") + "?" + urlencode({"state": state})


# The same list as the other roles that follow requests: the province, a workplace committee (its
# members' requests), a residential cell (its own inbox).
for_roles("comment_inbox", comment_inbox, ("province", "committee", "residential_cell"))


# --- the meetings' figures of the province (issue 13) ----------------------------------------------
@operation("meeting_figures", paged=False)
def meeting_figures(ctx: BenchContext) -> str:
    """The meetings figures page of the whole province for the bench year, as its staff: its
    children's rows (~128, worst first) over the year's meetings of every residential cell
    (haichieu.demo.meetings.seed_bench_history: two each, their invitations marked)."""
    return with_params(reverse("meetings:figures"), year=BENCH_YEAR)


@operation("comment_progress", paged=False)
def comment_progress(ctx: BenchContext) -> str:
    """The comments' progress of the bench year per commune committee (the yearly round of
    haichieu.demo.comments), as provincial staff."""
    return with_params(reverse("comments:progress"), year=BENCH_YEAR)


for_roles("comment_progress", comment_progress, ("ward", "committee"), paged=False)


# --- the 213 score (issue 13) ----------------------------------------------------------------------
@operation("score", paged=False)
def score(ctx: BenchContext) -> str:
    """The 213 score of the province for the bench year, as its staff: how each component is made
    and its children's scores (~128 rows, lowest first)."""
    return reverse("review:score", args=[ctx.province_pk, BENCH_YEAR])
