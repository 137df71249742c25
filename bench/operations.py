"""The operations the benchmark times: a registry of name -> URL builder.

To time a new page, add a function decorated with `@operation("name")` that returns its URL
(it may use the `BenchContext`, which picks real codes and names from the seeded data).
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from haichieu.accounts.models import Role, User
from haichieu.organizations.models import Organization

# A common diacritic-free fragment ("Nguyễn Văn …" is about one name in eight) and a rare one
# (Quách is about one family name in a thousand), so both plans are exercised.
SEARCH_COMMON = "nguyen van"
SEARCH_RARE = "quach thi"
BENCH_USERNAME = "bantochuc"  # provincial staff: sees the whole province


@dataclass
class BenchContext:
    user: User
    org_code: str  # a workplace grassroots committee: a small subtree of the province
    search_common: str = SEARCH_COMMON
    search_rare: str = SEARCH_RARE


def bench_context(username: str = BENCH_USERNAME) -> BenchContext:
    """What the URL builders need, read from the seeded demo data."""
    user = User.objects.get(username=username)
    committee = Role.objects.select_related("organization").get(user__username="coquan").organization
    return BenchContext(user=user, org_code=committee.code)


OPERATIONS: dict[str, Callable[[BenchContext], str]] = {}
# Operations timed as another demo user than BENCH_USERNAME (a residence page, say).
OPERATION_USERS: dict[str, str] = {}


def operation(name: str, *, user: str | None = None):
    def register(build: Callable[[BenchContext], str]):
        OPERATIONS[name] = build
        if user:
            OPERATION_USERS[name] = user
        return build

    return register


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


@operation("org_tree")
def org_tree(ctx: BenchContext) -> str:
    """The party tree page: the province (every organisation below it) with its member count."""
    return reverse("organizations:tree")


@operation("org_detail")
def org_detail(ctx: BenchContext) -> str:
    """One workplace grassroots committee's page: its member count and its cells with theirs."""
    return reverse("organizations:detail", args=[Organization.objects.get(code=ctx.org_code).pk])
