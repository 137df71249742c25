"""`seed_demo`: the demo province in one transaction, reproducibly from a seed."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.db import connection, transaction

from haichieu.accounts.models import Role, User
from haichieu.demo.accounts import DEMO_PASSWORD, DemoLogin, create_users
from haichieu.demo.common import DemoError
from haichieu.demo.liaisons import plan_liaisons, write_liaisons
from haichieu.demo.members import plan_members, write_members
from haichieu.demo.tree import plan_tree, write_tree
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune, Organization, Province

DEFAULT_PROVINCE = "01"  # Thành phố Hà Nội


@dataclass
class DemoResult:
    province: Province
    root: Organization
    members: int
    liaisons: int
    organizations: int
    logins: list[DemoLogin]
    seconds: float
    password: str = DEMO_PASSWORD


def _refresh_statistics() -> None:
    """After a bulk load: fresh planner statistics, and on PostgreSQL flushed GIN pending lists.

    Rows inserted in bulk wait in a GIN index's pending list, which every trigram search then
    reads in full (a search took 6.5 ms instead of 0.7 ms at 100,000 members); autovacuum would
    flush it later, we do it now. Stale statistics gave hash joins over whole tables.
    """
    tables = [m._meta.db_table for m in (Province, Commune, Organization, Member, Liaison, User, Role)]
    if connection.vendor == "sqlite":
        # Without statistics SQLite walked the status index for an organisation filter (128 ms
        # instead of 3 ms at 100,000 members).
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
        return
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE am.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])",
            [tables],
        )
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


def demo_exists() -> bool:
    return Organization.objects.exists()


def seed_demo(
    *, members: int = 2000, seed: int = 2026, province_code: str = DEFAULT_PROVINCE, log=None
) -> DemoResult:
    """Build the demo province with `members` members, reproducibly from `seed`, in one transaction."""
    if members < 20:
        raise DemoError("Cần ít nhất 20 đảng viên để dựng dữ liệu mẫu.")
    started = time.perf_counter()
    log = log or (lambda message: None)
    rng = random.Random(seed)
    if not Province.objects.exists():
        from django.core.management import call_command

        call_command("load_units", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    code = province_code.lstrip("0") or "0"
    province = next((p for p in Province.objects.all() if p.code.lstrip("0") == code), None)
    if province is None:
        raise DemoError(f"Không tìm thấy tỉnh/thành phố có mã “{province_code}”.")
    communes = list(Commune.objects.filter(province=province).order_by("code"))
    if len(communes) < 5:
        raise DemoError(f"{province.name} có quá ít xã/phường để dựng dữ liệu mẫu.")

    with transaction.atomic():
        tree = plan_tree(rng, province, communes, members)
        if Organization.objects.filter(code=tree.root.code).exists():
            raise DemoError(f"Đã có dữ liệu mẫu của {province.name} (mã {tree.root.code}).")
        write_tree(tree, province)
        log(f"cây tổ chức: {sum(1 for _ in tree.root.walk())} tổ chức")

        plans = plan_members(rng, tree, province, communes, members)
        # Liaisons are planned first: a member's `link_status` is the status of their current one.
        moved, liaisons = plan_liaisons(rng, plans, tree)
        for link in liaisons:
            link.member.link_status = link.status
        rows = [p.member for p in plans]
        write_members(rows)
        log(f"đảng viên: {len(rows)}")

        liaisons = write_liaisons(moved, liaisons)
        log(f"hồ sơ giữ mối liên hệ: {len(liaisons)}")

        logins = create_users(rng, tree, rows[0])
        _refresh_statistics()
    root = Organization.objects.get(pk=tree.root.pk)
    return DemoResult(
        province=province,
        root=root,
        members=len(rows),
        liaisons=len(liaisons),
        organizations=sum(1 for _ in tree.root.walk()),
        logins=logins,
        seconds=time.perf_counter() - started,
    )
